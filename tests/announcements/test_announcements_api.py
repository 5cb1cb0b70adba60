"""The announcements API: public reads, officials' publishing and resolving, anyone's objections
(throttled per address, refused after the period)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import OfficialRole
from announcements.models import Announcement, Objection
from announcements.services import announcement_publish, objection_lodge
from applications.models import Status
from awards.models import Award
from measures.models import Department
from tests.factories import EnterpriseUserFactory, OfficialFactory
from tests.support.announcements import approved_quickly, award_of, publish_kwargs, refreshed, set_budget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_a_clean_throttle():
    cache.clear()  # the objection throttle counts in the cache
    with translation.override("en"):
        yield
    cache.clear()


def api(user=None, **extra) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", **extra)
    if user is not None:
        client.force_authenticate(user)
    return client


def publish(handler, *applications, today=None) -> Announcement:
    return announcement_publish(
        actor=handler,
        department=Department.objects.get(code="amr"),
        applications=list(applications),
        today=today,
        **publish_kwargs(),
    )


OBJECTION = {"name": "王小明", "contact": "wang@example.com", "reason": "获奖信息与公布名单不一致。"}


def test_anyone_lists_announcements_with_their_period_and_totals(handler) -> None:
    set_budget("9000000")
    current = publish(handler, approved_quickly(), approved_quickly())
    past = publish(handler, approved_quickly(), today=timezone.localdate() - dt.timedelta(days=60))

    response = api().get("/api/v1/announcements/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    rows = {row["id"]: row for row in body["results"]}
    assert rows[current.pk]["objections_open"] is True
    assert rows[current.pk]["entry_count"] == 2
    assert rows[current.pk]["total_amount"] == "6000000.00"
    assert rows[current.pk]["ends_on"] == current.ends_on.isoformat()
    assert rows[current.pk]["department"]["code"] == "amr"
    assert rows[past.pk]["objections_open"] is False
    assert [r["id"] for r in api().get("/api/v1/announcements/?open=true").json()["results"]] == [current.pk]
    assert [r["id"] for r in api().get("/api/v1/announcements/?open=false").json()["results"]] == [past.pk]


def test_the_list_costs_the_same_queries_with_more_announcements(handler) -> None:
    set_budget("90000000")
    publish(handler, approved_quickly())

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api().get("/api/v1/announcements/").status_code == 200
        return len(queries)

    few = count()
    for _ in range(4):
        publish(handler, approved_quickly(), approved_quickly())
    assert count() == few


def test_the_detail_gives_the_entries_as_published_with_names_masked(handler) -> None:
    set_budget("9000000", code="m17-china-quality-award-ind")
    person = approved_quickly(individual_name="陈星量", amount="1000000")
    announcement = publish(handler, person)

    body = api().get(f"/api/v1/announcements/{announcement.pk}/").json()

    (entry,) = body["entries"]
    assert entry["name"] == "陈*量"
    assert entry["amount"] == "1000000.00"
    assert entry["status"] == "announced"
    assert entry["application"] == person.reference
    assert "陈星量" not in str(body)
    assert api().get("/api/v1/announcements/999999/").json()["code"] == "not_found"


def test_the_detail_costs_the_same_queries_with_more_entries(handler) -> None:
    set_budget("90000000")
    small = publish(handler, approved_quickly())
    large = publish(handler, *[approved_quickly() for _ in range(5)])

    def count(announcement) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api().get(f"/api/v1/announcements/{announcement.pk}/").status_code == 200
        return len(queries)

    assert count(large) == count(small)


def test_an_official_publishes_by_references(handler) -> None:
    set_budget("9000000")
    first, second = approved_quickly(), approved_quickly()

    response = api(handler).post(
        "/api/v1/announcements/",
        {"title": "拟支持名单公示", "applications": [first.reference, second.reference], "period_days": 7},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["period_days"] == 7
    assert len(body["entries"]) == 2
    assert refreshed(first).status == Status.ANNOUNCED


def test_publishing_refusals(handler) -> None:
    set_budget("9000000")
    application = approved_quickly()
    payload = {"title": "公示", "applications": [application.reference]}

    assert api().post("/api/v1/announcements/", payload, format="json").status_code == 401
    forbidden = api(EnterpriseUserFactory()).post("/api/v1/announcements/", payload, format="json")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "permission_denied"
    other = api(OfficialFactory(role=OfficialRole.HANDLER, department="miit")).post(
        "/api/v1/announcements/", payload, format="json"
    )
    assert other.status_code == 400 and application.reference in other.json()["errors"]["applications"][0]
    unknown = api(handler).post(
        "/api/v1/announcements/", {"title": "公示", "applications": ["QB-2026-17-999999"]}, format="json"
    )
    assert unknown.status_code == 400 and "QB-2026-17-999999" in unknown.json()["errors"]["applications"][0]
    bad = api(handler).post("/api/v1/announcements/", {**payload, "period_days": 0}, format="json")
    assert bad.status_code == 400 and "period_days" in bad.json()["errors"]
    assert not Announcement.objects.exists()


def test_anyone_objects_without_signing_in_and_gets_a_tracking_number(handler) -> None:
    set_budget("9000000")
    application = approved_quickly()
    announcement = publish(handler, application)

    response = api(REMOTE_ADDR="198.51.100.7").post(
        f"/api/v1/announcements/{announcement.pk}/objections/",
        {**OBJECTION, "application": application.reference},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tracking_number"] == f"YY-{timezone.localdate().year}-000001"
    objection = Objection.objects.get()
    assert objection.entry.award.application == application
    assert objection.ip_address == "198.51.100.7"
    wrong = api().post(
        f"/api/v1/announcements/{announcement.pk}/objections/", {**OBJECTION, "entry": 999999}, format="json"
    )
    assert wrong.status_code == 400 and "entry" in wrong.json()["errors"]


def test_an_objection_after_the_period_is_a_409(handler) -> None:
    set_budget("9000000")
    announcement = publish(handler, approved_quickly(), today=timezone.localdate() - dt.timedelta(days=60))

    response = api().post(f"/api/v1/announcements/{announcement.pk}/objections/", OBJECTION, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "period_closed"
    assert announcement.ends_on.isoformat() in response.json()["detail"]
    assert not Objection.objects.exists()


def test_objections_are_throttled_per_address_page_and_api_together(handler) -> None:
    set_budget("9000000")
    announcement = publish(handler, approved_quickly())
    url = f"/api/v1/announcements/{announcement.pk}/objections/"
    for n in range(5):
        # A client-sent X-Forwarded-For does not open a new bucket.
        client = api(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        assert client.post(url, OBJECTION, format="json").status_code == 201

    refused = api(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.9.9.9").post(url, OBJECTION, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "Retry-After" in refused
    page = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="192.0.2.10").post(
        f"/announcements/{announcement.pk}/object/", OBJECTION
    )
    assert page.status_code == 429
    assert Objection.objects.count() == 5
    # Another address is not affected.
    assert api(REMOTE_ADDR="192.0.2.11").post(url, OBJECTION, format="json").status_code == 201


def test_officials_of_the_department_list_and_resolve_objections(handler, approver) -> None:
    set_budget("9000000")
    application = approved_quickly()
    announcement = publish(handler, application)
    entry = announcement.entries.get()
    objection = objection_lodge(actor=None, announcement=announcement, entry=entry, **OBJECTION)
    url = f"/api/v1/announcements/{announcement.pk}/objections/"

    assert api().get(url).status_code == 401
    assert api(OfficialFactory(role=OfficialRole.HANDLER, department="miit")).get(url).status_code == 403
    listed = api(handler).get(url).json()
    assert listed["results"][0]["tracking_number"] == objection.tracking_number
    assert listed["results"][0]["contact"] == "wang@example.com"

    resolve = f"{url}{objection.pk}/resolve/"
    assert api(handler).post(resolve, {"decision": "upheld", "resolution": "成立"}, format="json").status_code == 403
    assert api(approver).post(resolve, {"decision": "maybe", "resolution": "x"}, format="json").status_code == 400
    done = api(approver).post(resolve, {"decision": "upheld", "resolution": "经核实反映属实。"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "upheld"
    assert award_of(application).status == Award.Status.WITHDRAWN
    again = api(approver).post(resolve, {"decision": "dismissed", "resolution": "x"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_resolved"
    assert api(approver).get(f"/api/v1/announcements/{announcement.pk}/").json()["entries"][0]["status"] == "withdrawn"


def test_on_demand_finalisation_in_the_api(handler, approver) -> None:
    set_budget("9000000")
    running = publish(handler, approved_quickly())
    assert api(approver).post(f"/api/v1/announcements/{running.pk}/finalise/").status_code == 409
    assert api(handler).post(f"/api/v1/announcements/{running.pk}/finalise/").status_code == 403
    application = approved_quickly()
    ended = publish(handler, application, today=timezone.localdate() - dt.timedelta(days=60))

    response = api(approver).post(f"/api/v1/announcements/{ended.pk}/finalise/")

    assert response.status_code == 200
    assert response.json() == {"count": 1, "finalised": [application.reference]}
    assert refreshed(application).status == Status.FINAL


def test_the_schema_documents_the_endpoints() -> None:
    schema = api().get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/announcements/{id}/objections/"]
    assert "429" in paths["/api/v1/announcements/{id}/objections/"]["post"]["responses"]
    assert "post" in paths["/api/v1/announcements/"]
