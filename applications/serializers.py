"""API shapes of applications, their documents and their timeline. Money is a decimal string."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent
from credit.models import CreditCommitment
from credit.selectors import commitment_for
from portal.languages import trace_lines

from . import form_definitions
from .models import Application, ApplicationDocument, Status
from .services import application_problems
from .workflow import NEXT_STEP_FOR_APPLICANT


def application_key(application: Application) -> str:
    return str(application.reference or application.pk)


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field, e.g. `investment` or `units-0-number` (row 0); may be empty.")
    message = serializers.CharField()


def problems_as_json(problems: dict[str, list[tuple[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """Section key (or `documents`) → what stops submission, field names without the page's `id_`."""
    return {
        section: [{"field": field.removeprefix("id_"), "message": str(message)} for field, message in items]
        for section, items in problems.items()
    }


class DocumentSerializer(serializers.ModelSerializer):
    kind = serializers.IntegerField(
        source="required_document_id", allow_null=True, help_text="The required document's id, or null."
    )
    kind_name = serializers.SerializerMethodField()
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField(help_text="Where the file itself is downloaded.")

    class Meta:
        model = ApplicationDocument
        fields = ["id", "kind", "kind_name", "name", "format", "size", "sha256", "uploaded_at", "for_supplement", "url"]

    def get_kind_name(self, document: ApplicationDocument) -> str:
        return document.required_document.localized("name") if document.required_document else ""

    def get_url(self, document: ApplicationDocument) -> str:
        return reverse("api-application-document-file", args=[application_key(document.application), document.pk])


class ApplicationListSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(help_text="The reference, or the draft's id before submission.")
    incentive = serializers.CharField(source="incentive.code")
    incentive_name = serializers.SerializerMethodField()
    measure = serializers.IntegerField(source="incentive.measure.number")
    status_label = serializers.CharField(source="get_status_display")
    next_step = serializers.SerializerMethodField()
    estimated_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, read_only=True)
    call = serializers.IntegerField(
        source="call_id",
        allow_null=True,
        read_only=True,
        help_text="The call for applications it answers (/api/v1/calls/{id}/), or null.",
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "key",
            "reference",
            "incentive",
            "incentive_name",
            "measure",
            "fiscal_year",
            "call",
            "status",
            "status_label",
            "next_step",
            "estimated_amount",
            "submitted_at",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_key(self, application: Application) -> str:
        return application_key(application)

    def get_incentive_name(self, application: Application) -> str:
        return application.incentive.localized("name")

    def get_next_step(self, application: Application) -> str:
        return str(NEXT_STEP_FOR_APPLICANT.get(application.status, ""))


class CreditCommitmentSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The commitment, in the request's language: show it to the applicant.")
    text_zh = serializers.CharField(help_text="The Chinese text, which binds.")
    version = serializers.CharField(
        help_text="SHA-256 of the Chinese text; give it as `credit_commitment_version` when submitting."
    )
    given_at = serializers.DateTimeField(allow_null=True, help_text="When it was given (null before submission).")


class ApplicationSerializer(ApplicationListSerializer):
    data = serializers.JSONField(  # type: ignore[assignment]  # a declared field: the metaclass takes it
        help_text="The answers: section key → field key → value (rows: a list of objects)."
    )
    amount_trace = serializers.SerializerMethodField(help_text="How the estimated amount was reached, line by line.")
    documents = DocumentSerializer(many=True)
    problems = serializers.SerializerMethodField(
        help_text="Section key (or `documents`) → what still stops submission; empty when it can be submitted."
    )
    credit_commitment = serializers.SerializerMethodField(
        help_text="信用承诺: the text the applicant accepts on submitting (as given, once submitted)."
    )

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "data",
            "amount_trace",
            "supplement_request",
            "supplement_deadline",
            "documents",
            "problems",
            "credit_commitment",
        ]

    def get_amount_trace(self, application: Application) -> list[str]:
        trace = application.amount_trace or {}
        return trace_lines(trace)

    @extend_schema_field(serializers.DictField(child=ProblemSerializer(many=True)))
    def get_problems(self, application: Application) -> dict[str, list[dict[str, str]]]:
        if application.status not in {Status.DRAFT, Status.RETURNED, Status.CITY_RETURNED}:
            return {}
        return problems_as_json(application_problems(application))

    @extend_schema_field(CreditCommitmentSerializer)
    def get_credit_commitment(self, application: Application) -> dict[str, Any]:
        given = CreditCommitment.objects.filter(application_id=application.pk).first()
        if given is not None:
            shown = given.text_en if given.language == "en" and given.text_en else given.text
            return {"text": shown, "text_zh": given.text, "version": given.version, "given_at": given.given_at}
        commitment = commitment_for(application.incentive)
        return {
            "text": commitment.shown,
            "text_zh": commitment.text,
            "version": commitment.version,
            "given_at": None,
        }


def _answers_field() -> serializers.Field:
    return serializers.DictField(
        child=serializers.DictField(),
        required=False,
        help_text='Section key → its answers, e.g. {"claim": {"investment": "1200000.00"}}.',
    )


class ApplicationCreateSerializer(serializers.Serializer):
    incentive = serializers.SlugField(
        max_length=60, help_text="The incentive's code, e.g. m17-china-quality-award-org."
    )
    fiscal_year = serializers.IntegerField()
    call = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "The call for applications to answer (its id). Without it, an incentive with calls joins the one "
            "open now for the fiscal year, else the next to open."
        ),
    )
    data = _answers_field()  # type: ignore[assignment]  # a declared field: the metaclass takes it


class ApplicationUpdateSerializer(serializers.Serializer):
    data = _answers_field()  # type: ignore[assignment]  # a declared field: the metaclass takes it
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a different current version answers 409."
    )


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPEG, PNG or OFD, at most 20 MB (413 beyond).")
    kind = serializers.IntegerField(required=False, allow_null=True, help_text="The required document's id.")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class SubmitSerializer(serializers.Serializer):
    credit_commitment = serializers.BooleanField(
        default=False,
        help_text=(
            "信用承诺: true when the applicant accepts the credit commitment (the application's "
            "`credit_commitment.text`). Required: without it the answer is 400 with `errors.credit_commitment`."
        ),
    )
    credit_commitment_version = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The commitment's `version` the applicant read; a changed text answers 400 (read it again).",
    )


class SupplementSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What you changed or added.")


class TimelineEntrySerializer(serializers.ModelSerializer):
    status_before = serializers.SerializerMethodField()
    status_after = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["action", "at", "actor_label", "reason", "status_before", "status_after"]

    # Null for events that change no status (a comment, a document).
    @extend_schema_field({"type": "string", "nullable": True})
    def get_status_before(self, event: AuditEvent) -> str | None:
        status: str | None = event.before.get("status")  # JSON
        return status

    @extend_schema_field({"type": "string", "nullable": True})
    def get_status_after(self, event: AuditEvent) -> str | None:
        status: str | None = event.after.get("status")  # JSON
        return status


def clean_answers(incentive: Any, data: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """The given answers of known sections and fields, each value as text (rows: lists of
    objects), the shape the pages store; returns (answers per section, errors per section)."""
    sections = {s.key: s for s in form_definitions.sections(incentive)}
    cleaned: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for section_key, answers in data.items():
        section = sections.get(section_key)
        if section is None:
            errors[section_key] = [_("Unknown section; this form has: %(keys)s.") % {"keys": ", ".join(sections)}]
            continue
        specs = {spec["key"]: spec for spec in section.fields}
        problems = [_("Unknown field: %(key)s.") % {"key": key} for key in sorted(set(answers) - set(specs))]
        section_answers: dict[str, Any] = {}
        for key, value in answers.items():
            spec = specs.get(key)
            if spec is None:
                continue
            if spec["type"] != "rows":
                if not _is_scalar(value):
                    problems.append(_("%(key)s: give a string or a number.") % {"key": key})
                section_answers[key] = _text(value)
                continue
            rows = value if value is not None else []
            subkeys = [f["key"] for f in spec["fields"]]
            if not isinstance(rows, list) or not all(
                isinstance(row, dict) and all(_is_scalar(v) for v in row.values()) for row in rows
            ):
                problems.append(_("%(key)s: give a list of objects of strings or numbers.") % {"key": key})
                continue
            section_answers[key] = [{k: _text(row.get(k)) for k in subkeys} for row in rows]
        if problems:
            errors[section_key] = problems
        else:
            cleaned[section_key] = section_answers
    return cleaned, errors


def _is_scalar(value: Any) -> bool:
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


def _text(value: Any) -> str:
    return "" if value is None or not _is_scalar(value) else str(value)
