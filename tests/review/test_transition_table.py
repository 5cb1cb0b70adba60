"""The whole transition table, allowed and refused, for each role — driven by workflow.TRANSITIONS.

For every action and every status, each actor (the applicant, a handler and an approver of the
responsible department, a finance officer, the system, and the handler and approver of the city
bureau of the applicant's city) either moves the application to the table's target, or is refused
with TransitionNotAllowed (services) / 409 (API) and nothing changes: no new status, no new
version, no audit event. Each case runs in a savepoint that is rolled back.

Two applications are walked: one whose call goes to the province directly, and one whose call
goes to the city bureau first (地市初审推荐); the actions that touch the city's states are walked
on both. Where one service takes one of several actions (submit or submit_to_city, by the call;
the city approver's sign-off, by the proposal), the case expects whichever of them the table
allows (SERVICE_GROUPS).
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from applications import review
from applications.city_review import city_approve, city_propose, city_return, city_send_back
from applications.models import Application, Status
from applications.permissions import FINANCE_STATUSES
from applications.services import application_submit, application_supplement, application_withdraw
from applications.states import CITY_STATUSES
from applications.workflow import BY_ACTION, TRANSITIONS, Role, Transition, TransitionNotAllowed, transition
from audit.models import AuditEvent
from calls.models import Call as CallForApplications
from measures.vocabulary import GuangdongCity
from tests.applications.helpers import FIXED, complete_draft
from tests.support.city import city_official, draft_for, enterprise_in, open_call

from .conftest import NON_MONETARY, fund

pytestmark = pytest.mark.django_db

ACTORS = ("applicant", "handler", "approver", "finance", "system", "city_handler", "city_approver")
ROLE_OF = {
    "applicant": Role.APPLICANT,
    "handler": Role.HANDLER,
    "approver": Role.APPROVER,
    "finance": Role.FINANCE,
    "system": Role.SYSTEM,
    "city_handler": Role.CITY_HANDLER,
    "city_approver": Role.CITY_APPROVER,
}
CITY_ACTORS = {"city_handler", "city_approver"}

Call = Callable[[User, Application], Any]

# The service behind each action; actions whose services come with later issues (announcement,
# payment) go through workflow.transition with the roles the permissions give the actor.
SERVICES: dict[str, Call] = {
    "submit": lambda u, a: application_submit(actor=u, application=a, credit_commitment=True),
    "withdraw": lambda u, a: application_withdraw(actor=u, application=a, reason="no longer needed"),
    "supplement": lambda u, a: application_supplement(actor=u, application=a, note="added the certificate"),
    "accept": lambda u, a: review.application_accept(actor=u, application=a),
    "return": lambda u, a: review.application_return(actor=u, application=a, missing="the award decision"),
    "refuse": lambda u, a: review.application_refuse(actor=u, application=a, reasons="not eligible"),
    "review": lambda u, a: review.application_start_review(actor=u, application=a),
    "handle": lambda u, a: review.application_handle(actor=u, application=a, note="done"),
    "propose": lambda u, a: review.application_propose(actor=u, application=a, support=True, reasons="meets it"),
    "reject": lambda u, a: review.application_propose(actor=u, application=a, support=False, reasons="no"),
    "approve": lambda u, a: review.application_approve(actor=u, application=a),
    "confirm_rejection": lambda u, a: review.application_confirm_rejection(actor=u, application=a),
    "send_back": lambda u, a: review.application_send_back(actor=u, application=a, reason="check the amount"),
    "submit_to_city": lambda u, a: application_submit(actor=u, application=a, credit_commitment=True),
    "city_supplement": lambda u, a: application_supplement(actor=u, application=a, note="added the certificate"),
    "city_return": lambda u, a: city_return(actor=u, application=a, missing="the award decision"),
    "recommend": lambda u, a: city_propose(actor=u, application=a, recommend=True, reasons="a leading firm"),
    "not_recommend": lambda u, a: city_propose(actor=u, application=a, recommend=False, reasons="no certificate"),
    "forward": lambda u, a: city_approve(actor=u, application=a),
    "confirm_not_recommended": lambda u, a: city_approve(actor=u, application=a),
    "city_send_back": lambda u, a: city_send_back(actor=u, application=a, reason="give more reasons"),
}
# Services that take one of several actions, chosen by the application (see the module docstring).
SERVICE_GROUPS = [
    ("submit", "submit_to_city"),
    ("supplement", "city_supplement"),
    ("forward", "confirm_not_recommended"),
]
# The actions walked on the city-first application too: those leaving or reaching a city state,
# and those sharing a service with one.
CITY_WALKED = {t.action for t in TRANSITIONS if (t.sources | {t.target}) & set(CITY_STATUSES)} | {
    a for group in SERVICE_GROUPS for a in group
}


def _applies(rule: Transition, application: Any) -> bool:
    return rule.applies is None or rule.applies(application)


def expected_allowed(rule: Transition, status: str, actor: str, application: Any) -> bool:
    # A city bureau acts only on applications of its city whose call goes to the city first.
    city_first = application.call is not None and application.call.review_path == "city_first"
    return (
        status in rule.sources
        and ROLE_OF[actor] in rule.roles
        and (actor not in CITY_ACTORS or city_first)
        and _applies(rule, application)
    )


def expected_rule(action: str, status: str, application: Any) -> Transition:
    """The rule the service of `action` takes in `status`: its own, or a sibling's of its group."""
    group = next((g for g in SERVICE_GROUPS if action in g), (action,))
    for name in group:
        rule = BY_ACTION[name]
        if status in rule.sources and _applies(rule, application):
            return rule
    return BY_ACTION[action]


@pytest.fixture
def cast(make_official: Callable[..., User]) -> dict[str, Any]:
    owner = enterprise_in(GuangdongCity.FOSHAN)
    fund(FIXED)
    province_call = open_call(CallForApplications.ReviewPath.PROVINCE)
    city_call = open_call(CallForApplications.ReviewPath.CITY_FIRST)
    cast = {
        "applicant": owner,
        "handler": make_official(OfficialRole.HANDLER, "amr"),
        "approver": make_official(OfficialRole.APPROVER, "amr"),
        "finance": make_official(OfficialRole.FINANCE, "finance"),
        "system": None,
        "city_handler": city_official(OfficialRole.CITY_HANDLER, GuangdongCity.FOSHAN),
        "city_approver": city_official(OfficialRole.CITY_APPROVER, GuangdongCity.FOSHAN),
        "monetary": draft_for(owner, province_call),
        "non_monetary": complete_draft(owner, NON_MONETARY),
    }
    # Another enterprise of the same city (one open application per incentive and year), which
    # acts as "applicant" on its own application.
    neighbour = enterprise_in(GuangdongCity.FOSHAN)
    cast["city_first"] = draft_for(neighbour, city_call)
    cast["owners"] = {cast["city_first"].pk: neighbour}
    return cast


def _actor(cast: dict[str, Any], actor: str, application: Application) -> User | None:
    if actor == "applicant":
        return cast["owners"].get(application.pk, cast["applicant"])
    return cast[actor]


def _put_in(application: Application, status: str, *, recommended: bool = True) -> Application:
    """Puts the application in `status` directly (test set-up, not a transition); a city proposal,
    when there is one, recommends it or not."""
    Application.objects.filter(pk=application.pk).update(
        city_recommended=recommended if status == Status.CITY_PROPOSED else None,
        city_proposed_by=None,
        status=status,
        version=1,
        reference=None if status == Status.DRAFT else f"QB-TEST-{application.pk:06d}",
        proposed_by=None,
        proposed_amount=Decimal("3000000.00"),  # what a proposal has by the time it is approved
        assigned_to=None,
        supplement_deadline=dt.date(2026, 1, 5) if status in (Status.RETURNED, Status.CITY_RETURNED) else None,
    )
    return Application.objects.select_related("incentive", "call").get(pk=application.pk)


def _run(action: str, actor: str, user: User | None, application: Application) -> bool:
    """Takes the action as the actor; True if it went through, False if refused."""
    if actor == "system":
        if action == "lapse":
            return review.applications_lapse_overdue(today=dt.date(2026, 12, 31)) == 1
        transition(application, action, actor=None)
        return True
    if action in SERVICES:
        SERVICES[action](user, application)
    else:
        transition(application, action, actor=user)
    return True


def _check_case(action: str, status: str, actor: str, user: User | None, application: Application) -> None:
    with transaction.atomic():
        application = _put_in(application, status, recommended=action != "confirm_not_recommended")
        rule = expected_rule(action, status, application)
        action = rule.action
        events = AuditEvent.objects.count()
        events_seq = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        should = expected_allowed(rule, status, actor, application)
        try:
            went = _run(action, actor, user, application)
        except TransitionNotAllowed:
            went = False
        after = Application.objects.get(pk=application.pk)
        case = f"{action} from {status} by {actor}"
        if should:
            assert went, f"{case}: refused, but the table allows it"
            assert after.status == rule.target, case
            assert after.version == 2, case
            recorded = AuditEvent.objects.filter(sequence__gt=events_seq, object_id=str(application.pk))
            assert [e.action for e in recorded if e.object_type == "applications.application"] == [
                f"application.{action}"
            ], case
        else:
            assert not went, f"{case}: went through, but the table refuses it"
            assert (after.status, after.version) == (status, 1), case
            assert AuditEvent.objects.count() == events, case
        transaction.set_rollback(True)


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS])
def test_every_status_and_actor_through_the_services(cast: dict[str, Any], action: str) -> None:
    walked = [cast["monetary"], cast["city_first"]] if action in CITY_WALKED else [cast["monetary"]]
    for application in walked:
        for status in Status.values:
            for actor in ACTORS:
                _check_case(action, status, actor, _actor(cast, actor, application), application)


@pytest.mark.parametrize("action", ["accept", "review", "handle"])
def test_non_monetary_incentives_take_the_short_path(cast: dict[str, Any], action: str) -> None:
    """A recognition is handled after acceptance; it is never reviewed for an amount."""
    for status in Status.values:
        for actor in ACTORS:
            _check_case(action, status, actor, cast[actor], cast["non_monetary"])


def test_the_short_and_the_long_path_differ_where_the_table_says() -> None:
    paying, not_paying = (SimpleNamespace(incentive=SimpleNamespace(pays_money=m)) for m in (True, False))
    assert BY_ACTION["review"].applies(paying) and not BY_ACTION["review"].applies(not_paying)
    assert BY_ACTION["handle"].applies(not_paying) and not BY_ACTION["handle"].applies(paying)


# ── the same through the API: 200, or 409 and nothing changed; 404 where the caller sees nothing ──

# API name → (workflow actions, body); the API's approve is the sign-off of either proposal.
API_ACTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "accept": (("accept",), {}),
    "return": (("return",), {"missing": "the award decision"}),
    "reject": (("refuse",), {"reasons": "not eligible"}),
    "review": (("review",), {}),
    "handle": (("handle",), {"note": "done"}),
    "propose": (("propose",), {"decision": "support", "reasons": "meets the criteria"}),
    "propose-not": (("reject",), {"decision": "not_support", "reasons": "the certificate is not valid"}),
    "approve": (("approve", "confirm_rejection"), {}),
    "send-back": (("send_back", "city_send_back"), {"reason": "check the amount"}),
    "recommend": (("recommend",), {"reasons": "a leading firm of the city"}),
    "not_recommend": (("not_recommend",), {"reasons": "the certificate is not valid"}),
    "forward": (("forward", "confirm_not_recommended"), {}),
}
API_ACTIONS["return"] = (("return", "city_return"), API_ACTIONS["return"][1])


def _visible(actor: str, status: str, application: Application) -> bool:
    if status == Status.DRAFT:
        return False
    city_first = application.call is not None and application.call.review_path == "city_first"
    if actor == "finance":
        return status in FINANCE_STATUSES
    if actor in CITY_ACTORS:
        return city_first  # the city bureau sees its city's applications of calls it reviews first
    if actor in ("handler", "approver"):
        return status not in CITY_STATUSES  # the province sees only what the city let through
    return True


@pytest.mark.parametrize("api_name", list(API_ACTIONS))
def test_every_status_and_actor_through_the_api(cast: dict[str, Any], api_name: str) -> None:
    actions, body = API_ACTIONS[api_name]
    city_actions = set(actions) & CITY_WALKED
    walked = [cast["city_first"]] if city_actions else []
    if set(actions) - city_actions:
        walked.insert(0, cast["monetary"])
    for application in walked:
        _walk_api(cast, api_name, actions, body, application)


def _walk_api(
    cast: dict[str, Any], api_name: str, actions: tuple[str, ...], body: dict[str, Any], walked: Application
) -> None:
    path_name = "propose" if api_name == "propose-not" else api_name
    clients = {}
    for actor in ("applicant", "handler", "approver", "finance", "city_handler", "city_approver"):
        clients[actor] = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        clients[actor].force_authenticate(_actor(cast, actor, walked))
    for status in Status.values:
        for recommended in (True, False) if status == Status.CITY_PROPOSED else (True,):
            for actor, client in clients.items():
                _api_case(client, api_name, path_name, actions, body, walked, status, actor, recommended)


def _api_case(
    client: APIClient,
    api_name: str,
    path_name: str,
    actions: tuple[str, ...],
    body: dict[str, Any],
    walked: Application,
    status: str,
    actor: str,
    recommended: bool,
) -> None:
    with transaction.atomic():
        application = _put_in(walked, status, recommended=recommended)
        rule = next(
            (BY_ACTION[a] for a in actions if status in BY_ACTION[a].sources and _applies(BY_ACTION[a], application)),
            BY_ACTION[actions[0]],
        )
        events = AuditEvent.objects.count()
        url = f"/api/v1/applications/{application.reference or application.pk}/{path_name}/"
        response = client.post(url, {**body, "version": 1}, format="json")
        after = Application.objects.get(pk=application.pk)
        case = f"{api_name} from {status} by {actor} on {walked.call.review_path}"
        if not _visible(actor, status, application):
            assert response.status_code == 404, (case, response.json())
        elif expected_allowed(rule, status, actor, application):
            assert response.status_code == 200, (case, response.json())
            assert response.json()["status"] == rule.target
            assert after.status == rule.target, case
        else:
            assert response.status_code == 409, (case, response.json())
            assert response.json()["code"] == "not_allowed", case
            assert response.json()["detail"], case
        if response.status_code != 200:
            assert (after.status, after.version) == (status, 1), case
            assert AuditEvent.objects.count() == events, case
        transaction.set_rollback(True)
