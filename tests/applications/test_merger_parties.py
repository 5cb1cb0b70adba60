"""Measure 9's green channel: the claim lists the parties to the merger with their turnovers, and
the conditions are judged on those (营业额合计: combined turnover; at least two parties each above
400 million in China), never on the applicant's own revenue."""

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
        # combined 21亿 in China (> 20亿), two parties each above 4亿: eligible
        ([("甲", 15 * YI, 15 * YI), ("乙", 6 * YI, 6 * YI)], True),
        # combined 19.5亿 in China, 19.5亿 worldwide: the combined turnover is not enough
        ([("甲", 19 * YI, 19 * YI), ("乙", YI / 2, YI / 2)], False),
        # combined worldwide 101亿 (> 100亿) suffices for the total, but only one party is above 4亿
        ([("甲", 10 * YI, 100 * YI), ("乙", 3 * YI, YI)], False),
        # worldwide 101亿 and two parties above 4亿 in China: eligible through the worldwide total
        ([("甲", 5 * YI, 96 * YI), ("乙", 5 * YI, 5 * YI)], True),
        # exactly 20亿 is not "above" 20亿 (超过), and the world total is small
        ([("甲", 10 * YI, 10 * YI), ("乙", 10 * YI, 10 * YI)], False),
    ],
)
def test_the_verdict_is_judged_on_the_parties_turnovers(rich_enterprise, parties, expected) -> None:
    application = _draft(rich_enterprise, parties)
    assert parties_from_answers(application.incentive, application.data) is not None
    assert claim_verdict(application).eligible is expected


def test_without_the_parties_the_claim_cannot_be_judged_whatever_the_applicants_revenue(rich_enterprise) -> None:
    assert claim_verdict(_draft(rich_enterprise, None)).eligible is None


def test_the_check_page_shows_the_conditions_judged_on_the_parties(rich_enterprise, page_client) -> None:
    application = _draft(rich_enterprise, [("甲", 15 * YI, 15 * YI), ("乙", 6 * YI, 6 * YI)])
    body = page_client(rich_enterprise).get(
        reverse("applications:check", args=[application.reference or application.pk])
    )
    html = body.content.decode()
    assert "All conditions are met" in html and "combined turnover in China" in html
