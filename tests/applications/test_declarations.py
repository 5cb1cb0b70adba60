"""Declarations: the applicant answers each declaration criterion on "what can I claim" (stored on
the profile, dated, by whom, audited); every incentive of the catalog can reach "eligible"; the
official sees the declarations on the review page."""

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApplicantDeclaration
from accounts.selectors import applicant_facts
from accounts.services import declaration_answer
from applications.matching import matches_for
from audit.models import AuditEvent
from measures.eligibility import ApplicantFacts, QualificationHeld, judge
from measures.models import EligibilityCriterion, Incentive
from tests.factories import EnterpriseUserFactory, IndividualUserFactory

pytestmark = pytest.mark.django_db

Rule = EligibilityCriterion.Rule
LOAN = "m10-tech-upgrade-guarantee"


def _criterion(code: str = LOAN) -> EligibilityCriterion:
    return EligibilityCriterion.objects.get(incentive__code=code, rule=Rule.DECLARATION)


def _verdict(applicant, code: str) -> bool | None:
    return next(m for m in matches_for(applicant, on=timezone.localdate()) if m.incentive.code == code).eligible


def test_declaring_yes_makes_the_verdict_eligible_and_no_makes_it_not() -> None:
    user = EnterpriseUserFactory()
    assert _verdict(user.applicant, LOAN) is None
    declaration_answer(actor=user, applicant=user.applicant, criterion_id=_criterion().pk, holds="yes")
    assert _verdict(user.applicant, LOAN) is True
    declaration_answer(actor=user, applicant=user.applicant, criterion_id=_criterion().pk, holds="no")
    assert _verdict(user.applicant, LOAN) is False
    declaration = ApplicantDeclaration.objects.get(applicant=user.applicant)
    assert declaration.declared_by == user and declaration.declared_at is not None
    assert declaration.text == _criterion().text and declaration.holds is False
    events = AuditEvent.objects.filter(action="declaration.answer", object_id=str(declaration.pk)).order_by("pk")
    assert [e.after["holds"] for e in events] == [True, False]
    assert events.last().before == {"holds": True, "text": _criterion().text}


def test_refused_declarations_change_nothing() -> None:
    user, other = EnterpriseUserFactory(), EnterpriseUserFactory()
    with pytest.raises(PermissionDenied):
        declaration_answer(actor=other, applicant=user.applicant, criterion_id=_criterion().pk, holds="yes")
    with pytest.raises(ValidationError):
        declaration_answer(actor=user, applicant=user.applicant, criterion_id=_criterion().pk, holds="maybe")
    not_a_declaration = EligibilityCriterion.objects.exclude(rule=Rule.DECLARATION).first()
    with pytest.raises(ValidationError):
        declaration_answer(actor=user, applicant=user.applicant, criterion_id=not_a_declaration.pk, holds="yes")
    with pytest.raises(ValidationError):
        declaration_answer(actor=user, applicant=user.applicant, criterion_id="x", holds="yes")
    individual_only = EligibilityCriterion.objects.filter(
        rule=Rule.DECLARATION, incentive__applicant_type="individual"
    ).first()
    if individual_only is not None:
        with pytest.raises(ValidationError):
            declaration_answer(actor=user, applicant=user.applicant, criterion_id=individual_only.pk, holds="yes")
    assert not ApplicantDeclaration.objects.exists()


def _facts_meeting(incentive: Incentive, declared: ApplicantFacts) -> ApplicantFacts:
    """The declared facts plus a profile that meets every figure-based criterion of the incentive."""
    facts = declared
    for criterion in incentive.criteria.all():
        params = criterion.params or {}
        if criterion.alternative_group and judge(incentive, facts).eligible:
            continue
        if criterion.rule == Rule.QUALIFICATION_ANY:
            level = (params.get("levels") or ["national"])[0]
            year = int(params.get("year_from") or params.get("year_to") or timezone.localdate().year)
            held = QualificationHeld(code=params["qualifications"][0], year=year, level=level)
            facts = dataclasses.replace(facts, held=(*facts.held, held))
        elif criterion.rule == Rule.SIZE_IN:
            facts = dataclasses.replace(facts, size=params["sizes"][0])
        elif criterion.rule == Rule.CITY_IN:
            facts = dataclasses.replace(facts, city=params["cities"][0])
        elif criterion.rule == Rule.INDUSTRY_IN:
            facts = dataclasses.replace(facts, industry_division=params["divisions"][0])
        elif criterion.rule == Rule.REVENUE_CN_ABOVE:
            facts = dataclasses.replace(facts, revenue_cn=Decimal(params["amount"]) + 1)
        elif criterion.rule == Rule.REVENUE_WORLD_ABOVE:
            facts = dataclasses.replace(facts, revenue_world=Decimal(params["amount"]) + 1)
        elif criterion.rule in (Rule.PARTIES_REVENUE_CN_ABOVE, Rule.PARTIES_TOTAL_CN_ABOVE):
            parties = (Decimal(params["amount"]) + 1,) * max(2, int(params.get("count", 2)))
            facts = dataclasses.replace(facts, parties_revenue_cn=max(parties, facts.parties_revenue_cn or ()))
        elif criterion.rule == Rule.PARTIES_TOTAL_WORLD_ABOVE:
            facts = dataclasses.replace(facts, parties_revenue_world=(Decimal(params["amount"]) + 1,))
    return facts


def test_every_incentive_of_the_catalog_can_reach_eligible_with_a_profile_and_declarations() -> None:
    """Declarations are answered through the service by an enterprise and a person (all "yes");
    the rest of each profile is what the incentive's figures ask. No incentive is left without a
    way to "eligible"."""
    enterprise, person = EnterpriseUserFactory(), IndividualUserFactory()
    for user in (enterprise, person):
        for criterion in EligibilityCriterion.objects.filter(
            rule=Rule.DECLARATION, incentive__applicant_type=user.applicant.kind
        ):
            declaration_answer(actor=user, applicant=user.applicant, criterion_id=criterion.pk, holds="yes")
    declared = {user.applicant.kind: applicant_facts(user.applicant) for user in (enterprise, person)}
    incentives = list(Incentive.objects.filter(is_active=True).prefetch_related("criteria"))
    assert len(incentives) >= 49
    unreachable = [
        i.code for i in incentives if judge(i, _facts_meeting(i, declared[i.applicant_type])).eligible is not True
    ]
    assert unreachable == []
    declarations = EligibilityCriterion.objects.filter(rule=Rule.DECLARATION).count()
    assert declarations >= 27 and ApplicantDeclaration.objects.count() == declarations


def test_the_matches_page_offers_each_declaration_and_records_the_answer(page_client) -> None:
    user = EnterpriseUserFactory()
    client = page_client(user)
    html = client.get(reverse("dashboard:matches")).content.decode()
    assert f'name="criterion" value="{_criterion().pk}"' in html
    response = client.post(
        reverse("dashboard:declare"), {"criterion": _criterion().pk, "incentive": LOAN, "holds": "yes"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/me/matches/#match-{LOAN}")
    assert ApplicantDeclaration.objects.get(applicant=user.applicant).holds is True
    refused = client.post(reverse("dashboard:declare"), {"criterion": "nope", "holds": "yes"}, follow=True)
    assert refused.status_code == 200 and "Choose a condition" in refused.content.decode()


def test_the_official_sees_the_applicants_declarations(page_client, miit_handler) -> None:
    from tests.review.conftest import submit_new

    code = "m17-quality-benchmark"  # a recognition handled by miit, with a declaration
    user = EnterpriseUserFactory()
    declaration_answer(actor=user, applicant=user.applicant, criterion_id=_criterion(code).pk, holds="yes")
    application = submit_new(user, code)
    html = page_client(miit_handler).get(reverse("review:application", args=[application.reference])).content.decode()
    assert 'id="declarations"' in html
    assert _criterion(code).text_en in html and "Declares it holds" in html and user.username in html
