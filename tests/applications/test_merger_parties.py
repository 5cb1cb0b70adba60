"""Measure 9's green channel: the claim lists the parties to the merger with their turnovers, and
the conditions are judged on those (营业额合计: combined turnover; at least two parties each above
400 million in China), never on the applicant's own revenue."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.form_definitions import parties_from_answers
from applications.matching import claim_verdict
from applications.services import application_create, application_save_section
from measures.models import Incentive
from tests.factories import EnterpriseUserFactory

pytestmark = pytest.mark.django_db

MERGER = "m9-merger-filing-green-channel"
YI = Decimal("100000000")  # 亿元


def _draft(user, parties: list[tuple[str, Decimal, Decimal]] | None):
    incentive = Incentive.objects.get(code=MERGER)
    application = application_create(actor=user, incentive=incentive, fiscal_year=timezone.localdate().year)
    if parties is not None:
        rows = [{"name": n, "revenue_cn": str(cn), "revenue_world": str(world)} for n, cn, world in parties]
        application = application_save_section(
            actor=user,
            application=application,
            section_key="merger",
            answers={"summary": "甲公司吸收合并乙公司。", "parties": rows},
        )
    return application


@pytest.fixture
def rich_enterprise():
    """An applicant whose own turnover alone would pass every threshold."""
    user = EnterpriseUserFactory()
    user.applicant.revenue_cn = 50 * YI
    user.applicant.revenue_world = 200 * YI
    user.applicant.save()
    return user


def test_the_form_asks_for_the_parties_and_their_turnovers(rich_enterprise, page_client) -> None:
    application = _draft(rich_enterprise, None)
    html = page_client(rich_enterprise).get(
        reverse("applications:section", args=[application.reference or application.pk, "merger"])
    )
    body = html.content.decode()
    assert "parties-0-revenue_cn" in body and "parties-1-revenue_world" in body


@pytest.mark.parametrize(
    ("parties", "expected"),
    [
        # Today's thresholds (from 22 January 2024): combined > 40亿 in China or > 120亿 worldwide,
        # and at least two parties each > 8亿 in China.
        # combined 42亿 in China, both parties above 8亿: eligible
        ([("甲", 30 * YI, 30 * YI), ("乙", 12 * YI, 12 * YI)], True),
        # combined 39亿 in China and worldwide: the combined turnover is not enough
        ([("甲", 30 * YI, 30 * YI), ("乙", 9 * YI, 9 * YI)], False),
        # combined 124亿 worldwide suffices for the total, with both parties above 8亿 in China
        ([("甲", 10 * YI, 115 * YI), ("乙", 9 * YI, 9 * YI)], True),
        # combined 41亿 in China, but only one party above 8亿
        ([("甲", 35 * YI, 35 * YI), ("乙", 6 * YI, 6 * YI)], False),
        # exactly 40亿 is not "above" 40亿 (超过)
        ([("甲", 20 * YI, 20 * YI), ("乙", 20 * YI, 20 * YI)], False),
    ],
)
def test_the_verdict_is_judged_on_the_parties_turnovers(rich_enterprise, parties, expected) -> None:
    application = _draft(rich_enterprise, parties)
    assert parties_from_answers(application.incentive, application.data) is not None
    assert claim_verdict(application).eligible is expected


def test_a_claim_made_before_the_2024_thresholds_keeps_its_verdict(rich_enterprise) -> None:
    """21亿 combined with parties of 15亿 and 6亿 passed the thresholds the policy names (20亿, 4亿);
    it fails those in force from 22 January 2024 (40亿, 8亿). The change must not rewrite it."""
    from applications.models import Application

    application = _draft(rich_enterprise, [("甲", 15 * YI, 15 * YI), ("乙", 6 * YI, 6 * YI)])
    assert claim_verdict(application).eligible is False  # a draft is judged today
    made = dt.datetime(2023, 6, 1, 10, tzinfo=dt.UTC)
    Application.objects.filter(pk=application.pk).update(submitted_at=made)
    application.refresh_from_db()
    verdict = claim_verdict(application)
    assert verdict.eligible is True
    assert any("2,000,000,000" in r.criterion for r in verdict.reasons)
    assert not any("4,000,000,000" in r.criterion for r in verdict.reasons)


def test_without_the_parties_the_claim_cannot_be_judged_whatever_the_applicants_revenue(rich_enterprise) -> None:
    assert claim_verdict(_draft(rich_enterprise, None)).eligible is None


def test_the_check_page_shows_the_conditions_judged_on_the_parties(rich_enterprise, page_client) -> None:
    application = _draft(rich_enterprise, [("甲", 30 * YI, 30 * YI), ("乙", 12 * YI, 12 * YI)])
    body = page_client(rich_enterprise).get(
        reverse("applications:check", args=[application.reference or application.pk])
    )
    html = body.content.decode()
    assert body.status_code == 200, body.status_code
    assert "All conditions are met" in html and "combined turnover in China" in html
