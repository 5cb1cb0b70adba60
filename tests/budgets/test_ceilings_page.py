"""Where the policy names no amount, the handling department's approver sets the year's ceiling
per award on a page and through the API; handlers read it; others are refused; all audited."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import OfficialRole
from audit.models import AuditEvent
from measures.models import YearCeiling
from tests.factories import EnterpriseUserFactory, incentive_by_code

pytestmark = pytest.mark.django_db

CHAMPION = "m3-national-single-champion"  # measure 3: the policy names no figure
CQA = "m17-china-quality-award-org"  # measure 17: a fixed grant, the policy names the figure
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def champion_approver(make_official):
    return make_official(OfficialRole.APPROVER, incentive_by_code(CHAMPION).handling_department.code)


@pytest.fixture
def champion_handler(make_official):
    return make_official(OfficialRole.HANDLER, incentive_by_code(CHAMPION).handling_department.code)


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _url(**query: object) -> str:
    return reverse("budgets:ceilings") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_an_approver_sets_the_ceiling_as_written_and_it_is_audited(champion_approver) -> None:
    client = _client(champion_approver)
    page = client.get(_url(year=YEAR)).content.decode()
    assert incentive_by_code(CHAMPION).name_en in page and "Not set: nothing can be approved" in page
    assert incentive_by_code(CQA).name_en not in page  # the policy names its figure
    response = client.post(_url(year=YEAR, incentive=CHAMPION), {f"{CHAMPION}-amount": "50万"})
    assert response.status_code == 302
    ceiling = YearCeiling.objects.get(incentive__code=CHAMPION, fiscal_year=YEAR)
    assert ceiling.amount == Decimal("500000.00") and ceiling.set_by == champion_approver
    event = AuditEvent.objects.get(action="ceiling.set")
    assert event.actor == champion_approver and event.after["amount"] == "500000.00"
    assert "500,000.00" in client.get(response["Location"]).content.decode()


def test_a_bad_amount_is_explained_and_nothing_is_set(champion_approver) -> None:
    response = _client(champion_approver).post(_url(year=YEAR, incentive=CHAMPION), {f"{CHAMPION}-amount": "-5"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not YearCeiling.objects.exists()


def test_a_handler_reads_but_cannot_set_and_others_are_refused(champion_handler, finance_officer) -> None:
    client = _client(champion_handler)
    page = client.get(_url(year=YEAR)).content.decode()
    assert incentive_by_code(CHAMPION).name_en in page and "Save the ceiling" not in page
    assert client.post(_url(year=YEAR, incentive=CHAMPION), {f"{CHAMPION}-amount": "1"}).status_code == 403
    assert _client(EnterpriseUserFactory()).get(_url()).status_code == 403
    assert not YearCeiling.objects.exists()
    # Finance reads all departments' ceilings but sets none.
    assert (
        _client(finance_officer).post(_url(year=YEAR, incentive=CHAMPION), {f"{CHAMPION}-amount": "1"}).status_code
        == 403
    )


def test_an_approver_of_another_department_sees_none_of_it(make_official) -> None:
    other = next(
        code for code in ("miit", "amr", "drc") if code != incentive_by_code(CHAMPION).handling_department.code
    )
    approver = make_official(OfficialRole.APPROVER, other)
    client = _client(approver)
    assert incentive_by_code(CHAMPION).name_en not in client.get(_url(year=YEAR)).content.decode()
    assert client.post(_url(year=YEAR, incentive=CHAMPION), {f"{CHAMPION}-amount": "1"}).status_code == 403


def test_the_api_lists_and_sets_ceilings(champion_approver, champion_handler) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(champion_approver)
    listed = {row["incentive"]: row for row in api.get("/api/v1/ceilings/", {"fiscal_year": YEAR}).json()}
    assert listed[CHAMPION]["amount"] is None and listed[CHAMPION]["may_set"] is True
    assert (
        api.post(
            "/api/v1/ceilings/", {"incentive": CHAMPION, "fiscal_year": YEAR, "amount": "1e9"}, format="json"
        ).status_code
        == 400
    )
    refused = api.post("/api/v1/ceilings/", {"incentive": CQA, "fiscal_year": YEAR, "amount": "1"}, format="json")
    assert refused.status_code in (400, 403)
    done = api.post(
        "/api/v1/ceilings/", {"incentive": CHAMPION, "fiscal_year": YEAR, "amount": "300000"}, format="json"
    )
    assert done.status_code == 200 and done.json()["amount"] == "300000.00"
    handler_api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    handler_api.force_authenticate(champion_handler)
    assert handler_api.get("/api/v1/ceilings/").json()[0]["may_set"] is False
    assert (
        handler_api.post(
            "/api/v1/ceilings/", {"incentive": CHAMPION, "fiscal_year": YEAR, "amount": "1"}, format="json"
        ).status_code
        == 403
    )
    assert YearCeiling.objects.get().amount == Decimal("300000.00")
