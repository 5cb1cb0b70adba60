"""API shape of a call. Money is a decimal string in CNY; times are ISO 8601 with their offset."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from measures.models import Incentive

from .models import Call, CallStatus


class CallSerializer(serializers.ModelSerializer):
    incentives = serializers.SlugRelatedField[Incentive](
        slug_field="code", many=True, read_only=True, help_text="The incentives' codes."
    )
    title = serializers.SerializerMethodField(help_text="In the request's language.")
    guidance = serializers.SerializerMethodField(help_text="In the request's language.")
    title_zh = serializers.CharField(source="title", read_only=True)
    status = serializers.SerializerMethodField(help_text="upcoming, open or closed, as of the request.")
    notice_pdf = serializers.SerializerMethodField(help_text="Where the published notice (PDF) is, or null.")
    money_available = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "incentives",
            "fiscal_year",
            "title",
            "title_zh",
            "guidance",
            "status",
            "opens_at",
            "closes_at",
            "reference_from",
            "reference_to",
            "review_path",
            "expert_review",
            "site_check",
            "experts_per_application",
            "money_available",
            "max_awards",
            "allocation",
            "contact_name",
            "contact_phone",
            "payment_days",
            "notice_pdf",
        ]

    def get_title(self, call: Call) -> str:
        return call.localized("title")

    def get_guidance(self, call: Call) -> str:
        return call.localized("guidance")

    @extend_schema_field(serializers.ChoiceField(choices=CallStatus.choices))
    def get_status(self, call: Call) -> str:
        return str(getattr(call, "current_status", None) or call.status().value)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_notice_pdf(self, call: Call) -> str | None:
        return reverse("calls:notice_pdf", args=[call.pk]) if call.notice_pdf else None
