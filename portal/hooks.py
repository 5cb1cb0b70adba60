"""Explicit extension points: a lower app announces an event, a higher app reacts, and the lower
app never imports the higher one (the layering in the README stays free of circles).

The app that owns the event declares its hook (`applications/hooks.py`, `accounts/hooks.py`)
with what it passes and when it runs; a higher app connects its receiver in `AppConfig.ready()`.
Unlike signals, every point is declared in one place, receivers run in the caller's transaction
in the order they were connected, and their exceptions reach the caller.
"""

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> None:
        if receiver not in self._receivers:  # ready() may run twice in tests
            self._receivers.append(receiver)

    def send(self, **kwargs: Any) -> list[Any]:
        return [receiver(**kwargs) for receiver in self._receivers]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"
