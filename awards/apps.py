from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Awards: the amount decided for an application, committed against its budget at approval."""

    name = "awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        from applications.hooks import application_approving

        from .services import award_commit_on_approval

        application_approving.connect(award_commit_on_approval)
