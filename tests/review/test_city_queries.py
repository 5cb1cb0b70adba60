"""The city bureau's recommendation pages and API run a fixed number of queries whatever the call's
size (issue 10): measured for a city official and for the call's provincial official, then again with
more applications in the city, more forwarded, another letter (superseding the first) with more
entries and another city's letter; and the list of calls reviewed by the city first, with more calls."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OfficialRole, User
from applications.city_letters import city_letter_issue
from applications.city_review import city_approve, city_propose
from applications.models import Application
from applications.services import application_submit
from calls.models import Call
from measures.vocabulary import GuangdongCity
from tests.support.city import city_official, draft_for, enterprise_in, open_call

from .conftest import fund

pytestmark = pytest.mark.django_db

FOSHAN, GUANGZHOU = GuangdongCity.FOSHAN, GuangdongCity.GUANGZHOU


@pytest.fixture
def bureau() -> dict[str, User]:
    return {
        f"{city}_{role}": city_official(getattr(OfficialRole, f"CITY_{role.upper()}"), city)
        for city in (FOSHAN, GUANGZHOU)
        for role in ("handler", "approver")
    }


@pytest.fixture
def call() -> Call:
    fund()
    return open_call(Call.ReviewPath.CITY_FIRST)


def _submitted(call: Call, city: str) -> Application:
    user = enterprise_in(city)
    return application_submit(actor=user, application=draft_for(user, call), credit_commitment=True)


def _forwarded(call: Call, city: str, bureau: dict[str, User]) -> Application:
    proposed = city_propose(
        actor=bureau[f"{city}_handler"], application=_submitted(call, city), recommend=True, reasons="龙头企业"
    )
    return city_approve(actor=bureau[f"{city}_approver"], application=proposed)


def _count(client, url: str) -> tuple[int, str, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    body = response.json() if url.startswith("/api/") else response.content.decode()
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries), body


def _references(body: Any, call: Call) -> int:
    """How often the call's applications' references show (in the lists and on the letters)."""
    text = json.dumps(body) if isinstance(body, dict) else body
    return sum(
        text.count(reference) for reference in Application.objects.filter(call=call).values_list("reference", flat=True)
    )


@pytest.mark.parametrize("who", ["foshan_handler", "foshan_approver", "province"])
@pytest.mark.parametrize("api", [False, True])
def test_the_city_list_does_not_grow_with_the_call(
    call: Call, bureau: dict[str, User], handler: User, page_client, api_client, who: str, api: bool
) -> None:
    user = handler if who == "province" else bureau[who]
    url = f"/api/v1/calls/{call.pk}/city-recommendations/" if api else f"/review/calls/{call.pk}/city/"
    client = api_client(user) if api else page_client(user)
    _submitted(call, FOSHAN)
    _forwarded(call, FOSHAN, bureau)
    city_letter_issue(actor=bureau["foshan_approver"], call=call)
    client.get(url)  # warm-up: the session's first read
    before, _sql, body = _count(client, url)
    # More of everything: applications, forwarded ones, a second Foshan letter with three entries
    # (the first superseded), and Guangzhou's letter.
    for _ in range(2):
        _submitted(call, FOSHAN)
        _forwarded(call, FOSHAN, bureau)
    _forwarded(call, GUANGZHOU, bureau)
    city_letter_issue(actor=bureau["foshan_approver"], call=call)
    city_letter_issue(actor=bureau["guangzhou_approver"], call=call)
    after, sql, body_after = _count(client, url)
    assert _references(body_after, call) > _references(body, call) > 0
    assert after == before, sql
    assert before <= 20, sql


@pytest.mark.parametrize("who", ["foshan_handler", "province"])
def test_the_city_calls_list_does_not_grow_with_the_calls(
    call: Call, bureau: dict[str, User], handler: User, page_client, who: str
) -> None:
    client = page_client(handler if who == "province" else bureau[who])
    client.get("/review/city/")
    before, _sql, body = _count(client, "/review/city/")
    for _ in range(3):
        open_call(Call.ReviewPath.CITY_FIRST)
    after, sql, body_after = _count(client, "/review/city/")
    assert body_after.count(call.title) == 4 > body.count(call.title) == 1
    assert after == before, sql
    assert before <= 10, sql
