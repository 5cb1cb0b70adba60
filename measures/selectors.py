"""Reads of the catalog that pages and the API share, with the joins they need named.

Every list is built with a fixed number of queries, however many measures or incentives exist.
"""

from django.db.models import Prefetch, Q, QuerySet

from .models import Department, Incentive, Measure, MeasureDepartment, Target


def incentive_queryset() -> QuerySet[Incentive]:
    return (
        Incentive.objects.filter(is_active=True)
        .select_related("measure", "handling_department")
        .prefetch_related("amount_parameters", "criteria", "required_documents")
        .order_by("measure__number", "position")
    )


def measure_queryset(*, with_incentives: bool = True) -> QuerySet[Measure]:
    queryset = Measure.objects.select_related("chapter").prefetch_related(
        Prefetch(
            "responsibilities",
            queryset=MeasureDepartment.objects.select_related("department").order_by("position"),
        ),
        Prefetch("targets", queryset=Target.objects.select_related("department").order_by("code")),
    )
    if with_incentives:
        queryset = queryset.prefetch_related(Prefetch("incentives", queryset=incentive_queryset()))
    return queryset.order_by("number")


def measure_search(
    *,
    query: str = "",
    department: str = "",
    kind: str = "",
    applicant_type: str = "",
) -> QuerySet[Measure]:
    """Measures matching a keyword (Chinese or English, in titles, texts and incentives) and filters."""
    measures = measure_queryset()
    if query:
        terms = query.split()
        for term in terms:
            measures = measures.filter(
                Q(title__icontains=term)
                | Q(title_en__icontains=term)
                | Q(text__icontains=term)
                | Q(summary_en__icontains=term)
                | Q(incentives__name__icontains=term)
                | Q(incentives__name_en__icontains=term)
                | Q(incentives__description__icontains=term)
                | Q(incentives__description_en__icontains=term)
            )
    if department:
        measures = measures.filter(departments__code=department)
    if kind:
        measures = measures.filter(incentives__kind=kind, incentives__is_active=True)
    if applicant_type:
        measures = measures.filter(incentives__applicant_type=applicant_type, incentives__is_active=True)
    if query or kind or applicant_type or department:
        # Joins over incentives repeat a measure once per matching row.
        measures = measures.filter(pk__in=measures.values("pk")).distinct()
    return measures


def department_queryset() -> QuerySet[Department]:
    return Department.objects.order_by("code")


def department_detail(code: str) -> Department:
    """A department with what it is responsible for: measures (with its role) and incentives it handles."""
    return Department.objects.prefetch_related(
        Prefetch(
            "responsibilities",
            queryset=MeasureDepartment.objects.select_related("measure").order_by("measure__number"),
        ),
        Prefetch("handled_incentives", queryset=incentive_queryset()),
        Prefetch("targets", queryset=Target.objects.select_related("measure")),
    ).get(code=code)
