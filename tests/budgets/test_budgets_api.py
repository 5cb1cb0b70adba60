"""/api/v1/budgets/: finance officers and administrators only (others 403, anonymous 401);
list, create, change; never below what is committed and paid."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import OfficialRole
from budgets.models import Budget
from budgets.services import budget_set
from tests.factories import EnterpriseUserFactory, OfficialFactory, incentive_by_code
from tests.support.auth import api_key
from tests.support.disbursement import QUALITY_AWARD, YEAR, final_award

LIST = "/api/v1/budgets/"


def api_as(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


@pytest.fixture
def users(db):
    return {
        "finance": OfficialFactory(role=OfficialRole.FINANCE, username="finance-1"),
        "administrator": OfficialFactory(role=OfficialRole.ADMINISTRATOR, username="admin-1"),
        "handler": OfficialFactory(role=OfficialRole.HANDLER, username="handler-1"),
        "approver": OfficialFactory(role=OfficialRole.APPROVER, username="approver-1"),
        "applicant": EnterpriseUserFactory(),
    }


# role × request → status: the permissions table of the budgets API.
ALLOWED = {"finance", "administrator"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "finance", "administrator", "handler", "approver", "applicant"])
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed_status"),
    [
        ("get", LIST, None, 200),
        ("post", LIST, {"incentive": QUALITY_AWARD, "fiscal_year": YEAR, "allocation": "5000000.00"}, 201),
        ("get", "detail", None, 200),
        ("patch", "detail", {"allocation": "7000000.00"}, 200),
        ("patch", LIST, {"incentive": "m3-little-giant", "fiscal_year": YEAR, "allocation": "7000000.00"}, 200),
    ],
)
def test_permissions(users, role, method, path, body, allowed_status) -> None:
    existing = budget_set(
        actor=users["finance"], incentive=incentive_by_code("m3-little-giant"), fiscal_year=YEAR, allocation=1
    )
    url = f"{LIST}{existing.pk}/" if path == "detail" else path
    client = api_as(None if role == "anonymous" else users[role])

    response = getattr(client, method)(url, body, format="json")

    expected = 401 if role == "anonymous" else allowed_status if role in ALLOWED else 403
    assert response.status_code == expected, response.content
    if expected in (401, 403):
        assert set(response.json()) == {"detail", "code", "errors"}
        assert Budget.objects.get(pk=existing.pk).allocation == Decimal("1.00")
        assert Budget.objects.count() == 1


@pytest.mark.django_db
def test_list_filters_and_figures(users) -> None:
    final_award("3000000")  # a 900,000,000 budget for the quality award, 3,000,000 committed
    budget_set(
        actor=users["finance"], incentive=incentive_by_code("m3-little-giant"), fiscal_year=YEAR - 1, allocation=10
    )
    client = api_as(users["finance"])

    body = client.get(LIST, {"fiscal_year": YEAR}).json()

    assert body["count"] == 1
    (budget,) = body["results"]
    assert budget["incentive"] == QUALITY_AWARD and budget["department"] == "amr" and budget["measure"] == 17
    assert (budget["allocation"], budget["committed"], budget["paid"], budget["remaining"]) == (
        "900000000.00",
        "3000000.00",
        "0.00",
        "897000000.00",
    )
    assert client.get(LIST, {"incentive": "m3-little-giant"}).json()["count"] == 1
    assert client.get(LIST, {"fiscal_year": "soon"}).status_code == 400
    assert client.get(LIST, {"incentive": "no-such-thing"}).status_code == 400


@pytest.mark.django_db
def test_create_change_and_refusals(users) -> None:
    client = api_as(users["finance"])
    created = client.post(
        LIST,
        {"incentive": "m15-international-standard-lead", "fiscal_year": YEAR, "allocation": "5000000"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["allocation"] == "5000000.00"
    again = client.post(
        LIST, {"incentive": "m15-international-standard-lead", "fiscal_year": YEAR, "allocation": "1"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert f"/api/v1/budgets/{created.json()['id']}/" in again.json()["detail"]

    not_money = client.post(
        LIST, {"incentive": "m17-quality-benchmark", "fiscal_year": YEAR, "allocation": "1"}, format="json"
    )
    assert not_money.status_code == 400 and "incentive" in not_money.json()["errors"]
    negative = client.post(LIST, {"incentive": QUALITY_AWARD, "fiscal_year": YEAR, "allocation": "-1"}, format="json")
    assert negative.status_code == 400 and "allocation" in negative.json()["errors"]
    assert client.post(LIST, "not json", content_type="application/json").status_code == 400

    award = final_award("3000000")
    budget = Budget.objects.get(incentive__code=QUALITY_AWARD)
    below = client.patch(f"{LIST}{budget.pk}/", {"allocation": "2999999.99"}, format="json")
    assert below.status_code == 400
    assert "3,000,000.00 CNY already committed or paid" in below.json()["errors"]["allocation"][0]
    changed = client.patch(f"{LIST}{budget.pk}/", {"allocation": "3000000"}, format="json")
    assert changed.status_code == 200 and changed.json()["remaining"] == "0.00"
    by_key = client.patch(
        LIST, {"incentive": QUALITY_AWARD, "fiscal_year": YEAR, "allocation": "4000000"}, format="json"
    )
    assert by_key.status_code == 200 and by_key.json()["remaining"] == "1000000.00"
    missing = client.patch(
        LIST, {"incentive": "m3-little-giant", "fiscal_year": YEAR, "allocation": "1"}, format="json"
    )
    assert missing.status_code == 404
    assert award.budget_id == budget.pk
    assert client.patch(f"{LIST}999999/", {"allocation": "1"}, format="json").status_code == 404


@pytest.mark.django_db
def test_list_queries_do_not_grow(users) -> None:
    client = api_as(users["finance"])
    budget_set(actor=users["finance"], incentive=incentive_by_code(QUALITY_AWARD), fiscal_year=YEAR, allocation=1)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for code in ("m3-little-giant", "m15-international-standard-lead", "m17-provincial-quality-award-org"):
        budget_set(actor=users["finance"], incentive=incentive_by_code(code), fiscal_year=YEAR, allocation=1)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 4
    assert len(many) == len(few)
