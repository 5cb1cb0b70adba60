"""Expert review in the API, on the same services and selectors as the pages.

    GET   /api/v1/expert/assignments/               the calling expert's own assignments
    POST  /api/v1/expert/assignments/{id}/score/    {points: [{criterion, points}], comment}
    GET   /api/v1/calls/{id}/panel/results/         the closed panel's ranking (department officials)

Not an expert: 403. Another expert's assignment, or a call that is not the caller's: 404. A closed
panel (scoring) or a panel not closed yet (results): 409.
"""

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from accounts.permissions import signed_in_user
from applications.models import Application
from portal.api import Conflict
from portal.http import client_ip

from .models import Assignment
from .permissions import is_expert
from .ranking import PanelNotClosed, panel_ranking
from .selectors import access_assignment, access_panel_call, assignments_listed, criteria_for, own_points
from .services import COMMENT_MAX, ExpertReviewError, NotAllowed, assignment_score


class ExpertsOnly(permissions.BasePermission):
    message = _("Only experts of the pool have assignments.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_expert(request.user)


class _SignedInAPI(APIView):
    """Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class ScoreCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    points = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="The caller's own points, null until scored."
    )


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.CharField(help_text="The application's reference.")
    incentive = serializers.CharField(help_text="The incentive's code.")
    call = serializers.IntegerField()
    panel_closed = serializers.BooleanField()
    scored_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    missing_reason = serializers.CharField(
        allow_blank=True, help_text="Set when the department recorded that this assignment will not be scored."
    )
    criteria = ScoreCriterionSerializer(many=True)

    @staticmethod
    def represent(assignment: Assignment) -> dict[str, Any]:
        points = own_points(assignment)
        return {
            "id": assignment.pk,
            "application": assignment.application.reference or "",
            "incentive": assignment.application.incentive.code,
            "call": assignment.panel.call_id,
            "panel_closed": assignment.panel.is_closed,
            "scored_at": assignment.scored_at,
            "comment": assignment.comment,
            "missing_reason": assignment.missing_reason,
            "criteria": [
                {
                    "id": c.pk,
                    "name": c.localized("name"),
                    "max_points": c.max_points,
                    "weight": c.weight,
                    "points": points.get(c.pk),
                }
                for c in criteria_for(assignment.application)
            ],
        }

    def to_representation(self, instance: Any) -> Any:
        data = self.represent(instance) if isinstance(instance, Assignment) else instance
        return super().to_representation(data)


class ScorePointsSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    points = serializers.CharField(max_length=20, help_text="A decimal string, 0 up to the criterion's max_points.")


class ScoreInputSerializer(serializers.Serializer):
    points = serializers.ListField(
        child=ScorePointsSerializer(), max_length=50, help_text="One entry per criterion of the sheet."
    )
    comment = serializers.CharField(max_length=COMMENT_MAX, help_text="What the score rests on (required).")


class AssignmentListView(_SignedInAPI, generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, ExpertsOnly]
    serializer_class = AssignmentSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Assignment]:
        return assignments_listed(self.request.user)

    @extend_schema(summary="The calling expert's assignments (专家评审任务)", tags=["experts"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


ASSIGNMENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The assignment's id.")
CALL_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The call's id.")


class AssignmentScoreView(_SignedInAPI):
    permission_classes = [permissions.IsAuthenticated, ExpertsOnly]

    @extend_schema(
        summary="Score an assignment (again, until the panel closes)",
        parameters=[ASSIGNMENT_ID],
        request=ScoreInputSerializer,
        responses=AssignmentSerializer,
        tags=["experts"],
    )
    def post(self, request: Request, id: int) -> Response:
        found = access_assignment(request.user, id)
        given = ScoreInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        points: dict[int, Any] = {}
        for item in given.validated_data["points"]:
            points[item["criterion"]] = item["points"]
        try:
            scored = assignment_score(
                actor=signed_in_user(request),
                assignment=found,
                points=points,
                comment=given.validated_data["comment"],
                ip_address=client_ip(request),
            )
        except NotAllowed as refused:
            raise exceptions.PermissionDenied(refused.message) from None
        except ExpertReviewError as refused:
            if refused.code == "conflict":
                raise Conflict(refused.message) from None
            raise exceptions.ValidationError({"non_field_errors": [refused.message], **refused.problems}) from None
        return Response(AssignmentSerializer(access_assignment(request.user, scored.pk)).data)


class PanelResultSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    application = serializers.CharField(help_text="The application's reference.")
    application_id = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=12, decimal_places=2)
    expert_count = serializers.IntegerField(help_text="The experts whose totals counted.")


class PanelResultsView(_SignedInAPI):
    schema_error_codes = ("409",)

    @extend_schema(
        summary="The closed expert panel's ranking of a call's applications",
        parameters=[CALL_ID],
        responses=PanelResultSerializer(many=True),
        tags=["experts"],
    )
    def get(self, request: Request, id: int) -> Response:
        call = access_panel_call(request.user, id)
        try:
            results = panel_ranking(call)
        except PanelNotClosed as refused:
            raise Conflict(refused.message) from None
        references = dict(
            Application.objects.filter(pk__in=[r.application_id for r in results]).values_list("pk", "reference")
        )
        return Response(
            PanelResultSerializer(
                [
                    {
                        "rank": r.rank,
                        "application": references.get(r.application_id) or "",
                        "application_id": r.application_id,
                        "score": r.score,
                        "expert_count": r.expert_count,
                    }
                    for r in results
                ],
                many=True,
            ).data
        )


api_urlpatterns = [
    path("expert/assignments/", AssignmentListView.as_view(), name="api-expert-assignments"),
    path("expert/assignments/<int:id>/score/", AssignmentScoreView.as_view(), name="api-expert-assignment-score"),
    path("calls/<int:id>/panel/results/", PanelResultsView.as_view(), name="api-call-panel-results"),
]
