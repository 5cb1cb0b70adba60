"""One applicant can never read or change another's profile, qualifications or bank account.

Every /api/v1/me/ route and every profile page is in the tables below; a new route without an
entry fails `test_every_route_is_in_the_tables`.
"""

import pytest
from django.test import Client
from django.urls import get_resolver

from accounts.models import Applicant, ApplicantQualification, BankAccount, User
from tests.factories import BankAccountFactory, EnterpriseUserFactory, QualificationFactory

from .conftest import api_as, signed_in
from .uploads import PDF, upload

pytestmark = pytest.mark.django_db

# (method, path, data): `{q}` is the other applicant's qualification id.
API_ROUTES = [
    ("get", "/api/v1/me/", None),
    ("patch", "/api/v1/me/", {"applicant": {"city": "yunfu"}}),
    ("get", "/api/v1/me/qualifications/", None),
    ("post", "/api/v1/me/qualifications/", {"qualification": "little_giant", "year": 2020}),
    ("get", "/api/v1/me/qualifications/{q}/", None),
    ("delete", "/api/v1/me/qualifications/{q}/", None),
    ("get", "/api/v1/me/bank-account/", None),
    ("post", "/api/v1/me/bank-account/", {"account_name": "x", "bank_name": "y", "account_number": "12345678"}),
    ("delete", "/api/v1/me/bank-account/", None),
    ("get", "/api/v1/tokens/", None),
    ("post", "/api/v1/tokens/", {"user": "someone"}),
    ("delete", "/api/v1/tokens/{q}/", None),
]
PAGE_ROUTES = [
    ("get", "/accounts/profile/"),
    ("post", "/accounts/profile/"),
    ("get", "/accounts/profile/qualifications/"),
    ("post", "/accounts/profile/qualifications/"),
    ("post", "/accounts/profile/qualifications/{q}/delete/"),
    ("get", "/accounts/profile/qualifications/{q}/evidence/"),
    ("get", "/accounts/profile/bank-account/"),
    ("post", "/accounts/profile/bank-account/"),
    ("post", "/accounts/profile/bank-account/delete/"),
    ("get", "/accounts/profile/invite/"),
    ("post", "/accounts/profile/invite/"),
    ("post", "/accounts/verify-email/resend/"),
    ("get", "/accounts/security/"),
    ("get", "/accounts/security/setup/"),
    ("post", "/accounts/security/setup/"),
    ("get", "/accounts/security/code/"),
    ("post", "/accounts/security/code/"),
    ("post", "/accounts/security/recovery-codes/"),
    ("post", "/accounts/security/remove-second-factor/"),
    ("post", "/accounts/security/keys/"),
    ("post", "/accounts/security/keys/{q}/revoke/"),
    ("get", "/accounts/identity/"),
    ("post", "/accounts/identity/"),
    ("post", "/accounts/identity/{q}/withdraw/"),
    ("get", "/accounts/identity/{q}/licence/"),
]
# Open to everyone by design.
PUBLIC = {
    "register/", "register/enterprise/", "register/individual/", "verify-email/<str:token>/",
    "invitation/<str:token>/", "password-reset/", "password-reset/sent/", "reset/<uidb64>/<token>/", "reset/done/",
    "claim/", "sso/start/", "sso/callback/",
    "start/",  # the landing redirect: each role to its workspace (tests/accounts/test_landing.py)
}  # fmt: skip
# Officials' pages, each role's outcome tested in tests/accounts/test_identity_verification.py.
OFFICIALS = {"verifications/", "verifications/<int:pk>/"}


@pytest.fixture
def victim(db: None) -> User:
    """Another enterprise with everything filled in."""
    user = EnterpriseUserFactory()
    record = QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    record.evidence.save("secret.pdf", upload("secret.pdf", PDF))
    record.evidence_name = "secret.pdf"
    record.save()
    BankAccountFactory(applicant=user.applicant, account_number="9999888877776666")
    return user


def snapshot(user: User) -> tuple:
    applicant = Applicant.objects.get(pk=user.applicant_id)
    return (
        [(f.name, getattr(applicant, f.name)) for f in Applicant._meta.concrete_fields if f.name != "updated_at"],
        list(ApplicantQualification.objects.filter(applicant=applicant).values_list("pk", "qualification", "year")),
        list(BankAccount.objects.filter(applicant=applicant).values_list("account_name", "account_number")),
    )


def test_every_route_is_in_the_tables() -> None:
    resolver = get_resolver()
    accounts = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "accounts")
    page_paths = {"/accounts/" + str(p.pattern) for p in accounts.url_patterns}
    tabled = {path.replace("{q}", "<int:pk>") for _m, path in PAGE_ROUTES} | {
        "/accounts/" + p for p in PUBLIC | OFFICIALS
    }
    tabled |= {path.replace("{q}", "<str:token_id>") for _m, path in PAGE_ROUTES}  # API keys' ids
    assert page_paths <= tabled, page_paths - tabled
    from accounts import api_urls

    api_paths = {
        "/api/v1/" + str(p.pattern).replace("<int:pk>", "{q}").replace("<str:token_id>", "{q}")
        for p in api_urls.urlpatterns
    }
    tabled_api = {path for _m, path, _d in API_ROUTES} | {
        "/api/v1/register/enterprise/",
        "/api/v1/register/individual/",
        "/api/v1/auth/token/",
    }
    assert api_paths <= tabled_api, api_paths - tabled_api


@pytest.mark.parametrize(("method", "path", "data"), API_ROUTES)
def test_anonymous_api_calls_get_401(api: object, victim: User, method: str, path: str, data: dict | None) -> None:
    qualification = ApplicantQualification.objects.get(applicant=victim.applicant)
    before = snapshot(victim)
    response = getattr(api, method)(path.format(q=qualification.pk), data, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert snapshot(victim) == before


@pytest.mark.parametrize(("method", "path"), PAGE_ROUTES)
def test_anonymous_page_visits_go_to_sign_in(anon: Client, victim: User, method: str, path: str) -> None:
    qualification = ApplicantQualification.objects.get(applicant=victim.applicant)
    before = snapshot(victim)
    response = getattr(anon, method)(path.format(q=qualification.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert snapshot(victim) == before


@pytest.mark.parametrize(("method", "path", "data"), API_ROUTES)
def test_api_calls_never_reach_another_applicants_data(
    enterprise_user: User, victim: User, method: str, path: str, data: dict | None
) -> None:
    qualification = ApplicantQualification.objects.get(applicant=victim.applicant)
    before = snapshot(victim)
    response = getattr(api_as(enterprise_user), method)(path.format(q=qualification.pk), data, format="json")
    if "{q}" in path:
        assert response.status_code == 404  # not 403: nobody learns that the id exists
    text = response.content.decode()
    for secret in (victim.applicant.name, victim.applicant.uscc, "9999888877776666", "6666", "secret.pdf"):
        assert secret not in text, (secret, text)
    assert snapshot(victim) == before


@pytest.mark.parametrize(("method", "path"), PAGE_ROUTES)
def test_pages_never_reach_another_applicants_data(enterprise_user: User, victim: User, method: str, path: str) -> None:
    qualification = ApplicantQualification.objects.get(applicant=victim.applicant)
    before = snapshot(victim)
    data = {"account_name": "Another Ltd", "bank_name": "b", "account_number": "12345678", "email": "x@example.com"}
    response = getattr(signed_in(enterprise_user), method)(path.format(q=qualification.pk), data)
    if "{q}" in path:
        assert response.status_code == 404
    text = response.content.decode() if not getattr(response, "streaming", False) else ""
    for secret in (victim.applicant.name, victim.applicant.uscc, "9999888877776666", "secret.pdf"):
        assert secret not in text, secret
    assert snapshot(victim) == before


def test_a_user_sees_only_their_own_qualifications_in_lists(enterprise_user: User, victim: User) -> None:
    QualificationFactory(applicant=enterprise_user.applicant, qualification="little_giant", year=2023)
    results = api_as(enterprise_user).get("/api/v1/me/qualifications/").json()["results"]
    assert [r["qualification"] for r in results] == ["little_giant"]
    html = signed_in(enterprise_user).get("/accounts/profile/qualifications/").content.decode()
    victims = ApplicantQualification.objects.get(applicant=victim.applicant)
    assert victims.certificate_number not in html and "secret.pdf" not in html
    assert html.count("<tr>") == 2  # the header and our one qualification
