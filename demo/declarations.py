"""The demo applicants' answers to the catalog's declaration criteria, so "what can I claim" shows a
verdict for nearly every incentive. Answers only what is not answered yet (a user's change stays)."""

from django.db import transaction

from accounts.models import ApplicantDeclaration, User
from accounts.services import declaration_answer
from measures.models import EligibilityCriterion

# incentive code → does the declaration hold for the demo applicant (an electronics manufacturer in
# Shenzhen; a quality professional in manufacturing). Every declaration of an incentive gets the answer.
DEMO_DECLARATIONS: dict[str, dict[str, bool]] = {
    "demo-enterprise": {
        "m1-patented-product-filing": True,
        "m2-ip-protection-whitelist": True,
        "m4-provincial-quality-standard-lab": False,
        "m5-dual-carbon-research-project": False,
        "m7-cloud-platform-cost-share": True,
        "m8-one-stop-demo-base": False,
        "m10-tech-upgrade-guarantee": True,
        "m10-reinvestment-withholding-deferral": False,
        "m11-yuepinrong-quality-loan": True,
        "m12-ip-pledge-financing": True,
        "m13-quality-digitalisation-subsidy": True,
        "m13-yuepintong-credit-code": True,
        "m14-standard-lead-unit-commendation": False,
        "m15-international-standard-lead": False,
        "m16-measuring-instrument-deduction": True,
        "m16-type-evaluation-fee-exemption": False,
        "m17-quality-benchmark": True,
        "m19-demonstration-zone-subsidy": False,
        "m21-permit-notification-commitment": True,
        "m22-individual-to-enterprise": False,
        "m28-talent-alliance": False,
    },
    "demo-individual": {
        "m28-outstanding-entrepreneur": False,
        "m28-excellent-engineer": True,
        "m29-international-standardisation-talent": False,
        "m29-quality-professional-title": True,
        "m30-senior-title-fast-track": False,
    },
}


@transaction.atomic
def ensure_demo_declarations() -> None:
    for username, answers in DEMO_DECLARATIONS.items():
        user = User.objects.filter(username=username).select_related("applicant").first()
        if user is None or user.applicant is None:
            continue
        answered = set(
            ApplicantDeclaration.objects.filter(applicant=user.applicant).values_list("criterion_id", flat=True)
        )
        criteria = EligibilityCriterion.objects.filter(
            rule=EligibilityCriterion.Rule.DECLARATION, incentive__code__in=answers
        ).select_related("incentive")
        for criterion in criteria:
            if criterion.pk not in answered:
                declaration_answer(
                    actor=user,
                    applicant=user.applicant,
                    criterion_id=criterion.pk,
                    holds=answers[criterion.incentive.code],
                )
