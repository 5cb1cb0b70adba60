from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports, exports, dashboards and the policy's targets' progress; reads every money app."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from applications.hooks import stage_ended
        from portal.workflow import created, transitioned

        from .tallies import tally_created, tally_stage_ended, tally_transitioned

        transitioned.connect(tally_transitioned)
        created.connect(tally_created)
        stage_ended.connect(tally_stage_ended)
