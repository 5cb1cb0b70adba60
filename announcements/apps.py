from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    """Public announcements (公示) of approved decisions and the public's objections (异议)."""

    name = "announcements"
    verbose_name = _("Announcements")
