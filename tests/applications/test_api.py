"""/api/v1/applications/...: the same services as the pages, in the portal's error format."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Notification
from applications.models import Application, Status
from applications.services import application_submit, application_withdraw
from measures.models import AmountParameter
from tests.support.auth import api_key

from .helpers import COST_SHARE, FIXED, PDF, PER_UNIT, answers_for, complete_draft, standard, upload

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
BASE = "/api/v1/applications/"
COMMITMENT = {"credit_commitment": True}  # 信用承诺: given on every submission


def create(client: APIClient, code: str, data: dict | None = None, year: int = YEAR):
    body = {"incentive": code, "fiscal_year": year}
    if data is not None:
        body["data"] = data
    return client.post(BASE, body, format="json")


def upload_mandatory(client: APIClient, key: str | int, application: Application) -> None:
    for required in application.incentive.required_documents.filter(is_mandatory=True):
        response = client.post(
            f"{BASE}{key}/documents/", {"file": upload("proof.pdf", PDF), "kind": required.pk}, format="multipart"
        )
        assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("code", "units", "measure", "amount"),
    [(FIXED, 0, 17, "3000000.00"), (PER_UNIT, 4, 15, "2000000.00"), (COST_SHARE, 0, 13, None)],
)
def test_draft_documents_and_submission_of_three_kinds(
    enterprise_user, api_client, django_capture_on_commit_callbacks, code, units, measure, amount
) -> None:
    answers = answers_for(code, units=units)
    client = api_client(enterprise_user)
    response = create(client, code)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["reference"] is None and body["key"] == str(body["id"])
    assert body["incentive"] == code and body["measure"] == measure and body["fiscal_year"] == YEAR
    assert set(body["problems"]) == {"claim", "contact", "documents"}
    key = body["id"]

    response = client.patch(f"{BASE}{key}/", {"data": answers, "version": body["version"]}, format="json")
    assert response.status_code == 200, response.json()
    assert set(response.json()["problems"]) == {"documents"}
    upload_mandatory(client, key, Application.objects.get(pk=key))
    assert client.get(f"{BASE}{key}/").json()["problems"] == {}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}{key}/submit/", COMMITMENT, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert re.fullmatch(rf"QB-{YEAR}-{measure:02d}-\d{{6}}", body["reference"])
    assert body["status"] == "submitted" and body["status_label"] == "Submitted"
    assert body["estimated_amount"] == amount
    assert body["amount_trace"]  # the stored trace, in the request's language
    if amount is None:
        assert any("set by the department" in line for line in body["amount_trace"])
    assert Notification.objects.filter(user=enterprise_user, subject__contains=body["reference"]).count() == 1
    # Readable by its reference from now on, with its documents.
    detail = client.get(f"{BASE}{body['reference']}/").json()
    assert detail["id"] == key and len(detail["documents"]) >= 1
    assert detail["documents"][0]["name"] == "proof.pdf"


def test_cost_share_with_a_rate_through_the_api(enterprise_user, api_client) -> None:
    AmountParameter.objects.filter(incentive__code=COST_SHARE, key="rate").update(value=Decimal("0.25"))
    client = api_client(enterprise_user)
    key = create(client, COST_SHARE, answers_for(COST_SHARE, investment="800000.00")).json()["id"]
    upload_mandatory(client, key, Application.objects.get(pk=key))
    body = client.post(f"{BASE}{key}/submit/", COMMITMENT, format="json").json()
    assert body["estimated_amount"] == "200000.00"
    assert "Eligible spending 800,000.00 CNY × 25% = 200,000.00 CNY." in body["amount_trace"]


def test_create_with_data_keeps_it_and_a_patch_merges_into_a_section(enterprise_user, api_client) -> None:
    client = api_client(enterprise_user)
    response = create(client, PER_UNIT, {"claim": {"summary": "两项", "standards": [standard(1), standard(2)]}})
    assert response.status_code == 201
    key = response.json()["id"]
    response = client.patch(f"{BASE}{key}/", {"data": {"claim": {"requested_amount": 800000}}}, format="json")
    claim = response.json()["data"]["claim"]
    assert claim["summary"] == "两项" and len(claim["standards"]) == 2
    assert claim["requested_amount"] == "800000"  # stored as text, the way the pages store it


def test_patch_saves_an_invalid_value_and_reports_it_as_a_problem(enterprise_user, api_client) -> None:
    client = api_client(enterprise_user)
    key = create(client, COST_SHARE).json()["id"]
    response = client.patch(f"{BASE}{key}/", {"data": {"claim": {"investment": "十二万"}}}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["claim"]["investment"] == "十二万"
    fields = [p["field"] for p in body["problems"]["claim"]]
    assert "investment" in fields and "summary" in fields
    assert Application.objects.get(pk=key).data["claim"]["investment"] == "十二万"


def test_patch_refuses_unknown_sections_and_fields_and_bad_shapes(enterprise_user, api_client) -> None:
    client = api_client(enterprise_user)
    key = create(client, FIXED).json()["id"]
    response = client.patch(f"{BASE}{key}/", {"data": {"nonsense": {"a": 1}}}, format="json")
    assert response.status_code == 400 and "data.nonsense" in response.json()["errors"]
    response = client.patch(f"{BASE}{key}/", {"data": {"claim": {"colour": "red"}}}, format="json")
    assert response.status_code == 400 and "data.claim" in response.json()["errors"]
    response = client.patch(f"{BASE}{key}/", {"data": {"claim": "text"}}, format="json")
    assert response.status_code == 400
    response = client.patch(f"{BASE}{key}/", {"data": {"claim": {"summary": {"nested": 1}}}}, format="json")
    assert response.status_code == 400
    assert Application.objects.get(pk=key).data == {}


def test_patch_with_a_stale_version_is_a_409_and_changes_nothing(enterprise_user, api_client) -> None:
    client = api_client(enterprise_user)
    body = create(client, FIXED).json()
    client.patch(f"{BASE}{body['id']}/", {"data": {"claim": {"summary": "第一次"}}}, format="json")
    response = client.patch(
        f"{BASE}{body['id']}/", {"data": {"claim": {"summary": "过期"}}, "version": body["version"]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "changed"
    assert Application.objects.get(pk=body["id"]).data["claim"]["summary"] == "第一次"


def test_patch_after_submission_is_a_409(enterprise_user, api_client) -> None:
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    response = api_client(enterprise_user).patch(
        f"{BASE}{application.reference}/", {"data": {"contact": {"contact_name": "x"}}}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "not_allowed"


def test_submitting_an_incomplete_draft_is_a_400_naming_each_section(enterprise_user, api_client) -> None:
    client = api_client(enterprise_user)
    key = create(client, FIXED, {"contact": answers_for(FIXED)["contact"]}).json()["id"]
    response = client.post(f"{BASE}{key}/submit/", COMMITMENT, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["non_field_errors"] == ["The application is not complete yet."]
    assert "claim" in errors and "documents" in errors and "contact" not in errors
    assert Application.objects.get(pk=key).status == Status.DRAFT


def test_submitting_twice_is_a_409(enterprise_user, api_client) -> None:
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    response = api_client(enterprise_user).post(f"{BASE}{application.reference}/submit/", COMMITMENT, format="json")
    assert response.status_code == 409


# ── the unique open application ─────────────────────────────────────────────────────────────


def test_a_second_open_application_is_a_409_and_after_withdrawal_a_new_one_is_allowed(
    enterprise_user, api_client
) -> None:
    client = api_client(enterprise_user)
    first = create(client, FIXED, answers_for(FIXED)).json()
    response = create(client, FIXED)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert "You already have an open application" in response.json()["detail"]
    assert Application.objects.count() == 1

    upload_mandatory(client, first["id"], Application.objects.get(pk=first["id"]))
    reference = client.post(f"{BASE}{first['id']}/submit/", COMMITMENT, format="json").json()["reference"]
    assert create(client, FIXED).status_code == 409  # a submitted one blocks too, until withdrawn
    response = client.post(f"{BASE}{reference}/withdraw/", {"reason": "重复申报"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    response = create(client, FIXED)
    assert response.status_code == 201
    assert response.json()["id"] != first["id"]


def test_create_refuses_unknown_incentives_wrong_applicant_types_and_years(
    enterprise_user, individual_user, api_client
) -> None:
    client = api_client(enterprise_user)
    response = create(client, "no-such-incentive")
    assert response.status_code == 400 and "incentive" in response.json()["errors"]
    response = create(client, FIXED, year=YEAR + 3)
    assert response.status_code == 400
    assert "The fiscal year must be between" in response.json()["errors"]["non_field_errors"][0]
    response = create(api_client(individual_user), FIXED)
    assert response.status_code == 400
    assert "applicants of the type" in response.json()["errors"]["non_field_errors"][0]
    assert client.post(BASE, {"fiscal_year": "soon"}, format="json").status_code == 400
    assert not Application.objects.exists()


def test_anonymous_is_401_and_a_user_without_an_applicant_may_not_apply(official, api_client) -> None:
    anonymous = api_client()
    assert anonymous.get(BASE).status_code == 401
    assert create(anonymous, FIXED).status_code == 401
    assert anonymous.get(f"{BASE}1/history/").status_code == 401
    response = create(api_client(official), FIXED)
    assert response.status_code == 403
    assert api_client(official).get(BASE).json()["results"] == []


def test_token_authentication(enterprise_user) -> None:
    token = api_key(enterprise_user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    response = create(client, FIXED)
    assert response.status_code == 201
    assert client.get(BASE).json()["count"] == 1


# ── list, withdraw, supplement, history ─────────────────────────────────────────────────────


def test_list_is_own_paginated_and_money_is_a_decimal_string(
    enterprise_user, other_enterprise_user, api_client
) -> None:
    application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    complete_draft(enterprise_user, PER_UNIT)
    complete_draft(other_enterprise_user, FIXED)
    body = api_client(enterprise_user).get(BASE, {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    everything = api_client(enterprise_user).get(BASE).json()["results"]
    assert {a["incentive"] for a in everything} == {FIXED, PER_UNIT}
    submitted = next(a for a in everything if a["reference"])
    assert submitted["estimated_amount"] == "3000000.00"
    assert submitted["next_step"] == "The department checks that the application is complete."


def test_withdrawing_a_draft_is_a_409(enterprise_user, api_client) -> None:
    draft = complete_draft(enterprise_user, FIXED)
    response = api_client(enterprise_user).post(f"{BASE}{draft.pk}/withdraw/", {}, format="json")
    assert response.status_code == 409
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_history_is_the_applicants_timeline(enterprise_user, api_client) -> None:
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    application_withdraw(actor=enterprise_user, application=application, reason="改年度申报")
    body = api_client(enterprise_user).get(f"{BASE}{application.reference}/history/").json()
    actions = [e["action"] for e in body["results"]]
    assert actions[0] == "application.create"
    assert actions[-2:] == ["application.submit", "application.withdraw"]
    assert "application.save" not in actions  # drafts' keystrokes are not the applicant's timeline
    withdrawal = body["results"][-1]
    assert withdrawal["status_before"] == "submitted" and withdrawal["status_after"] == "withdrawn"
    assert withdrawal["reason"] == "改年度申报" and withdrawal["actor_label"] == str(enterprise_user)
    assert set(withdrawal) == {"action", "at", "actor_label", "reason", "status_before", "status_after"}


def test_documents_list(enterprise_user, api_client) -> None:
    draft = complete_draft(enterprise_user, COST_SHARE)
    body = api_client(enterprise_user).get(f"{BASE}{draft.pk}/documents/").json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["format"] == "pdf" and first["kind_name"] and first["size"] == len(PDF)
    file = api_client(enterprise_user).get(first["url"])
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert file["X-Content-Type-Options"] == "nosniff"


def test_the_schema_documents_the_application_endpoints(api_client) -> None:
    paths = api_client().get("/api/schema/?format=json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/applications/"])
    assert {"get", "patch"} <= set(paths["/api/v1/applications/{reference}/"])
    upload_op = paths["/api/v1/applications/{reference}/documents/"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert {"201", "400", "404", "409", "413"} <= set(upload_op["responses"])
    for action in ("submit", "withdraw", "supplement", "history"):
        assert f"/api/v1/applications/{{reference}}/{action}/" in paths
