from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Awards, budgets, announcements (公示) and disbursement: filled in by the awards issue."""

    name = "awards"
    verbose_name = _("Awards and money")
