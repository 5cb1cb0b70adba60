from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """Chinese working days (法定工作日), shared by review deadlines and announcement periods.

    Its own app because both applications and awards count in working days and neither owns
    the calendar.
    """

    name = "workdays"
    verbose_name = _("Working days")
