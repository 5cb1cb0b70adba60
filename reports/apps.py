from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports, exports, dashboards and the policy's targets' progress; reads every money app."""

    name = "reports"
    verbose_name = _("Reports")
