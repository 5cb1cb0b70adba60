"""A real company claims a credit code someone else registered (accounts/identity.enterprise_claim):
from the registration page's refusal to an official's approval, the claimant owns the enterprise
and the squatters lose it, told why; applications in flight stay with the enterprise. Registration
and claims say nothing more about who is registered than before, and are throttled together."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.identity import enterprise_claim, identity_check_approve, identity_check_reject
from accounts.models import Applicant, IdentityCheck, IdentityMethod, Notification, OfficialRole, User
from applications.models import Application, Status
from applications.services import application_submit
from audit.models import AuditEvent
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import PASSWORD, BankAccountFactory, EnterpriseUserFactory, make_uscc

from .conftest import signed_in
from .test_registration import ENTERPRISE
from .uploads import PDF, upload

pytestmark = pytest.mark.django_db

CODE = make_uscc(8001)
REAL = "广东真正制造有限公司"


def claim_form(n: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "uscc": CODE,
        "name": REAL,
        "licence": upload("营业执照.pdf", PDF),
        "username": f"real-owner{n}",
        "email": f"owner{n}@real.example.com",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        **changes,
    }


@pytest.fixture
def squatter(db: None) -> User:
    return EnterpriseUserFactory(
        applicant__uscc=CODE,
        applicant__name="抢注公司",
        applicant__identity_verified_at=None,
        applicant__identity_verified_via="",
    )


@pytest.fixture
def verifier(make_official: Any) -> User:
    return make_official(OfficialRole.APPROVER, "amr")


def test_claim_end_to_end(
    squatter: User, verifier: User, anon: Client, django_capture_on_commit_callbacks: Any
) -> None:
    applicant = squatter.applicant
    assert applicant is not None
    BankAccountFactory(applicant=applicant, account_name="抢注公司")
    # The squatter prepared a draft, which stays with the enterprise.
    draft = complete_draft(squatter, FIXED)

    # 1. Registration with the taken code points to the claim page.
    page = anon.post(
        reverse("accounts:register_enterprise"),
        {**ENTERPRISE, "uscc": CODE, "name": REAL, "password_confirm": PASSWORD},
    )
    text = page.content.decode()
    assert "claim the enterprise with its business licence" in text
    assert f"{reverse('accounts:claim')}?uscc={CODE}" in text

    # 2. The claim, with a new account, signed in afterwards.
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(reverse("accounts:claim"), claim_form())
    assert response.status_code == 302 and response["Location"] == reverse("accounts:identity")
    claimant = User.objects.get(username="real-owner1")
    assert claimant.applicant_id is None
    check = IdentityCheck.objects.get(requested_by=claimant)
    assert (check.kind, check.status, check.applicant_id, check.name) == ("claim", "pending", applicant.pk, REAL)
    assert any("owner1@real.example.com" in m.to for m in mail.outbox)  # the address is confirmed as usual
    page = anon.get(reverse("accounts:identity")).content.decode()
    assert "Claim of a registered credit code" in page and "Waiting for an official" in page
    assert f'href="{reverse("accounts:identity")}"' in anon.get("/").content.decode()  # in the navigation
    # The squatter's users do not see the claim on their enterprise's timeline.
    assert not AuditEvent.objects.filter(action="identity_check.request", visible_to_applicant=True).exists()

    # 3. The official sees what approving does, and approves.
    official = signed_in(verifier)
    detail = official.get(reverse("accounts:verification", args=[check.pk])).content.decode()
    assert "What approving a claim does" in detail and squatter.username in detail
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            official.post(reverse("accounts:verification", args=[check.pk]), {"action": "approve"}).status_code == 302
        )

    claimant.refresh_from_db()
    squatter.refresh_from_db()
    applicant.refresh_from_db()
    assert claimant.applicant_id == applicant.pk and claimant.is_applicant_admin
    assert squatter.applicant_id is None and not squatter.is_applicant_admin
    assert applicant.name == REAL and applicant.identity_verified_via == IdentityMethod.OFFICIAL
    assert not hasattr(Applicant.objects.get(pk=applicant.pk), "bank_account")  # the squatter's account went
    told = Notification.objects.get(user=squatter, subject__startswith="You no longer act for")
    assert CODE in told.body
    assert any(squatter.email in m.to for m in mail.outbox)
    for action, obj in (("user.detach", squatter), ("user.attach", claimant)):
        assert AuditEvent.objects.filter(action=action, object_id=str(obj.pk), actor=verifier).exists()
    assert AuditEvent.objects.filter(action="identity_check.approve", object_id=str(check.pk)).exists()

    # 4. The application stays with the enterprise: the real owner continues it; the squatter cannot.
    assert Application.objects.get(pk=draft.pk).applicant_id == applicant.pk
    assert signed_in(squatter).get(reverse("applications:detail", args=[draft.pk])).status_code == 404
    claimant.email_verified_at = claimant.date_joined
    claimant.save()
    submitted = application_submit(actor=claimant, application=draft, credit_commitment=True)
    assert submitted.status == Status.SUBMITTED


def test_a_signed_in_user_without_an_enterprise_claims_with_their_account(squatter: User) -> None:
    user = User.objects.create_user("lonely", email="lonely@example.com", password=PASSWORD)
    response = signed_in(user).post(
        reverse("accounts:claim"), {"uscc": CODE, "name": REAL, "licence": upload("l.pdf", PDF)}
    )
    assert response.status_code == 302
    assert IdentityCheck.objects.filter(requested_by=user, kind="claim").exists()


@pytest.mark.parametrize("who", ["enterprise user", "official"])
def test_users_acting_for_an_enterprise_and_officials_cannot_claim(
    who: str, squatter: User, make_official: Any
) -> None:
    user = EnterpriseUserFactory() if who == "enterprise user" else make_official()
    response = signed_in(user).post(
        reverse("accounts:claim"), {"uscc": CODE, "name": REAL, "licence": upload("l.pdf", PDF)}
    )
    assert response.status_code == 403 and not IdentityCheck.objects.exists()


def test_a_claim_needs_a_registered_code_and_a_licence(anon: Client) -> None:
    response = anon.post(reverse("accounts:claim"), claim_form(licence=""))
    text = response.content.decode()
    assert response.status_code == 400
    assert "No enterprise is registered with this credit code: register it instead." in text
    assert "Upload the business licence" in text
    assert not User.objects.filter(username="real-owner1").exists()


def test_a_rejected_claim_changes_nothing_of_the_enterprise(squatter: User, verifier: User) -> None:
    claimant = User.objects.create_user("claimant", email="c@example.com")
    check = enterprise_claim(actor=claimant, uscc=CODE, name=REAL, licence=upload("l.pdf", PDF))
    identity_check_reject(actor=verifier, check=check, reason="执照为伪造")
    squatter.refresh_from_db()
    claimant.refresh_from_db()
    assert squatter.applicant_id is not None and claimant.applicant_id is None
    assert not squatter.applicant.identity_verified  # type: ignore[union-attr]
    assert Notification.objects.filter(user=claimant, body__contains="执照为伪造").exists()


def test_a_verified_enterprise_is_claimed_only_by_an_officials_decision(verifier: User) -> None:
    owner = EnterpriseUserFactory(applicant__uscc=CODE, applicant__name=REAL)  # verified
    claimant = User.objects.create_user("claimant", email="c@example.com")
    check = enterprise_claim(actor=claimant, uscc=CODE, name="另一家公司", licence=upload("l.pdf", PDF))
    owner.refresh_from_db()
    assert owner.applicant_id is not None and claimant.applicant_id is None  # nothing until decided
    detail = signed_in(verifier).get(reverse("accounts:verification", args=[check.pk])).content.decode()
    assert "already verified" in detail
    identity_check_approve(actor=verifier, check=check)
    owner.refresh_from_db()
    claimant.refresh_from_db()
    assert owner.applicant_id is None and claimant.applicant.uscc == CODE  # type: ignore[union-attr]


def test_approving_one_claim_closes_the_others(squatter: User, verifier: User) -> None:
    first = User.objects.create_user("first", email="first@example.com")
    second = User.objects.create_user("second", email="second@example.com")
    one = enterprise_claim(actor=first, uscc=CODE, name=REAL, licence=upload("l.pdf", PDF))
    other = enterprise_claim(actor=second, uscc=CODE, name=REAL, licence=upload("l.pdf", PDF))
    identity_check_approve(actor=verifier, check=one)
    other.refresh_from_db()
    assert other.status == "withdrawn"
    assert Notification.objects.filter(user=second, subject__contains="is closed").exists()


# --- nothing enumerates -----------------------------------------------------------------------


def test_registration_and_claims_share_one_throttle_and_say_nothing_more(settings: Any, squatter: User) -> None:
    settings.REGISTRATION_RATE = "2/hour"
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.77")
    first = client.post(
        reverse("accounts:register_enterprise"), {**ENTERPRISE, "uscc": CODE, "password_confirm": PASSWORD}
    )
    assert first.status_code == 200  # the form again, with the code refused as before
    second = client.post(reverse("accounts:claim"), claim_form(uscc=make_uscc(8999)))
    assert second.status_code == 400
    # Over the rate: neither page says whether the next code is registered.
    for url, data in (
        (reverse("accounts:claim"), claim_form(2)),
        (reverse("accounts:register_enterprise"), {**ENTERPRISE, "uscc": CODE, "password_confirm": PASSWORD}),
    ):
        response = client.post(url, data)
        text = response.content.decode()
        assert response.status_code == 429 and "Too many registration attempts" in text
        assert "already registered" not in text and "No enterprise is registered" not in text
    assert not IdentityCheck.objects.exists()
