"""The API of public announcements (公示) and objections (异议), on the services of awards.announcements.

    GET   /api/v1/announcements/                                   anyone; ?open=true|false
    POST  /api/v1/announcements/                                   officials {title, applications, period_days?}
    GET   /api/v1/announcements/{id}/                              anyone: the entries as published
    POST  /api/v1/announcements/{id}/objections/                   anyone, 5 an hour per address
                                                                   {name, contact, reason, entry?, application?}
    GET   /api/v1/announcements/{id}/objections/                   officials of the department
    POST  /api/v1/announcements/{id}/objections/{oid}/resolve/     officials {decision, resolution}
    POST  /api/v1/announcements/{id}/finalise/                     approvers: finalise what is due now

An objection after the period is a 409; too many from one address a 429 (the same limit, in the
same bucket, as the page's form).
"""

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import TokenAuthentication
from accounts.permissions import signed_in_user
from applications.workflow import TransitionNotAllowed
from awards.models import Award
from measures.models import Department
from portal.api import AddressRateThrottle, Conflict
from portal.http import client_ip

from .models import Announcement, AnnouncementEntry, Objection
from .permissions import is_department_official
from .selectors import (
    announceable_applications,
    announcement_entries,
    announcement_objections,
    announcements_with_totals,
    objections_open,
)
from .services import (
    DEFAULT_PERIOD_DAYS,
    MAX_PERIOD_DAYS,
    AnnouncementConflict,
    AnnouncementError,
    AnnouncementNotAllowed,
    announcement_finalise,
    announcement_publish,
    objection_lodge,
    objection_resolve,
)

OBJECTION_RATE = "5/hour"


class ObjectionRateThrottle(AddressRateThrottle):
    """Objections per address, signed in or not, page and API together (one bucket per address)."""

    scope = "announcement_objections"
    rate = OBJECTION_RATE


ANNOUNCEMENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The announcement.")


OBJECTION_ID = OpenApiParameter(
    "objection_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The objection (its id, not the tracking number).",
)


# The award's state, as the public sees it.
ENTRY_STATUS: dict[str, str] = {
    Award.Status.COMMITTED: "announced",
    Award.Status.FINAL: "final",
    Award.Status.PAID: "paid",
    Award.Status.WITHDRAWN: "withdrawn",
}


def _validation(error: AnnouncementError) -> exceptions.ValidationError:
    return exceptions.ValidationError(error.problems or {"non_field_errors": [error.message]})


class DepartmentBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, department: Department) -> str:
        return department.localized("name")


class AnnouncementSerializer(serializers.ModelSerializer):
    department = DepartmentBriefSerializer()
    objections_open = serializers.SerializerMethodField(help_text="Objections are accepted today.")
    entry_count = serializers.IntegerField(read_only=True)
    total_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, allow_null=True)
    url = serializers.SerializerMethodField(help_text="The public page.")

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "department",
            "published_at",
            "period_days",
            "ends_on",
            "objections_open",
            "entry_count",
            "total_amount",
            "url",
        ]
        extra_kwargs = {"ends_on": {"help_text": "The last day objections are accepted (working days counted)."}}

    def get_objections_open(self, announcement: Announcement) -> bool:
        return objections_open(announcement, self.context.get("today"))

    def get_url(self, announcement: Announcement) -> str:
        return reverse("announcements:detail", args=[announcement.pk])


class EntrySerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="award.application.reference", help_text="The reference number.")
    name = serializers.CharField(source="display_name", help_text="Enterprise name; individuals' names masked.")
    incentive = serializers.CharField(source="incentive_name")
    status = serializers.SerializerMethodField(
        help_text="announced, final, paid, withdrawn (objection upheld) or cancelled (payment failed, not retried).",
    )

    class Meta:
        model = AnnouncementEntry
        fields = ["id", "application", "name", "incentive", "amount", "status"]

    def get_status(self, entry: AnnouncementEntry) -> str:
        return ENTRY_STATUS.get(entry.award.status, entry.award.status)


class AnnouncementDetailSerializer(AnnouncementSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(AnnouncementSerializer.Meta):
        fields = [*AnnouncementSerializer.Meta.fields, "entries"]

    @extend_schema(responses=EntrySerializer(many=True))
    def get_entries(self, announcement: Announcement) -> list[dict[str, Any]]:
        # many=True makes a ListSerializer, whose data is a list; the stubs see the one-object ReturnDict
        return cast(list[dict[str, Any]], EntrySerializer(announcement_entries(announcement), many=True).data)


class AnnouncementCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    applications = serializers.ListField(
        child=serializers.CharField(max_length=30),
        allow_empty=False,
        max_length=1000,
        help_text="Reference numbers of approved applications of the department's incentives.",
    )
    period_days = serializers.IntegerField(min_value=1, max_value=MAX_PERIOD_DAYS, default=DEFAULT_PERIOD_DAYS)


class ObjectionCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=100, help_text="Telephone or email; never published.")
    reason = serializers.CharField(max_length=5000)
    entry = serializers.IntegerField(required=False, allow_null=True, help_text="The entry's id, if one.")
    application = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="Or the entry's application reference."
    )


class ObjectionReceiptSerializer(serializers.ModelSerializer):
    lodged_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Objection
        fields = ["tracking_number", "announcement", "entry", "lodged_at"]


class ObjectionSerializer(serializers.ModelSerializer):
    entry_name = serializers.CharField(source="entry.display_name", default=None, allow_null=True)
    resolved_by = serializers.CharField(source="resolved_by.username", default=None, allow_null=True)
    lodged_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Objection
        fields = [
            "id",
            "tracking_number",
            "entry",
            "entry_name",
            "name",
            "contact",
            "reason",
            "status",
            "resolution",
            "resolved_by",
            "resolved_at",
            "lodged_at",
        ]


class ObjectionResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["upheld", "dismissed"])
    resolution = serializers.CharField(max_length=5000, help_text="The reasons; sent to the applicant if upheld.")


class FinaliseResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    finalised = serializers.ListField(child=serializers.CharField(), help_text="References now final.")


class _Base(generics.GenericAPIView):
    """Token first, so an anonymous write is a 401, not a 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def announcement(self, pk: int) -> Announcement:
        return get_object_or_404(announcements_with_totals(), pk=pk)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class AnnouncementListView(_Base):
    serializer_class = AnnouncementSerializer
    queryset = Announcement.objects.none()  # get_queryset() builds it; this names the model for the schema

    def get_queryset(self) -> QuerySet[Announcement]:
        queryset = announcements_with_totals().order_by("-published_at", "-pk")
        wanted = self.request.query_params.get("open")
        today = timezone.localdate()
        if wanted in ("true", "1"):
            queryset = queryset.filter(ends_on__gte=today)
        elif wanted in ("false", "0"):
            queryset = queryset.filter(ends_on__lt=today)
        return queryset

    @extend_schema(
        operation_id="announcements_list",
        summary="Public announcements (公示), newest first",
        parameters=[
            OpenApiParameter(
                "open", OpenApiTypes.BOOL, description="true: objection period still running; false: ended."
            )
        ],
        responses=AnnouncementSerializer(many=True),
        tags=["announcements"],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="announcements_publish",
        summary="Publish approved awards as an announcement",
        description=(
            "Handlers and approvers of the department that handles the incentives. Each application must be "
            "approved with a committed award and not yet announced; if one cannot be, nothing is published and "
            "`errors.applications` names each with the reason. The period (default 5) is counted in Chinese "
            "working days; `ends_on` is its last day."
        ),
        request=AnnouncementCreateSerializer,
        responses={201: AnnouncementDetailSerializer},
        tags=["announcements"],
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)  # IsAuthenticatedOrReadOnly: a POST is signed in
        if not is_department_official(user, user.department_id):
            raise exceptions.PermissionDenied(_("Only handlers and approvers of a department publish announcements."))
        department = user.department
        assert department is not None, "is_department_official: an official of a department"
        data = AnnouncementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        references = list(dict.fromkeys(data.validated_data["applications"]))
        found = {a.reference: a for a in announceable_applications(user).filter(reference__in=references)}
        missing = [r for r in references if r not in found]
        if missing:
            raise exceptions.ValidationError(
                {
                    "applications": [
                        str(_("%(reference)s: not an approved, unannounced application of your department."))
                        % {"reference": r}
                        for r in missing
                    ]
                }
            )
        try:
            announcement = announcement_publish(
                actor=user,
                department=department,
                applications=list(found.values()),
                title=data.validated_data["title"],
                period_days=data.validated_data["period_days"],
            )
        except AnnouncementNotAllowed as exc:
            raise exceptions.PermissionDenied(exc.message) from exc
        except AnnouncementError as exc:
            raise _validation(exc) from exc
        fresh = self.announcement(announcement.pk)
        body = AnnouncementDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class AnnouncementDetailView(_Base):
    serializer_class = AnnouncementDetailSerializer
    queryset = Announcement.objects.none()

    @extend_schema(
        operation_id="announcements_retrieve",
        summary="An announcement with its entries as published",
        parameters=[ANNOUNCEMENT_ID],
        responses=AnnouncementDetailSerializer,
        tags=["announcements"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.announcement(pk)).data)


class ObjectionsView(_Base):
    permission_classes = [permissions.AllowAny]
    schema_error_codes = ("403",)  # reading the objections is for officials
    serializer_class = ObjectionSerializer
    queryset = Objection.objects.none()

    def get_throttles(self) -> list[Any]:
        return [ObjectionRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="announcements_objections_list",
        summary="The objections to an announcement",
        description="Handlers and approvers of the department; open ones first.",
        parameters=[ANNOUNCEMENT_ID],
        responses=ObjectionSerializer(many=True),
        tags=["announcements"],
    )
    def get(self, request: Request, pk: int) -> Response:
        announcement = self.announcement(pk)
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not is_department_official(request.user, announcement.department_id):
            raise exceptions.PermissionDenied(_("Only officials of the department see the objections."))
        page = self.paginate_queryset(announcement_objections(announcement))
        return self.get_paginated_response(ObjectionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="announcements_objections_create",
        summary="Lodge an objection (异议)",
        description=(
            "Anyone, without signing in, while the period runs (409 after). Name one entry by `entry` (its id) or "
            "`application` (its reference), or neither for the whole announcement. At most 5 an hour per address "
            "(429 beyond). The answer carries the tracking number."
        ),
        parameters=[ANNOUNCEMENT_ID],
        request=ObjectionCreateSerializer,
        responses={201: ObjectionReceiptSerializer},
        tags=["announcements"],
    )
    def post(self, request: Request, pk: int) -> Response:
        announcement = self.announcement(pk)
        data = ObjectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = _entry_named(announcement, data.validated_data)
        try:
            objection = objection_lodge(
                actor=request.user,
                announcement=announcement,
                name=data.validated_data["name"],
                contact=data.validated_data["contact"],
                reason=data.validated_data["reason"],
                entry=entry,
                ip_address=client_ip(request),
            )
        except AnnouncementConflict as exc:
            raise Conflict(exc.message, code="period_closed") from exc
        except AnnouncementError as exc:
            raise _validation(exc) from exc
        return Response(ObjectionReceiptSerializer(objection).data, status=status.HTTP_201_CREATED)


def _entry_named(announcement: Announcement, data: dict[str, Any]) -> AnnouncementEntry | None:
    entries = AnnouncementEntry.objects.filter(announcement=announcement)
    if data.get("entry") is not None:
        found = entries.filter(pk=data["entry"]).first()
        if found is None:
            raise exceptions.ValidationError({"entry": [str(_("This announcement has no such entry."))]})
        return found
    if data.get("application"):
        found = entries.filter(award__application__reference=data["application"].strip()).first()
        if found is None:
            raise exceptions.ValidationError({"application": [str(_("This announcement has no such entry."))]})
        return found
    return None


class ObjectionResolveView(_Base):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ObjectionSerializer
    queryset = Objection.objects.none()

    @extend_schema(
        operation_id="announcements_objections_resolve",
        summary="Resolve an objection: uphold or dismiss",
        description=(
            "Upheld (approvers): the entry's award is withdrawn, its budget released and the applicant notified "
            "with the reasons. Dismissed (handlers or approvers): the reasons are recorded. Once only (409 after)."
        ),
        parameters=[ANNOUNCEMENT_ID, OBJECTION_ID],
        request=ObjectionResolveSerializer,
        responses=ObjectionSerializer,
        tags=["announcements"],
    )
    def post(self, request: Request, pk: int, objection_id: int) -> Response:
        announcement = self.announcement(pk)
        if not is_department_official(request.user, announcement.department_id):
            raise exceptions.PermissionDenied(_("Only officials of the department resolve its objections."))
        objection = get_object_or_404(
            Objection.objects.select_related("announcement"), pk=objection_id, announcement=announcement
        )
        data = ObjectionResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            resolved = objection_resolve(
                actor=signed_in_user(request),
                objection=objection,
                upheld=data.validated_data["decision"] == "upheld",
                resolution=data.validated_data["resolution"],
                ip_address=client_ip(request),
            )
        except AnnouncementNotAllowed as exc:
            raise exceptions.PermissionDenied(exc.message) from exc
        except AnnouncementConflict as exc:
            raise Conflict(exc.message, code="already_resolved") from exc
        except TransitionNotAllowed as exc:
            raise Conflict(str(exc), code="not_allowed") from exc
        except AnnouncementError as exc:
            raise _validation(exc) from exc
        fresh = announcement_objections(announcement).get(pk=resolved.pk)
        return Response(ObjectionSerializer(fresh).data)


class FinaliseView(_Base):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = FinaliseResultSerializer

    @extend_schema(
        operation_id="announcements_finalise",
        summary="Finalise the announcement's awards that are due",
        description=(
            "Approvers of the department, after the period: every announced award without an open objection "
            "becomes final (Celery beat does the same every hour). 409 while the period runs."
        ),
        parameters=[ANNOUNCEMENT_ID],
        request=None,
        responses=FinaliseResultSerializer,
        tags=["announcements"],
    )
    def post(self, request: Request, pk: int) -> Response:
        announcement = self.announcement(pk)
        try:
            done = announcement_finalise(actor=signed_in_user(request), announcement=announcement)
        except AnnouncementNotAllowed as exc:
            raise exceptions.PermissionDenied(exc.message) from exc
        except AnnouncementConflict as exc:
            raise Conflict(exc.message, code="period_running") from exc
        return Response({"count": len(done), "finalised": done})


api_urlpatterns: list[Any] = [
    path("announcements/", AnnouncementListView.as_view(), name="api-announcements"),
    path("announcements/<int:pk>/", AnnouncementDetailView.as_view(), name="api-announcement"),
    path("announcements/<int:pk>/objections/", ObjectionsView.as_view(), name="api-announcement-objections"),
    path(
        "announcements/<int:pk>/objections/<int:objection_id>/resolve/",
        ObjectionResolveView.as_view(),
        name="api-announcement-objection-resolve",
    ),
    path("announcements/<int:pk>/finalise/", FinaliseView.as_view(), name="api-announcement-finalise"),
]
