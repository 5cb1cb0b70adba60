"""The applicant's own pages: the dashboard and "what can I claim" (also /api/v1/me/matches/)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Notification
from accounts.permissions import signed_in_user
from accounts.selectors import applicant_of, profile_completeness
from accounts.services import declaration_answer

from .matching import KINDS, VERDICTS, Match, match_groups, matches_for
from .selectors import application_list
from .states import RETURNED_STATUSES, Status
from .workflow import NEXT_STEP_FOR_APPLICANT

TASK_STATUSES = frozenset({Status.DRAFT, Status.OFFERED, *RETURNED_STATUSES})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    applicant = applicant_of(signed_in_user(request))
    applications = list(application_list(request.user, own_only=True))
    percent, missing = profile_completeness(applicant)
    notifications = list(Notification.objects.filter(user=signed_in_user(request)).order_by("-created_at")[:10])
    # What the applicant must do: drafts to finish, supplements to answer (by their deadline) and
    # offers to confirm; the earliest deadline first.
    tasks = sorted(
        (a for a in applications if a.status in TASK_STATUSES),
        key=lambda a: (a.supplement_deadline is None, a.supplement_deadline or dt.date.max, a.pk),
    )
    return render(
        request,
        "dashboard/home.html",
        {
            "applicant": applicant,
            "rows": [(a, NEXT_STEP_FOR_APPLICANT[a.status]) for a in applications],
            "offers": [a for a in applications if a.status == Status.OFFERED],
            "tasks": [(a, NEXT_STEP_FOR_APPLICANT[a.status]) for a in tasks],
            "completeness": percent,
            "missing": missing,
            "notifications": notifications,
            "unread": sum(1 for n in notifications if n.read_at is None),
        },
    )


@login_required
def matches(request: HttpRequest) -> HttpResponse:
    applicant = applicant_of(signed_in_user(request))
    found = matches_for(applicant, on=timezone.localdate())
    verdict = request.GET.get("verdict", "")
    kind = request.GET.get("kind", "")
    return render(
        request,
        "dashboard/matches.html",
        {
            "applicant": applicant,
            "groups": match_groups(found, verdict=verdict, kind=kind),
            "verdict": verdict if verdict in VERDICTS else "",
            "kind": kind if kind in KINDS else "",
            "filtered": verdict in VERDICTS or kind in KINDS,
        },
    )


@login_required
@require_POST
def declare(request: HttpRequest) -> HttpResponse:
    """The applicant answers one declaration criterion (yes / no) from "what can I claim"."""
    user = signed_in_user(request)
    applicant = applicant_of(user)
    code = request.POST.get("incentive", "")
    try:
        declaration_answer(
            actor=user,
            applicant=applicant,
            criterion_id=request.POST.get("criterion"),
            holds=request.POST.get("holds"),
        )
    except ValidationError as refused:
        messages.error(request, " ".join(str(m) for m in refused.messages))
    else:
        messages.success(request, _("Your declaration is recorded. The department checks it when you apply."))
    anchor = f"#match-{code}" if code and all(c.isalnum() or c == "-" for c in code) else ""
    return redirect(reverse("dashboard:matches") + anchor)


class ReasonSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["met", "not_met", "unknown"])


class MatchSerializer(serializers.Serializer):
    incentive = serializers.CharField(source="incentive.code")
    name = serializers.SerializerMethodField()
    measure = serializers.IntegerField(source="incentive.measure.number")
    kind = serializers.CharField(source="incentive.kind")
    eligible = serializers.BooleanField(allow_null=True)
    reasons = ReasonSerializer(source="verdict.reasons", many=True)
    estimated_amount = serializers.DecimalField(
        source="estimate.amount", max_digits=18, decimal_places=2, allow_null=True
    )
    cap = serializers.DecimalField(source="estimate.cap", max_digits=18, decimal_places=2, allow_null=True)
    amount_set_by_department = serializers.BooleanField(source="estimate.set_by_department")
    trace = serializers.SerializerMethodField()

    def get_name(self, match: Match) -> str:
        return match.incentive.localized("name")

    def get_trace(self, match: Match) -> list[str]:
        return match.estimate.trace()


class MatchesView(APIView):
    schema_error_codes = ("404",)  # a user without an applicant (an official)
    """Every incentive with a verdict for the signed-in applicant, eligible first, by estimated value."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MatchSerializer(many=True), summary="What can I claim (政策匹配)")
    def get(self, request: Request) -> Response:
        applicant = applicant_of(signed_in_user(request))
        return Response(MatchSerializer(matches_for(applicant, on=timezone.localdate()), many=True).data)


app_name = "dashboard"
urlpatterns: list[Any] = [
    path("", home, name="home"),
    path("matches/", matches, name="matches"),
    path("matches/declare/", declare, name="declare"),
]
api_urlpatterns: list[Any] = [path("me/matches/", MatchesView.as_view(), name="api-matches")]
