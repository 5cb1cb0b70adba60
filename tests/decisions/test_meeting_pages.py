"""The meeting pages under /calls/manage/ and the meetings API: the official ranks, decides and
previews the allocation, then records; the record reads back; others are kept out."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from applications.models import Application, Status
from calls.models import Call
from decisions.forms import MeetingForm, SiteCheckForm
from decisions.models import Meeting
from tests.support.panels import closed_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User) -> tuple:
    call = make_call(expert_review=True)
    applications = under_review(call, 2, "600000"), under_review(call, 1), under_review(call, 1, "300000")
    closed_panel(call, applications)
    return call, *applications


def _post(call: Call, apps: list[Application], handler: User, ranks: list[int], **extra: str) -> dict:
    data = {
        "held_on": timezone.localdate().isoformat(),
        "chaired_by": handler.pk,
        "attendees": [handler.pk],
        "other_attendees": "纪检组",
        "minutes": "逐项审议，表决通过。",
        **extra,
    }
    for application, rank in zip(apps, ranks, strict=True):
        data[f"a{application.pk}-rank"] = rank
        data[f"a{application.pk}-decision"] = "support"
        data[f"a{application.pk}-reasons"] = ""
    return data


def test_preview_then_record_in_the_chosen_order(setup: tuple, amr_handler: User, page_client: Callable) -> None:
    call, a, b, c = setup
    client = page_client(amr_handler)
    url = f"/calls/manage/{call.pk}/meetings/new/"
    page = client.get(url)
    assert page.status_code == 200 and a.reference.encode() in page.content
    # c first, then a, then b: 300k + 600k, b gets the last 100k.
    preview = client.post(url, _post(call, [a, b, c], amr_handler, [2, 3, 1], preview="1"))
    assert preview.status_code == 200
    assert b"100,000.00" in preview.content and not Meeting.objects.exists()
    done = client.post(url, _post(call, [a, b, c], amr_handler, [2, 3, 1], record="1"))
    assert done.status_code == 302
    meeting = Meeting.objects.get()
    assert [d.application_id for d in meeting.decisions.order_by("rank")] == [c.pk, a.pk, b.pk]
    assert Application.objects.get(pk=b.pk).proposed_amount == Decimal("100000.00")
    record = client.get(done["Location"])
    assert record.status_code == 200 and meeting.number.encode() in record.content
    assert client.get(f"/calls/manage/{call.pk}/meetings/").status_code == 200


def test_bad_input_is_answered_on_the_page(setup: tuple, amr_handler: User, page_client: Callable) -> None:
    call, a, b, c = setup
    client = page_client(amr_handler)
    url = f"/calls/manage/{call.pk}/meetings/new/"
    assert client.post(url, _post(call, [a, b, c], amr_handler, [1, 2, 3], record="1", minutes="")).status_code == 400
    data = _post(call, [a, b, c], amr_handler, [1, 2, 3], record="1")
    data[f"a{a.pk}-decision"] = "not_support"  # without reasons
    refused = client.post(url, data)
    assert refused.status_code == 400 and b"reasons" in refused.content
    data[f"a{a.pk}-rank"] = "x"
    assert client.post(url, data).status_code == 400
    assert not Meeting.objects.exists()
    assert Application.objects.get(pk=a.pk).status == Status.UNDER_REVIEW


def test_others_are_kept_out(
    setup: tuple, amr_approver: User, miit_handler: User, finance_officer: User, page_client: Callable
) -> None:
    call, a, _b, _c = setup
    applicant = User.objects.filter(applicant=a.applicant).first()
    new, listing = f"/calls/manage/{call.pk}/meetings/new/", f"/calls/manage/{call.pk}/meetings/"
    assert page_client(amr_approver).get(listing).status_code == 200  # reads
    assert page_client(amr_approver).get(new).status_code == 403  # the approver approves, not records
    assert page_client(miit_handler).get(listing).status_code == 404  # another department
    assert page_client(miit_handler).get(new).status_code == 404
    for user in (finance_officer, applicant):
        assert page_client(user).get(listing).status_code == 403
    assert page_client(None).get(listing).status_code == 302


def test_the_api_lists_the_calls_meetings(
    setup: tuple, amr_handler: User, miit_handler: User, api_client: Callable, page_client: Callable
) -> None:
    call, a, b, c = setup
    page_client(amr_handler).post(
        f"/calls/manage/{call.pk}/meetings/new/", _post(call, [a, b, c], amr_handler, [1, 2, 3], record="1")
    )
    url = f"/api/v1/calls/{call.pk}/meetings/"
    response = api_client(amr_handler).get(url)
    assert response.status_code == 200
    [meeting] = response.json()["results"]
    assert [(d["rank"], d["application"], d["amount_allocated"], d["proposed"]) for d in meeting["decisions"]] == [
        (1, a.reference, "600000.00", True),
        (2, b.reference, "400000.00", True),
        (3, c.reference, "0.00", False),
    ]
    assert meeting["attendees"] == [amr_handler.username]
    assert api_client(miit_handler).get(url).status_code == 404
    assert api_client(User.objects.filter(applicant=a.applicant).first()).get(url).status_code == 403
    assert api_client(None).get(url).status_code == 401


def test_the_admin_shows_a_meeting_read_only(
    setup: tuple, amr_handler: User, page_client: Callable, client: Client
) -> None:
    call, a, b, c = setup
    page_client(amr_handler).post(
        f"/calls/manage/{call.pk}/meetings/new/", _post(call, [a, b, c], amr_handler, [1, 2, 3], record="1")
    )
    meeting = Meeting.objects.get()
    User.objects.create_superuser("root", password="x-Admin-2026")
    client.login(request=HttpRequest(), username="root", password="x-Admin-2026")
    page = client.get(reverse("admin:decisions_meeting_change", args=[meeting.pk]))
    assert page.status_code == 200 and a.reference.encode() in page.content
    assert client.get(reverse("admin:decisions_meeting_add")).status_code == 403
    assert client.get(reverse("admin:decisions_sitecheck_changelist")).status_code == 200


def test_the_date_boxes_show_their_date_in_chinese_too() -> None:
    """<input type=date> takes only YYYY-MM-DD: a localised "2026/12/05" would show an empty box,
    and the meeting (or site check) would be sent without its date."""
    day = dt.date(2026, 12, 5)
    with translation.override("zh-hans"):
        meeting = MeetingForm(officials=User.objects.none(), initial={"held_on": day})
        check = SiteCheckForm(officials=User.objects.none(), initial={"checked_on": day})
        assert 'value="2026-12-05"' in str(meeting["held_on"])
        assert 'value="2026-12-05"' in str(check["checked_on"])
