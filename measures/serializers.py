import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .amounts import compute_amount, parameters_in_force
from .eligibility import describe
from .models import (
    AmountParameter,
    Chapter,
    Department,
    EligibilityCriterion,
    Incentive,
    Measure,
    MeasureDepartment,
    RequiredDocument,
    Target,
)


def _today(context: Mapping[str, Any]) -> dt.date:
    return context.get("on") or timezone.localdate()


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en", "is_generic"]


class ResponsibleDepartmentSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="department.code")
    name = serializers.CharField(source="department.name")
    name_en = serializers.CharField(source="department.name_en")
    is_lead = serializers.BooleanField()

    class Meta:
        model = MeasureDepartment
        fields = ["position", "code", "name", "name_en", "is_lead"]


class ChapterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chapter
        fields = ["number", "title", "title_en"]


class AmountParameterSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)

    class Meta:
        model = AmountParameter
        fields = ["key", "value", "valid_from", "valid_to", "note", "note_en"]


class CriterionSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField()

    class Meta:
        model = EligibilityCriterion
        fields = ["rule", "params", "alternative_group", "description"]

    def get_description(self, criterion: EligibilityCriterion) -> str:
        return describe(criterion)


class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["name", "name_en", "is_mandatory"]


class EstimateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    cap = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    pays_money = serializers.BooleanField()
    set_by_department = serializers.BooleanField()
    trace = serializers.ListField(child=serializers.CharField())


class IncentiveSerializer(serializers.ModelSerializer):
    measure = serializers.IntegerField(source="measure.number")
    kind_display = serializers.CharField(source="get_kind_display")
    handling_department = DepartmentSerializer()
    amount_parameters = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True)
    required_documents = RequiredDocumentSerializer(many=True)
    estimate = serializers.SerializerMethodField()

    class Meta:
        model = Incentive
        fields = [
            "code",
            "measure",
            "name",
            "name_en",
            "description",
            "description_en",
            "kind",
            "kind_display",
            "applicant_type",
            "unit",
            "unit_en",
            "handling_department",
            "amount_parameters",
            "criteria",
            "required_documents",
            "estimate",
        ]

    @extend_schema_field(AmountParameterSerializer(many=True))
    def get_amount_parameters(self, incentive: Incentive) -> list[dict[str, Any]]:
        """Only the parameters in force today (or on `?on=`): the figures an applicant gets now."""
        in_force = parameters_in_force(incentive.amount_parameters.all(), _today(self.context))
        # What `many=True` builds, spelled out: the stubs type `Serializer(many=True)` as one object.
        return serializers.ListSerializer(
            sorted(in_force.values(), key=lambda p: p.key), child=AmountParameterSerializer()
        ).data

    @extend_schema_field(EstimateSerializer)
    def get_estimate(self, incentive: Incentive) -> dict[str, Any]:
        result = compute_amount(incentive, on=_today(self.context))
        return EstimateSerializer(
            {
                "amount": result.amount,
                "cap": result.cap,
                "pays_money": result.pays_money,
                "set_by_department": result.set_by_department,
                "trace": result.trace(),
            }
        ).data


class TargetSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")

    class Meta:
        model = Target
        fields = [
            "code",
            "description",
            "description_en",
            "quantity",
            "unit",
            "unit_en",
            "qualifier",
            "deadline",
            "department",
        ]


class MeasureSerializer(serializers.ModelSerializer):
    chapter = ChapterSerializer()
    departments = ResponsibleDepartmentSerializer(source="responsibilities", many=True)
    incentives = IncentiveSerializer(many=True)
    targets = TargetSerializer(many=True)

    class Meta:
        model = Measure
        fields = [
            "number",
            "title",
            "title_en",
            "summary_en",
            "text",
            "chapter",
            "departments",
            "incentives",
            "targets",
        ]
