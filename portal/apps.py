from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project itself: settings, URLs, and the infrastructure every app shares (state machines,
    numbering sequences, spreadsheets, client addresses, languages). It imports no domain app
    (tests/test_architecture.py) except in its URL and navigation wiring."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import outbox  # noqa: F401  (connects the Celery signals that mark outbox rows done)
