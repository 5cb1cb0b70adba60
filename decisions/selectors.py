"""Reads of site checks and meetings shared by the pages, the API and the services."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from applications.review import engine_amount
from calls.models import Call
from experts.ranking import panel_ranking
from measures.amounts import AmountInputError

from .allocation import allocate
from .models import Meeting, MeetingDecision, SiteCheck


@dataclass
class Candidate:
    """An application the meeting may decide, with its expert score (None without a panel)."""

    application: Application
    score: Decimal | None
    amount_asked: Decimal | None


def amount_asked(application: Application) -> Decimal | None:
    """What the application asks: the amount engine's figure today, else the estimate at submission."""
    try:
        engine, _cap, _trace = engine_amount(application)
    except (AmountInputError, InvalidOperation, ValueError, ArithmeticError):
        engine = None
    return engine if engine is not None else application.estimated_amount


def meeting_candidates(call: Call) -> list[Candidate]:
    """The call's applications under review, in the order the meeting starts from: the expert
    panel's ranking (best first, with each score) when the call has expert review, the rest after it
    by submission time. Raises experts.ranking.PanelNotClosed while the call's panel is open."""
    applications = {
        a.pk: a
        for a in Application.objects.filter(call=call, status=Status.UNDER_REVIEW)
        .select_related("incentive", "applicant", "call")
        .prefetch_related("incentive__amount_parameters")
        .order_by("submitted_at", "pk")
    }
    ranked: list[Candidate] = []
    if call.expert_review:
        for result in panel_ranking(call):
            application = applications.pop(result.application_id, None)
            if application is not None:
                ranked.append(Candidate(application, result.score, amount_asked(application)))
    return ranked + [Candidate(a, None, amount_asked(a)) for a in applications.values()]


def site_checks_of(application: Application) -> QuerySet[SiteCheck]:
    return (
        SiteCheck.objects.filter(application=application)
        .select_related("recorded_by")
        .prefetch_related("officials_present", "photos")
    )


def latest_site_check(application: Application) -> SiteCheck | None:
    return SiteCheck.objects.filter(application=application).order_by("-checked_on", "-recorded_at", "-pk").first()


def department_officials(department_id: int) -> QuerySet[User]:
    """Who may be named as present at a site check or a meeting: the department's officials."""
    return User.objects.filter(
        department_id=department_id,
        official_role__in=(OfficialRole.HANDLER, OfficialRole.APPROVER),
        is_active=True,
    ).order_by("username")


def meetings_of(call: Call) -> QuerySet[Meeting]:
    """The call's meetings, latest first, with attendees and decisions (ranked) and their applications."""
    return (
        Meeting.objects.filter(call=call)
        .select_related("call", "chaired_by", "recorded_by")
        .prefetch_related(
            "attendees",
            Prefetch(
                "decisions",
                queryset=MeetingDecision.objects.select_related("application", "application__applicant")
                .defer(*Application.heavy_fields("application__"))
                .order_by("rank"),
            ),
        )
        .order_by("-held_on", "-pk")
    )


def meetings_listed(call: Call) -> QuerySet[Meeting]:
    """The call's meetings, latest first, each with how many applications it decided (the list page)."""
    return (
        Meeting.objects.filter(call=call)
        .select_related("call", "chaired_by")
        .annotate(decided=Count("decisions"))
        .order_by("-held_on", "-pk")
    )


def allocation_preview(call: Call, ranked: list[tuple[Candidate, bool]]) -> dict[int, Decimal]:
    """What `meeting_record` would allocate for this ranking (application id → amount): the
    supported candidates with an amount asked share the call's money (decisions.allocation)."""
    supported = [
        (c.application.pk, c.amount_asked)
        for c, support in ranked
        if support and c.amount_asked is not None and c.amount_asked > 0
    ]
    return allocate(supported, call.money_available, call.max_awards, call.allocation)
