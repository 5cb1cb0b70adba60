"""The applicant's applications through the API: the same services as the pages.

    GET, POST        /api/v1/applications/
    GET, PATCH       /api/v1/applications/{reference}/            (reference, or the draft's id)
    GET, POST        /api/v1/applications/{reference}/documents/  (multipart `file`, `kind`)
    GET              /api/v1/applications/{reference}/documents/{id}/   (the file)
    POST             /api/v1/applications/{reference}/submit/ | withdraw/ | supplement/
    GET              /api/v1/applications/{reference}/history/

Others' applications are a 404, like missing ones. Rules refused by a service are 400 (with
`errors`), actions the current state does not allow 409, uploads over 20 MB 413.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from accounts.permissions import signed_in_user
from audit.models import AuditEvent
from calls.models import Call
from measures.models import Incentive
from portal.api import Conflict, ErrorSerializer, JSONParser
from portal.http import client_ip
from portal.uploads import CONTENT_TYPES as UPLOAD_CONTENT_TYPES

from .document_views import document_file_response
from .models import Application, ApplicationDocument
from .review import document_viewed
from .selectors import access_application, application_list, application_timeline
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationListSerializer,
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    SubmitSerializer,
    SupplementSerializer,
    TimelineEntrySerializer,
    WithdrawSerializer,
    clean_answers,
)
from .services import (
    ApplicationChanged,
    ApplicationConflict,
    ApplicationError,
    DocumentRejected,
    DuplicateApplication,
    TransitionNotAllowed,
    application_create,
    application_save_section,
    application_submit,
    application_supplement,
    application_withdraw,
    document_add,
)

REFERENCE = OpenApiParameter(
    "reference",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The reference (e.g. QB-2026-17-000123), or the draft's id before submission.",
)


class PayloadTooLarge(exceptions.APIException):
    """413: the upload is larger than the portal accepts (20 MB)."""

    status_code = 413
    default_detail = _("The file is larger than 20 MB.")
    default_code = "too_large"


def _conflict(exc: TransitionNotAllowed) -> Conflict:
    if isinstance(exc, ApplicationChanged):
        return Conflict(str(exc), code="changed")
    return Conflict(str(exc), code="not_allowed")


def api_refusal(exc: ApplicationError, field: str = "non_field_errors") -> exceptions.APIException:
    """A service's refusal as the API answers it: 409 with its code when the applicant or the
    claim may not have it at all (credit_listed, already_funded), otherwise 400 by field."""
    if exc.conflict:
        return Conflict(exc.message, code=exc.code)
    errors: dict[str, list[str]] = {field: [exc.message]}
    for section, items in exc.problems.items():
        errors[section] = [str(message) for _field, message in items]
    return exceptions.ValidationError(errors)


class ApplicantAPIMixin(APIView):
    """Signed-in users only; the Token scheme first, so an anonymous call gets 401, not 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]


def _fresh(request: Request, application: Application) -> Response:
    """The application as it is now, with what the full representation needs prefetched."""
    current = access_application(request.user, application.pk)
    return Response(ApplicationSerializer(current).data)


class ApplicationListView(ApplicantAPIMixin, generics.ListCreateAPIView):
    def get_queryset(self) -> QuerySet[Application]:
        return application_list(self.request.user)

    def get_serializer_class(self) -> type:
        return ApplicationCreateSerializer if self.request.method == "POST" else ApplicationListSerializer

    @extend_schema(summary="Your applications, most recently changed first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Start a draft application",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not signed_in_user(request).applicant_id:
            raise exceptions.PermissionDenied(_("Only an enterprise or individual account can apply."))
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incentive = Incentive.objects.filter(code=serializer.validated_data["incentive"]).first()
        if incentive is None:
            raise exceptions.ValidationError({"incentive": [_("There is no incentive with this code.")]})
        answers, errors = clean_answers(incentive, serializer.validated_data.get("data", {}))
        if errors:
            raise exceptions.ValidationError({f"data.{section}": messages for section, messages in errors.items()})
        call = None
        if serializer.validated_data.get("call") is not None:
            call = Call.objects.filter(pk=serializer.validated_data["call"]).first()
            if call is None:
                raise exceptions.ValidationError({"call": [_("There is no call for applications with this id.")]})
        try:
            application = application_create(
                actor=signed_in_user(request),
                incentive=incentive,
                fiscal_year=serializer.validated_data["fiscal_year"],
                data=answers,
                call=call,
            )
        except DuplicateApplication as exc:
            raise Conflict(exc.message, code="duplicate") from exc
        except ApplicationError as exc:
            raise api_refusal(exc) from exc
        response = _fresh(request, application)
        response.status_code = status.HTTP_201_CREATED
        return response


class ApplicationDetailView(ApplicantAPIMixin, APIView):
    @extend_schema(summary="One application", parameters=[REFERENCE], responses=ApplicationSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return Response(ApplicationSerializer(access_application(request.user, reference)).data)

    @extend_schema(
        summary="Save answers of a draft (or of an application returned for supplement)",
        description=(
            "Each section given is saved as given, merged over what was saved before, valid or not: "
            "`problems` in the answer says what still stops submission."
        ),
        parameters=[REFERENCE],
        request=ApplicationUpdateSerializer,
        responses=ApplicationSerializer,
    )
    def patch(self, request: Request, reference: str) -> Response:
        application = access_application(request.user, reference)
        serializer = ApplicationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers, errors = clean_answers(application.incentive, serializer.validated_data.get("data", {}))
        if errors:
            raise exceptions.ValidationError({f"data.{section}": messages for section, messages in errors.items()})
        expected = serializer.validated_data.get("version")
        try:
            with transaction.atomic():
                for section_key, section_answers in answers.items():
                    application = application_save_section(
                        actor=signed_in_user(request),
                        application=application,
                        section_key=section_key,
                        answers={**application.data.get(section_key, {}), **section_answers},
                        expected_version=expected,
                    )
                    expected = None  # checked once, against what the caller read
        except TransitionNotAllowed as exc:
            raise _conflict(exc) from exc
        return _fresh(request, application)


class ApplicationDocumentsView(ApplicantAPIMixin, generics.ListCreateAPIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ApplicationDocument]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no application
            return ApplicationDocument.objects.none()
        application = access_application(self.request.user, self.kwargs["reference"])
        return (
            ApplicationDocument.objects.filter(application=application)
            .select_related("required_document", "application")
            .order_by("uploaded_at", "pk")
        )

    def get_serializer_class(self) -> type:
        return DocumentUploadSerializer if self.request.method == "POST" else DocumentSerializer

    @extend_schema(summary="The application's documents", parameters=[REFERENCE])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a document (PDF, JPEG, PNG or OFD, judged by content; at most 20 MB)",
        parameters=[REFERENCE],
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={
            201: DocumentSerializer,
            413: OpenApiResponse(description="The file is larger than 20 MB."),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        application = access_application(request.user, reference)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data.get("kind")
        required = None
        if kind is not None:
            required = next((d for d in application.incentive.required_documents.all() if d.pk == kind), None)
            if required is None:
                raise exceptions.ValidationError({"kind": [_("This document type does not belong to this incentive.")]})
        try:
            document = document_add(
                actor=signed_in_user(request),
                application=application,
                upload=serializer.validated_data["file"],
                required_document=required,
            )
        except DocumentRejected as exc:
            if exc.too_large:
                raise PayloadTooLarge(exc.message) from exc
            raise exceptions.ValidationError({"file": [exc.message]}) from exc
        except ApplicationError as exc:
            raise api_refusal(exc, "kind") from exc
        except TransitionNotAllowed as exc:
            raise _conflict(exc) from exc
        document.application = application
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class ApplicationDocumentFileView(ApplicantAPIMixin, APIView):
    @extend_schema(
        summary="The document's file",
        parameters=[REFERENCE],
        # The file in the type it was uploaded as (portal.uploads accepts these).
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in UPLOAD_CONTENT_TYPES.values()},
    )
    def get(self, request: Request, reference: str, document_id: int) -> FileResponse:
        application = access_application(request.user, reference)
        document = get_object_or_404(application.documents.all(), pk=document_id)
        response = document_file_response(document)
        # As on the page: an official's view of an applicant's document is on the record.
        document_viewed(
            actor=signed_in_user(request),
            application=application,
            document_id=document.pk,
            ip_address=client_ip(request),
        )
        return response


class _Action(ApplicantAPIMixin, APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]


class ApplicationSubmitView(_Action):
    @extend_schema(
        summary="Submit a draft with the credit commitment: assigns the reference number",
        description=(
            'Send `{"credit_commitment": true}`: the applicant accepts the credit commitment (信用承诺) shown as '
            "the application's `credit_commitment.text`. Without it, 400 with `errors.credit_commitment`; an "
            "incomplete draft is 400 too. An applicant who may not apply now is 409 with the reason's `code`: "
            "`email_unverified` (the signed-in user has not confirmed their email address: open the emailed "
            "link, or ask for a new one), `enterprise_unverified` (the enterprise's identity is not verified "
            "yet: an official checks its business licence, or its legal person signs in with the government "
            "identity), `credit_listed` (on a list of seriously dishonest entities), "
            "`applicant_banned` (barred by a recovery decision until the date the message gives) or "
            "`call_closed` (the incentive takes applications through calls and none is open for the "
            "application's fiscal year now: the message names the closing time, or the opening time of the next "
            "call). The call's window is checked first, before the form's completeness. A date answer outside the "
            "call's reference period is 400, on its section."
        ),
        parameters=[REFERENCE],
        request=SubmitSerializer,
        responses={
            200: ApplicationSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "`call_closed`, `email_unverified`, `enterprise_unverified`, `credit_listed`, `applicant_banned`, "
                    "or not allowed in the application's state."
                ),
            ),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        application = access_application(request.user, reference)
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            submitted = application_submit(
                actor=signed_in_user(request),
                application=application,
                credit_commitment=serializer.validated_data["credit_commitment"],
                commitment_version=serializer.validated_data.get("credit_commitment_version") or None,
                ip_address=client_ip(request),
            )
        except ApplicationConflict as exc:
            raise Conflict(exc.message, code=exc.code) from exc
        except ApplicationError as exc:
            raise api_refusal(exc) from exc
        except TransitionNotAllowed as exc:
            raise _conflict(exc) from exc
        return _fresh(request, submitted)


class ApplicationWithdrawView(_Action):
    @extend_schema(
        summary="Withdraw before a decision",
        parameters=[REFERENCE],
        request=WithdrawSerializer,
        responses=ApplicationSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        application = access_application(request.user, reference)
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            withdrawn = application_withdraw(
                actor=signed_in_user(request),
                application=application,
                reason=serializer.validated_data.get("reason", ""),
                ip_address=client_ip(request),
            )
        except TransitionNotAllowed as exc:
            raise _conflict(exc) from exc
        return _fresh(request, withdrawn)


class ApplicationSupplementView(_Action):
    @extend_schema(
        summary="Answer a supplement request (补正)",
        description="Change answers with PATCH and add documents first; then send the supplement with a note.",
        parameters=[REFERENCE],
        request=SupplementSerializer,
        responses=ApplicationSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        application = access_application(request.user, reference)
        serializer = SupplementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            answered = application_supplement(
                actor=signed_in_user(request),
                application=application,
                note=serializer.validated_data["note"],
                ip_address=client_ip(request),
            )
        except ApplicationError as exc:
            raise api_refusal(exc, "non_field_errors" if exc.problems else "note") from exc
        except TransitionNotAllowed as exc:
            raise _conflict(exc) from exc
        return _fresh(request, answered)


class ApplicationHistoryView(ApplicantAPIMixin, generics.ListAPIView):
    serializer_class = TimelineEntrySerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        application = access_application(self.request.user, self.kwargs["reference"])
        return application_timeline(application, for_applicant=True)

    @extend_schema(summary="The application's timeline, as the applicant may see it", parameters=[REFERENCE])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
