"""Idle limits (accounts/sessions.py): officials are signed out after 30 minutes without a request,
applicants after a day; each request slides the expiry."""

import time

import pytest
from django.http import HttpRequest
from django.test import Client

from accounts.models import OfficialRole, User
from accounts.sessions import LAST_SEEN
from tests.factories import PASSWORD, EnterpriseUserFactory, OfficialFactory

pytestmark = pytest.mark.django_db

HALF_HOUR, DAY = 30 * 60, 24 * 60 * 60


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def idle_for(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def is_signed_in(client: Client) -> bool:
    client.get("/")
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("role", "limit"),
    [
        (OfficialRole.HANDLER, HALF_HOUR),
        (OfficialRole.APPROVER, HALF_HOUR),
        (OfficialRole.FINANCE, HALF_HOUR),
        (OfficialRole.ADMINISTRATOR, HALF_HOUR),
        ("applicant", DAY),
    ],
)
def test_signing_in_sets_the_roles_idle_limit(role: str, limit: int) -> None:
    user = EnterpriseUserFactory() if role == "applicant" else OfficialFactory(role=role)
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.cookies["sessionid"]["max-age"] == limit
    assert client.session.get_expiry_age() == limit


def test_an_official_idle_for_more_than_30_minutes_is_signed_out() -> None:
    official = OfficialFactory(role=OfficialRole.APPROVER)
    client = signed_in(official)
    idle_for(client, HALF_HOUR - 60)
    assert is_signed_in(client)
    idle_for(client, HALF_HOUR + 1)
    response = client.get("/review/", follow=True)
    assert "_auth_user_id" not in client.session
    assert response.redirect_chain and "/accounts/login/" in response.redirect_chain[-1][0]
    assert "signed out after 30 minutes without activity" in response.content.decode()


def test_an_applicant_stays_signed_in_for_a_day_idle_but_not_longer() -> None:
    applicant = EnterpriseUserFactory()
    client = signed_in(applicant)
    idle_for(client, HALF_HOUR + 1)
    assert is_signed_in(client)
    idle_for(client, DAY + 1)
    assert not is_signed_in(client)


def test_each_request_slides_the_expiry() -> None:
    official = OfficialFactory()
    client = signed_in(official)
    idle_for(client, HALF_HOUR - 60)
    assert is_signed_in(client)
    # The request renewed the last activity: another 29 minutes idle is still within the limit.
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    idle_for(client, HALF_HOUR - 60)
    assert is_signed_in(client)
    assert client.session.get_expiry_age() == HALF_HOUR


def test_the_session_store_ends_an_idle_official_session_too() -> None:
    """The expiry stored with the session (not only the middleware's check) is the role's limit."""
    official = OfficialFactory()
    client = Client()
    assert client.login(request=HttpRequest(), username=official.username, password=PASSWORD)
    assert client.session.get_expiry_age() == HALF_HOUR
