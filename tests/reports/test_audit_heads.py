"""The audit trail's head is published each day: recorded, sent to every administrator (once a
day) and listed for them on /reports/audit-heads/, so a copy lives outside the database."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification, User
from audit.models import AuditDailyHead
from audit.selectors import audit_head
from audit.services import audit_record
from measures.models import Measure
from reports import tasks
from reports.services import audit_head_digest_send

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 30)


@pytest.fixture
def events() -> None:
    for n in range(3):
        audit_record(actor=None, action="test.step", obj=Measure.objects.get(number=17), after={"n": n})


def test_the_days_head_goes_to_every_administrator_once(
    events: None, administrator: User, handler: User, django_capture_on_commit_callbacks: Any
) -> None:
    root = User.objects.create_superuser("root", email="root@example.com", password="x-Admin-2026")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        published = audit_head_digest_send(DAY)
        audit_head_digest_send(DAY)  # a retried beat task sends nothing more
    assert (published.day, published.position) == (DAY, 3)
    assert (published.position, published.mac) == (audit_head().position, audit_head().mac)
    sent = Notification.objects.order_by("user_id")
    assert [n.user for n in sent] == [administrator, root]
    assert {n.subject for n in sent} == {"Audit trail head on 2026-11-30"}
    assert f"verify_audit --head 3:{published.mac}" in sent[0].body
    assert sent[0].link == reverse("reports:audit_heads")


def test_the_beat_task_publishes_todays_head(events: None) -> None:
    head = tasks.publish_audit_head.delay().get()
    assert AuditDailyHead.objects.get().position == 3
    assert head == f"3:{AuditDailyHead.objects.get().mac}"


def test_administrators_see_the_published_heads(events: None, client: Client, administrator: User) -> None:
    audit_head_digest_send(DAY)
    published = AuditDailyHead.objects.get()
    client.force_login(administrator)
    html = client.get(reverse("reports:audit_heads"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2026-11-30" in html and f"3:{published.mac}" in html
    assert "verify_audit --head POSITION:MAC" in html
    dashboard = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("reports:audit_heads") in dashboard  # linked from the reports' navigation


def test_other_officials_may_not_see_them(client: Client, handler: User) -> None:
    assert client.get(reverse("reports:audit_heads")).status_code == 302  # signed out: to sign in
    client.force_login(handler)
    assert client.get(reverse("reports:audit_heads")).status_code == 403
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    assert reverse("reports:audit_heads") not in dashboard
