from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProactiveConfig(AppConfig):
    """Proactive awards (免申即享): official lists turned into offers the enterprise only confirms."""

    name = "proactive"
    verbose_name = _("Proactive awards")

    def ready(self) -> None:
        from accounts.hooks import applicant_registered

        from .services import proactive_match_new_applicant

        applicant_registered.connect(proactive_match_new_applicant)
