"""Running work in threads released together, for the PostgreSQL concurrency tests (not a test
module). Each thread uses its own database connection and closes it at the end.

    results = race(lambda: review.application_accept(...), lambda: ...)   # [("ok", value) | ("error", exc)]
"""

import threading
from collections.abc import Callable
from typing import Any


def race(*actions: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Runs the actions in threads released together by a barrier; each result, in the actions'
    order, is ("ok", value) or ("error", the exception)."""
    from django.db import connection

    barrier = threading.Barrier(len(actions))
    results: list[tuple[str, Any]] = [("missing", None)] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = ("ok", action())
        except BaseException as error:  # collected and asserted by the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
    return results
