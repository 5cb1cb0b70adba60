"""GET /api/v1/calls/ (anyone; status and incentive filters; paginated), /api/v1/calls/{id}/, and
each application's call in the applicant's API."""

from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from calls.models import Call
from tests.applications.helpers import FIXED, PER_UNIT
from tests.calls.conftest import at
from tests.factories import EnterpriseUserFactory

pytestmark = pytest.mark.django_db

NOW = "2026-03-10 10:00"


@pytest.fixture
def three_calls(make_call: Callable[..., Call]) -> dict[str, Call]:
    return {
        "closed": make_call(FIXED, opens="2026-01-05 09:00", closes="2026-02-05 17:00", title="已截止"),
        "open": make_call(PER_UNIT, FIXED, opens="2026-03-01 09:00", closes="2026-03-31 17:00", title="本批"),
        "upcoming": make_call(PER_UNIT, opens="2026-06-01 09:00", closes="2026-06-30 17:00", title="下一批"),
    }


def _ids(response: object) -> list[int]:
    return [row["id"] for row in response.json()["results"]]  # type: ignore[attr-defined]


def test_anyone_lists_calls_newest_first_with_their_status(
    three_calls: dict[str, Call], api_client: Callable[..., object]
) -> None:
    with time_machine.travel(at(NOW), tick=False):
        response = api_client().get(reverse("api-calls"))  # type: ignore[attr-defined]
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert _ids(response) == [three_calls[k].pk for k in ("upcoming", "open", "closed")]
    opened = body["results"][1]
    assert opened["status"] == "open"
    assert opened["incentives"] == sorted([FIXED, PER_UNIT])
    assert opened["fiscal_year"] == 2026
    assert opened["opens_at"] == "2026-03-01T09:00:00+08:00"
    assert opened["closes_at"] == "2026-03-31T17:00:00+08:00"
    assert opened["review_path"] == "province"
    assert opened["money_available"] == "5000000.00"
    assert opened["title"] == "Call for applications 2026"  # English, as asked


@pytest.mark.parametrize("status", ["open", "upcoming", "closed"])
def test_the_status_filter_is_as_of_now(
    three_calls: dict[str, Call], api_client: Callable[..., object], status: str
) -> None:
    with time_machine.travel(at(NOW), tick=False):
        response = api_client().get(reverse("api-calls"), {"status": status})  # type: ignore[attr-defined]
    assert _ids(response) == [three_calls[status].pk]
    assert response.json()["results"][0]["status"] == status


def test_the_incentive_filter_and_a_bad_status(three_calls: dict[str, Call], api_client: Callable[..., object]) -> None:
    client = api_client()
    with time_machine.travel(at(NOW), tick=False):
        by_incentive = client.get(reverse("api-calls"), {"incentive": PER_UNIT})  # type: ignore[attr-defined]
        both = client.get(reverse("api-calls"), {"incentive": PER_UNIT, "status": "open"})  # type: ignore[attr-defined]
        bad = client.get(reverse("api-calls"), {"status": "soon"})  # type: ignore[attr-defined]
    assert _ids(by_incentive) == [three_calls["upcoming"].pk, three_calls["open"].pk]
    assert _ids(both) == [three_calls["open"].pk]
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid" and "status" in bad.json()["errors"]


def test_one_call_and_a_missing_one(three_calls: dict[str, Call], api_client: Callable[..., object]) -> None:
    client = api_client()
    with time_machine.travel(at("2026-02-05 17:00"), tick=False):
        found = client.get(reverse("api-call", args=[three_calls["closed"].pk]))  # type: ignore[attr-defined]
    missing = client.get(reverse("api-call", args=[999999]))  # type: ignore[attr-defined]
    assert found.status_code == 200
    assert found.json()["status"] == "closed"  # closed from its closing minute
    assert found.json()["notice_pdf"] is None
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_each_application_carries_its_call(three_calls: dict[str, Call], api_client: Callable[..., object]) -> None:
    user: User = EnterpriseUserFactory()
    client = api_client(user)
    with time_machine.travel(at(NOW), tick=False):
        created = client.post(  # type: ignore[attr-defined]
            reverse("api-applications"), {"incentive": FIXED, "fiscal_year": 2026}, format="json"
        )
        chosen = client.post(  # type: ignore[attr-defined]
            reverse("api-applications"),
            {"incentive": PER_UNIT, "fiscal_year": 2026, "call": three_calls["upcoming"].pk},
            format="json",
        )
        listed = client.get(reverse("api-applications"))  # type: ignore[attr-defined]
    assert created.status_code == 201 and created.json()["call"] == three_calls["open"].pk
    assert chosen.status_code == 201 and chosen.json()["call"] == three_calls["upcoming"].pk
    assert sorted(row["call"] for row in listed.json()["results"]) == sorted(
        [three_calls["open"].pk, three_calls["upcoming"].pk]
    )


def test_the_schema_documents_the_calls_api(api_client: Callable[..., object]) -> None:
    schema = api_client().get(reverse("api-schema"), {"format": "json"}).json()  # type: ignore[attr-defined]
    assert "/api/v1/calls/" in schema["paths"] and "/api/v1/calls/{id}/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/calls/"]["get"]["parameters"]}
    assert {"status", "incentive", "page", "page_size"} <= parameters
