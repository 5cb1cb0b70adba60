"""After submitting: reference numbers, notifications, withdrawal, answering a supplement request
(补正) in the pages and the API, and the applicant's timeline."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from applications.models import Application, ApplicationDocument, Status
from applications.services import application_submit
from audit.models import AuditEvent
from tests.factories import EnterpriseUserFactory

from .helpers import FIXED, PDF, PER_UNIT, complete_draft, upload

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def returned_for_supplement(application: Application) -> Application:
    """Arrange what the review issue's "return" will do: the workflow's status and the request.
    (Set directly: the officials' side is not built yet.)"""
    Application.objects.filter(pk=application.pk).update(
        status=Status.RETURNED,
        supplement_request="请补充提供获奖证书的清晰扫描件，并更正联系电话。",
        supplement_deadline=timezone.localdate() + dt.timedelta(days=15),
    )
    return Application.objects.get(pk=application.pk)


# ── reference numbers and notifications ─────────────────────────────────────────────────────


def test_references_are_sequential_per_year_and_measure(django_capture_on_commit_callbacks) -> None:
    references = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for code in (FIXED, FIXED, PER_UNIT, FIXED):
            user = EnterpriseUserFactory()
            references.append(
                application_submit(actor=user, application=complete_draft(user, code), credit_commitment=True).reference
            )
    assert references == [
        f"QB-{YEAR}-17-000001",
        f"QB-{YEAR}-17-000002",
        f"QB-{YEAR}-15-000001",
        f"QB-{YEAR}-17-000003",
    ]
    assert len(callbacks) >= 4
    assert Notification.objects.count() == 4


def test_a_submission_notifies_every_user_of_the_applicant_after_commit(django_capture_on_commit_callbacks) -> None:
    user = EnterpriseUserFactory()
    colleague = EnterpriseUserFactory(applicant=user.applicant, is_applicant_admin=False)
    draft = complete_draft(user, FIXED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted = application_submit(actor=user, application=draft, credit_commitment=True)
    # The notifications are written with the submission (one transaction); nothing is emailed before commit.
    notified = Notification.objects.filter(subject__contains=submitted.reference)
    assert set(notified.values_list("user", flat=True)) == {user.pk, colleague.pk}
    assert re.search(r"submitted on \d{4}-\d{2}-\d{2} \d{2}:\d{2}", notified.first().body)
    assert mail.outbox == [] and not notified.filter(emailed_at__isnull=False).exists()
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, colleague.email])
    assert not notified.filter(emailed_at__isnull=True).exists()


# ── withdraw ────────────────────────────────────────────────────────────────────────────────


def test_withdraw_through_the_confirm_page_with_a_reason(
    enterprise_user, page_client, django_capture_on_commit_callbacks
) -> None:
    client = page_client(enterprise_user)
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    url = reverse("applications:withdraw", args=[application.reference])
    page = client.get(url).content.decode()
    assert "Are you sure you want to withdraw your application?" in page
    assert 'for="id_reason"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "资料需要重新准备"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    event = AuditEvent.objects.get(action="application.withdraw")
    assert event.reason == "资料需要重新准备" and event.actor == enterprise_user
    assert Notification.objects.filter(subject__contains="withdrawn").count() == 1
    detail = client.get(reverse("applications:detail", args=[application.reference])).content.decode()
    assert "Withdrawn" in detail and "资料需要重新准备" in detail
    assert url not in detail  # no withdraw button any more
    # Withdrawing again is refused politely.
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    assert client.get(url).status_code == 302


def test_a_draft_has_no_withdraw_page(enterprise_user, page_client) -> None:
    draft = complete_draft(enterprise_user, FIXED)
    response = page_client(enterprise_user).get(reverse("applications:withdraw", args=[draft.pk]))
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


# ── supplement (补正) ────────────────────────────────────────────────────────────────────────


def test_answering_a_supplement_request_in_the_pages(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    application = returned_for_supplement(application)
    detail_url = reverse("applications:detail", args=[application.reference])

    page = client.get(detail_url).content.decode()
    assert "The department asks for a supplement" in page
    assert "请补充提供获奖证书的清晰扫描件" in page
    assert f"Answer by {application.supplement_deadline:%Y-%m-%d}." in page
    assert reverse("applications:documents", args=[application.reference]) in page
    assert reverse("applications:section", args=[application.reference, "contact"]) in page  # change links

    # Change an answer and add a document.
    response = client.post(
        reverse("applications:section", args=[application.reference, "contact"]),
        {"contact_name": "王五", "contact_phone": "13900001111"},
    )
    assert response.status_code == 302 and response["Location"] == detail_url
    required = application.incentive.required_documents.first()
    response = client.post(
        reverse("applications:documents", args=[application.reference]),
        {"kind": str(required.pk), "file": upload("清晰扫描件.pdf", PDF)},
    )
    assert response.status_code == 302
    new = ApplicationDocument.objects.get(original_name="清晰扫描件.pdf")
    assert new.for_supplement
    assert not application.documents.exclude(pk=new.pk).filter(for_supplement=True).exists()

    # A note is required.
    response = client.post(reverse("applications:supplement", args=[application.reference]), {"note": ""})
    assert response.status_code == 400
    assert 'id="id_note_error"' in response.content.decode()

    response = client.post(
        reverse("applications:supplement", args=[application.reference]),
        {"note": "已上传清晰扫描件并更正电话。"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.data["contact"]["contact_phone"] == "13900001111"
    event = AuditEvent.objects.get(action="application.supplement")
    assert event.reason == "已上传清晰扫描件并更正电话。"
    assert event.before == {"status": "returned"} and event.after["status"] == "submitted"

    page = client.get(detail_url).content.decode()
    assert "Send the supplement" in page  # the timeline entry's label
    assert "已上传清晰扫描件并更正电话。" in page
    assert "added for the supplement" in page
    assert "The department asks for a supplement" not in page


def test_a_supplement_that_leaves_the_application_incomplete_is_refused(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    application = returned_for_supplement(application)
    for document in application.documents.all():
        client.post(reverse("applications:document_delete", args=[application.reference, document.pk]))
    response = client.post(reverse("applications:supplement", args=[application.reference]), {"note": "改了"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The application is not complete yet." in page and "Missing document" in page
    application.refresh_from_db()
    assert application.status == Status.RETURNED


def test_answering_a_supplement_request_through_the_api(enterprise_user, api_client) -> None:
    client = api_client(enterprise_user)
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    reference = returned_for_supplement(application).reference
    base = f"/api/v1/applications/{reference}/"
    body = client.get(base).json()
    assert body["status"] == "returned" and body["supplement_request"].startswith("请补充")
    assert body["supplement_deadline"] == str(timezone.localdate() + dt.timedelta(days=15))

    response = client.patch(base, {"data": {"contact": {"contact_phone": "13900002222"}}}, format="json")
    assert response.status_code == 200
    response = client.post(f"{base}documents/", {"file": upload("补充.pdf", PDF)}, format="multipart")
    assert response.status_code == 201 and response.json()["for_supplement"] is True
    assert client.post(f"{base}supplement/", {"note": ""}, format="json").status_code == 400
    response = client.post(f"{base}supplement/", {"note": "补充了材料"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    assert client.post(f"{base}supplement/", {"note": "again"}, format="json").status_code == 409
    history = client.get(f"{base}history/").json()["results"]
    assert [e["action"] for e in history][-1] == "application.supplement"
    assert history[-1]["reason"] == "补充了材料"


# ── timeline ────────────────────────────────────────────────────────────────────────────────


def test_the_timeline_shows_each_status_change_in_plain_words_and_hides_draft_saves(
    enterprise_user, page_client
) -> None:
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    page = page_client(enterprise_user).get(reverse("applications:detail", args=[application.reference]))
    html = page.content.decode()
    timeline = html[html.index('class="app-timeline"') :]
    assert "Draft started" in timeline
    assert "Document added" in timeline and "evidence.pdf" in timeline
    assert "Submit" in timeline and "Draft → Submitted" in timeline
    assert "Answers saved" not in timeline
    assert timeline.index("Draft started") < timeline.index("Draft → Submitted")
