"""An official's verification of a new enterprise (accounts/identity.py): the enterprise uploads its
business licence, an official who verifies enterprises (administrators; handlers and approvers of
the market regulator, ENTERPRISE_VERIFICATION_DEPARTMENTS) approves or rejects it with a reason.
Everyone else is refused, and nothing changes then."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.identity import identity_check_approve, identity_check_reject, identity_verification_request
from accounts.models import IdentityCheck, IdentityMethod, Notification, OfficialRole, User
from audit.models import AuditEvent
from portal.workflow import TransitionNotAllowed
from tests.factories import ConflictOfInterestFactory, EnterpriseUserFactory

from .conftest import api_as, signed_in
from .uploads import EXECUTABLE, PDF, PNG, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db: None) -> User:
    return EnterpriseUserFactory(
        applicant__name="广东新注册有限公司", applicant__identity_verified_at=None, applicant__identity_verified_via=""
    )


@pytest.fixture
def pending(newcomer: User) -> IdentityCheck:
    return identity_verification_request(
        actor=newcomer, name="广东新注册制造有限公司", licence=upload("营业执照.png", PNG, "image/png")
    )


@pytest.fixture
def verifier(make_official: Any) -> User:
    return make_official(OfficialRole.HANDLER, "amr")


def state(check: IdentityCheck) -> tuple:
    check.refresh_from_db()
    applicant = check.applicant
    applicant.refresh_from_db()
    return check.status, applicant.identity_verified_at, applicant.name, AuditEvent.objects.count()


# --- the enterprise's page --------------------------------------------------------------------


def test_the_enterprise_uploads_its_licence_on_its_identity_page(newcomer: User) -> None:
    client = signed_in(newcomer)
    page = client.get(reverse("accounts:identity")).content.decode()
    assert "Not verified yet" in page and "Send the business licence" in page
    response = client.post(
        reverse("accounts:identity"), {"name": "广东新注册制造有限公司", "licence": upload("licence.pdf", PDF)}
    )
    assert response.status_code == 302
    check = IdentityCheck.objects.get(applicant=newcomer.applicant)
    assert (check.kind, check.status, check.name, check.licence_name) == (
        "verification",
        "pending",
        "广东新注册制造有限公司",
        "licence.pdf",
    )
    assert AuditEvent.objects.filter(action="identity_check.request", object_id=str(check.pk)).exists()
    page = client.get(reverse("accounts:identity")).content.decode()
    assert "Waiting for an official" in page and "Send the business licence" not in page


def test_the_applicants_pages_point_an_unverified_enterprise_to_its_identity_page(
    newcomer: User, enterprise_user: User
) -> None:
    for url in ("/me/", "/accounts/profile/"):
        page = signed_in(newcomer).get(url).content.decode()
        assert "Your enterprise's identity is not verified yet" in page, url
        assert 'href="/accounts/identity/"' in page, url
        assert "identity is not verified yet" not in signed_in(enterprise_user).get(url).content.decode(), url


def test_a_file_that_is_not_a_licence_format_is_refused(newcomer: User) -> None:
    response = signed_in(newcomer).post(
        reverse("accounts:identity"), {"name": "广东新注册有限公司", "licence": upload("licence.pdf", EXECUTABLE)}
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG files are accepted" in response.content.decode()
    assert not IdentityCheck.objects.exists()


def test_a_missing_licence_is_said(newcomer: User) -> None:
    response = signed_in(newcomer).post(reverse("accounts:identity"), {"name": "广东新注册有限公司"})
    assert response.status_code == 400 and "Upload the business licence" in response.content.decode()


def test_a_verified_enterprise_has_nothing_to_send(enterprise_user: User) -> None:
    client = signed_in(enterprise_user)
    page = client.get(reverse("accounts:identity")).content.decode()
    assert "Verified" in page and "Send the business licence" not in page
    response = client.post(reverse("accounts:identity"), {"name": "x", "licence": upload("l.pdf", PDF)})
    assert response.status_code == 403 and not IdentityCheck.objects.exists()


def test_individuals_are_not_asked(individual_user: User) -> None:
    page = signed_in(individual_user).get(reverse("accounts:identity")).content.decode()
    assert "Individuals are identified by their resident identity card number" in page


def test_the_requester_may_withdraw_and_send_again(newcomer: User, pending: IdentityCheck) -> None:
    client = signed_in(newcomer)
    assert client.post(reverse("accounts:identity_withdraw", args=[pending.pk])).status_code == 302
    pending.refresh_from_db()
    assert pending.status == "withdrawn"
    response = client.post(
        reverse("accounts:identity"), {"name": "广东新注册有限公司", "licence": upload("l.pdf", PDF)}
    )
    assert response.status_code == 302 and IdentityCheck.objects.filter(status="pending").count() == 1


# --- the official's decision ------------------------------------------------------------------


def test_approval_verifies_the_enterprise_under_the_licence_name(
    verifier: User, newcomer: User, pending: IdentityCheck
) -> None:
    client = signed_in(verifier)
    queue = client.get(reverse("accounts:verifications")).content.decode()
    assert "广东新注册制造有限公司" in queue and newcomer.applicant.uscc in queue  # type: ignore[union-attr]
    page = client.get(reverse("accounts:verification", args=[pending.pk])).content.decode()
    assert reverse("accounts:identity_licence", args=[pending.pk]) in page and "Approve" in page
    response = client.post(reverse("accounts:verification", args=[pending.pk]), {"action": "approve"})
    assert response.status_code == 302
    pending.refresh_from_db()
    applicant = pending.applicant
    assert pending.status == "approved" and pending.decided_by == verifier and pending.decided_at
    assert applicant.identity_verified and applicant.identity_verified_via == IdentityMethod.OFFICIAL
    assert applicant.name == "广东新注册制造有限公司"
    actions = set(AuditEvent.objects.filter(actor=verifier).values_list("action", flat=True))
    assert {"identity_check.approve", "applicant.verify_identity"} <= actions
    assert Notification.objects.filter(user=newcomer, subject__endswith="is verified").exists()
    newcomer.refresh_from_db()
    assert newcomer.applicant_id == applicant.pk  # a verification removes nobody
    assert "Verified" in signed_in(newcomer).get(reverse("accounts:identity")).content.decode()
    me = api_as(newcomer).get("/api/v1/me/").json()["applicant"]
    assert me["identity_verified"] is True and me["identity_verified_via"] == "official"


def test_the_api_says_an_enterprise_is_not_verified_yet(newcomer: User) -> None:
    me = api_as(newcomer).get("/api/v1/me/").json()["applicant"]
    assert (me["identity_verified"], me["identity_verified_via"], me["identity_verified_at"]) == (False, "", None)


def test_rejection_needs_a_reason_and_tells_it(verifier: User, newcomer: User, pending: IdentityCheck) -> None:
    client = signed_in(verifier)
    url = reverse("accounts:verification", args=[pending.pk])
    before = state(pending)
    response = client.post(url, {"action": "reject", "reason": " "})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert state(pending) == before
    response = client.post(url, {"action": "reject", "reason": "执照上的名称与填写不符"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.reason == "执照上的名称与填写不符"
    assert not pending.applicant.identity_verified
    notice = Notification.objects.get(user=newcomer, subject="Your business licence was not accepted")
    assert "执照上的名称与填写不符" in notice.body
    assert AuditEvent.objects.filter(action="identity_check.reject", reason="执照上的名称与填写不符").exists()
    # The enterprise may send another one.
    page = signed_in(newcomer).get(reverse("accounts:identity")).content.decode()
    assert "Send the business licence" in page and "执照上的名称与填写不符" in page


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "queue", "decide"),
    [
        ("anonymous", 302, 302),
        ("applicant", 403, 403),
        ("requester", 403, 403),
        ("miit-handler", 403, 403),
        ("miit-approver", 403, 403),
        ("finance", 403, 403),
        ("amr-handler", 200, 302),
        ("amr-approver", 200, 302),
        ("administrator", 200, 302),
    ],
)
def test_who_may_see_the_queue_and_decide(
    persona: str, queue: int, decide: int, newcomer: User, pending: IdentityCheck, make_official: Any
) -> None:
    users = {
        "applicant": lambda: EnterpriseUserFactory(),
        "requester": lambda: newcomer,
        "miit-handler": lambda: make_official(OfficialRole.HANDLER, "miit"),
        "miit-approver": lambda: make_official(OfficialRole.APPROVER, "miit"),
        "finance": lambda: make_official(OfficialRole.FINANCE),
        "amr-handler": lambda: make_official(OfficialRole.HANDLER, "amr"),
        "amr-approver": lambda: make_official(OfficialRole.APPROVER, "amr"),
        "administrator": lambda: make_official(OfficialRole.ADMINISTRATOR),
    }
    client = signed_in(users[persona]()) if persona != "anonymous" else Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(reverse("accounts:verifications"))
    assert response.status_code == queue
    if queue == 302:
        assert response["Location"].startswith("/accounts/login/")
    before = state(pending)
    response = client.post(reverse("accounts:verification", args=[pending.pk]), {"action": "approve"})
    assert response.status_code == decide
    if decide == 302 and persona != "anonymous":
        assert state(pending)[0] == "approved"
    else:
        assert state(pending) == before


@pytest.mark.parametrize("persona", ["requester", "applicant", "miit-handler", "finance"])
def test_the_services_refuse_everyone_but_verifiers(
    persona: str, newcomer: User, pending: IdentityCheck, make_official: Any
) -> None:
    actor = {
        "requester": newcomer,
        "applicant": EnterpriseUserFactory(),
        "miit-handler": make_official(OfficialRole.HANDLER, "miit"),
        "finance": make_official(OfficialRole.FINANCE),
    }[persona]
    before = state(pending)
    with pytest.raises(TransitionNotAllowed):
        identity_check_approve(actor=actor, check=pending)
    with pytest.raises(TransitionNotAllowed):
        identity_check_reject(actor=actor, check=pending, reason="no")
    assert state(pending) == before


def test_an_official_with_a_conflict_of_interest_may_not_decide(
    verifier: User, newcomer: User, pending: IdentityCheck
) -> None:
    ConflictOfInterestFactory(official=verifier, applicant=newcomer.applicant)
    before = state(pending)
    with pytest.raises(TransitionNotAllowed, match="conflict of interest"):
        identity_check_approve(actor=verifier, check=pending)
    page = signed_in(verifier).get(reverse("accounts:verification", args=[pending.pk])).content.decode()
    assert "conflict of interest" in page and 'value="approve"' not in page
    assert state(pending) == before


def test_a_decided_request_cannot_be_decided_again(verifier: User, pending: IdentityCheck) -> None:
    identity_check_reject(actor=verifier, check=pending, reason="看不清")
    with pytest.raises(TransitionNotAllowed):
        identity_check_approve(actor=verifier, check=pending)
    response = signed_in(verifier).post(reverse("accounts:verification", args=[pending.pk]), {"action": "approve"})
    assert response.status_code == 409
    pending.refresh_from_db()
    assert pending.status == "rejected"


@pytest.mark.parametrize(("persona", "status"), [("requester", 200), ("verifier", 200), ("other", 404), ("miit", 404)])
def test_the_licence_file_is_served_to_its_sender_and_verifiers_only(
    persona: str, status: int, newcomer: User, pending: IdentityCheck, verifier: User, make_official: Any
) -> None:
    user = {
        "requester": newcomer,
        "verifier": verifier,
        "other": EnterpriseUserFactory(),
        "miit": make_official(OfficialRole.HANDLER, "miit"),
    }[persona]
    response = signed_in(user).get(reverse("accounts:identity_licence", args=[pending.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]


def test_verifiers_see_the_queue_in_their_navigation(verifier: User, make_official: Any) -> None:
    assert 'href="/accounts/verifications/"' in signed_in(verifier).get("/").content.decode()
    miit = make_official(OfficialRole.HANDLER, "miit")
    assert 'href="/accounts/verifications/"' not in signed_in(miit).get("/").content.decode()
