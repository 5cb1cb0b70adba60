"""City first review (地市初审推荐, issue 12): an application to a call whose review path is
"city_first" goes to the bureau of the applicant's registered city; its handler proposes to
recommend it or not, a second official of the bureau signs, and only what is recommended reaches
the provincial queue. Calls reviewed by the province directly are unaffected."""

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Notification, OfficialRole, User
from applications.city_review import city_approve, city_propose, city_return, city_send_back
from applications.models import Application, Status
from applications.review_selectors import review_queue
from applications.services import ApplicationError, application_submit, application_supplement
from applications.states import CLOSED_STATUSES
from applications.workflow import TransitionNotAllowed, allowed_actions
from audit.models import AuditEvent
from calls.models import Call
from measures.vocabulary import GuangdongCity
from tests.support.city import city_official, draft_for, enterprise_in, open_call

from .conftest import fund

pytestmark = pytest.mark.django_db

FOSHAN, GUANGZHOU = GuangdongCity.FOSHAN, GuangdongCity.GUANGZHOU


@pytest.fixture
def bureau() -> dict[str, User]:
    """The Foshan and Guangzhou bureaus' officials."""
    return {
        "foshan_handler": city_official(OfficialRole.CITY_HANDLER, FOSHAN),
        "foshan_approver": city_official(OfficialRole.CITY_APPROVER, FOSHAN),
        "guangzhou_handler": city_official(OfficialRole.CITY_HANDLER, GUANGZHOU),
        "guangzhou_approver": city_official(OfficialRole.CITY_APPROVER, GUANGZHOU),
    }


@pytest.fixture
def foshan_user() -> User:
    return enterprise_in(FOSHAN)


@pytest.fixture
def at_the_city(foshan_user: User) -> Application:
    """A Foshan enterprise's application to a city-first call, submitted."""
    fund()
    draft = draft_for(foshan_user, open_call(Call.ReviewPath.CITY_FIRST))
    return application_submit(actor=foshan_user, application=draft, credit_commitment=True)


def _refs(user: User) -> set[str]:
    return {a.reference for a in review_queue(user)}


def _recommended(application: Application, bureau: dict[str, User], *, recommend: bool = True) -> Application:
    proposed = city_propose(
        actor=bureau["foshan_handler"], application=application, recommend=recommend, reasons="审核意见：材料齐全"
    )
    return city_approve(actor=bureau["foshan_approver"], application=proposed)


# ── routing by the applicant's city ──────────────────────────────────────────────────────────


def test_a_foshan_application_goes_to_the_foshan_bureau_only(
    at_the_city: Application, bureau: dict[str, User], handler: User, approver: User
) -> None:
    assert at_the_city.status == Status.CITY_REVIEW
    assert AuditEvent.objects.filter(action="application.submit_to_city", object_id=str(at_the_city.pk)).exists()
    assert _refs(bureau["foshan_handler"]) == {at_the_city.reference}
    assert _refs(bureau["foshan_approver"]) == {at_the_city.reference}
    assert _refs(bureau["guangzhou_handler"]) == set()
    # Not the province's until the city recommends it.
    assert at_the_city.reference not in _refs(handler)
    assert at_the_city.reference not in _refs(approver)
    assert [t.action for t in allowed_actions(at_the_city, bureau["foshan_handler"])] == [
        "city_return",
        "recommend",
        "not_recommend",
    ]
    assert allowed_actions(at_the_city, bureau["guangzhou_handler"]) == []
    assert allowed_actions(at_the_city, handler) == []
    with pytest.raises(TransitionNotAllowed):
        city_propose(actor=bureau["guangzhou_handler"], application=at_the_city, recommend=True, reasons="好")


def test_recommended_reaches_the_provincial_queue_as_submitted(
    at_the_city: Application, bureau: dict[str, User], handler: User, foshan_user: User
) -> None:
    forwarded = _recommended(at_the_city, bureau)
    assert forwarded.status == Status.SUBMITTED
    assert (forwarded.city_recommended, forwarded.city_decided_by) == (True, bureau["foshan_approver"])
    assert forwarded.stage_due_on is not None  # the province's time limit for accepting runs
    assert forwarded.reference in _refs(handler)
    assert _refs(bureau["foshan_handler"]) == set()  # the city's queue is its first review
    assert "accept" in [t.action for t in allowed_actions(forwarded, handler)]
    subjects = list(Notification.objects.filter(user=foshan_user).values_list("subject", flat=True))
    assert f"Application {forwarded.reference} recommended by the city bureau" in subjects


def test_not_recommended_ends_and_the_applicant_is_told_why(
    at_the_city: Application, bureau: dict[str, User], handler: User, foshan_user: User
) -> None:
    proposed = city_propose(
        actor=bureau["foshan_handler"], application=at_the_city, recommend=False, reasons="标准未在参考期内发布"
    )
    assert proposed.status == Status.CITY_PROPOSED
    # Only a proposal: the applicant hears nothing yet, and the audit event is not theirs to see.
    assert not Notification.objects.filter(user=foshan_user, body__contains="标准未在参考期内发布").exists()
    assert AuditEvent.objects.get(action="application.not_recommend").visible_to_applicant is False
    closed = city_approve(actor=bureau["foshan_approver"], application=proposed)
    assert closed.status == Status.CITY_NOT_RECOMMENDED
    assert closed.reference not in _refs(handler)
    assert not Application.objects.filter(pk=closed.pk, status=Status.SUBMITTED).exists()
    told = Notification.objects.get(user=foshan_user, subject__contains="not recommended by the city bureau")
    assert "标准未在参考期内发布" in told.body
    # A closed application frees the place: the enterprise may apply again for the incentive.
    assert Status.CITY_NOT_RECOMMENDED in CLOSED_STATUSES


def test_the_proposer_cannot_sign_four_eyes(at_the_city: Application, bureau: dict[str, User]) -> None:
    proposer = bureau["foshan_handler"]
    proposed = city_propose(actor=proposer, application=at_the_city, recommend=True, reasons="推荐")
    # The proposer later becomes the bureau's approver: still not their own proposal.
    User.objects.filter(pk=proposer.pk).update(official_role=OfficialRole.CITY_APPROVER)
    proposer.refresh_from_db()
    assert "forward" not in [t.action for t in allowed_actions(proposed, proposer)]
    with pytest.raises(TransitionNotAllowed, match="another official"):
        city_approve(actor=proposer, application=proposed)
    assert Application.objects.get(pk=proposed.pk).status == Status.CITY_PROPOSED
    assert city_approve(actor=bureau["foshan_approver"], application=proposed).status == Status.SUBMITTED


def test_a_handler_cannot_sign_and_another_citys_approver_cannot_either(
    at_the_city: Application, bureau: dict[str, User]
) -> None:
    proposed = city_propose(actor=bureau["foshan_handler"], application=at_the_city, recommend=True, reasons="推荐")
    for official in (bureau["foshan_handler"], bureau["guangzhou_approver"]):
        with pytest.raises(TransitionNotAllowed):
            city_approve(actor=official, application=proposed)
    assert Application.objects.get(pk=proposed.pk).status == Status.CITY_PROPOSED


def test_send_back_and_supplement_return_to_the_city(
    at_the_city: Application, bureau: dict[str, User], foshan_user: User
) -> None:
    proposed = city_propose(actor=bureau["foshan_handler"], application=at_the_city, recommend=False, reasons="不足")
    with pytest.raises(ApplicationError):
        city_send_back(actor=bureau["foshan_approver"], application=proposed, reason=" ")
    back = city_send_back(actor=bureau["foshan_approver"], application=proposed, reason="请补充理由")
    assert (back.status, back.city_recommended) == (Status.CITY_REVIEW, None)
    returned = city_return(actor=bureau["foshan_handler"], application=back, missing="营业执照副本")
    assert returned.status == Status.CITY_RETURNED and returned.supplement_deadline is not None
    assert Notification.objects.filter(user=foshan_user, body__contains="营业执照副本").exists()
    answered = application_supplement(actor=foshan_user, application=returned, note="已补充")
    assert answered.status == Status.CITY_REVIEW  # back to the city, not to the province


def test_a_city_first_call_needs_the_applicants_city(db: None) -> None:
    fund()
    user = enterprise_in("")
    draft = draft_for(user, open_call(Call.ReviewPath.CITY_FIRST))
    with pytest.raises(ApplicationError, match="registered city"):
        application_submit(actor=user, application=draft, credit_commitment=True)
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_province_path_calls_are_unaffected(bureau: dict[str, User], handler: User, foshan_user: User) -> None:
    fund()
    draft = draft_for(foshan_user, open_call(Call.ReviewPath.PROVINCE))
    submitted = application_submit(actor=foshan_user, application=draft, credit_commitment=True)
    assert submitted.status == Status.SUBMITTED
    assert submitted.reference in _refs(handler)
    assert _refs(bureau["foshan_handler"]) == set()
    assert allowed_actions(submitted, bureau["foshan_handler"]) == []


# ── the API ──────────────────────────────────────────────────────────────────────────────────


def _post(client: Any, application: Application, name: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/applications/{application.reference}/{name}/", body or {}, format="json")


def test_the_api_recommend_and_forward(
    at_the_city: Application, bureau: dict[str, User], api_client: Callable[..., Any]
) -> None:
    city_handler, city_approver = api_client(bureau["foshan_handler"]), api_client(bureau["foshan_approver"])
    # Guangzhou's bureau does not see it at all.
    assert (
        _post(api_client(bureau["guangzhou_handler"]), at_the_city, "recommend", {"reasons": "好"}).status_code == 404
    )
    # Reasons are required.
    refused = _post(city_handler, at_the_city, "recommend", {"reasons": ""})
    assert refused.status_code == 400
    # Not before a proposal exists.
    early = _post(city_approver, at_the_city, "forward")
    assert (early.status_code, early.json()["code"]) == (409, "not_allowed")
    proposed = _post(city_handler, at_the_city, "recommend", {"reasons": "行业龙头", "version": at_the_city.version})
    assert proposed.status_code == 200, proposed.json()
    assert proposed.json()["status"] == Status.CITY_PROPOSED
    assert proposed.json()["allowed_actions"] == []
    # A second proposal, or the proposer signing: 409.
    again = _post(city_handler, at_the_city, "not_recommend", {"reasons": "改主意"})
    assert (again.status_code, again.json()["code"]) == (409, "not_allowed")
    stale = _post(city_approver, at_the_city, "forward", {"version": at_the_city.version})
    assert (stale.status_code, stale.json()["code"]) == (409, "changed")
    forwarded = _post(city_approver, at_the_city, "forward")
    assert forwarded.status_code == 200, forwarded.json()
    assert forwarded.json()["status"] == Status.SUBMITTED
    # Now with the province: the city may no longer act, nor see it in its own queue.
    assert _post(city_approver, at_the_city, "forward").json()["code"] == "not_allowed"


def test_the_api_not_recommend(
    at_the_city: Application, bureau: dict[str, User], api_client: Callable[..., Any], handler: User
) -> None:
    city_handler, city_approver = api_client(bureau["foshan_handler"]), api_client(bureau["foshan_approver"])
    assert _post(api_client(handler), at_the_city, "not_recommend", {"reasons": "x"}).status_code == 404
    proposed = _post(city_handler, at_the_city, "not_recommend", {"reasons": "不符合条件"})
    assert proposed.status_code == 200 and proposed.json()["decision_reasons"] == ""
    assert _post(city_approver, at_the_city, "forward").json()["status"] == Status.CITY_NOT_RECOMMENDED


def test_the_api_proposer_cannot_forward(
    at_the_city: Application, bureau: dict[str, User], api_client: Callable[..., Any]
) -> None:
    proposer = bureau["foshan_handler"]
    assert _post(api_client(proposer), at_the_city, "recommend", {"reasons": "推荐"}).status_code == 200
    User.objects.filter(pk=proposer.pk).update(official_role=OfficialRole.CITY_APPROVER)
    refused = _post(api_client(User.objects.get(pk=proposer.pk)), at_the_city, "forward")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_allowed")
    assert "another official" in refused.json()["detail"]


# ── pages ────────────────────────────────────────────────────────────────────────────────────


def test_the_city_queue_and_the_review_page_buttons(
    at_the_city: Application, bureau: dict[str, User], page_client: Callable[..., Any], handler: User
) -> None:
    client = page_client(bureau["foshan_handler"])
    queue = client.get("/review/")
    assert queue.status_code == 200 and at_the_city.reference in queue.content.decode()
    assert at_the_city.reference not in page_client(bureau["guangzhou_handler"]).get("/review/").content.decode()
    assert at_the_city.reference not in page_client(handler).get("/review/").content.decode()
    page = client.get(f"/review/{at_the_city.reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Propose to recommend" in html and "Propose not to recommend" in html
    assert page_client(handler).get(f"/review/{at_the_city.reference}/").status_code == 404
    done = client.post(
        f"/review/{at_the_city.reference}/actions/recommend/",
        {"recommend-reasons": "行业龙头", "recommend-version": at_the_city.version},
    )
    assert done.status_code == 302
    signing = page_client(bureau["foshan_approver"]).get(f"/review/{at_the_city.reference}/").content.decode()
    assert "Sign: recommend to the province" in signing
    signed = page_client(bureau["foshan_approver"]).post(
        f"/review/{at_the_city.reference}/actions/forward/", {"forward-version": at_the_city.version + 1}
    )
    assert signed.status_code == 302
    assert Application.objects.get(pk=at_the_city.pk).status == Status.SUBMITTED
