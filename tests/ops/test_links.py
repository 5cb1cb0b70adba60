"""Every link that leaves the portal (emails, notices) is built from SITE_URL by one helper, never
from the Host header a request came with."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts import registration, services
from accounts.models import User
from applications.notices import verify_url
from portal.links import site_url
from portal.pdf import base_url
from tests.factories import EnterpriseUserFactory

SITE = "https://portal.example.gov.cn"


@pytest.fixture(autouse=True)
def _site_url(settings: object) -> None:
    settings.SITE_URL = SITE + "/"  # type: ignore[attr-defined]  # a trailing slash is tolerated


def links_in(message: mail.EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def test_site_url_joins_the_address_and_a_path() -> None:
    assert site_url("/verify/ABCD/") == f"{SITE}/verify/ABCD/"
    assert site_url() == f"{SITE}/"
    assert base_url() == f"{SITE}/"


def test_a_notice_verification_link_is_under_site_url() -> None:
    assert verify_url("ABCDEFGHJKMN") == f"{SITE}/verify/ABCDEFGHJKMN/"


@pytest.mark.django_db
def test_a_password_reset_link_ignores_the_host_the_request_named(django_capture_on_commit_callbacks) -> None:
    user = EnterpriseUserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="attacker.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": user.email})
    assert response.status_code == 302
    [message] = mail.outbox
    [link] = links_in(message)
    assert link.startswith(f"{SITE}/accounts/reset/")
    assert "attacker" not in message.body


@pytest.mark.django_db
def test_a_verification_email_sent_during_a_request_links_to_site_url(django_capture_on_commit_callbacks) -> None:
    user: User = EnterpriseUserFactory(email_verified_at=None)  # a confirmed address is not sent again
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="attacker.example")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accounts/verify-email/resend/").status_code == 302
    [link] = links_in(mail.outbox[0])
    assert link.startswith(f"{SITE}/accounts/verify-email/")


@pytest.mark.django_db
def test_verification_and_notification_emails_link_to_site_url(django_capture_on_commit_callbacks) -> None:
    user = EnterpriseUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration.email_verification_send(user=user)
        services.notification_send(user=user, subject="Application submitted", body="b", link="/applications/1/")
    found = [link for message in mail.outbox for link in links_in(message)]
    assert len(found) == 3  # the notification's text also signs off with the portal's address
    assert found[0].startswith(f"{SITE}/accounts/verify-email/")
    assert found[1:] == [f"{SITE}/applications/1/", f"{SITE}/"]
