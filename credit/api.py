"""The list of seriously dishonest entities through the API (administrators only): the same
services as the pages.

    GET, POST   /api/v1/credit-list/        the entries (`?q=` code or name, `?state=active|ended`); add one
    GET, DELETE /api/v1/credit-list/{id}/   one entry; DELETE ends it (`reason` required), audited

Entries are never deleted: DELETE ends the entry today and answers 200 with it as it now is. An
entry the caller may not see is a 404, like a missing one; other users get 403.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from accounts.permissions import signed_in_user
from portal.api import Conflict, ErrorSerializer, JSONParser, Pagination

from .models import CreditListEntry
from .permissions import may_manage_credit_list
from .selectors import access_entry, credit_entries, is_active
from .services import CreditError, credit_entry_add, credit_entry_end

if TYPE_CHECKING:
    from accounts.models import User

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input: `errors` by field."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(ErrorSerializer, description="Not an administrator."),
}
ENTRY_ERRORS = {
    **ERRORS,
    404: OpenApiResponse(ErrorSerializer, description="No such entry."),
    409: OpenApiResponse(ErrorSerializer, description="The entry was already ended (`not_allowed`)."),
}
ENTRY_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The entry's id.")


class IsCreditAdministrator(permissions.BasePermission):
    message = _("Only administrators keep the list of seriously dishonest entities.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_manage_credit_list(request.user)


class _AdministratorsAPI(APIView):
    """Token first: an anonymous request is a 401, a signed-in non-administrator a 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsCreditAdministrator]
    parser_classes = [JSONParser]


class CreditEntrySerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField(help_text="In force today: the entity is refused.")
    added_by = serializers.CharField(source="added_by.__str__")
    # Not `ended_by.__str__`: for an entry in force that is None's own __str__, not None.
    ended_by: "serializers.StringRelatedField[User]" = serializers.StringRelatedField(
        allow_null=True, help_text="Who ended the entry; null while in force."
    )

    class Meta:
        model = CreditListEntry
        fields = [
            "id",
            "uscc",
            "name",
            "list_name",
            "listed_on",
            "until",
            "active",
            "source",
            "source_file",
            "added_by",
            "added_at",
            "ended_on",
            "ended_by",
            "end_reason",
        ]

    def get_active(self, entry: CreditListEntry) -> bool:
        return is_active(entry)


class CreditEntryCreateSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=40, help_text="The unified social credit code (18 characters).")
    name = serializers.CharField(max_length=200)
    list_name = serializers.CharField(max_length=100, help_text="E.g. 严重失信主体名单 or 失信被执行人名单.")
    listed_on = serializers.DateField(help_text="The date listed; not after today.")
    until = serializers.DateField(
        required=False, allow_null=True, help_text="The end of the listing, if the list gives one."
    )


class CreditEntryEndSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why the entry ends, e.g. credit repaired (信用修复). Required."
    )


class CreditListView(_AdministratorsAPI, generics.ListAPIView):
    serializer_class = CreditEntrySerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[CreditListEntry]:
        state = self.request.query_params.get("state", "")
        if state not in ("", "active", "ended"):
            raise exceptions.ValidationError({"state": [_("Use active or ended.")]})
        return credit_entries(search=self.request.query_params.get("q", "")[:100], state=state)

    @extend_schema(
        summary="The list of seriously dishonest entities (严重失信主体名单), newest first",
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=False, description="A credit code (or its start) or a name."
            ),
            OpenApiParameter("state", OpenApiTypes.STR, enum=["active", "ended"], required=False),
        ],
        responses={200: CreditEntrySerializer(many=True), **ERRORS},
        tags=["credit"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add an entity to the list",
        description=(
            "From the date listed the enterprise is refused (409 `credit_listed`) at submission, approval, "
            "proactive offers and payment batches; its open applications and unpaid awards are flagged for "
            "their officials. The same code, list and date twice is a 400."
        ),
        request=CreditEntryCreateSerializer,
        responses={201: CreditEntrySerializer, **ERRORS},
        tags=["credit"],
    )
    def post(self, request: Request) -> Response:
        data = CreditEntryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            entry = credit_entry_add(actor=signed_in_user(request), **data.validated_data)
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from error
        return Response(CreditEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CreditEntryView(_AdministratorsAPI):
    @extend_schema(
        summary="One entry",
        parameters=[ENTRY_ID],
        responses={200: CreditEntrySerializer, **ENTRY_ERRORS},
        tags=["credit"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(CreditEntrySerializer(access_entry(request.user, pk)).data)

    @extend_schema(
        summary="End an entry (it stays on record; audited)",
        description="The entity is no longer refused for this entry from today. The body gives the reason.",
        parameters=[ENTRY_ID],
        request=CreditEntryEndSerializer,
        responses={200: CreditEntrySerializer, **ENTRY_ERRORS},
        tags=["credit"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        entry = access_entry(request.user, pk)
        data = CreditEntryEndSerializer(data=request.data or request.query_params)
        data.is_valid(raise_exception=True)
        try:
            ended = credit_entry_end(actor=signed_in_user(request), entry=entry, reason=data.validated_data["reason"])
        except CreditError as error:
            if error.field:
                raise exceptions.ValidationError({error.field: [error.message]}) from error
            raise Conflict(error.message, code="not_allowed") from error
        return Response(CreditEntrySerializer(access_entry(request.user, ended.pk)).data)


api_urlpatterns = [
    path("credit-list/", CreditListView.as_view(), name="api-credit-list"),
    path("credit-list/<int:pk>/", CreditEntryView.as_view(), name="api-credit-entry"),
]
