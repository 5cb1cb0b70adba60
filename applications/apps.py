from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Applications (申报) and their workflow: filled in by the applicant issue and the review issue."""

    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from credit.hooks import entities_listed

        from .screening import flag_listed_applications

        # Re-screening: entities added to the credit list flag their open applications and unpaid awards.
        entities_listed.connect(flag_listed_applications)
