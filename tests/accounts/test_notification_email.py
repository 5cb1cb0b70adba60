"""Notification emails: a subject that says what happened, a greeting, the facts, the link to the
page (under SITE_URL) and the portal's signature, as text and HTML, in the notification's language."""

import pytest
from django.core import mail
from django.utils import translation

from accounts import tasks
from accounts.models import Notification, User
from accounts.services import notification_send
from applications.services import application_submit
from tests.applications.helpers import complete_draft
from tests.factories import EnterpriseUserFactory

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.gov.cn"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _html(message) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def test_a_submission_email_has_a_text_and_an_html_part_with_the_facts_the_link_and_the_signature(
    django_capture_on_commit_callbacks,
) -> None:
    user = EnterpriseUserFactory(email="owner@example.com", display_name="王经理")
    draft = complete_draft(user, "m17-china-quality-award-org")
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        submitted = application_submit(actor=user, application=draft, credit_commitment=True)

    [message] = [m for m in mail.outbox if m.to == ["owner@example.com"]]
    reference = submitted.reference
    assert message.subject == f"申报 {reference} 已收到"  # what happened
    assert "\n" not in message.subject
    link = f"{SITE}/applications/{reference}/"
    text, html = message.body, _html(message)
    for part in (text, html):
        assert "王经理，您好：" in part  # the greeting
        assert reference in part and submitted.incentive.name in part  # the facts
        assert "申报编号" in part and "支持事项" in part
        assert link in part
        assert "广东省制造业质量品牌政策兑现平台" in part  # the signature
        assert "请勿直接回复" in part
    assert f'href="{link}"' in html
    assert "<table" in html and "<table" not in text  # the facts as a table in HTML


def test_the_email_follows_the_language_the_notification_was_written_in() -> None:
    user = EnterpriseUserFactory(email="en@example.com", display_name="Ms Li")
    with translation.override("en"):
        notification = notification_send(
            user=user,
            subject="Application QB-2026-17-000001 accepted",
            body="The department accepted your application.",
            link="/applications/QB-2026-17-000001/",
            facts=[("Reference", "QB-2026-17-000001")],
        )
    assert notification.language == "en"
    with translation.override("zh-hans"):  # the worker's language does not matter
        assert tasks.send_notification_email(notification.pk) is True
    message = mail.outbox[-1]
    assert message.subject == "Application QB-2026-17-000001 accepted"
    for part in (message.body, _html(message)):
        assert "Hello Ms Li," in part
        assert "Reference: QB-2026-17-000001" in part or '<th scope="row">Reference</th>' in part
        assert f"{SITE}/applications/QB-2026-17-000001/" in part
        assert "Guangdong Manufacturing Quality and Brand Incentives Portal" in part
        assert "please do not reply" in part


def test_the_html_part_escapes_what_users_wrote() -> None:
    user: User = EnterpriseUserFactory(email="x@example.com", display_name="<b>Eve</b>")
    notification = Notification.objects.create(
        user=user, subject="s", body='<script>alert("x")</script>', facts=[["<i>k</i>", "<img src=x>"]]
    )
    tasks.send_notification_email(notification.pk)
    html = _html(mail.outbox[-1])
    assert "<script>" not in html and "<img src=x>" not in html and "<b>Eve</b>" not in html
    assert "&lt;script&gt;" in html
    assert '<script>alert("x")</script>' in mail.outbox[-1].body  # the text part is plain text
