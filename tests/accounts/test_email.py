"""Email: verification links, password reset, notifications sent once through Celery."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from accounts import registration, services, tasks
from accounts.models import Notification, User
from tests.factories import PASSWORD, EnterpriseUserFactory

pytestmark = pytest.mark.django_db


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# --- email verification --------------------------------------------------------------------------


@pytest.fixture
def enterprise_user(db: None) -> User:
    """Registered, the address not confirmed yet (the factories' users have confirmed theirs)."""
    return EnterpriseUserFactory(email_verified_at=None)


def test_the_verification_link_confirms_the_address(
    anon: Client, enterprise_user: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        registration.email_verification_send(user=enterprise_user)
    assert mail.outbox[0].to == [enterprise_user.email]
    response = anon.get(link_in(mail.outbox[0]))
    assert response.status_code == 200
    assert "Your email address is confirmed" in response.content.decode()
    enterprise_user.refresh_from_db()
    assert enterprise_user.email_verified_at is not None
    # Opening it again changes nothing and still reassures.
    verified_at = enterprise_user.email_verified_at
    assert anon.get(link_in(mail.outbox[0])).status_code == 200
    enterprise_user.refresh_from_db()
    assert enterprise_user.email_verified_at == verified_at


def test_a_tampered_verification_link_is_refused(anon: Client, enterprise_user: User) -> None:
    token = registration.email_verification_token(enterprise_user)
    response = anon.get(f"/accounts/verify-email/{token[:-2]}xx/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    enterprise_user.refresh_from_db()
    assert enterprise_user.email_verified_at is None


def test_a_verification_link_older_than_three_days_is_refused(anon: Client, enterprise_user: User) -> None:
    token = registration.email_verification_token(enterprise_user)
    later = signing.time.time() + dt.timedelta(days=3, minutes=1).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = anon.get(f"/accounts/verify-email/{token}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_a_link_for_an_old_address_does_not_confirm_the_new_one(anon: Client, enterprise_user: User) -> None:
    token = registration.email_verification_token(enterprise_user)
    enterprise_user.email = "new@example.com"
    enterprise_user.save()
    assert anon.get(f"/accounts/verify-email/{token}/").status_code == 400
    enterprise_user.refresh_from_db()
    assert enterprise_user.email_verified_at is None


def test_resend_sends_a_new_link_until_verified(
    enterprise_client: Client, enterprise_user: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = enterprise_client.post("/accounts/verify-email/resend/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [enterprise_user.email]
    enterprise_client.get(link_in(mail.outbox[0]))
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_client.post("/accounts/verify-email/resend/")
    assert len(mail.outbox) == 1  # already confirmed: nothing more to send
    html = enterprise_client.get("/accounts/profile/").content.decode()
    assert "is not confirmed yet" not in html


def test_changing_the_email_asks_for_a_new_confirmation(
    enterprise_user: User, django_capture_on_commit_callbacks
) -> None:
    registration.email_verify(token=registration.email_verification_token(enterprise_user))
    enterprise_user.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_update(
            actor=enterprise_user, applicant=enterprise_user.applicant, user_changes={"email": "moved@example.com"}
        )
    enterprise_user.refresh_from_db()
    assert enterprise_user.email_verified_at is None
    assert mail.outbox[-1].to == ["moved@example.com"]


def test_the_email_task_sends_once_per_key() -> None:
    assert tasks.send_email_task(to="a@example.com", subject="s", body="b", key="k1") is True
    assert tasks.send_email_task(to="a@example.com", subject="s", body="b", key="k1") is False
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_its_claim_so_the_retry_sends() -> None:
    with (
        mock.patch.object(tasks, "send_mail", side_effect=ConnectionError("smtp down")),
        pytest.raises(ConnectionError),
    ):
        tasks.send_email_task.run(to="a@example.com", subject="s", body="b", key="k2")
    assert tasks.send_email_task(to="a@example.com", subject="s", body="b", key="k2") is True
    assert len(mail.outbox) == 1


# --- password reset ------------------------------------------------------------------------------


def test_password_reset_flow(anon: Client, enterprise_user: User, django_capture_on_commit_callbacks) -> None:
    page = anon.get("/accounts/password-reset/")
    assert page.status_code == 200 and '<label for="id_email">' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post("/accounts/password-reset/", {"email": enterprise_user.email})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert anon.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [enterprise_user.email]
    link = link_in(mail.outbox[0])
    assert link.startswith("/accounts/reset/")
    form = anon.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    new = "another-Secret-pass-42"
    done = anon.post(set_password_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert "Your password is changed" in anon.get(done["Location"]).content.decode()
    enterprise_user.refresh_from_db()
    assert enterprise_user.check_password(new)
    # The link works once.
    assert "not valid" in anon.get(link, follow=True).content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    anon: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_refuses_a_weak_new_password(
    anon: Client, enterprise_user: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        anon.post("/accounts/password-reset/", {"email": enterprise_user.email})
    form = anon.get(link_in(mail.outbox[0]), follow=True)
    response = anon.post(form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    enterprise_user.refresh_from_db()
    assert enterprise_user.check_password(PASSWORD)


def test_login_page_links_to_password_reset_and_registration(anon: Client) -> None:
    html = anon.get("/accounts/login/").content.decode()
    assert "/accounts/password-reset/" in html and "/accounts/register/" in html


# --- notifications -------------------------------------------------------------------------------


def test_notification_send_creates_the_inbox_message_and_emails_it_after_commit(
    enterprise_user: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = services.notification_send(
            user=enterprise_user, subject="Application submitted", body="QB-2026-17-000001", link="/applications/1/"
        )
    assert len(callbacks) == 1 and mail.outbox == []  # nothing leaves before commit
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Application submitted"
    assert "QB-2026-17-000001" in mail.outbox[0].body and "/applications/1/" in mail.outbox[0].body


def test_the_notification_email_is_sent_exactly_once_when_the_task_runs_twice(enterprise_user: User) -> None:
    notification = Notification.objects.create(user=enterprise_user, subject="s", body="b")
    assert tasks.send_notification_email(notification.pk) is True
    assert tasks.send_notification_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_notification_email_is_retried(enterprise_user: User) -> None:
    notification = Notification.objects.create(user=enterprise_user, subject="s", body="b")
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError),
        pytest.raises(ConnectionError),
    ):
        tasks.send_notification_email.run(notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert tasks.send_notification_email(notification.pk) is True
    assert len(mail.outbox) == 1


def test_a_notification_for_a_user_without_email_stays_in_the_inbox(db: None) -> None:
    user = EnterpriseUserFactory(email="")
    notification = services.notification_send(user=user, subject="s", body="b")
    assert tasks.send_notification_email(notification.pk) is False
    assert mail.outbox == []
