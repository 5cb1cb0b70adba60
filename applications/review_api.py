"""The officials' side of the API: the review queue and the review actions, on the same services
as the pages (applications.review).

    GET   /api/v1/queue/                                   filters: status, incentive, measure, city,
                                                           size, overdue, mine, sort
    POST  /api/v1/applications/{reference}/accept/         受理
    POST  /api/v1/applications/{reference}/return/         补正 {missing}
    POST  /api/v1/applications/{reference}/reject/         不予受理 {reasons}
    POST  /api/v1/applications/{reference}/review/         start the review
    POST  /api/v1/applications/{reference}/handle/         non-monetary incentives {note?}
    POST  /api/v1/applications/{reference}/propose/        {decision: support|not_support, amount?, reasons,
                                                           override_reason?}
    POST  /api/v1/applications/{reference}/approve/
    POST  /api/v1/applications/{reference}/send-back/      {reason}
    POST  /api/v1/applications/{reference}/recommend/      the city bureau's proposal (地市初审推荐) {reasons}
    POST  /api/v1/applications/{reference}/not_recommend/  the same, not to recommend {reasons}
    POST  /api/v1/applications/{reference}/forward/        the city approver signs the proposal
    POST  /api/v1/applications/{reference}/<step>/         a higher app's step (REVIEW_STEPS), e.g. recover

Every action takes an optional `version` (the one the caller read): when the application changed
since, the answer is 409 with who changed it. Applications the caller may not see are 404; an
action the workflow does not allow now, or not to this caller, is 409; refused input is 400.
"""

import copy
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from measures.vocabulary import EnterpriseSize, GuangdongCity
from portal.api import AmountField, Conflict, JSONParser, KeysetPagination
from portal.choices import choice_label
from portal.http import client_ip
from portal.keyset import Keyset

from .api import api_refusal
from .city_review import city_approve, city_propose, city_return, city_send_back
from .hooks import REVIEW_STEPS
from .models import Application, Status
from .queue_cache import cached_queue_answer
from .review import (
    BudgetRefused,
    application_accept,
    application_approve,
    application_confirm_rejection,
    application_handle,
    application_propose,
    application_refuse,
    application_return,
    application_send_back,
    application_start_review,
    decided_by_meeting,
)
from .review_forms import SORT_CHOICES, TEXT_MAX
from .review_selectors import QueueFilters, access_for_review, is_official, is_overdue, queue_keyset, review_queue
from .services import ApplicationError
from .workflow import ApplicationChanged, TransitionNotAllowed, allowed_actions

REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The reference, e.g. QB-2026-17-000123."
)
# Workflow action → the API's name for it (API.md). "reject" in the API is 不予受理 at acceptance
# (the workflow's "refuse"); not supporting after review is `propose` with decision "not_support".
API_NAMES = {
    "accept": "accept",
    "return": "return",
    "refuse": "reject",
    "review": "review",
    "handle": "handle",
    "propose": "propose",
    "reject": "propose",
    "approve": "approve",
    "confirm_rejection": "approve",  # the approver's sign-off, whichever the proposal
    "send_back": "send-back",
    # The city bureau's first review: its return and send-back use the province's endpoints.
    "city_return": "return",
    "recommend": "recommend",
    "not_recommend": "not_recommend",
    "forward": "forward",
    "confirm_not_recommended": "forward",  # the city approver's sign-off, whichever the proposal
    "city_send_back": "send-back",
}


def api_name(action: str) -> str | None:
    """The API's name of a workflow action: the review's own, or a higher app's step (REVIEW_STEPS)."""
    step = REVIEW_STEPS.get(action)
    return API_NAMES.get(action) or (step.api_name if step else None)


class BudgetExceeded(exceptions.APIException):
    """400: the approval would exceed the incentive's budget (code budget_exceeded; the message gives
    what is left) or no budget is set (code budget_not_set)."""

    status_code = 400
    default_detail = _("The budget cannot take this amount.")
    default_code = "budget_exceeded"


class OfficialsAPIMixin(APIView):
    """Signed-in users only; the Token scheme first, so an anonymous call gets 401, not 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]


# ── shapes ───────────────────────────────────────────────────────────────────────────────────


class QueueItemSerializer(serializers.ModelSerializer):
    incentive = serializers.CharField(source="incentive.code")
    incentive_name = serializers.SerializerMethodField()
    measure = serializers.IntegerField(source="incentive.measure.number")
    applicant = serializers.CharField(source="applicant.name")
    city = serializers.CharField(source="applicant.city")
    size = serializers.CharField(source="applicant.size")
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField(help_text="Open and past the current stage's due date.")
    assigned_to = serializers.SerializerMethodField(help_text="The handler's username, or null.")
    estimated_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, read_only=True)
    proposed_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, read_only=True)
    url = serializers.SerializerMethodField(help_text="The officials' page of the application.")

    class Meta:
        model = Application
        fields = [
            "reference",
            "incentive",
            "incentive_name",
            "measure",
            "fiscal_year",
            "applicant",
            "city",
            "size",
            "status",
            "status_label",
            "submitted_at",
            "stage_due_on",
            "overdue",
            "assigned_to",
            "estimated_amount",
            "proposed_amount",
            "version",
            "url",
        ]

    def to_representation(self, application: Application) -> dict[str, Any]:
        """The row built directly: a queue page is 50 rows of 17 fields, and REST framework's
        generic walk (a source lookup per field, `get_status_display` hashing the lazy choices)
        cost about 1 ms a row, most of the API's time under load (issue 10). Dates and amounts
        keep the declared fields' own formatting; tests compare this with the generic walk."""
        fields = self.fields
        incentive, applicant, assignee = application.incentive, application.applicant, application.assigned_to
        row = {
            "reference": application.reference,
            "incentive": incentive.code,
            "incentive_name": incentive.localized("name"),
            "measure": incentive.measure.number,
            "fiscal_year": application.fiscal_year,
            "applicant": applicant.name,
            "city": applicant.city,
            "size": applicant.size,
            "status": application.status,
            "status_label": choice_label(application, "status"),
            "submitted_at": _or_none(fields["submitted_at"], application.submitted_at),
            "stage_due_on": _or_none(fields["stage_due_on"], application.stage_due_on),
            "overdue": is_overdue(application, self.context.get("today")),
            "assigned_to": assignee.username if assignee else None,
            "estimated_amount": _or_none(fields["estimated_amount"], application.estimated_amount),
            "proposed_amount": _or_none(fields["proposed_amount"], application.proposed_amount),
            "version": application.version,
            "url": self._url(application.reference or ""),
        }
        # A subclass's further fields (ReviewedApplicationSerializer) take the generic walk.
        for field in self._readable_fields:
            name = str(field.field_name)
            if name not in row:
                attribute = field.get_attribute(application)
                row[name] = None if attribute is None else field.to_representation(attribute)
        return row

    def get_fields(self) -> dict[str, serializers.Field]:
        # The model's fields are introspected once per class, not once per response (a third of
        # the serializer's time); each response binds copies, as REST framework does.
        cls = type(self)
        if cls not in _FIELDS:
            _FIELDS[cls] = super().get_fields()
        return copy.deepcopy(_FIELDS[cls])

    def _url(self, reference: str) -> str:
        # One reverse() per response, not per row: references are URL-safe (QB-2026-17-000123).
        if not hasattr(self, "_url_pattern"):
            self._url_pattern = reverse("review:application", args=["__reference__"])
        return self._url_pattern.replace("__reference__", reference)

    def get_incentive_name(self, application: Application) -> str:
        return application.incentive.localized("name")

    def get_overdue(self, application: Application) -> bool:
        return is_overdue(application, self.context.get("today"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assigned_to(self, application: Application) -> str | None:
        return application.assigned_to.username if application.assigned_to else None

    def get_url(self, application: Application) -> str:
        return reverse("review:application", args=[application.reference])


_FIELDS: dict[type, dict[str, serializers.Field]] = {}


def _or_none(field: serializers.Field, value: Any) -> Any:
    return None if value is None else field.to_representation(value)


class ReviewedApplicationSerializer(QueueItemSerializer):
    """The application after an action, as officials see it, with what the caller may do next."""

    amount_override_reason = serializers.CharField()
    decision_reasons = serializers.CharField()
    supplement_request = serializers.CharField()
    supplement_deadline = serializers.DateField(allow_null=True)
    allowed_actions = serializers.SerializerMethodField(help_text="The actions the caller may take now (API names).")

    class Meta(QueueItemSerializer.Meta):
        fields = [
            *QueueItemSerializer.Meta.fields,
            "amount_override_reason",
            "decision_reasons",
            "supplement_request",
            "supplement_deadline",
            "allowed_actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, application: Application) -> list[str]:
        user = self.context["request"].user
        by_meeting = decided_by_meeting(application)  # the collective decision meeting proposes instead
        names = [
            api_name(t.action)
            for t in allowed_actions(application, user)
            if not (by_meeting and t.action in ("propose", "reject"))
        ]
        return list(dict.fromkeys(name for name in names if name))


class QueueQuerySerializer(serializers.Serializer):
    # All the statuses (one enum in the schema); drafts are never in a queue, so "draft" lists none.
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    incentive = serializers.CharField(required=False, max_length=60, help_text="An incentive's code.")
    measure = serializers.IntegerField(required=False, min_value=1, help_text="A measure's number (1–31).")
    city = serializers.ChoiceField(choices=GuangdongCity.choices, required=False)
    size = serializers.ChoiceField(choices=EnterpriseSize.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False, help_text="Only open and overdue ones.")
    mine = serializers.BooleanField(required=False, default=False, help_text="Only those assigned to the caller.")
    sort = serializers.ChoiceField(
        choices=[c[0] for c in SORT_CHOICES],
        required=False,
        default="deadline",
        help_text="deadline (soonest first, none last), submitted (oldest first) or -submitted.",
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you read; the action is refused (409) if it changed."
    )


class ReturnSerializer(VersionSerializer):
    missing = serializers.CharField(max_length=TEXT_MAX, help_text="What the applicant must supply.")


class RejectSerializer(VersionSerializer):
    reasons = serializers.CharField(max_length=TEXT_MAX, help_text="Why the application is not accepted (不予受理).")


class HandleSerializer(VersionSerializer):
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class ProposeSerializer(VersionSerializer):
    decision = serializers.ChoiceField(choices=["support", "not_support"])
    amount = AmountField(
        required=False,
        allow_null=True,
        help_text="For support: CNY as a plain decimal (500000.00); the amount engine's figure when left out. "
        "Never above the claim's policy ceiling (400).",
    )
    override_reason = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the amount differs from the engine's.",
    )
    reasons = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Grounds; required for not_support.",
    )


class SendBackSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class RecommendSerializer(VersionSerializer):
    reasons = serializers.CharField(max_length=TEXT_MAX, help_text="The city bureau's grounds.")


# ── the queue ────────────────────────────────────────────────────────────────────────────────


class QueueView(OfficialsAPIMixin, generics.ListAPIView):
    serializer_class = QueueItemSerializer
    pagination_class = KeysetPagination

    def get_keyset(self) -> Keyset:
        return queue_keyset(QueueFilters(**self._query.validated_data))

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        # (Officials only: get() refuses anyone else before the cache is asked.)
        self._query = QueueQuerySerializer(data=self.request.query_params)
        self._query.is_valid(raise_exception=True)
        return review_queue(self.request.user, QueueFilters(**self._query.validated_data), today=self._today)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": self._today}

    @extend_schema(
        summary="The caller's review queue",
        description=(
            "Applications (never drafts) of the incentives the caller's department handles or was granted, "
            "deadline first by default. Officials only."
        ),
        parameters=[QueueQuerySerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        self._today = timezone.localdate()
        if not is_official(request.user):
            raise exceptions.PermissionDenied(_("The review queue is for officials."))
        # The stored bytes as a plain HttpResponse, or REST framework's Response when it was refused.
        return cached_queue_answer(request, respond=lambda: super(QueueView, self).get(request))


# ── the actions ──────────────────────────────────────────────────────────────────────────────


Perform = Callable[[Any, Application, dict[str, Any], dict[str, Any]], Application]


def _propose(user: Any, application: Application, data: dict[str, Any], common: dict[str, Any]) -> Application:
    if data["decision"] == "not_support":
        return application_propose(support=False, reasons=data["reasons"], **common)
    return application_propose(
        support=True,
        amount=data.get("amount"),
        override_reason=data["override_reason"],
        reasons=data["reasons"],
        **common,
    )


class _ReviewAction(OfficialsAPIMixin, APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    request_serializer: type[serializers.Serializer] = VersionSerializer
    perform: Perform
    # The field a service's refusal is reported on: a name, or a function of the request's data.
    error_field: str | Callable[[dict[str, Any]], str] = "non_field_errors"

    def handle_action(self, request: Request, reference: str) -> Response:
        application = access_for_review(request.user, reference)
        serializer = self.request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        common = {
            "actor": request.user,
            "application": application,
            "expected_version": data.pop("version", None),
            "ip_address": client_ip(request),
        }
        try:
            self.perform(request.user, application, data, common)
        except BudgetRefused as exc:
            raise BudgetExceeded(exc.message, code=exc.code) from exc
        except ApplicationError as exc:
            field = self.error_field if isinstance(self.error_field, str) else self.error_field(data)
            raise api_refusal(exc, field) from exc
        except ApplicationChanged as exc:
            raise Conflict(str(exc), code="changed") from exc
        except TransitionNotAllowed as exc:
            raise Conflict(str(exc), code="not_allowed") from exc
        fresh = access_for_review(request.user, reference)
        return Response(ReviewedApplicationSerializer(fresh, context={"request": request}).data)


def _action_view(
    name: str,
    serializer: type[serializers.Serializer],
    perform: Perform,
    summary: str,
    description: str,
    field: str | Callable[[dict[str, Any]], str],
) -> type[_ReviewAction]:
    @extend_schema(
        operation_id=f"review_{name.replace('-', '_')}",
        summary=summary,
        description=description,
        parameters=[REFERENCE],
        request=serializer,
        responses=ReviewedApplicationSerializer,
        tags=["review"],
    )
    def post(self: _ReviewAction, request: Request, reference: str) -> Response:
        return self.handle_action(request, reference)

    return type(
        f"{name.title().replace('-', '')}View",
        (_ReviewAction,),
        {
            "post": post,
            "request_serializer": serializer,
            "perform": staticmethod(perform),
            "error_field": field if isinstance(field, str) else staticmethod(field),
            "__doc__": summary,
        },
    )


def _simple(service: Callable[..., Application]) -> Perform:
    return lambda user, application, data, common: service(**common)


AcceptView = _action_view(
    "accept",
    VersionSerializer,
    _simple(application_accept),
    "Accept (受理) a submitted application",
    "Handlers of the responsible department. Sets the review's due date in working days; a notice follows.",
    "non_field_errors",
)
ReturnView = _action_view(
    "return",
    ReturnSerializer,
    lambda user, application, data, common: (
        city_return if application.status == Status.CITY_REVIEW else application_return
    )(missing=data["missing"], **common),
    "Return for supplement (补正)",
    "Handlers, or the city bureau's handler while the city reviews it first. The deadline is counted in Chinese "
    "working days (holidays and make-up workdays included).",
    "missing",
)
RejectView = _action_view(
    "reject",
    RejectSerializer,
    lambda user, application, data, common: application_refuse(reasons=data["reasons"], **common),
    "Refuse to accept (不予受理) a submitted application",
    "Handlers, with reasons; the notice gives them and the applicant's rights. Not supporting after review "
    "is `propose` with decision `not_support`.",
    "reasons",
)
StartReviewView = _action_view(
    "review",
    VersionSerializer,
    _simple(application_start_review),
    "Start the review (审核) of an accepted application",
    "Handlers; monetary incentives only (others are `handle`d).",
    "non_field_errors",
)
HandleView = _action_view(
    "handle",
    HandleSerializer,
    lambda user, application, data, common: application_handle(note=data["note"], **common),
    "Mark a non-monetary application as handled",
    "Handlers; services, tax treatment and recognitions end here.",
    "note",
)
ProposeView = _action_view(
    "propose",
    ProposeSerializer,
    _propose,
    "Propose a decision: support with an amount (拟支持) or not support (不予支持)",
    "Handlers. Support: the amount engine's figure unless `amount` is given; another amount needs "
    "`override_reason` and never exceeds the cap. Not support: `reasons` are required; the decision notice "
    "follows. In a call with expert review the collective decision meeting proposes (the decisions app): "
    "409 with code `not_allowed`.",
    lambda data: "amount" if data.get("decision") == "support" else "reasons",
)
ApproveView = _action_view(
    "approve",
    VersionSerializer,
    lambda user, application, data, common: (
        # The approver's sign-off of whichever proposal the handler made.
        application_confirm_rejection if application.status == Status.REJECTION_PROPOSED else application_approve
    )(**common),
    "Approve a proposal (support, or not supporting)",
    "Approvers of the department; never the official who proposed it (four-eyes). A proposal not to support "
    "becomes the decision and the applicant receives the decision notice. A proposal to support commits the amount "
    "against the incentive's budget for the fiscal year: beyond what is left, 400 with code `budget_exceeded` "
    "and the remaining figure in `detail` (`budget_not_set` when finance has set none); nothing changes. "
    "409 `credit_listed` when the applicant is on a list of seriously dishonest entities, 409 `already_funded` "
    "when an item of the claim was funded before.",
    "non_field_errors",
)
SendBackView = _action_view(
    "send-back",
    SendBackSerializer,
    lambda user, application, data, common: (
        city_send_back if application.status == Status.CITY_PROPOSED else application_send_back
    )(reason=data["reason"], **common),
    "Send a proposal back to the handler",
    "Approvers (or the city bureau's approver, for its recommendation), with the reason; never the official who "
    "proposed it.",
    "reason",
)
RecommendView = _action_view(
    "recommend",
    RecommendSerializer,
    lambda user, application, data, common: city_propose(recommend=True, reasons=data["reasons"], **common),
    "Propose to recommend an application to the province (地市初审推荐)",
    "The city bureau's handler of the applicant's registered city, for calls reviewed by the city first; with "
    "reasons. A second official of the bureau signs it (`forward`).",
    "reasons",
)
NotRecommendView = _action_view(
    "not_recommend",
    RecommendSerializer,
    lambda user, application, data, common: city_propose(recommend=False, reasons=data["reasons"], **common),
    "Propose not to recommend an application to the province",
    "The city bureau's handler, with the reasons the applicant will be told once the proposal is signed.",
    "reasons",
)
ForwardView = _action_view(
    "forward",
    VersionSerializer,
    _simple(city_approve),
    "Sign the city bureau's recommendation",
    "The city bureau's approver; never the official who proposed it (four-eyes). A recommended application "
    "reaches the provincial department as `submitted`; one not recommended ends (`city_not_recommended`) and "
    "the applicant is told the reasons.",
    "non_field_errors",
)

ACTION_VIEWS: dict[str, type[_ReviewAction]] = {
    "accept": AcceptView,
    "return": ReturnView,
    "reject": RejectView,
    "review": StartReviewView,
    "handle": HandleView,
    "propose": ProposeView,
    "approve": ApproveView,
    "send-back": SendBackView,
    "recommend": RecommendView,
    "not_recommend": NotRecommendView,
    "forward": ForwardView,
}


def step_urlpatterns() -> list[Any]:
    """The API views of the steps higher apps registered (applications.hooks.REVIEW_STEPS), beside the
    review's own actions. portal/urls.py calls it when the URLs load, after every AppConfig.ready()."""
    return [
        path(
            f"applications/<str:reference>/{step.api_name}/",
            import_string(step.api_view).as_view(),
            name=f"api-review-{step.api_name}",
        )
        for step in REVIEW_STEPS.values()
    ]


api_urlpatterns: list[Any] = [
    path("queue/", QueueView.as_view(), name="api-queue"),
    *[
        path(f"applications/<str:reference>/{name}/", view.as_view(), name=f"api-review-{name}")
        for name, view in ACTION_VIEWS.items()
    ],
]
