"""The policy's ceiling is an invariant (issue 9): no proposal, approval, offer or award above it.

Measure 15 pays at most 500,000 CNY for each international standard an enterprise leads: a claim
listing one standard can receive 500,000.00, never 500,000.01, 5,000,000 or 1e9, whatever reason
an official gives."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import OfficialRole
from applications import review
from applications.models import Application
from applications.review import AboveCeiling, claim_ceiling, require_within_ceiling
from applications.services import application_submit
from awards.models import Award
from awards.services import award_commit
from budgets.services import BudgetError, year_ceiling_set
from measures.amounts import Claim, compute_amount
from measures.ceilings import policy_ceiling
from measures.models import Incentive, YearCeiling
from tests.applications.helpers import PER_UNIT, complete_draft
from tests.factories import EnterpriseUserFactory, OfficialFactory
from tests.review.conftest import fund

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def under_review(amr_handler, units: int) -> Application:
    user = EnterpriseUserFactory()
    application = application_submit(
        actor=user, application=complete_draft(user, PER_UNIT, units=units), credit_commitment=True
    )
    application = review.application_accept(actor=amr_handler, application=application)
    return review.application_start_review(actor=amr_handler, application=application)


@pytest.mark.parametrize("amount", ["500000.01", "5000000", "1000000000"])
def test_one_standard_never_receives_more_than_500000_whatever_the_reason(amr_handler, amount) -> None:
    application = under_review(amr_handler, units=1)
    with pytest.raises(AboveCeiling) as refused:
        review.application_propose(
            actor=amr_handler,
            application=application,
            support=True,
            reasons="成果突出",
            amount=Decimal(amount),
            override_reason="部门认为贡献很大",
        )
    assert "above the policy ceiling of 500,000.00 CNY" in refused.value.message
    assert "No reason can override" in refused.value.message
    assert Application.objects.get(pk=application.pk).proposed_amount is None


def test_the_ceiling_grows_with_the_units_claimed(amr_handler) -> None:
    application = under_review(amr_handler, units=3)
    assert claim_ceiling(application).amount == Decimal("1500000.00")
    proposed = review.application_propose(
        actor=amr_handler, application=application, support=True, reasons="符合", amount=Decimal("1500000")
    )
    assert proposed.proposed_amount == Decimal("1500000.00")


def test_the_api_refuses_1e9_and_says_how_to_write_an_amount(amr_handler) -> None:
    from rest_framework.test import APIClient

    application = under_review(amr_handler, units=1)
    api = APIClient()
    api.force_authenticate(amr_handler)
    url = f"/api/v1/applications/{application.reference}/propose/"
    body = '{"decision": "support", "amount": 1e9, "override_reason": "x", "reasons": "y"}'
    response = api.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "plain number" in json.dumps(response.json())
    for written in ('"NaN"', '"1e9"', '"60万"', '"1,000,000"', "NaN"):
        body = f'{{"decision": "support", "amount": {written}, "override_reason": "x", "reasons": "y"}}'
        assert api.post(url, body, content_type="application/json").status_code == 400, written
    body = '{"decision": "support", "amount": 500000.01, "override_reason": "x", "reasons": "y"}'
    response = api.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "policy ceiling" in json.dumps(response.json())
    assert Application.objects.get(pk=application.pk).proposed_amount is None


def test_an_award_keeps_its_ceiling_and_the_database_refuses_more(amr_handler) -> None:
    fund(PER_UNIT)
    application = under_review(amr_handler, units=1)
    Application.objects.filter(pk=application.pk).update(status="approved")
    with transaction.atomic():
        award = award_commit(actor=None, application=application, amount=Decimal("500000"))
    assert award.ceiling == Decimal("500000.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(amount=Decimal("500000.01"))


def test_where_the_policy_names_no_figure_the_department_sets_the_years_ceiling_first() -> None:
    incentive = Incentive.objects.get(code="m3-little-giant")
    ceiling = policy_ceiling(incentive, on=timezone.localdate(), claim=None, fiscal_year=YEAR)
    assert ceiling.amount is None and ceiling.set_by_department
    with pytest.raises(AboveCeiling):
        require_within_ceiling(Decimal("1"), ceiling, fiscal_year=YEAR)
    handler = OfficialFactory(role=OfficialRole.HANDLER, department=incentive.handling_department)
    with pytest.raises(BudgetError):  # approvers of the handling department (or administrators) only
        year_ceiling_set(actor=handler, incentive=incentive, fiscal_year=YEAR, amount=Decimal("1000000"))
    approver = OfficialFactory(role=OfficialRole.APPROVER, department=incentive.handling_department)
    year_ceiling_set(actor=approver, incentive=incentive, fiscal_year=YEAR, amount=Decimal("1000000"))
    assert policy_ceiling(incentive, on=timezone.localdate(), claim=None, fiscal_year=YEAR).amount == Decimal(
        "1000000.00"
    )
    assert not YearCeiling.objects.filter(fiscal_year=YEAR + 1).exists()  # a year's ceiling is that year's only
    fixed = Incentive.objects.get(code="m17-china-quality-award-org")
    with pytest.raises(BudgetError):  # the policy names this one's figure
        year_ceiling_set(actor=approver, incentive=fixed, fiscal_year=YEAR, amount=Decimal("1"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(min_value=0, max_value=10_000),
    units=st.one_of(st.none(), st.integers(min_value=1, max_value=50)),
    spending=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**10, places=2)),
    requested=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**10, places=2)),
    days=st.integers(min_value=0, max_value=3 * 365),
)
def test_over_the_whole_catalog_the_engine_never_exceeds_the_ceiling(db, index, units, spending, requested, days):
    """For every money-paying incentive and any claim: the engine's amount is within the ceiling,
    and one fen above the ceiling is refused by the check every path shares."""
    every = Incentive.objects.prefetch_related("amount_parameters").order_by("code")
    incentives = [incentive for incentive in every if incentive.pays_money]
    assert len(incentives) > 10
    incentive = incentives[index % len(incentives)]
    on = dt.date(2024, 1, 1) + dt.timedelta(days=days)
    claim = Claim(units=units, eligible_spending=spending, requested=requested)
    ceiling = policy_ceiling(incentive, on=on, claim=claim, fiscal_year=on.year)
    result = compute_amount(incentive, on=on, claim=claim)
    if ceiling.amount is None:
        assert ceiling.set_by_department
        with pytest.raises(AboveCeiling):
            require_within_ceiling(Decimal("0.01"), ceiling, fiscal_year=on.year)
        return
    if result.amount is not None:
        assert result.amount <= ceiling.amount, (incentive.code, claim, result.trace("en"), ceiling.trace("en"))
    require_within_ceiling(ceiling.amount, ceiling, fiscal_year=on.year)
    with pytest.raises(AboveCeiling):
        require_within_ceiling(ceiling.amount + Decimal("0.01"), ceiling, fiscal_year=on.year)
