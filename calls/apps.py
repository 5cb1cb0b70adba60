from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    """Calls for applications (申报通知): the rounds in which incentives may be claimed. Above the
    catalog and the accounts, below applications, which attach each application to its call."""

    name = "calls"
    verbose_name = _("Calls for applications")

    def ready(self) -> None:
        from measures.hooks import incentive_panels

        from .panels import calls_panels

        # The catalog's measure and department pages show each incentive's open and next calls.
        incentive_panels.connect(calls_panels)
