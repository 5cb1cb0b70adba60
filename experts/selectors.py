"""Reads shared by expert review's pages and API."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from applications.models import Application, ApplicationDocument
from calls.models import Call

from .models import Assignment, Panel, Score, ScoreCriterion, ScoreSheet
from .permissions import expert_of, may_run_panel


def assignments_of(user: Any) -> QuerySet[Assignment]:
    """The user's own assignments (none for anyone but an active expert)."""
    expert = expert_of(user)
    if expert is None:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(expert=expert)
        .select_related("panel__call", "application__incentive__measure", "application__applicant")
        # The panel's eligible experts per application (for panel_verify) are a large JSON value, which
        # every row would otherwise carry and decode: 2.5 s for 478 rows of a 2,000-application round.
        .defer("panel__candidates")
        .order_by("panel__closed_at", "-panel__drawn_at", "application_id")
    )


def access_assignment(user: Any, pk: int) -> Assignment:
    """The user's own assignment; the same 404 for one that is missing and one that is not theirs."""
    found = assignments_of(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def assignments_listed(user: Any) -> QuerySet[Assignment]:
    """The user's assignments with their points and their sheets' criteria, for the lists (the
    workspace and the API): a fixed number of queries however many assignments there are, without
    the applications' answers, which a list does not show."""
    return (
        assignments_of(user)
        .defer(*Application.heavy_fields("application__"))
        .prefetch_related("scores", "application__incentive__score_sheet__criteria")
    )


def criteria_for(application: Application) -> list[ScoreCriterion]:
    # Through the incentive's relation, so that a list's prefetched sheet and criteria serve it.
    try:
        sheet = application.incentive.score_sheet
    except ScoreSheet.DoesNotExist:
        return []
    return list(sheet.criteria.all())


def own_points(assignment: Assignment) -> dict[int, Decimal]:
    return {score.criterion_id: score.points for score in assignment.scores.all()}


def assignment_document(assignment: Assignment, document_id: int) -> ApplicationDocument:
    found = ApplicationDocument.objects.filter(application_id=assignment.application_id, pk=document_id).first()
    if found is None:
        raise Http404
    return found


@dataclass
class ExpertScore:
    expert_name: str
    total: Decimal | None
    points: dict[int, Decimal]
    comment: str
    missing_reason: str


def scores_of_application(panel: Panel, application_id: int) -> list[ExpertScore]:
    """Every expert's scores on one application: only for a closed panel (callers check who asks)."""
    if not panel.is_closed:
        return []
    assignments = list(
        Assignment.objects.filter(panel=panel, application_id=application_id)
        .select_related("expert__user")
        .prefetch_related("scores__criterion")
        .order_by("pk")
    )
    rows = []
    for assignment in assignments:
        scores = list(assignment.scores.all())
        rows.append(
            ExpertScore(
                expert_name=str(assignment.expert),
                total=sum((s.points * s.criterion.weight for s in scores), Decimal(0))
                if assignment.scored_at
                else None,
                points={s.criterion_id: s.points for s in scores},
                comment=assignment.comment,
                missing_reason=assignment.missing_reason,
            )
        )
    return rows


@dataclass
class ApplicationProgress:
    application: Application
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return sum(1 for a in self.assignments if a.scored_at is not None)

    @property
    def missing(self) -> int:
        return sum(1 for a in self.assignments if a.missing_reason)

    @property
    def total(self) -> int:
        return len(self.assignments)


def panel_progress(panel: Panel, application_ids: list[int] | None = None) -> list[ApplicationProgress]:
    """Per application (of `application_ids`, a page of them, else all), its assignments (experts'
    names, scored or not): never the points."""
    assignments = Assignment.objects.filter(panel=panel)
    if application_ids is not None:
        assignments = assignments.filter(application_id__in=application_ids)
    rows: dict[int, ApplicationProgress] = {}
    for assignment in (
        assignments.select_related("application__applicant", "expert__user")
        # The page shows a reference and a name per application: not its answers, once per expert.
        .defer(*Application.heavy_fields("application__"))
        .order_by("application_id", "pk")
    ):
        rows.setdefault(assignment.application_id, ApplicationProgress(assignment.application)).assignments.append(
            assignment
        )
    return list(rows.values())


def panel_assignment(call: Call, assignment_id: int) -> Assignment:
    """An assignment of the call's panel; 404 for one of another call, as for a missing one."""
    found = Assignment.objects.filter(pk=assignment_id, panel__call=call).first()
    if found is None:
        raise Http404
    return found


def panel_application_ids(panel: Panel) -> QuerySet[Assignment, int]:
    """The panel's applications, in the order its page lists them (to page through)."""
    return (
        Assignment.objects.filter(panel=panel)
        .order_by("application_id")
        .values_list("application_id", flat=True)
        .distinct()
    )


def panel_counts(panel: Panel) -> dict[str, int]:
    """How many assignments the panel has, how many are scored and how many recorded as not scored."""
    return Assignment.objects.filter(panel=panel).aggregate(
        total=Count("pk"),
        scored=Count("pk", filter=Q(scored_at__isnull=False)),
        missing=Count("pk", filter=Q(missing_reason__gt="")),
    )


def ranked_applications(ranking: list[Any]) -> dict[int, Application]:
    """The ranked applications' references and applicants' names, by id."""
    return {
        application.pk: application
        for application in Application.objects.filter(pk__in=[result.application_id for result in ranking])
        .select_related("applicant")
        .only("pk", "reference", "applicant__name")
    }


def assignment_totals(panel: Panel) -> dict[int, Decimal]:
    """Each scored assignment's total (Σ points × weight): only for a closed panel."""
    if not panel.is_closed:
        return {}
    totals: dict[int, Decimal] = {}
    for assignment_id, points, weight in Score.objects.filter(assignment__panel=panel).values_list(
        "assignment_id", "points", "criterion__weight"
    ):
        totals[assignment_id] = totals.get(assignment_id, Decimal(0)) + points * weight
    return totals


def panel_of(call: Call) -> Panel | None:
    return Panel.objects.filter(call=call).select_related("drawn_by", "closed_by").prefetch_related("fields").first()


def access_panel_call(user: Any, pk: int) -> Call:
    """The call whose panel the user runs; 404 for a call that does not exist or is not theirs."""
    call = Call.objects.prefetch_related("incentives").filter(pk=pk).first()
    if call is None or not may_run_panel(user, call):
        raise Http404
    return call


def expert_review_state(application: Application) -> str:
    """For the applicant: "" (no expert review), "under_way" or "done". Neither scores nor names."""
    closed = list(Assignment.objects.filter(application=application).values_list("panel__closed_at", flat=True)[:1])
    if not closed:
        return ""
    return "under_way" if closed[0] is None else "done"
