"""Registration cannot be used to collect who is registered: attempts are throttled per address
(pages and API in one bucket, a forged X-Forwarded-For opens no new one), and each email address
belongs to one account whatever its case."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from rest_framework.test import APIClient

from accounts import registration, services
from accounts.models import User
from tests.factories import PASSWORD, EnterpriseUserFactory, make_uscc

from .test_registration import ENTERPRISE, PERSON

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rate(settings: object) -> None:
    settings.REGISTRATION_RATE = "3/hour"  # type: ignore[attr-defined]


def enterprise(n: int, **changes: str) -> dict[str, str]:
    return {**ENTERPRISE, "uscc": make_uscc(5000 + n), "username": f"probe{n}", "email": f"p{n}@example.com", **changes}


def page_data(n: int) -> dict[str, str]:
    return {**enterprise(n), "password_confirm": PASSWORD}


def test_registration_attempts_are_throttled_per_address_across_pages_and_api() -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.100")
    page = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.100")
    taken = EnterpriseUserFactory()
    # Probing taken usernames: each attempt counts, answered or not.
    assert (
        api.post("/api/v1/register/enterprise/", enterprise(1, username=taken.username), format="json").status_code
        == 400
    )
    assert (
        api.post("/api/v1/register/enterprise/", enterprise(2, username=taken.username), format="json").status_code
        == 400
    )
    assert page.post("/accounts/register/enterprise/", {**page_data(3), "username": taken.username}).status_code == 200
    response = api.post("/api/v1/register/enterprise/", enterprise(4), format="json")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    response = page.post("/accounts/register/enterprise/", page_data(5))
    assert response.status_code == 429
    assert "Too many registration attempts from your network" in response.content.decode()
    assert not User.objects.filter(username__in=["probe4", "probe5"]).exists()
    # Another address registers.
    other = APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.100")
    assert other.post("/api/v1/register/enterprise/", enterprise(6), format="json").status_code == 201


def test_a_forged_x_forwarded_for_opens_no_new_registration_bucket() -> None:
    statuses = [
        APIClient(REMOTE_ADDR="192.0.2.101", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        .post("/api/v1/register/enterprise/", enterprise(n), format="json")
        .status_code
        for n in range(5)
    ]
    assert statuses == [201, 201, 201, 429, 429]


def test_an_email_address_belongs_to_one_account_whatever_its_case(api: APIClient) -> None:
    EnterpriseUserFactory(email="Owner@Example.com")
    response = api.post("/api/v1/register/individual/", {**PERSON, "email": "owner@example.COM"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["email"] == [str(registration.EMAIL_TAKEN)]
    assert not User.objects.filter(username=PERSON["username"]).exists()


def test_the_database_refuses_a_second_user_with_the_same_address_in_another_case() -> None:
    EnterpriseUserFactory(email="same@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="twin", email="SAME@example.com")
    # Users without an address (officials created by hand) are not counted.
    User.objects.create(username="a-official", email="")
    User.objects.create(username="b-official", email="")


def test_changing_to_an_address_another_account_uses_is_refused() -> None:
    EnterpriseUserFactory(email="taken@example.com")
    user = EnterpriseUserFactory()
    with pytest.raises(Exception) as refused:
        services.profile_update(actor=user, applicant=user.applicant, user_changes={"email": "TAKEN@example.com"})
    assert "belongs to another account" in str(refused.value)
    user.refresh_from_db()
    assert user.email != "TAKEN@example.com" and user.email_verified_at is not None
    # Its own address in another case is not "another account's".
    services.profile_update(actor=user, applicant=user.applicant, user_changes={"email": user.email.upper()})


def test_an_invitation_to_an_address_another_account_uses_is_refused() -> None:
    EnterpriseUserFactory(email="elsewhere@example.com")
    admin = EnterpriseUserFactory()
    with pytest.raises(Exception) as refused:
        registration.invitation_create(actor=admin, email="Elsewhere@example.com")
    assert "already belongs to an account" in str(refused.value)


def test_password_reset_says_the_same_for_known_and_unknown_addresses(anon: Client) -> None:
    user = EnterpriseUserFactory()
    known = anon.post("/accounts/password-reset/", {"email": user.email}, follow=True)
    unknown = anon.post("/accounts/password-reset/", {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password-reset/sent/", 302)]
    same = [
        re.sub(r'(csrfmiddlewaretoken" value|csrf-token" content)="[^"]+"', "", r.content.decode())
        for r in (known, unknown)
    ]
    assert same[0] == same[1]
    assert "If an account uses the address you gave" in known.content.decode()
