from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisbursementConfig(AppConfig):
    """Disbursement (拨付): batches of final awards, the bank's payment file and its results."""

    name = "disbursement"
    verbose_name = _("Disbursement")

    def ready(self) -> None:
        from applications.hooks import notice_facts

        from .selectors import disbursement_notice_facts

        notice_facts.connect(disbursement_notice_facts)
