"""The enterprise's administrator invites colleagues; an invitation works once, for 14 days."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import registration, services
from accounts.models import Invitation, User
from tests.factories import PASSWORD, EnterpriseUserFactory

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def invite(client: Client, email: str = "colleague@example.com", capture: object = None) -> object:
    return client.post("/accounts/profile/invite/", {"email": email})


def accept_data(username: str = "colleague") -> dict[str, str]:
    return {"display_name": "赵专员", "username": username, "password": PASSWORD, "password_confirm": PASSWORD}


def test_an_invited_colleague_joins_the_same_enterprise_not_as_administrator(
    enterprise_client: Client, enterprise_user: User, anon: Client, django_capture_on_commit_callbacks
) -> None:
    assert "Invite a colleague" in enterprise_client.get("/accounts/profile/invite/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(enterprise_client)
    assert response.status_code == 302
    assert mail.outbox[0].to == ["colleague@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", mail.outbox[0].body).group(1)
    page = anon.get(link)
    assert page.status_code == 200 and enterprise_user.applicant.name in page.content.decode()
    response = anon.post(link, accept_data())
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    colleague = User.objects.get(username="colleague")
    assert colleague.applicant == enterprise_user.applicant and not colleague.is_applicant_admin
    assert colleague.email == "colleague@example.com" and colleague.email_verified_at is not None
    assert colleague.check_password(PASSWORD)
    assert anon.get("/accounts/profile/").status_code == 200  # signed in as the colleague
    html = enterprise_client.get("/accounts/profile/invite/").content.decode()
    assert "accepted" in html and "colleague" in html


def test_a_used_invitation_is_refused(enterprise_user: User, anon: Client) -> None:
    invitation = registration.invitation_create(actor=enterprise_user, email="c@example.com")
    anon.post(f"/accounts/invitation/{invitation.token}/", accept_data("first"))
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/accounts/invitation/{invitation.token}/", accept_data("second")
    )
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_an_invitation_older_than_14_days_is_refused(enterprise_user: User, anon: Client) -> None:
    invitation = registration.invitation_create(actor=enterprise_user, email="c@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - dt.timedelta(days=14, minutes=1))
    response = anon.get(f"/accounts/invitation/{invitation.token}/")
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert anon.post(f"/accounts/invitation/{invitation.token}/", accept_data()).status_code == 400
    assert not User.objects.filter(username="colleague").exists()


def test_an_unknown_token_is_refused(anon: Client) -> None:
    response = anon.get("/accounts/invitation/not-a-token/")
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_accepting_with_a_weak_password_keeps_the_invitation_usable(enterprise_user: User, anon: Client) -> None:
    invitation = registration.invitation_create(actor=enterprise_user, email="c@example.com")
    response = anon.post(
        f"/accounts/invitation/{invitation.token}/",
        {"display_name": "赵", "username": "colleague", "password": "123", "password_confirm": "123"},
    )
    assert response.status_code == 200 and 'class="error-summary"' in response.content.decode()
    assert 'value="colleague"' in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_colleague_who_is_not_administrator_cannot_invite(enterprise_user: User) -> None:
    colleague = EnterpriseUserFactory(applicant=enterprise_user.applicant, is_applicant_admin=False)
    client = signed_in(colleague)
    assert client.get("/accounts/profile/invite/").status_code == 403
    assert invite(client).status_code == 403
    assert not Invitation.objects.exists()
    assert "/accounts/profile/invite/" not in client.get("/accounts/profile/").content.decode()
    with pytest.raises(services.PermissionDenied):
        registration.invitation_create(actor=colleague, email="x@example.com")


def test_individuals_cannot_invite(individual_client: Client) -> None:
    assert individual_client.get("/accounts/profile/invite/").status_code == 403


def test_an_administrator_sees_the_invite_link(enterprise_client: Client) -> None:
    assert "/accounts/profile/invite/" in enterprise_client.get("/accounts/profile/").content.decode()


def test_inviting_someone_already_in_the_enterprise_is_refused(
    enterprise_client: Client, enterprise_user: User
) -> None:
    response = invite(enterprise_client, email=enterprise_user.email.upper())
    assert response.status_code == 200 and "already uses your enterprise" in response.content.decode()
