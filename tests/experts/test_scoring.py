"""Scoring: only the assigned expert, within 0..max with a comment, changeable until the panel
closes; closing needs every assignment scored or recorded as missing; the ranking after."""

from decimal import Decimal

import pytest

from accounts.models import OfficialRole
from audit.models import AuditEvent
from experts.models import Assignment, Panel, Score, ScoreCriterion
from experts.ranking import PanelNotClosed, panel_ranking
from experts.selectors import expert_review_state
from experts.services import (
    ExpertReviewError,
    NotAllowed,
    WrongState,
    assignment_mark_missing,
    assignment_score,
    panel_close,
    panel_draw,
)
from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(handler, call, make_application, pool, quality) -> Panel:
    make_application()
    make_application()
    return panel_draw(actor=handler, call=call, fields=[quality], seed=42)


def criteria_of(assignment: Assignment) -> list[ScoreCriterion]:
    return list(ScoreCriterion.objects.filter(sheet__incentive=assignment.application.incentive).order_by("order"))


def full_marks(assignment: Assignment, fraction: Decimal = Decimal(1)) -> dict[int, Decimal]:
    return {c.pk: (c.max_points * fraction).quantize(Decimal("0.01")) for c in criteria_of(assignment)}


def score(assignment: Assignment, fraction: Decimal = Decimal(1), comment: str = "材料完整，成效显著。") -> Assignment:
    return assignment_score(
        actor=assignment.expert.user, assignment=assignment, points=full_marks(assignment, fraction), comment=comment
    )


def test_the_seeded_sheets_cover_measures_15_and_17() -> None:
    from experts.models import ScoreSheet

    codes = set(ScoreSheet.objects.values_list("incentive__code", flat=True))
    assert {"m15-international-standard-lead", "m17-china-quality-award-org", "m17-china-quality-award-ind"} <= codes
    sheet = ScoreSheet.objects.get(incentive__code="m17-china-quality-award-org")
    assert sum(c.max_points for c in sheet.criteria.all()) == Decimal(100)


def test_the_assigned_expert_scores_and_may_change_the_score_until_closing(panel: Panel) -> None:
    assignment = panel.assignments.first()
    assert assignment is not None
    score(assignment, Decimal("0.5"))
    score(assignment, Decimal("0.8"), comment="复核后上调。")
    assignment.refresh_from_db()
    assert assignment.scored_at is not None and assignment.comment == "复核后上调。"
    stored = dict(Score.objects.filter(assignment=assignment).values_list("criterion_id", "points"))
    assert stored == full_marks(assignment, Decimal("0.8"))
    events = AuditEvent.objects.filter(action="expert.score", object_id=str(assignment.pk))
    assert events.count() == 2 and events.last().before  # type: ignore[union-attr]


def test_another_expert_or_an_official_may_not_score(panel: Panel, handler) -> None:
    other = panel.assignments.first()
    assert other is not None
    someone_else = panel.assignments.exclude(expert=other.expert).first()
    assert someone_else is not None
    for actor in (someone_else.expert.user, handler):
        with pytest.raises(NotAllowed):
            assignment_score(actor=actor, assignment=other, points=full_marks(other), comment="x")
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-1", "between 0"),
        ("31", "between 0"),
        ("abc", "number"),
        ("", "Give points"),
        ("1.005", "two decimal"),
        ("NaN", "number"),
        ("1e3", "between 0"),
    ],
)
def test_points_outside_zero_to_max_or_not_numbers_are_refused(panel: Panel, value: str, problem: str) -> None:
    assignment = panel.assignments.first()
    assert assignment is not None
    points: dict[int, object] = dict(full_marks(assignment))
    first = criteria_of(assignment)[-1]  # the largest maximum of the quality award's sheet: 30
    points[first.pk] = value
    with pytest.raises(ExpertReviewError) as refused:
        assignment_score(actor=assignment.expert.user, assignment=assignment, points=points, comment="说明")
    assert problem in refused.value.problems[f"criterion_{first.pk}"][0]
    assert not Score.objects.exists()


def test_the_comment_is_required(panel: Panel) -> None:
    assignment = panel.assignments.first()
    assert assignment is not None
    with pytest.raises(ExpertReviewError) as refused:
        score(assignment, comment="   ")
    assert "comment" in refused.value.problems
    assert not Score.objects.exists()


def test_a_missing_criterion_is_refused(panel: Panel) -> None:
    assignment = panel.assignments.first()
    assert assignment is not None
    points = full_marks(assignment)
    points.pop(next(iter(points)))
    with pytest.raises(ExpertReviewError):
        assignment_score(actor=assignment.expert.user, assignment=assignment, points=points, comment="说明")


def test_closing_needs_every_assignment_scored_or_recorded_missing(panel: Panel, handler) -> None:
    assignments = list(panel.assignments.all())
    for assignment in assignments[:-1]:
        score(assignment)
    with pytest.raises(WrongState) as refused:
        panel_close(actor=handler, panel=panel)
    assert "1 assignments" in refused.value.message
    assert Panel.objects.get(pk=panel.pk).closed_at is None
    with pytest.raises(ExpertReviewError):
        assignment_mark_missing(actor=handler, assignment=assignments[-1], reason="  ")
    assignment_mark_missing(actor=handler, assignment=assignments[-1], reason="专家因病未能参加评审")
    closed = panel_close(actor=handler, panel=panel)
    assert closed.closed_at is not None and closed.closed_by == handler
    assert AuditEvent.objects.filter(action="expert.panel_close").exists()


def test_an_application_without_any_score_keeps_the_panel_open(panel: Panel, handler) -> None:
    first_application = panel.assignments.first().application_id  # type: ignore[union-attr]
    for assignment in panel.assignments.all():
        if assignment.application_id == first_application:
            assignment_mark_missing(actor=handler, assignment=assignment, reason="回避")
        else:
            score(assignment)
    with pytest.raises(WrongState):
        panel_close(actor=handler, panel=panel)


def test_a_closed_panel_takes_no_more_scores(panel: Panel, handler) -> None:
    for assignment in panel.assignments.all():
        score(assignment, Decimal("0.5"))
    panel_close(actor=handler, panel=panel)
    assignment = panel.assignments.first()
    assert assignment is not None
    with pytest.raises(WrongState):
        score(assignment, Decimal("0.9"))
    stored = dict(Score.objects.filter(assignment=assignment).values_list("criterion_id", "points"))
    assert stored == full_marks(assignment, Decimal("0.5"))


def test_only_the_departments_officials_close(panel: Panel) -> None:
    for assignment in panel.assignments.all():
        score(assignment)
    for actor in (OfficialFactory(role=OfficialRole.HANDLER, department="miit"), panel.assignments.first().expert.user):  # type: ignore[union-attr]
        with pytest.raises(NotAllowed):
            panel_close(actor=actor, panel=panel)


def test_the_ranking_waits_for_the_closing_then_orders_best_first(panel: Panel, handler, call) -> None:
    applications = sorted({a.application_id for a in panel.assignments.all()})
    with pytest.raises(PanelNotClosed):
        panel_ranking(call)
    for assignment in panel.assignments.all():
        score(assignment, Decimal("0.6") if assignment.application_id == applications[0] else Decimal("0.9"))
    panel_close(actor=handler, panel=panel)
    ranking = panel_ranking(call)
    assert [r.application_id for r in ranking] == [applications[1], applications[0]]
    assert [r.rank for r in ranking] == [1, 2]
    assert ranking[0].score == Decimal("90.00") and ranking[1].score == Decimal("60.00")
    assert all(r.expert_count == 3 for r in ranking)


def test_the_applicant_learns_only_that_the_review_is_under_way_or_done(panel: Panel, handler) -> None:
    application = panel.assignments.first().application  # type: ignore[union-attr]
    assert expert_review_state(application) == "under_way"
    for assignment in panel.assignments.all():
        score(assignment)
    panel_close(actor=handler, panel=panel)
    assert expert_review_state(application) == "done"
