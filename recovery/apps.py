from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    """Recovery (追回): taking back money paid on an award, the refunds, and the ban from applying."""

    name = "recovery"
    verbose_name = _("Recovery")

    def ready(self) -> None:
        from applications.hooks import ReviewStep, application_submitting, notice_facts, review_step_register
        from budgets.hooks import budget_recovered

        from .forms import recover_form, recover_url
        from .selectors import recovered_per_budget, recovery_notice_facts
        from .services import applicant_ban_check

        application_submitting.connect(applicant_ban_check)
        notice_facts.connect(recovery_notice_facts)
        budget_recovered.connect(recovered_per_budget)
        review_step_register(
            ReviewStep(
                action="recover",
                api_name="recover",
                api_view="recovery.api.RecoverView",
                form=recover_form,
                post_url=recover_url,
                hint=_(
                    "Recover all or part of the money paid (追回), with the reasons; the applicant receives a "
                    "recovery notice. You may also bar the applicant from applying for up to five years."
                ),
            )
        )
