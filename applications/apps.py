from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Applications (申报) and their workflow: filled in by the applicant issue and the review issue."""

    name = "applications"
    verbose_name = _("Applications")
