"""Submission needs a confirmed email address (applications.services.EmailUnverified): refused in
the pages (409, with a way to get a new link) and the API (409 `email_unverified`), nothing
changed; once the emailed link is opened the same draft submits."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import registration
from applications.models import Application, Status
from applications.services import EmailUnverified, application_submit
from audit.models import AuditEvent
from tests.factories import EnterpriseUserFactory

from .helpers import FIXED, complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def unconfirmed(db: None):
    return EnterpriseUserFactory(email_verified_at=None)


def test_the_service_refuses_an_unconfirmed_address_and_changes_nothing(unconfirmed) -> None:
    draft = complete_draft(unconfirmed, FIXED)
    events = AuditEvent.objects.count()
    with pytest.raises(EmailUnverified) as refused:
        application_submit(actor=unconfirmed, application=draft, credit_commitment=True)
    assert refused.value.code == "email_unverified" and refused.value.conflict
    assert unconfirmed.email in refused.value.message
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.reference
    assert AuditEvent.objects.count() == events


def test_the_api_answers_409_email_unverified(unconfirmed, api_client) -> None:
    draft = complete_draft(unconfirmed, FIXED)
    response = api_client(unconfirmed).post(
        f"/api/v1/applications/{draft.pk}/submit/", {"credit_commitment": True}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "email_unverified"
    assert body["detail"].startswith("Confirm your email address before you submit")
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_the_page_says_so_before_and_refuses_with_409(unconfirmed, page_client) -> None:
    draft = complete_draft(unconfirmed, FIXED)
    client = page_client(unconfirmed)
    check = client.get(reverse("applications:check", args=[draft.pk]))
    assert "Confirm your email address first" in check.content.decode()
    response = client.post(reverse("applications:submit", args=[draft.pk]), {"credit_commitment": "yes"})
    assert response.status_code == 409
    assert "Confirm your email address before you submit" in response.content.decode()
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_confirmed_user_sees_no_such_notice(page_client) -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    check = page_client(user).get(reverse("applications:check", args=[draft.pk]))
    assert "Confirm your email address first" not in check.content.decode()


def test_resend_then_open_the_link_then_submit(unconfirmed, page_client, django_capture_on_commit_callbacks) -> None:
    draft = complete_draft(unconfirmed, FIXED)
    client = page_client(unconfirmed)
    page = client.get(reverse("accounts:resend_verification"))
    assert page.status_code == 200 and unconfirmed.email in page.content.decode()
    check_url = reverse("applications:check", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:resend_verification"), {"next": check_url})
    assert response.status_code == 302 and response["Location"] == check_url
    [message] = mail.outbox
    assert message.to == [unconfirmed.email]
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)  # type: ignore[union-attr]
    assert client.get(link).status_code == 200
    response = client.post(reverse("applications:submit", args=[draft.pk]), {"credit_commitment": "yes"})
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).status == Status.SUBMITTED


def test_resend_does_not_follow_a_next_to_another_site(unconfirmed, page_client) -> None:
    response = page_client(unconfirmed).post(reverse("accounts:resend_verification"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:profile")


def test_a_new_address_must_be_confirmed_again_before_submitting(api_client) -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    client = api_client(user)
    assert client.patch("/api/v1/me/", {"user": {"email": "new-address@example.com"}}, format="json").status_code == 200
    response = client.post(f"/api/v1/applications/{draft.pk}/submit/", {"credit_commitment": True}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "email_unverified"
    user.refresh_from_db()
    registration.email_verify(token=registration.email_verification_token(user))
    response = client.post(f"/api/v1/applications/{draft.pk}/submit/", {"credit_commitment": True}, format="json")
    assert response.status_code == 200, response.json()
