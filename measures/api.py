"""Read-only catalog API: /api/v1/measures/, /api/v1/departments/, /api/v1/incentives/."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from . import selectors
from .caching import CachedCatalogAPI
from .models import Department, Incentive, Measure
from .serializers import DepartmentSerializer, IncentiveSerializer, MeasureSerializer
from .vocabulary import ApplicantType

SEARCH = OpenApiParameter("q", OpenApiTypes.STR, description="Keywords, Chinese or English")


class MeasureFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label="keywords")
    department = filters.CharFilter(method="search", label="department code")
    kind = filters.ChoiceFilter(choices=Incentive.Kind.choices, method="search")
    applicant_type = filters.ChoiceFilter(choices=ApplicantType.choices, method="search")

    class Meta:
        model = Measure
        fields: list[str] = []

    def search(self, queryset: QuerySet[Measure], name: str, value: str) -> QuerySet[Measure]:
        return queryset  # applied together in filter_queryset, by the shared selector

    def filter_queryset(self, queryset: QuerySet[Measure]) -> QuerySet[Measure]:
        data = self.form.cleaned_data
        return selectors.measure_search(
            query=data.get("q") or "",
            department=data.get("department") or "",
            kind=data.get("kind") or "",
            applicant_type=data.get("applicant_type") or "",
        )


@extend_schema_view(
    list=extend_schema(summary="Measures with chapter, departments (lead first), incentives and targets"),
    retrieve=extend_schema(summary="One measure by its number (1–31)"),
)
class MeasureViewSet(CachedCatalogAPI, viewsets.ReadOnlyModelViewSet):
    serializer_class = MeasureSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "number"
    lookup_value_regex = r"\d+"
    filterset_class = MeasureFilter

    def get_queryset(self) -> QuerySet[Measure]:
        return selectors.measure_queryset()


@extend_schema_view(list=extend_schema(summary="Responsible departments (责任单位)"))
class DepartmentViewSet(CachedCatalogAPI, viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    queryset = Department.objects.order_by("code")


class IncentiveFilter(filters.FilterSet):
    measure = filters.NumberFilter(field_name="measure__number")
    kind = filters.ChoiceFilter(choices=Incentive.Kind.choices)
    applicant_type = filters.ChoiceFilter(choices=ApplicantType.choices)
    department = filters.CharFilter(field_name="handling_department__code")

    class Meta:
        model = Incentive
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Incentives (支持事项) with amounts in force, criteria and documents"),
    retrieve=extend_schema(summary="One incentive by its code"),
)
class IncentiveViewSet(CachedCatalogAPI, viewsets.ReadOnlyModelViewSet):
    serializer_class = IncentiveSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    filterset_class = IncentiveFilter

    def get_queryset(self) -> QuerySet[Incentive]:
        return selectors.incentive_queryset()
