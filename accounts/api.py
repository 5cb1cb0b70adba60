"""Registration and the applicant's own profile through the API (/api/v1/register/..., /api/v1/me/...).

The same services as the pages; the caller only ever reaches its own applicant's data (another
applicant's qualification id answers 404). Anonymous callers of /me/ get 401.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from portal.api import ErrorSerializer, JSONParser

from . import registration, selectors, services
from .models import ApplicantQualification
from .permissions import signed_in_user
from .serializers import (
    BankAccountInputSerializer,
    BankAccountSerializer,
    EnterpriseRegistrationSerializer,
    IndividualRegistrationSerializer,
    MeChangesSerializer,
    MeSerializer,
    QualificationInputSerializer,
    QualificationSerializer,
    me_payload,
)
from .throttling import RegistrationRateThrottle


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The file is larger than 20 MB.")
    default_code = "too_large"


def service_errors(error: DjangoValidationError) -> exceptions.APIException:
    """A service's refusal as the API's 400 (or 413 for an oversized upload)."""
    if hasattr(error, "error_dict"):
        for messages in error.error_dict.values():
            for message in messages:
                if message.code == "too_large":
                    return PayloadTooLarge(detail=message.messages[0])
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


class _Registration(APIView):
    """Creates the applicant and its first user and emails a link to confirm the address."""

    # Anonymous callers only matter here: no session, so no CSRF token is needed to register.
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    # Per address, with the registration pages: taken usernames and codes cannot be probed in bulk.
    throttle_classes = [RegistrationRateThrottle]
    input_serializer: type
    service: Any

    def post(self, request: Request) -> Response:
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = type(self).service(**data.validated_data)
        except DjangoValidationError as error:
            raise service_errors(error) from None
        return Response(MeSerializer(me_payload(user)).data, status=status.HTTP_201_CREATED)


REGISTRATION_THROTTLED = OpenApiResponse(
    ErrorSerializer, description="`throttled`: too many registration attempts from this address; see Retry-After."
)


@extend_schema(
    summary="Register an enterprise and its administrator",
    request=EnterpriseRegistrationSerializer,
    responses={201: MeSerializer, 429: REGISTRATION_THROTTLED},
)
class EnterpriseRegistrationView(_Registration):
    input_serializer = EnterpriseRegistrationSerializer
    service = registration.enterprise_register


@extend_schema(
    summary="Register an individual applicant",
    request=IndividualRegistrationSerializer,
    responses={201: MeSerializer, 429: REGISTRATION_THROTTLED},
)
class IndividualRegistrationView(_Registration):
    input_serializer = IndividualRegistrationSerializer
    service = registration.individual_register


class _Mine(GenericAPIView):
    # Signed-in applicants only; the Token scheme comes first so an anonymous call gets 401
    # (DRF answers with the first scheme's WWW-Authenticate challenge).
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    schema_error_codes = ("404",)  # a user without an applicant (an official)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = service_errors(exc)
        elif isinstance(exc, PermissionDenied):
            exc = exceptions.NotFound()  # never tell a caller about objects it may not know of
        return super().handle_exception(exc)


class MeView(_Mine):
    serializer_class = MeSerializer
    # The changes are two nested objects: JSON only (a form's flat fields would silently change nothing).
    parser_classes = [JSONParser]

    @extend_schema(summary="The signed-in applicant's profile, user and profile completeness")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(me_payload(signed_in_user(request))).data)

    @extend_schema(
        summary="Change the profile (`applicant`) and/or your own details (`user`)",
        request=MeChangesSerializer,
        responses={200: MeSerializer},
    )
    def patch(self, request: Request) -> Response:
        # Checked here as well as by the parsers: a form body the input guard has already read
        # (portal/middleware.py) reaches REST framework as an empty form, not as a refused one.
        if (request.content_type or "").split(";")[0].strip() != "application/json":
            raise exceptions.UnsupportedMediaType(request.content_type)
        user = signed_in_user(request)
        applicant = selectors.applicant_of(user)
        changes = MeChangesSerializer(data=request.data)
        if not changes.is_valid():
            # Field names are unique across `user` and `applicant`: errors name the field alone.
            flat: dict[str, Any] = {}
            for key, value in changes.errors.items():
                flat.update(value if isinstance(value, dict) else {key: value})
            raise exceptions.ValidationError(flat)
        services.profile_update(
            actor=user,
            applicant=applicant,
            applicant_changes=dict(changes.validated_data.get("applicant", {})),
            user_changes=dict(changes.validated_data.get("user", {})),
        )
        user.refresh_from_db()
        return Response(MeSerializer(me_payload(user)).data)


class QualificationListView(_Mine):
    serializer_class = QualificationSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ApplicantQualification.objects.none()
        return selectors.qualification_list(selectors.applicant_of(signed_in_user(self.request)))

    @extend_schema(
        summary="The applicant's qualifications (单项冠军, 小巨人, 中国质量奖…)",
        operation_id="v1_me_qualifications_list",
        responses={200: QualificationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(QualificationSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a qualification, with an optional evidence file (multipart `evidence`)",
        request={"multipart/form-data": QualificationInputSerializer, "application/json": QualificationInputSerializer},
        responses={201: QualificationSerializer, 413: OpenApiResponse(description="The file is larger than 20 MB.")},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        applicant = selectors.applicant_of(user)
        data = QualificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.qualification_add(actor=user, applicant=applicant, **data.validated_data)
        return Response(QualificationSerializer(record).data, status=status.HTTP_201_CREATED)


class QualificationDetailView(_Mine):
    serializer_class = QualificationSerializer

    def get_object(self) -> ApplicantQualification:
        return selectors.qualification_of(signed_in_user(self.request), self.kwargs["pk"])

    @extend_schema(summary="One of the applicant's qualifications")
    def get(self, request: Request, pk: int) -> Response:
        return Response(QualificationSerializer(self.get_object()).data)

    @extend_schema(summary="Remove a qualification (and its evidence file)", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.qualification_delete(actor=signed_in_user(request), qualification=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class BankAccountView(_Mine):
    schema_error_codes = ("404",)  # no account recorded yet
    serializer_class = BankAccountSerializer

    @extend_schema(summary="Where awards are paid (the number masked); 404 when none is recorded")
    def get(self, request: Request) -> Response:
        account = selectors.bank_account_of(selectors.applicant_of(signed_in_user(request)))
        if account is None:
            raise Http404
        return Response(BankAccountSerializer(account).data)

    @extend_schema(
        summary="Record or replace the bank account; the account name must equal the applicant's name",
        request=BankAccountInputSerializer,
        responses={200: BankAccountSerializer, 201: BankAccountSerializer},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        applicant = selectors.applicant_of(user)
        data = BankAccountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        existed = selectors.bank_account_of(applicant) is not None
        account = services.bank_account_set(actor=user, applicant=applicant, **data.validated_data)
        return Response(
            BankAccountSerializer(account).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    @extend_schema(summary="Remove the bank account", responses={204: None})
    def delete(self, request: Request) -> Response:
        user = signed_in_user(request)
        if not services.bank_account_delete(actor=user, applicant=selectors.applicant_of(user)):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
