from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: every decision and change to money, append-only and hash-chained.

    Its own app because every other app writes to it and none of them owns it.
    """

    name = "audit"
    verbose_name = _("Audit trail")
