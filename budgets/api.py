"""Budgets through the API: finance and administrators read and set allocations."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import _FinanceAPI, signed_in_user
from measures.models import Incentive
from portal.api import AmountField, Conflict

from .models import Budget
from .permissions import BudgetManagers, CeilingReaders, may_set_ceiling
from .selectors import CeilingRow, budgets_overview, ceilings_overview
from .services import BudgetError, budget_set, year_ceiling_set

BUDGET_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The budget's id.")


class BudgetSerializer(serializers.ModelSerializer):
    incentive = serializers.CharField(source="incentive.code", help_text="The incentive's code.")
    incentive_name = serializers.SerializerMethodField()
    measure = serializers.IntegerField(source="incentive.measure.number")
    department = serializers.CharField(source="incentive.handling_department.code")
    remaining = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    recovered = serializers.DecimalField(
        source="recovered_amount",
        max_digits=18,
        decimal_places=2,
        read_only=True,
        help_text="Refunded by applicants of paid awards (追回); back to the treasury, so `remaining` does not grow.",
    )

    class Meta:
        model = Budget
        fields = [
            "id",
            "incentive",
            "incentive_name",
            "measure",
            "department",
            "fiscal_year",
            "allocation",
            "committed",
            "paid",
            "recovered",
            "remaining",
            "updated_at",
        ]

    def get_incentive_name(self, budget: Budget) -> str:
        return budget.incentive.localized("name")


class BudgetQuerySerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    incentive = serializers.SlugRelatedField(
        slug_field="code", queryset=Incentive.objects.all(), required=False, help_text="An incentive's code."
    )


class BudgetCreateSerializer(serializers.Serializer):
    incentive = serializers.SlugRelatedField(
        slug_field="code", queryset=Incentive.objects.all(), help_text="The code of an incentive that pays money."
    )
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    allocation = AmountField(min_value=0)


class BudgetUpdateSerializer(serializers.Serializer):
    allocation = AmountField(
        min_value=0,
        help_text="CNY as a plain decimal; never less than what is committed and paid (400 with the figure).",
    )


def _budget_set(actor: Any, incentive: Incentive, fiscal_year: int, allocation: Any) -> Budget:
    try:
        budget = budget_set(actor=actor, incentive=incentive, fiscal_year=fiscal_year, allocation=allocation)
    except BudgetError as refused:
        raise exceptions.ValidationError({refused.field: [refused.message]}) from None
    return budgets_overview().get(pk=budget.pk)


class BudgetListView(_FinanceAPI, generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, BudgetManagers]
    serializer_class = BudgetSerializer

    def get_queryset(self) -> QuerySet[Budget]:
        if getattr(self, "swagger_fake_view", False):
            return Budget.objects.none()
        query = BudgetQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return budgets_overview(
            fiscal_year=query.validated_data.get("fiscal_year"), incentive=query.validated_data.get("incentive")
        )

    @extend_schema(
        summary="Budgets per incentive and fiscal year",
        description="Allocation, committed (approved, not yet paid), paid, recovered (refunded after a recovery "
        "decision) and remaining. Finance and administrators.",
        parameters=[BudgetQuerySerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Set a new budget",
        description="Creates the allocation of an incentive for a fiscal year; 409 when it exists (PATCH it).",
        request=BudgetCreateSerializer,
        responses={201: BudgetSerializer},
    )
    def post(self, request: Request) -> Response:
        data = BudgetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        existing = Budget.objects.filter(incentive=values["incentive"], fiscal_year=values["fiscal_year"]).first()
        if existing is not None:
            raise Conflict(
                _("The %(year)s budget of this incentive exists: change it with PATCH %(url)s.")
                % {"year": values["fiscal_year"], "url": reverse("api-budget", args=[existing.pk])}
            )
        budget = _budget_set(request.user, values["incentive"], values["fiscal_year"], values["allocation"])
        return Response(BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an allocation, by incentive and year",
        description="The same as PATCH /api/v1/budgets/{id}/, naming the budget by incentive and fiscal year.",
        operation_id="v1_budgets_by_incentive_partial_update",
        request=BudgetCreateSerializer,
        responses={200: BudgetSerializer},
    )
    def patch(self, request: Request) -> Response:
        data = BudgetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not Budget.objects.filter(incentive=values["incentive"], fiscal_year=values["fiscal_year"]).exists():
            raise exceptions.NotFound(_("No budget is set for this incentive and year: create it with POST."))
        budget = _budget_set(request.user, values["incentive"], values["fiscal_year"], values["allocation"])
        return Response(BudgetSerializer(budget).data)


class BudgetDetailView(_FinanceAPI, APIView):
    permission_classes = [permissions.IsAuthenticated, BudgetManagers]

    def _budget(self, pk: int) -> Budget:
        return get_object_or_404(budgets_overview(), pk=pk)

    @extend_schema(summary="One budget", parameters=[BUDGET_ID], responses={200: BudgetSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(BudgetSerializer(self._budget(pk)).data)

    @extend_schema(
        summary="Change an allocation",
        parameters=[BUDGET_ID],
        request=BudgetUpdateSerializer,
        responses={200: BudgetSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        budget = self._budget(pk)
        data = BudgetUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = _budget_set(request.user, budget.incentive, budget.fiscal_year, data.validated_data["allocation"])
        return Response(BudgetSerializer(updated).data)


class CeilingSerializer(serializers.Serializer):
    incentive = serializers.CharField(source="incentive.code", help_text="The incentive's code.")
    incentive_name = serializers.SerializerMethodField()
    department = serializers.CharField(source="incentive.handling_department.code")
    fiscal_year = serializers.IntegerField()
    amount = serializers.SerializerMethodField(help_text="The ceiling per award (CNY); null while none is set.")
    may_set = serializers.BooleanField(help_text="Whether the caller may set it (approvers of the department).")

    def get_incentive_name(self, row: CeilingRow) -> str:
        return row.incentive.localized("name")

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True))
    def get_amount(self, row: CeilingRow) -> str | None:
        return f"{row.ceiling.amount:.2f}" if row.ceiling else None


class CeilingSetSerializer(serializers.Serializer):
    incentive = serializers.SlugRelatedField(
        slug_field="code", queryset=Incentive.objects.all(), help_text="An incentive whose policy names no amount."
    )
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = AmountField(min_value=0, help_text="The most one award may be that year (CNY, plain decimal).")


class CeilingYearSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class CeilingsView(_FinanceAPI, APIView):
    """Where the policy names no amount, the handling department's ceiling per award for a year."""

    permission_classes = [permissions.IsAuthenticated, CeilingReaders]

    @extend_schema(
        summary="Ceilings set by the departments",
        description="Incentives whose policy names no amount, with the year's ceiling per award (null: not set, "
        "so nothing can be approved). Department officials see their department's; finance and administrators all.",
        parameters=[CeilingYearSerializer],
        responses={200: CeilingSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        query = CeilingYearSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("fiscal_year") or timezone.localdate().year
        return Response(CeilingSerializer(ceilings_overview(request.user, year), many=True).data)

    @extend_schema(
        summary="Set a year's ceiling",
        description="Approvers of the handling department, or administrators; audited. 400 when the policy names "
        "the amount itself or the figure is not a positive plain decimal; 403 for others.",
        request=CeilingSetSerializer,
        responses={200: CeilingSerializer},
    )
    def post(self, request: Request) -> Response:
        data = CeilingSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if not may_set_ceiling(request.user, values["incentive"]):
            raise exceptions.PermissionDenied(_("Only an approver of the handling department sets the ceiling."))
        try:
            year_ceiling_set(
                actor=signed_in_user(request),
                incentive=values["incentive"],
                fiscal_year=values["fiscal_year"],
                amount=values["amount"],
            )
        except BudgetError as refused:
            raise exceptions.ValidationError({refused.field: [refused.message]}) from None
        row = next(
            r for r in ceilings_overview(request.user, values["fiscal_year"]) if r.incentive == values["incentive"]
        )
        return Response(CeilingSerializer(row).data)


api_urlpatterns = [
    path("ceilings/", CeilingsView.as_view(), name="api-ceilings"),
    path("budgets/", BudgetListView.as_view(), name="api-budgets"),
    path("budgets/<int:pk>/", BudgetDetailView.as_view(), name="api-budget"),
]
