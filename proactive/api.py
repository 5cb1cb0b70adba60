"""Proactive awards (免申即享) through the API: the same services as the pages.

    GET, POST  /api/v1/proactive-lists/                      administrators: the lists; import one
                                                             (multipart `file`, `incentive`, `qualification`,
                                                             `year`, `amount`?, `title`?, `dry_run`)
    GET        /api/v1/proactive-lists/{id}/                 administrators: one list with its counts
    GET        /api/v1/proactive-lists/{id}/rows/            administrators: its rows
                                                             (`?state=offer|unmatched|not_offered`)
    POST       /api/v1/applications/{reference}/confirm-offer/   the enterprise confirms the offer
    POST       /api/v1/applications/{reference}/decline-offer/   … or declines it (`reason`?)

A file with invalid rows is a 400 whose `errors` are keyed `rows.<row>.<field>` (the row as a
spreadsheet numbers it, the heading row being 1); nothing is stored then. Offers of other
enterprises are a 404, like missing ones; a confirmation the state or the budget does not allow
is a 409 (`code`: bank_account_required, over_budget, not_allowed).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from applications.selectors import access_application
from applications.serializers import ApplicationSerializer
from applications.workflow import TransitionNotAllowed
from budgets.services import BudgetError
from measures.vocabulary import Qualification
from portal.api import AmountField, Conflict, ErrorSerializer, JSONParser, Pagination
from portal.http import client_ip
from portal.languages import trace_lines

from .amounts import parse_amount
from .list_file import proactive_list_read
from .models import ProactiveList, ProactiveListRow
from .offers import proactive_offer_confirm, proactive_offer_decline
from .permissions import is_list_administrator
from .selectors import (
    access_offer,
    access_proactive_list,
    proactive_incentives,
    proactive_list_rows,
    proactive_list_summaries,
)
from .services import ImportOutcome, ProactiveError, proactive_list_import

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; for a file, `errors` by `rows.<row>.<field>`."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Not an administrator."),
}


LIST_ERRORS = {**ERRORS, 404: OpenApiResponse(ErrorSerializer, description="No such list.")}


OFFER_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    404: OpenApiResponse(ErrorSerializer, description="No such offer to your enterprise."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Not allowed now: `bank_account_required`, `over_budget` (the detail gives what is left) "
        "`credit_listed` (the enterprise is on a list of seriously dishonest entities) or `not_allowed` "
        "(the offer is no longer open).",
    ),
}


REFERENCE = OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The offer's reference.")


LIST_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The list.")


class _Authenticated(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]


class IsListAdministrator(permissions.BasePermission):
    message = _("Only administrators import official lists.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_list_administrator(request.user)


class ProactiveListSerializer(serializers.ModelSerializer):
    incentive = serializers.CharField(source="incentive.code")
    imported_by = serializers.CharField(source="imported_by.__str__")
    amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="The amount the department set for each enterprise, where the policy states no figure.",
    )
    rows = serializers.IntegerField(source="row_count", help_text="Rows on the list.")
    matched = serializers.IntegerField(source="matched_count", help_text="Rows matching a registered enterprise.")
    offers = serializers.IntegerField(source="offer_count", help_text="Offers made.")

    class Meta:
        model = ProactiveList
        fields = [
            "id",
            "title",
            "incentive",
            "qualification",
            "year",
            "amount",
            "imported_at",
            "imported_by",
            "rows",
            "matched",
            "offers",
        ]


class ProactiveRowSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(
        help_text="offer (an offer was made), unmatched (no registered enterprise has the code yet) or "
        "not_offered (the enterprise already had an application for the incentive and year)."
    )
    enterprise = serializers.CharField(source="applicant.name", allow_null=True, default=None)
    offer = serializers.CharField(source="application.reference", allow_null=True, default=None)
    offer_status = serializers.CharField(source="application.status", allow_null=True, default=None)

    class Meta:
        model = ProactiveListRow
        fields = ["id", "uscc", "name", "title", "state", "enterprise", "offer", "offer_status"]

    def get_state(self, row: ProactiveListRow) -> str:
        if row.application_id:
            return "offer"
        return "not_offered" if row.applicant_id else "unmatched"


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 or GBK) or XLSX, at most 5 MB and 5,000 rows.")
    incentive = serializers.SlugField(
        max_length=60, help_text="The incentive's code, e.g. m3-national-single-champion."
    )
    qualification = serializers.ChoiceField(
        choices=Qualification.choices,
        required=False,
        help_text="The qualification the list confers; by default the one the incentive's criteria name.",
    )
    year = serializers.IntegerField()
    amount = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="CNY for each enterprise, only where the policy states no figure, e.g. 500000.",
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    dry_run = serializers.BooleanField(default=False, help_text="Preview only: nothing is stored.")


class PreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the file (the heading row is 1).")
    uscc = serializers.CharField()
    name = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=["offer", "existing", "unmatched", "credit_listed"],
        help_text="credit_listed: on a list of seriously dishonest entities, not offered (`credit_listing` says why).",
    )
    credit_listing = serializers.CharField(source="listed_reason", help_text="Why it is not offered, or empty.")
    enterprise = serializers.CharField(source="applicant.name", allow_null=True, default=None)
    existing_reference = serializers.CharField(source="existing.reference", allow_null=True, default=None)


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    title = serializers.CharField()
    qualification = serializers.CharField(help_text="The qualification added to each matched enterprise's profile.")
    award_list = ProactiveListSerializer(allow_null=True, help_text="The stored list (null in a dry run).")
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    amount_trace = serializers.SerializerMethodField()
    offers = serializers.SerializerMethodField(help_text="References of the offers made (empty in a dry run).")
    offer_count = serializers.IntegerField()
    unmatched_count = serializers.IntegerField()
    existing_count = serializers.IntegerField()
    listed_count = serializers.IntegerField(help_text="Rows not offered: on a list of seriously dishonest entities.")
    budget_remaining = serializers.DecimalField(
        source="budget.remaining", max_digits=18, decimal_places=2, allow_null=True, default=None
    )
    rows = PreviewRowSerializer(many=True)

    def get_amount_trace(self, outcome: ImportOutcome) -> list[str]:
        return trace_lines(outcome.trace)

    def get_offers(self, outcome: ImportOutcome) -> list[str]:
        return [a.reference or "" for a in outcome.offers]


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _outcome_response(outcome: ImportOutcome, status_code: int) -> Response:
    if outcome.award_list is not None:  # the counts come from the database, as GET shows them
        outcome.award_list = proactive_list_summaries().get(pk=outcome.award_list.pk)
    return Response(ImportResultSerializer(outcome).data, status=status_code)


class ProactiveListsView(_Authenticated, generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, IsListAdministrator]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ProactiveListSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[ProactiveList]:
        return proactive_list_summaries()

    @extend_schema(
        summary="Imported official lists (免申即享), newest first",
        responses={200: ProactiveListSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Import an official list (dry run: a preview, nothing stored)",
        description=(
            "Each row whose credit code is a registered enterprise's becomes an award offer; the other rows "
            "wait and are matched when the enterprise registers. Row problems answer 400 and store nothing."
        ),
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportResultSerializer, 201: ImportResultSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        incentive = proactive_incentives().filter(code=values["incentive"]).first()
        if incentive is None:
            raise exceptions.ValidationError(
                {"incentive": [_("There is no grant incentive for enterprises with this code.")]}
            )
        raw_amount = str(values.get("amount") or "").strip()
        if raw_amount:  # the API takes plain decimals only (forms also read 60万)
            try:
                AmountField().to_internal_value(raw_amount)
            except exceptions.ValidationError as refused:
                raise exceptions.ValidationError({"amount": refused.detail}) from None
        try:
            outcome = proactive_list_import(
                actor=request.user,  # type: ignore[arg-type]
                incentive=incentive,
                qualification=values.get("qualification", ""),
                year=values["year"],
                list_file=proactive_list_read(values["file"]),
                amount=parse_amount(raw_amount),
                title=values.get("title", ""),
                dry_run=values["dry_run"],
            )
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from error
        if not outcome.ok:
            errors: dict[str, list[str]] = {}
            for problem in outcome.problems:
                key = "file" if problem.field == "file" else f"rows.{problem.row}.{problem.field}"
                errors.setdefault(key, []).append(problem.message)
            raise exceptions.ValidationError(errors)
        return _outcome_response(outcome, status.HTTP_200_OK if outcome.dry_run else status.HTTP_201_CREATED)


class ProactiveListDetailView(_Authenticated, APIView):
    @extend_schema(
        summary="One imported list with its counts",
        parameters=[LIST_ID],
        responses={200: ProactiveListSerializer, **LIST_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProactiveListSerializer(access_proactive_list(request.user, pk)).data)


class ProactiveListRowsView(_Authenticated, generics.ListAPIView):
    serializer_class = ProactiveRowSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[ProactiveListRow]:
        if getattr(self, "swagger_fake_view", False):
            return ProactiveListRow.objects.none()
        rows = proactive_list_rows(access_proactive_list(self.request.user, self.kwargs["pk"]))
        state = self.request.query_params.get("state")
        if state == "offer":
            rows = rows.filter(application__isnull=False)
        elif state == "unmatched":
            rows = rows.filter(applicant__isnull=True)
        elif state == "not_offered":
            rows = rows.filter(applicant__isnull=False, application__isnull=True)
        elif state:
            raise exceptions.ValidationError({"state": [_("Use offer, unmatched or not_offered.")]})
        return rows

    @extend_schema(
        summary="The rows of a list and what became of each",
        parameters=[
            LIST_ID,
            OpenApiParameter("state", OpenApiTypes.STR, enum=["offer", "unmatched", "not_offered"], required=False),
        ],
        responses={200: ProactiveRowSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _fresh(request: Request, reference: str) -> Response:
    return Response(ApplicationSerializer(access_application(request.user, reference)).data)


class OfferConfirmView(_Authenticated, APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Confirm an award offer (免申即享): commits the budget, the offer becomes approved",
        description=(
            "Needs a bank account in the enterprise's own name (`/api/v1/me/bank-account/`) and a verified "
            "enterprise identity (409 `enterprise_unverified` until an official has checked its business licence "
            "or its legal person has signed in with the government identity)."
        ),
        parameters=[REFERENCE],
        request=None,
        responses={200: ApplicationSerializer, **OFFER_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        application = access_offer(request.user, reference)
        try:
            proactive_offer_confirm(
                actor=request.user,  # type: ignore[arg-type]
                application=application,
                ip_address=client_ip(request),
            )
        except ProactiveError as error:
            raise Conflict(error.message, code=error.code) from error
        except BudgetError as error:
            raise Conflict(error.message, code="over_budget") from error
        except TransitionNotAllowed as error:
            raise Conflict(str(error), code="not_allowed") from error
        return _fresh(request, reference)


class OfferDeclineView(_Authenticated, APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Decline an award offer",
        parameters=[REFERENCE],
        request=DeclineSerializer,
        responses={200: ApplicationSerializer, **OFFER_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        application = access_offer(request.user, reference)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            proactive_offer_decline(
                actor=request.user,  # type: ignore[arg-type]
                application=application,
                reason=data.validated_data.get("reason", ""),
                ip_address=client_ip(request),
            )
        except TransitionNotAllowed as error:
            raise Conflict(str(error), code="not_allowed") from error
        return _fresh(request, reference)


api_urlpatterns = [
    path("proactive-lists/", ProactiveListsView.as_view(), name="api-proactive-lists"),
    path("proactive-lists/<int:pk>/", ProactiveListDetailView.as_view(), name="api-proactive-list"),
    path("proactive-lists/<int:pk>/rows/", ProactiveListRowsView.as_view(), name="api-proactive-list-rows"),
    path("applications/<str:reference>/confirm-offer/", OfferConfirmView.as_view(), name="api-offer-confirm"),
    path("applications/<str:reference>/decline-offer/", OfferDeclineView.as_view(), name="api-offer-decline"),
]
