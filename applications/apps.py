from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Applications (申报) and their workflow: filled in by the applicant issue and the review issue."""

    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from credit.hooks import entities_listed

        from .queue_cache import application_saved, shown_record_saved
        from .screening import flag_listed_applications

        # Re-screening: entities added to the credit list flag their open applications and unpaid awards.
        entities_listed.connect(flag_listed_applications)

        # The cached queue answers follow what their rows show (queue_cache.py).
        post_save.connect(application_saved, sender="applications.Application", dispatch_uid="queue-application-save")
        post_delete.connect(application_saved, sender="applications.Application", dispatch_uid="queue-application-del")
        for label in ("accounts.Applicant", "accounts.User", "calls.Call"):
            post_save.connect(shown_record_saved, sender=label, dispatch_uid=f"queue-save-{label}")
            post_delete.connect(shown_record_saved, sender=label, dispatch_uid=f"queue-delete-{label}")
