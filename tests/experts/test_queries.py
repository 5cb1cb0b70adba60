"""The expert review's lists run a fixed number of queries whatever the round's size (issue 10): the
expert's workspace and assignments API, the panel page (drawn, then closed with its ranking) and the
panel results API, each measured on a small round and again on a larger one."""

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Status
from calls.models import Call
from experts.models import Assignment, Expert, ExpertiseField, Panel, ScoreCriterion
from experts.services import assignment_score, panel_close, panel_draw
from tests.factories import ApplicantFactory, EnterpriseUserFactory, incentive_by_code
from tests.support.queries import counted_get

pytestmark = pytest.mark.django_db

AWARD = "m17-china-quality-award-org"
_serial = itertools.count(1)


def _call(handler: User) -> Call:
    now = timezone.now()
    made = Call.objects.create(
        fiscal_year=now.year,
        title=f"中国质量奖资助申报通知{next(_serial)}",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        expert_review=True,
        experts_per_application=3,
        created_by=handler,
    )
    made.incentives.set([incentive_by_code(AWARD)])
    return made


def _applications(call: Call, n: int) -> None:
    for _ in range(n):
        serial = next(_serial)
        applicant = ApplicantFactory(city="shenzhen")
        Application.objects.create(
            applicant=applicant,
            incentive=incentive_by_code(AWARD),
            fiscal_year=call.fiscal_year,
            call=call,
            status=Status.ACCEPTED,
            reference=f"QB-{call.fiscal_year}-17-{900000 + serial}",
            submitted_at=timezone.now() - dt.timedelta(days=40, minutes=serial),
            created_by=EnterpriseUserFactory(applicant=applicant),
            data={},
        )


def _score(assignment: Assignment) -> None:
    points = {
        c.pk: (c.max_points * Decimal("0.7")).quantize(Decimal("0.01"))
        for c in ScoreCriterion.objects.filter(sheet__incentive=assignment.application.incentive)
    }
    assignment_score(actor=assignment.expert.user, assignment=assignment, points=points, comment="评审意见")


def _round(handler: User, quality: ExpertiseField, applications: int, *, closed: bool) -> Panel:
    """A call of `applications` applications, its panel drawn among the pool, scored and closed if asked."""
    call = _call(handler)
    _applications(call, applications)
    panel = panel_draw(actor=handler, call=call, fields=[quality], seed=7)
    if closed:
        for assignment in panel.assignments.select_related("application", "expert__user"):
            _score(assignment)
        panel = panel_close(actor=handler, panel=panel)
    return panel


def _listed(body: bytes | list | dict) -> int:
    if isinstance(body, dict):
        return len(body["results"])
    if isinstance(body, list):
        return len(body)
    return body.count(b"/experts/assignments/") or body.count(b"QB-")


@pytest.fixture
def three_experts(make_expert: Callable[..., Expert]) -> list[Expert]:
    """Exactly three per application: every expert is drawn for every application."""
    return [make_expert() for _ in range(3)]


@pytest.mark.parametrize("url", ["/experts/", "/api/v1/expert/assignments/"])
def test_the_experts_assignments_do_not_grow_with_the_rounds(
    handler, quality, three_experts, page_client, api_client, url: str
) -> None:
    expert = three_experts[0]
    client = api_client(expert.user) if url.startswith("/api/") else page_client(expert.user)
    _round(handler, quality, 1, closed=False)
    client.get(url)  # warm-up: the session's first read
    before, _sql, body = counted_get(client, url)
    listed_before = _listed(body)
    # Another round, closed (scored by every expert), and a third one still open.
    _round(handler, quality, 3, closed=True)
    _round(handler, quality, 2, closed=False)
    after, sql, body = counted_get(client, url)
    assert _listed(body) == 6 > listed_before == 1
    assert after == before, sql
    assert before <= 12, sql


@pytest.mark.parametrize("closed", [False, True])
def test_the_panel_page_does_not_grow_with_the_panel(handler, quality, three_experts, page_client, closed) -> None:
    client = page_client(handler)
    small, large = _round(handler, quality, 1, closed=closed), _round(handler, quality, 5, closed=closed)
    client.get(f"/experts/calls/{small.call_id}/panel/")
    before, _sql, body_small = counted_get(client, f"/experts/calls/{small.call_id}/panel/")
    after, sql, body_large = counted_get(client, f"/experts/calls/{large.call_id}/panel/")
    # Each application once in the assignments; closed, twice more in the ranking (its link and text).
    assert body_large.count(b"QB-") == 5 * (3 if closed else 1)
    assert body_small.count(b"QB-") == 1 * (3 if closed else 1)
    assert after == before, sql
    assert before <= 20, sql


def test_the_panel_results_api_does_not_grow_with_the_panel(handler, quality, three_experts, api_client) -> None:
    client = api_client(handler)
    small, large = _round(handler, quality, 1, closed=True), _round(handler, quality, 5, closed=True)
    client.get(f"/api/v1/calls/{small.call_id}/panel/results/")
    before, _sql, body_small = counted_get(client, f"/api/v1/calls/{small.call_id}/panel/results/")
    after, sql, body_large = counted_get(client, f"/api/v1/calls/{large.call_id}/panel/results/")
    assert (len(body_small), len(body_large)) == (1, 5)
    assert after == before, sql
    assert before <= 12, sql


def test_the_panel_page_lists_its_assignments_a_page_at_a_time(
    handler, quality, three_experts, page_client, monkeypatch
) -> None:
    """The progress counts all of the panel's assignments; the table shows a page of applications."""
    from experts import views

    monkeypatch.setattr(views, "PANEL_PAGE_SIZE", 2)
    panel = _round(handler, quality, 3, closed=False)
    references = sorted(set(panel.assignments.values_list("application__reference", flat=True)))
    client = page_client(handler)
    first = client.get(f"/experts/calls/{panel.call_id}/panel/").content.decode()
    second = client.get(f"/experts/calls/{panel.call_id}/panel/?page=2").content.decode()
    assert [r in first for r in references] == [True, True, False]
    assert [r in second for r in references] == [False, False, True]
    assert 'rel="next"' in first and 'rel="prev"' in second
    for page in (first, second):
        assert "0 of 9 scored, 0 recorded as not scored" in page
