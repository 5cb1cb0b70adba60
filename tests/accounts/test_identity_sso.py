"""Government single sign-on (accounts/oidc.py, accounts/identity.sso_sign_in): the backend's claim
handling is called directly with claim dicts, as mozilla-django-oidc calls it after checking the
provider's token (a real provider is out of reach here); the sign-in page shows the button only
when configured, and the flow's pages are 404 otherwise."""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import reverse

from accounts.models import Applicant, IdentityCheck, IdentityMethod, Invitation, Notification, User
from accounts.oidc import GovernmentSSOBackend, sso_enabled
from audit.models import AuditEvent
from tests.factories import ApplicantFactory, BankAccountFactory, EnterpriseUserFactory, make_uscc

from .uploads import PDF, upload

pytestmark = pytest.mark.django_db

CODE = make_uscc(7001)
OIDC = {
    "OIDC_RP_CLIENT_ID": "portal",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.gov.cn/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.gov.cn/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.gov.cn/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.gov.cn/jwks",
}


@pytest.fixture
def configured(settings: Any) -> Any:
    for name, value in OIDC.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.oidc.GovernmentSSOBackend"]
    return settings


@pytest.fixture
def backend(configured: Any) -> GovernmentSSOBackend:
    return GovernmentSSOBackend()


def claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "gd-legal-0001", "uscc": CODE, "enterprise_name": "广东真实制造有限公司", **extra}


def sign_in(backend: GovernmentSSOBackend, found: dict[str, Any]) -> User:
    """What the library's get_or_create_user does with verified claims."""
    assert backend.verify_claims(found)
    users = backend.filter_users_by_claims(found)
    return backend.update_user(users[0], found) if len(users) == 1 else backend.create_user(found)


# --- claims -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"sub": ""},
        {"sub": None},
        {"uscc": "91440300MA5XXXXXX1"},  # wrong check character
        {"uscc": ""},
        {"enterprise_name": "  "},
        {"enterprise_name": None},
    ],
)
def test_claims_without_a_subject_valid_code_and_name_sign_nobody_in(backend: GovernmentSSOBackend, bad: dict) -> None:
    assert backend.verify_claims(claims(**bad)) is False


def test_claim_names_are_configurable(backend: GovernmentSSOBackend, settings: Any) -> None:
    settings.OIDC_CLAIM_CREDIT_CODE = "tyshxydm"
    settings.OIDC_CLAIM_ENTERPRISE_NAME = "frmc"
    assert backend.verify_claims(claims()) is False
    custom = {"sub": "s-1", "tyshxydm": CODE, "frmc": "广东真实制造有限公司"}
    assert backend.verify_claims(custom)
    assert sign_in(backend, custom).applicant.uscc == CODE


def test_a_new_enterprise_is_created_verified_by_sso(backend: GovernmentSSOBackend) -> None:
    user = sign_in(backend, claims(email="legal@real.example.com", email_verified=True))
    applicant = user.applicant
    assert applicant is not None and applicant.uscc == CODE and applicant.name == "广东真实制造有限公司"
    assert applicant.identity_verified and applicant.identity_verified_via == IdentityMethod.SSO
    assert applicant.identity_verified_at is not None
    assert user.sso_subject == "gd-legal-0001" and user.is_applicant_admin and not user.has_usable_password()
    assert user.email == "legal@real.example.com" and user.email_verified_at is not None
    assert AuditEvent.objects.filter(action="applicant.verify_identity", object_id=str(applicant.pk)).exists()
    # The next sign-in finds the same user by its subject, never by email.
    assert sign_in(backend, claims()).pk == user.pk
    assert User.objects.filter(sso_subject="gd-legal-0001").count() == 1
    assert Applicant.objects.filter(uscc=CODE).count() == 1


def test_an_email_the_provider_did_not_verify_must_be_confirmed(backend: GovernmentSSOBackend) -> None:
    user = sign_in(backend, claims(email="legal@real.example.com"))
    assert user.email == "legal@real.example.com" and user.email_verified_at is None


def test_an_email_of_another_account_is_not_taken_over(backend: GovernmentSSOBackend) -> None:
    EnterpriseUserFactory(email="legal@real.example.com")
    user = sign_in(backend, claims(email="LEGAL@real.example.com", email_verified=True))
    assert user.email == "" and user.email_verified_at is None


def test_sso_takes_over_from_an_unverified_squatter(
    backend: GovernmentSSOBackend, django_capture_on_commit_callbacks: Any
) -> None:
    squatter = EnterpriseUserFactory(
        applicant__uscc=CODE,
        applicant__name="冒名公司",
        applicant__identity_verified_at=None,
        applicant__identity_verified_via="",
    )
    applicant = squatter.applicant
    accomplice = EnterpriseUserFactory(applicant=applicant, is_applicant_admin=False)
    BankAccountFactory(applicant=applicant, account_name="冒名公司")
    Invitation.objects.create(applicant=applicant, email="friend@example.com", token="t" * 40, invited_by=squatter)
    pending = IdentityCheck.objects.create(
        kind="verification", applicant=applicant, requested_by=squatter, name="冒名公司", licence_name="x.pdf"
    )
    with django_capture_on_commit_callbacks(execute=True):
        user = sign_in(backend, claims())
    applicant.refresh_from_db()
    assert user.applicant_id == applicant.pk and user.is_applicant_admin
    assert applicant.name == "广东真实制造有限公司" and applicant.identity_verified_via == IdentityMethod.SSO
    for previous in (squatter, accomplice):
        previous.refresh_from_db()
        assert previous.applicant_id is None and not previous.is_applicant_admin
        assert Notification.objects.filter(user=previous, subject__contains="no longer act for").exists()
        assert AuditEvent.objects.filter(action="user.detach", object_id=str(previous.pk)).exists()
    assert not Invitation.objects.filter(applicant=applicant).exists()
    assert not hasattr(Applicant.objects.get(pk=applicant.pk), "bank_account")
    pending.refresh_from_db()
    assert pending.status == IdentityCheck.Status.WITHDRAWN
    assert any(squatter.email in m.to for m in mail.outbox)


def test_sso_joins_an_enterprise_verified_by_an_official_without_removing_anyone(
    backend: GovernmentSSOBackend,
) -> None:
    colleague = EnterpriseUserFactory(applicant__uscc=CODE, applicant__name="广东真实制造有限公司")
    user = sign_in(backend, claims())
    colleague.refresh_from_db()
    assert colleague.applicant_id == user.applicant_id
    assert user.applicant.identity_verified_via == "official"  # type: ignore[union-attr]  # kept as it was


def test_the_provider_is_authoritative_for_the_name(backend: GovernmentSSOBackend) -> None:
    ApplicantFactory(uscc=CODE, name="旧名称有限公司")
    user = sign_in(backend, claims())
    assert user.applicant.name == "广东真实制造有限公司"  # type: ignore[union-attr]
    assert user.applicant.identity_verified_via == IdentityMethod.SSO  # type: ignore[union-attr]


def test_an_official_found_by_subject_is_refused(backend: GovernmentSSOBackend, make_official: Any) -> None:
    official = make_official()
    official.sso_subject = "gd-legal-0001"
    official.save()
    with pytest.raises(SuspiciousOperation):
        backend.update_user(official, claims())


def test_a_claim_file_upload_is_no_longer_needed_after_sso(backend: GovernmentSSOBackend) -> None:
    """A claim on the code is withdrawn too: the code's identity is settled."""
    EnterpriseUserFactory(applicant__uscc=CODE, applicant__identity_verified_at=None)
    claimant = User.objects.create_user("claimant", email="claimant@example.com")
    check = IdentityCheck(
        kind="claim", applicant=Applicant.objects.get(uscc=CODE), requested_by=claimant, name="x", licence_name="l.pdf"
    )
    check.licence.save("l.pdf", upload("l.pdf", PDF))
    sign_in(backend, claims())
    check.refresh_from_db()
    assert check.status == IdentityCheck.Status.WITHDRAWN


# --- pages ------------------------------------------------------------------------------------


def test_the_sign_in_page_offers_sso_only_when_configured(anon: Client, settings: Any) -> None:
    assert not sso_enabled()
    page = anon.get(reverse("login")).content.decode()
    assert "Sign in with Guangdong government identity" not in page
    assert anon.get(reverse("accounts:sso_start")).status_code == 404
    assert anon.get(reverse("accounts:sso_callback")).status_code == 404
    for name, value in OIDC.items():
        setattr(settings, name, value)
    assert sso_enabled()
    page = anon.get(reverse("login")).content.decode()
    assert "Sign in with Guangdong government identity" in page
    assert reverse("accounts:sso_start") in page


def test_the_start_page_sends_the_browser_to_the_provider(anon: Client, configured: Any) -> None:
    response = anon.get(reverse("accounts:sso_start"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://idp.example.gov.cn/authorize?")
    assert "client_id=portal" in location and "code_challenge=" in location
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Fsso%2Fcallback%2F" in location


def test_a_failed_sign_in_comes_back_to_the_sign_in_page_which_says_so(anon: Client, configured: Any) -> None:
    response = anon.get(reverse("accounts:sso_callback"), {"error": "access_denied"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?sso=failed"
    page = anon.get(response["Location"]).content.decode()
    assert "Signing in with the Guangdong government identity did not succeed" in page
