"""The API of collective decision meetings:

    GET /api/v1/calls/{id}/meetings/   the call's meetings (latest first), each with its attendees and
                                       its decisions in rank order; for the officials of the
                                       department of the call's incentives (others: 403 or 404)

Recording a meeting is done on its page (/calls/manage/{id}/meetings/new/).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from accounts.permissions import is_department_official
from calls.models import Call
from portal.api import AmountField, ErrorSerializer

from .models import Meeting, MeetingDecision
from .permissions import may_read_meetings
from .selectors import meetings_of


class MeetingDecisionSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.reference")
    applicant = serializers.CharField(source="application.applicant.name")
    amount_asked = AmountField(read_only=True)
    amount_allocated = AmountField(read_only=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True, read_only=True)
    proposed = serializers.BooleanField(
        read_only=True, help_text="Proposed for support with the amount allocated; otherwise not to support."
    )

    class Meta:
        model = MeetingDecision
        fields = [
            "rank",
            "application",
            "applicant",
            "score",
            "amount_asked",
            "support",
            "amount_allocated",
            "proposed",
            "reasons",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text="The meeting's reference, e.g. JT-2026-0007.")
    chaired_by = serializers.CharField(source="chaired_by.username")
    attendees = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="recorded_by.username")
    decisions = MeetingDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "number",
            "call",
            "held_on",
            "chaired_by",
            "attendees",
            "other_attendees",
            "minutes",
            "recorded_by",
            "recorded_at",
            "decisions",
        ]

    def get_attendees(self, meeting: Meeting) -> list[str]:
        return [person.username for person in meeting.attendees.all()]


class CallMeetingsView(generics.ListAPIView):
    serializer_class = MeetingSerializer
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Meeting]:
        user = self.request.user
        if not is_department_official(user):
            raise exceptions.PermissionDenied
        call = Call.objects.prefetch_related("incentives").filter(pk=self.kwargs["pk"]).first()
        if call is None or not may_read_meetings(user, call):
            raise Http404
        return meetings_of(call)

    @extend_schema(
        summary="A call's collective decision meetings (集体审议), latest first",
        responses={
            200: MeetingSerializer(many=True),
            401: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
            404: OpenApiResponse(ErrorSerializer),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


api_urlpatterns = [
    path("calls/<int:pk>/meetings/", CallMeetingsView.as_view(), name="api-call-meetings"),
]
