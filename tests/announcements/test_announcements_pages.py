"""The announcement pages: public list and detail (query counts that do not grow), the objection
form with its confirmation, refusals and throttle, and the officials' publish, resolve and
finalise pages."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import OfficialRole
from announcements.models import Announcement, Objection
from announcements.services import announcement_publish, objection_lodge
from applications.models import Status
from awards.models import Award
from measures.models import Department
from tests.factories import EnterpriseUserFactory, OfficialFactory
from tests.support.announcements import approved_quickly, award_of, publish_kwargs, refreshed, set_budget

pytestmark = pytest.mark.django_db

OBJECTION = {"name": "王小明", "contact": "13800000000", "reason": "获奖信息与公布名单不一致。"}


@pytest.fixture(autouse=True)
def _english_and_a_clean_throttle():
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


def browser(user=None, **extra) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **extra)
    if user is not None:
        client.force_login(user)
    return client


def publish(handler, *applications, today=None) -> Announcement:
    return announcement_publish(
        actor=handler,
        department=Department.objects.get(code="amr"),
        applications=list(applications),
        today=today,
        **publish_kwargs(),
    )


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_shows_current_and_past_announcements_with_their_end(handler) -> None:
    set_budget("9000000")
    current = publish(handler, approved_quickly())
    past = publish(handler, approved_quickly(), today=timezone.localdate() - dt.timedelta(days=60))

    html = browser().get("/announcements/").content.decode()

    current_part, past_part = html.split('id="past"')
    assert f"/announcements/{current.pk}/" in current_part
    assert current.ends_on.isoformat() in current_part
    assert f"/announcements/{past.pk}/" in past_part
    assert past.ends_on.isoformat() in past_part
    assert "Publish an announcement" not in html
    assert "Publish an announcement" in browser(handler).get("/announcements/").content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_costs_the_same_queries_with_more_announcements(handler, signed_in) -> None:
    set_budget("90000000")
    client = browser(handler if signed_in else None)
    publish(handler, approved_quickly())
    publish(handler, approved_quickly(), today=timezone.localdate() - dt.timedelta(days=60))
    few = queries(client, "/announcements/")
    for n in range(3):
        publish(handler, approved_quickly(), approved_quickly())
        publish(handler, approved_quickly(), today=timezone.localdate() - dt.timedelta(days=50 + n))
    assert queries(client, "/announcements/") == few


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_detail_costs_the_same_queries_with_more_entries(handler, signed_in) -> None:
    set_budget("90000000")
    client = browser(handler if signed_in else None)
    small = publish(handler, approved_quickly())
    large = publish(handler, *[approved_quickly() for _ in range(6)])
    objection_lodge(actor=None, announcement=large, entry=large.entries.first(), **OBJECTION)
    assert queries(client, f"/announcements/{large.pk}/") == queries(client, f"/announcements/{small.pk}/")


def test_the_detail_shows_the_entries_with_individuals_masked_and_the_objection_form(handler) -> None:
    set_budget("9000000", code="m17-china-quality-award-ind")
    set_budget("9000000")
    enterprise = approved_quickly()
    person = approved_quickly(individual_name="陈星量", amount="1000000")
    announcement = publish(handler, enterprise, person)

    html = browser().get(f"/announcements/{announcement.pk}/").content.decode()

    assert enterprise.applicant.name in html
    assert "陈*量" in html and "陈星量" not in html
    assert "3,000,000.00" in html and "1,000,000.00" in html
    assert announcement.ends_on.isoformat() in html
    assert f'action="/announcements/{announcement.pk}/object/#object"' in html
    assert browser().get("/announcements/999999/").status_code == 404


def test_an_objection_from_the_page_is_confirmed_with_its_tracking_number(handler) -> None:
    set_budget("9000000")
    announcement = publish(handler, approved_quickly())
    entry = announcement.entries.get()
    client = browser(REMOTE_ADDR="198.51.100.20")

    response = client.post(f"/announcements/{announcement.pk}/object/", {**OBJECTION, "entry": entry.pk})

    assert response.status_code == 302
    confirmation = client.get(response["Location"])
    number = f"YY-{timezone.localdate().year}-000001"
    assert number in confirmation.content.decode()
    objection = Objection.objects.get()
    assert (objection.tracking_number, objection.entry, objection.ip_address) == (number, entry, "198.51.100.20")
    # Someone else's browser has nothing to confirm.
    assert browser().get(response["Location"]).status_code == 302


def test_an_incomplete_objection_shows_the_error_summary(handler) -> None:
    set_budget("9000000")
    announcement = publish(handler, approved_quickly())

    response = browser().post(f"/announcements/{announcement.pk}/object/", {"name": "王小明", "entry": "oops"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_reason"' in html and 'href="#id_contact"' in html
    assert not Objection.objects.exists()


def test_after_the_period_the_page_says_objections_are_closed(handler) -> None:
    set_budget("9000000")
    announcement = publish(handler, approved_quickly(), today=timezone.localdate() - dt.timedelta(days=60))

    page = browser().get(f"/announcements/{announcement.pk}/").content.decode()
    assert "no longer accepted" in page and "/object/" not in page
    response = browser().post(f"/announcements/{announcement.pk}/object/", OBJECTION)

    assert response.status_code == 409
    assert f"ended on {announcement.ends_on.isoformat()}" in response.content.decode()
    assert not Objection.objects.exists()


def test_the_page_form_is_throttled_with_a_clear_message(handler) -> None:
    set_budget("9000000")
    announcement = publish(handler, approved_quickly())
    url = f"/announcements/{announcement.pk}/object/"
    client = browser(REMOTE_ADDR="192.0.2.50")
    for _ in range(5):
        assert client.post(url, OBJECTION).status_code == 302
    assert client.post(url, {"name": ""}).status_code == 400  # an incomplete form is not counted

    refused = client.post(url, OBJECTION)

    assert refused.status_code == 429
    assert "Too many objections were sent from your address" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert Objection.objects.count() == 5


def test_an_official_publishes_from_the_page(handler) -> None:
    set_budget("9000000")
    first, second = approved_quickly(), approved_quickly()
    client = browser(handler)
    page = client.get("/announcements/new/").content.decode()
    assert first.reference in page and second.reference in page

    response = client.post(
        "/announcements/new/", {"title": "拟支持名单公示", "period_days": "5", "applications": [first.reference]}
    )

    announcement = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/announcements/{announcement.pk}/"
    assert refreshed(first).status == Status.ANNOUNCED
    assert refreshed(second).status == Status.APPROVED
    assert "Objections are accepted until" in client.get(response["Location"]).content.decode()


def test_the_publish_page_refuses_what_is_missing_and_outsiders(handler) -> None:
    set_budget("9000000")
    approved_quickly()
    response = browser(handler).post("/announcements/new/", {"title": "", "period_days": "99"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_applications"' in html and 'href="#id_title"' in html and 'href="#id_period_days"' in html
    assert browser(EnterpriseUserFactory()).get("/announcements/new/").status_code == 403
    assert browser().get("/announcements/new/").status_code == 302  # to sign in
    assert not Announcement.objects.exists()


def test_the_publish_page_costs_the_same_queries_with_more_candidates(handler) -> None:
    set_budget("90000000")
    approved_quickly()
    client = browser(handler)
    few = queries(client, "/announcements/new/")
    for _ in range(5):
        approved_quickly()
    assert queries(client, "/announcements/new/") == few


def test_officials_resolve_objections_on_their_page(handler, approver) -> None:
    set_budget("9000000")
    application = approved_quickly()
    announcement = publish(handler, application)
    objection = objection_lodge(actor=None, announcement=announcement, entry=announcement.entries.get(), **OBJECTION)
    url = f"/announcements/{announcement.pk}/objections/"

    assert browser(OfficialFactory(role=OfficialRole.APPROVER, department="miit")).get(url).status_code == 403
    handler_page = browser(handler).get(url).content.decode()
    assert objection.tracking_number in handler_page and "13800000000" in handler_page
    assert 'value="upheld"' not in handler_page  # handlers may only dismiss
    assert 'value="upheld"' in browser(approver).get(url).content.decode()

    resolve = f"{url}{objection.pk}/resolve/"
    prefix = f"objection-{objection.pk}"
    missing = browser(approver).post(resolve, {f"{prefix}-decision": "upheld"})
    assert missing.status_code == 400 and "There is a problem" in missing.content.decode()
    done = browser(approver).post(resolve, {f"{prefix}-decision": "upheld", f"{prefix}-resolution": "反映属实。"})
    assert done.status_code == 302
    assert award_of(application).status == Award.Status.WITHDRAWN
    again = browser(approver).post(resolve, {f"{prefix}-decision": "dismissed", f"{prefix}-resolution": "x"})
    assert again.status_code == 409 and "already resolved" in again.content.decode()
    detail = browser().get(f"/announcements/{announcement.pk}/").content.decode()
    assert "Withdrawn after an objection" in detail


def test_the_objections_page_costs_the_same_queries_with_more_objections(handler) -> None:
    set_budget("9000000")
    announcement = publish(handler, approved_quickly(), approved_quickly())
    entries = list(announcement.entries.all())
    objection_lodge(actor=None, announcement=announcement, entry=entries[0], **OBJECTION)
    client = browser(handler)
    url = f"/announcements/{announcement.pk}/objections/"
    few = queries(client, url)
    for n in range(4):
        objection_lodge(actor=None, announcement=announcement, entry=entries[n % 2] if n else None, **OBJECTION)
    assert queries(client, url) == few


def test_the_finalise_button_for_approvers_after_the_period(handler, approver) -> None:
    set_budget("9000000")
    application = approved_quickly()
    announcement = publish(handler, application, today=timezone.localdate() - dt.timedelta(days=60))
    detail = f"/announcements/{announcement.pk}/"
    assert "Finalise the awards that are due" in browser(approver).get(detail).content.decode()
    assert "Finalise the awards that are due" not in browser(handler).get(detail).content.decode()

    response = browser(approver).post(f"{detail}finalise/", follow=True)

    assert re.search(r"1 award is now final", response.content.decode())
    assert refreshed(application).status == Status.FINAL
    assert browser().post(f"{detail}finalise/").status_code == 302  # anonymous: to sign in
