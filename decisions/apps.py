from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    """Site checks (现场核查) and collective decision meetings (集体审议) of a call's applications.
    Above applications: a meeting proposes or rejects through applications.review's services."""

    name = "decisions"
    verbose_name = _("Site checks and collective decisions")

    def ready(self) -> None:
        from applications.hooks import application_panels

        from .panels import site_check_panels

        # The officials' review page and the applicant's page show the site checks.
        application_panels.connect(site_check_panels)
