"""Recovery through the API, on the same services as the pages.

    POST  /api/v1/applications/{reference}/recover/     {amount, reasons, ban_years?, version?}   an approver
    GET   /api/v1/recoveries/                           ?awaiting=true|false   what the caller may see
    GET   /api/v1/recoveries/{number}/
    GET   /api/v1/recoveries/{number}/refunds/
    POST  /api/v1/recoveries/{number}/refunds/          {amount, received_on, bank_reference}     finance

The recover action is a step of the applications' review (applications.hooks.REVIEW_STEPS): its
URL sits beside the review's actions and officials' `allowed_actions` name it. Recoveries the caller
may not see are 404 (applicants see their own, officials their department's, finance every one);
refused input is 400; an action the state does not allow, or not to this caller, is 409
(`not_allowed`, `changed`); recording a refund is finance's (403 for others).
"""

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from accounts.permissions import signed_in_user
from applications.review_api import REFERENCE
from applications.review_selectors import access_for_review, is_official
from applications.workflow import ApplicationChanged, TransitionNotAllowed
from portal.api import AmountField, Conflict, ErrorSerializer, JSONParser
from portal.http import client_ip

from .models import MAX_BAN_YEARS, Recovery, Refund
from .selectors import recoveries_list, recovery_for, recovery_refunds
from .services import NotAllowed, RecoveryError, WrongState, recovery_decide, refund_record, require_finance

NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="The recovery's number, e.g. ZH-2026-0001."
)


def _as_api_error(error: RecoveryError) -> exceptions.APIException:
    if isinstance(error, NotAllowed):
        return exceptions.PermissionDenied(error.message)
    if isinstance(error, WrongState):
        return Conflict(error.message, code="not_allowed")
    return exceptions.ValidationError({error.field: [error.message]})


class _SignedIn(APIView):
    """Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["amount", "received_on", "bank_reference", "recorded_at"]


class RecoverySerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.reference")
    application_status = serializers.CharField(source="application.status")
    applicant = serializers.CharField(source="application.applicant.name")
    incentive = serializers.CharField(source="application.incentive.code")
    outstanding = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    complete = serializers.BooleanField(source="is_complete", help_text="Refunded in full.")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Recovery
        fields = [
            "number",
            "application",
            "application_status",
            "applicant",
            "incentive",
            "amount",
            "refunded",
            "outstanding",
            "complete",
            "reasons",
            "ban_years",
            "banned_until",
            "decided_at",
            "completed_at",
            "links",
        ]

    def get_links(self, recovery: Recovery) -> dict[str, str]:
        base = reverse("api-recovery", args=[recovery.number])
        return {"self": base, "refunds": f"{base}refunds/", "page": reverse("recovery:detail", args=[recovery.number])}


class RecoverSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you read; the action is refused (409) if it changed."
    )
    amount = AmountField(
        help_text="CNY as a plain decimal: more than 0, at most what was paid less earlier recoveries."
    )
    reasons = serializers.CharField(max_length=4000, help_text="Stated in the recovery notice.")
    ban_years = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_BAN_YEARS,
        help_text="Bar the applicant from submitting applications for this many years (0–5; 0: no ban).",
    )


class RecoverView(_SignedIn):
    """追回: an approver of the responsible department decides to recover money paid."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="review_recover",
        summary="Recover money paid (追回)",
        description=(
            "Approvers of the responsible department, on a paid award (or one whose earlier recovery is refunded). "
            "The applicant receives the recovery notice; `ban_years` bars them from submitting applications "
            "(409 `applicant_banned` at submission). Amount above what can be recovered: 400."
        ),
        parameters=[REFERENCE],
        request=RecoverSerializer,
        responses={201: RecoverySerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        tags=["review"],
    )
    def post(self, request: Request, reference: str) -> Response:
        if not is_official(request.user):
            raise exceptions.NotFound()
        application = access_for_review(request.user, reference)
        data = RecoverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            recovery = recovery_decide(
                actor=signed_in_user(request),
                application=application,
                amount=values["amount"],
                reasons=values["reasons"],
                ban_years=values["ban_years"],
                expected_version=values.get("version"),
                ip_address=client_ip(request),
            )
        except RecoveryError as refused:
            raise _as_api_error(refused) from None
        except ApplicationChanged as changed:
            raise Conflict(str(changed), code="changed") from None
        except TransitionNotAllowed as refused:
            raise Conflict(str(refused), code="not_allowed") from None
        fresh = recovery_for(request.user, recovery.number)
        return Response(RecoverySerializer(fresh).data, status=status.HTTP_201_CREATED)


class RecoveryQuerySerializer(serializers.Serializer):
    awaiting = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: awaiting refunds; false: refunded in full."
    )


class RecoveryListView(_SignedIn, generics.ListAPIView):
    serializer_class = RecoverySerializer

    def get_queryset(self) -> QuerySet[Recovery]:
        if getattr(self, "swagger_fake_view", False):
            return Recovery.objects.none()
        query = RecoveryQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return recoveries_list(self.request.user, awaiting=query.validated_data.get("awaiting"))

    @extend_schema(
        summary="Recoveries (追回)",
        description="Those awaiting refunds first. Applicants see their own, officials their department's, "
        "finance and administrators every one.",
        parameters=[RecoveryQuerySerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RecoveryDetailView(_SignedIn):
    @extend_schema(summary="One recovery", parameters=[NUMBER], responses={200: RecoverySerializer})
    def get(self, request: Request, number: str) -> Response:
        return Response(RecoverySerializer(recovery_for(request.user, number)).data)


class RefundCreateSerializer(serializers.Serializer):
    amount = AmountField(help_text="CNY as a plain decimal; never more than is outstanding.")
    received_on = serializers.DateField(help_text="The date the refund reached the account.")
    bank_reference = serializers.CharField(max_length=60, help_text="The bank's reference; each is recorded once.")


class RefundsView(_SignedIn, generics.ListAPIView):
    serializer_class = RefundSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Refund]:
        if getattr(self, "swagger_fake_view", False):
            return Refund.objects.none()
        return recovery_refunds(recovery_for(self.request.user, self.kwargs["number"]))

    @extend_schema(summary="A recovery's refunds", parameters=[NUMBER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Record a refund",
        description=(
            "Finance, as the bank shows it. Partial refunds add up; one above what is outstanding is 400, the same "
            "bank reference twice is 400. The refund that completes it makes the application `recovered`; a "
            "recovery refunded in full is 409."
        ),
        parameters=[NUMBER],
        request=RefundCreateSerializer,
        responses={201: RecoverySerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        recovery = recovery_for(request.user, number)
        data = RefundCreateSerializer(data=request.data)
        try:
            require_finance(request.user)  # 403 before any 400
            data.is_valid(raise_exception=True)
            refund_record(
                actor=signed_in_user(request),
                recovery=recovery,
                ip_address=client_ip(request),
                **data.validated_data,
            )
        except RecoveryError as refused:
            raise _as_api_error(refused) from None
        return Response(RecoverySerializer(recovery_for(request.user, number)).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("recoveries/", RecoveryListView.as_view(), name="api-recoveries"),
    path("recoveries/<str:number>/", RecoveryDetailView.as_view(), name="api-recovery"),
    path("recoveries/<str:number>/refunds/", RefundsView.as_view(), name="api-recovery-refunds"),
]
