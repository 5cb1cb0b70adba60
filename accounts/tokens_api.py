"""API keys through the API: `POST /api/v1/auth/token/` (an applicant's user, with its password),
`/api/v1/tokens/` (the caller's keys; administrators issue keys) and `DELETE /api/v1/tokens/{id}/`.
The rules are accounts/tokens.py's."""

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import AddressRateThrottle, ErrorSerializer

from . import tokens
from .api import service_errors
from .authentication import TokenAuthentication
from .models import User
from .permissions import is_administrator, is_official, signed_in_user
from .throttling import LockedOut


class OfficialsGetKeysFromAdministrators(exceptions.PermissionDenied):
    default_detail = _("Officials' API keys are issued by an administrator.")
    default_code = "issued_by_administrator"


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class IssueSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=150, help_text="the username of the key's holder")
    days = serializers.IntegerField(required=False, min_value=1, help_text="how long the key lasts (default 90)")


class TokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="token_key", help_text="the key's first characters (not secret)")
    user = serializers.CharField(source="user.username")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()


class NewTokenSerializer(TokenSerializer):
    key = serializers.CharField(help_text="the key itself: shown in this answer only")
    token = serializers.CharField(help_text="the same key (the name DRF's token endpoint used)")


def _new_token(token: AuthToken, key: str) -> dict[str, Any]:
    return {**TokenSerializer(token).data, "key": key, "token": key}


@extend_schema(
    summary="An applicant's own API key, with its password (officials' keys come from an administrator: 403)",
    request=CredentialsSerializer,
    responses={
        200: NewTokenSerializer,
        400: OpenApiResponse(ErrorSerializer, description="`invalid`: wrong username or password."),
        403: OpenApiResponse(ErrorSerializer, description="An official: keys are issued by an administrator."),
        429: OpenApiResponse(
            ErrorSerializer,
            description="`locked_out`: too many failed attempts for this username or from this address "
            "(the login page shares the counts); see Retry-After.",
        ),
    },
)
class ObtainTokenView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AddressRateThrottle]

    def post(self, request: Request) -> Response:
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request._request, **credentials.validated_data)
        if not isinstance(user, User):
            if getattr(request._request, "axes_locked_out", False):  # django-axes refused the attempt
                raise LockedOut(request)
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to sign in with the username and password given.")]}
            )
        if is_official(user):
            raise OfficialsGetKeysFromAdministrators
        token, key = tokens.token_issue(actor=user, user=user)
        return Response(_new_token(token, key))


class TokenListView(ListAPIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TokenSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AuthToken.objects.none()
        return tokens.tokens_of(signed_in_user(self.request)).select_related("user")

    @extend_schema(summary="The caller's API keys that have not expired (never the keys themselves)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)  # a page of keys (ListAPIView: described as paginated)

    @extend_schema(
        summary="Issue a key to a user (administrators, from a browser session that passed the second factor)",
        request=IssueSerializer,
        responses={201: NewTokenSerializer, 403: OpenApiResponse(description="Not an administrator's session.")},
    )
    def post(self, request: Request) -> Response:
        actor = signed_in_user(request)
        # A key cannot breed keys: a stolen administrator's key must not mint more.
        if not is_administrator(actor) or not isinstance(request.successful_authenticator, SessionAuthentication):
            raise OfficialsGetKeysFromAdministrators
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        holder = User.objects.filter(username=data.validated_data["user"]).first()
        if holder is None:
            raise exceptions.ValidationError({"user": [_("There is no user with this username.")]})
        try:
            token, key = tokens.token_issue(actor=actor, user=holder, days=data.validated_data.get("days"))
        except DjangoValidationError as error:
            raise service_errors(error) from None
        return Response(_new_token(token, key), status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Revoke one of the caller's keys", responses={204: None, 404: OpenApiResponse()})
    def delete(self, request: Request, token_id: str) -> Response:
        user = signed_in_user(request)
        try:
            token = tokens.token_of(user, token_id)
            tokens.token_revoke(actor=user, token=token)
        except (AuthToken.DoesNotExist, DjangoPermissionDenied):
            raise exceptions.NotFound from None
        return Response(status=status.HTTP_204_NO_CONTENT)
