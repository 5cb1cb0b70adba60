"""Proactive awards through the API: lists (administrators), import with dry run and row errors,
confirm-offer and decline-offer (the enterprise), in the portal's error format."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from awards.models import Award
from budgets.models import Budget
from budgets.services import budget_set
from proactive.models import ProactiveList
from tests.factories import BankAccountFactory, EnterpriseUserFactory, OfficialFactory, make_uscc

CHAMPION = "m3-national-single-champion"
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _english(settings: object, tmp_path: object) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


def api_for(user: User | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def admin(db: None) -> User:
    return OfficialFactory(role=OfficialRole.ADMINISTRATOR)


@pytest.fixture
def champion(db: None) -> User:
    return EnterpriseUserFactory(applicant__name="深圳市冠军科技有限公司")


def upload(*rows: tuple[str, str]) -> SimpleUploadedFile:
    text = "统一社会信用代码,企业名称,年度\n" + "".join(f"{code},{name},{YEAR}\n" for code, name in rows)
    return SimpleUploadedFile("list.csv", text.encode(), "text/csv")


def post_list(client: APIClient, *rows: tuple[str, str], **fields: object) -> object:
    data = {
        "file": upload(*rows),
        "incentive": CHAMPION,
        "qualification": "national_single_champion",
        "year": YEAR,
        "amount": "500000",
        **fields,
    }
    return client.post("/api/v1/proactive-lists/", data, format="multipart")


@pytest.mark.django_db
def test_dry_run_then_import(admin: User, champion: User) -> None:
    client = api_for(admin)
    unregistered = make_uscc(900101)
    rows = ((champion.applicant.uscc, champion.applicant.name), (unregistered, "未注册公司"))
    preview = post_list(client, *rows, dry_run="true")
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert body["dry_run"] is True and body["award_list"] is None
    assert body["qualification"] == "national_single_champion"
    assert [(r["row"], r["outcome"]) for r in body["rows"]] == [(2, "offer"), (3, "unmatched")]
    assert body["amount"] == "500000.00" and body["offer_count"] == 1 and body["unmatched_count"] == 1
    assert any("500,000.00" in line for line in body["amount_trace"])
    assert not ProactiveList.objects.exists() and not Application.objects.exists()

    created = post_list(client, *rows, qualification="")
    assert created.status_code == 201, created.json()
    body = created.json()
    offer = Application.objects.get()
    assert body["offers"] == [offer.reference]
    assert body["award_list"]["rows"] == 2 and body["award_list"]["offers"] == 1
    assert body["award_list"]["amount"] == "500000.00"

    listed = client.get("/api/v1/proactive-lists/").json()
    assert listed["count"] == 1 and listed["results"][0]["incentive"] == CHAMPION
    list_id = listed["results"][0]["id"]
    assert client.get(f"/api/v1/proactive-lists/{list_id}/").json()["matched"] == 1
    waiting = client.get(f"/api/v1/proactive-lists/{list_id}/rows/?state=unmatched").json()
    assert [r["uscc"] for r in waiting["results"]] == [unregistered]
    offered = client.get(f"/api/v1/proactive-lists/{list_id}/rows/?state=offer").json()["results"]
    assert offered[0]["offer"] == offer.reference and offered[0]["offer_status"] == "offered"
    assert client.get(f"/api/v1/proactive-lists/{list_id}/rows/?state=nonsense").status_code == 400


@pytest.mark.django_db
def test_row_errors_come_back_by_row_and_field(admin: User) -> None:
    code = make_uscc(900102)
    response = post_list(api_for(admin), (code, "甲"), (code, "乙"), ("9144030012345678", "丙"), (make_uscc(9), ""))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"rows.3.uscc", "rows.4.uscc", "rows.5.name"}
    assert "row 2" in body["errors"]["rows.3.uscc"][0]
    assert "18 characters" in body["errors"]["rows.4.uscc"][0]
    assert not ProactiveList.objects.exists()


@pytest.mark.django_db
def test_bad_parameters_are_400_with_fields(admin: User) -> None:
    client = api_for(admin)
    no_amount = post_list(client, (make_uscc(900103), "甲"), amount="")
    assert no_amount.status_code == 400 and "amount" in no_amount.json()["errors"]
    for written in ("60万", "1e9", "500,000"):  # the API takes plain decimals only
        refused = post_list(client, (make_uscc(900103), "甲"), amount=written)
        assert refused.status_code == 400 and "amount" in refused.json()["errors"], written
    unknown = post_list(client, (make_uscc(900103), "甲"), incentive="no-such-thing")
    assert unknown.status_code == 400 and "incentive" in unknown.json()["errors"]
    recognition = post_list(client, (make_uscc(900103), "甲"), incentive="m17-quality-benchmark")
    assert recognition.status_code == 400 and "incentive" in recognition.json()["errors"]
    bad_year = post_list(client, (make_uscc(900103), "甲"), year=1990)
    assert bad_year.status_code == 400 and "year" in bad_year.json()["errors"]
    not_a_list = client.post(
        "/api/v1/proactive-lists/",
        {
            "file": SimpleUploadedFile("x.csv", b"hello\n"),
            "incentive": CHAMPION,
            "qualification": "national_single_champion",
            "year": YEAR,
            "amount": "1",
        },
        format="multipart",
    )
    assert not_a_list.status_code == 400 and "file" in not_a_list.json()["errors"]


@pytest.mark.django_db
def test_only_administrators_use_the_lists(champion: User) -> None:
    assert api_for(None).get("/api/v1/proactive-lists/").status_code == 401
    refused = api_for(champion).get("/api/v1/proactive-lists/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert post_list(api_for(champion), (make_uscc(900104), "甲")).status_code == 403
    assert api_for(champion).get("/api/v1/proactive-lists/1/rows/").status_code == 403


@pytest.mark.django_db
def test_the_list_endpoint_query_count_does_not_grow(admin: User) -> None:
    client = api_for(admin)
    post_list(client, (make_uscc(900110), "甲"))
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/proactive-lists/")
    for n in range(3):
        post_list(client, (EnterpriseUserFactory().applicant.uscc, f"乙{n}"), (make_uscc(900120 + n), f"丙{n}"))
    with CaptureQueriesContext(connection) as four:
        assert client.get("/api/v1/proactive-lists/").json()["count"] == 4
    assert len(four) == len(one)


@pytest.fixture
def offer(admin: User, champion: User) -> Application:
    assert post_list(api_for(admin), (champion.applicant.uscc, champion.applicant.name)).status_code == 201
    application = Application.objects.get()
    budget_set(
        actor=OfficialFactory(role=OfficialRole.FINANCE),
        incentive=application.incentive,
        fiscal_year=YEAR,
        allocation=Decimal("600000"),
    )
    return application


@pytest.mark.django_db
def test_confirm_offer(champion: User, offer: Application) -> None:
    client = api_for(champion)
    url = f"/api/v1/applications/{offer.reference}/confirm-offer/"
    no_account = client.post(url)
    assert no_account.status_code == 409 and no_account.json()["code"] == "bank_account_required"
    BankAccountFactory(applicant=champion.applicant)
    confirmed = client.post(url)
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "approved"
    assert Award.objects.get().amount == Decimal("500000.00")
    again = client.post(url)
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"


@pytest.mark.django_db
def test_confirm_offer_over_budget_is_409_with_what_is_left(champion: User, offer: Application) -> None:
    BankAccountFactory(applicant=champion.applicant)
    Budget.objects.update(committed=Decimal("200000"))
    response = api_for(champion).post(f"/api/v1/applications/{offer.reference}/confirm-offer/")
    assert response.status_code == 409
    assert response.json()["code"] == "over_budget" and "400,000.00" in response.json()["detail"]
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED


@pytest.mark.django_db
def test_decline_offer(champion: User, offer: Application) -> None:
    response = api_for(champion).post(
        f"/api/v1/applications/{offer.reference}/decline-offer/", {"reason": "不需要"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert not Award.objects.exists()


@pytest.mark.django_db
def test_another_enterprise_gets_404(offer: Application) -> None:
    stranger = EnterpriseUserFactory()
    BankAccountFactory(applicant=stranger.applicant)
    for action in ("confirm-offer", "decline-offer"):
        response = api_for(stranger).post(f"/api/v1/applications/{offer.reference}/{action}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_for(None).post(f"/api/v1/applications/{offer.reference}/confirm-offer/").status_code == 401
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED


@pytest.mark.django_db
def test_the_schema_documents_the_endpoints(admin: User) -> None:
    schema = api_for(admin).get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/proactive-lists/",
        "/api/v1/proactive-lists/{id}/rows/",
        "/api/v1/applications/{reference}/confirm-offer/",
        "/api/v1/applications/{reference}/decline-offer/",
    ):
        assert path in schema["paths"], path
    responses = schema["paths"]["/api/v1/applications/{reference}/confirm-offer/"]["post"]["responses"]
    assert {"200", "404", "409"} <= set(responses)
