"""Recovery through the API: `recover` as a review step of /api/v1/applications/{reference}/,
/api/v1/recoveries/ and its refunds, with API.md's error format and who may see and do what."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import OfficialRole
from applications.models import Status
from recovery.models import Recovery
from tests.applications.helpers import complete_draft
from tests.support.recovery import applicant_user, fresh, paid_award

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def recover_url(award) -> str:
    return f"/api/v1/applications/{award.application.reference}/recover/"


BODY = {"amount": "1000000.00", "reasons": "材料不实。", "ban_years": 0}


def test_an_approver_recovers_and_finance_records_refunds_through_the_api(approver, finance_officer) -> None:
    award = paid_award("3000000")
    reviewer = api_as(approver)
    detail = reviewer.get(f"/api/v1/applications/{award.application.reference}/").json()
    assert detail["status"] == "paid"

    stale = reviewer.post(recover_url(award), {**BODY, "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "changed"
    for bad, field in (
        ({**BODY, "amount": "1e6"}, "amount"),
        ({**BODY, "amount": "3000000.01"}, "amount"),
        ({**BODY, "ban_years": 6}, "ban_years"),
        ({"amount": "1"}, "reasons"),
    ):
        refused = reviewer.post(recover_url(award), bad, format="json")
        assert refused.status_code == 400 and field in refused.json()["errors"], (bad, refused.json())

    made = reviewer.post(recover_url(award), {**BODY, "version": fresh(award.application).version}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    number = body["number"]
    assert (body["amount"], body["refunded"], body["outstanding"], body["complete"]) == (
        "1000000.00",
        "0.00",
        "1000000.00",
        False,
    )
    assert (
        body["application_status"] == "recovering"
        and body["links"]["refunds"] == f"/api/v1/recoveries/{number}/refunds/"
    )
    again = reviewer.post(recover_url(award), BODY, format="json")  # already recovering: not now
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"

    cashier = api_as(finance_officer)
    assert [r["number"] for r in cashier.get("/api/v1/recoveries/?awaiting=true").json()["results"]] == [number]
    refunds = f"/api/v1/recoveries/{number}/refunds/"
    today = timezone.localdate().isoformat()
    part = cashier.post(refunds, {"amount": "250000", "received_on": today, "bank_reference": "RF-1"}, format="json")
    assert part.status_code == 201 and part.json()["refunded"] == "250000.00"
    over = cashier.post(refunds, {"amount": "750000.01", "received_on": today, "bank_reference": "RF-2"}, format="json")
    assert over.status_code == 400 and "remains to be refunded" in over.json()["errors"]["amount"][0]
    twice = cashier.post(refunds, {"amount": "1", "received_on": today, "bank_reference": "RF-1"}, format="json")
    assert twice.status_code == 400 and "bank_reference" in twice.json()["errors"]
    plain = cashier.post(refunds, {"amount": "1e3", "received_on": today, "bank_reference": "RF-3"}, format="json")
    assert plain.status_code == 400 and "amount" in plain.json()["errors"]
    rest = cashier.post(refunds, {"amount": "750000", "received_on": today, "bank_reference": "RF-2"}, format="json")
    assert rest.status_code == 201 and rest.json()["complete"] and rest.json()["application_status"] == "recovered"
    done = cashier.post(refunds, {"amount": "1", "received_on": today, "bank_reference": "RF-4"}, format="json")
    assert done.status_code == 409
    assert [r["bank_reference"] for r in cashier.get(refunds).json()["results"]] == ["RF-1", "RF-2"]
    assert cashier.get("/api/v1/recoveries/?awaiting=true").json()["count"] == 0
    assert cashier.get("/api/v1/recoveries/?awaiting=false").json()["count"] == 1


def test_who_may_recover_see_and_record_through_the_api(approver, handler, finance_officer, make_official) -> None:
    award = paid_award("3000000")
    other_department = make_official(OfficialRole.APPROVER, "miit")
    owner = applicant_user(award)
    assert api_as(None).post(recover_url(award), BODY, format="json").status_code == 401
    assert api_as(other_department).post(recover_url(award), BODY, format="json").status_code == 404
    assert api_as(owner).post(recover_url(award), BODY, format="json").status_code == 404
    for official in (handler, finance_officer):
        refused = api_as(official).post(recover_url(award), BODY, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "not_allowed", official
    assert not Recovery.objects.exists()

    number = api_as(approver).post(recover_url(award), BODY, format="json").json()["number"]

    refunds = f"/api/v1/recoveries/{number}/refunds/"
    body = {"amount": "1", "received_on": timezone.localdate().isoformat(), "bank_reference": "RF"}
    assert api_as(approver).post(refunds, body, format="json").status_code == 403
    assert api_as(handler).post(refunds, {}, format="json").status_code == 403  # 403 before the 400
    assert api_as(owner).post(refunds, body, format="json").status_code == 403

    # The applicant sees their own recovery, not another applicant's; officials of another department none.
    assert api_as(owner).get(f"/api/v1/recoveries/{number}/").json()["number"] == number
    stranger_award = paid_award("1000000")
    api_as(approver).post(recover_url(stranger_award), BODY, format="json")
    mine = api_as(owner).get("/api/v1/recoveries/").json()
    assert [r["number"] for r in mine["results"]] == [number]
    stranger = applicant_user(stranger_award)
    assert api_as(stranger).get(f"/api/v1/recoveries/{number}/").status_code == 404
    assert api_as(stranger).get(refunds).status_code == 404
    assert api_as(other_department).get("/api/v1/recoveries/").json()["count"] == 0
    assert api_as(other_department).get(f"/api/v1/recoveries/{number}/").status_code == 404
    assert api_as(finance_officer).get("/api/v1/recoveries/").json()["count"] == 2


def test_allowed_actions_offer_recover_to_the_approver_of_a_paid_award(approver, handler) -> None:
    award = paid_award("3000000")
    from applications.review_api import ReviewedApplicationSerializer

    class Request:
        def __init__(self, user):
            self.user = user

    application = fresh(award.application)
    approver_sees = ReviewedApplicationSerializer(application, context={"request": Request(approver)}).data
    handler_sees = ReviewedApplicationSerializer(application, context={"request": Request(handler)}).data
    assert approver_sees["allowed_actions"] == ["recover"]
    assert "recover" not in handler_sees["allowed_actions"]


def test_a_banned_applicant_gets_409_applicant_banned_when_submitting(approver) -> None:
    award = paid_award("3000000")
    api_as(approver).post(recover_url(award), {**BODY, "ban_years": 5}, format="json")
    recovery = Recovery.objects.get()
    owner = applicant_user(award)
    draft = complete_draft(owner, "m17-provincial-quality-award-org")

    response = api_as(owner).post(
        f"/api/v1/applications/{draft.pk}/submit/", {"credit_commitment": True}, format="json"
    )

    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "applicant_banned"
    assert recovery.banned_until.isoformat() in body["detail"] and recovery.number in body["detail"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    Recovery.objects.filter(pk=recovery.pk).update(banned_until=timezone.localdate() - dt.timedelta(days=1))
    assert (
        api_as(owner)
        .post(f"/api/v1/applications/{draft.pk}/submit/", {"credit_commitment": True}, format="json")
        .status_code
        == 200
    )


def test_the_recoveries_list_costs_the_same_queries_however_many(approver, finance_officer) -> None:
    client = api_as(finance_officer)
    award = paid_award("1000000")
    api_as(approver).post(recover_url(award), {**BODY, "amount": "1000"}, format="json")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/recoveries/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        more = paid_award("1000000")
        api_as(approver).post(recover_url(more), {**BODY, "amount": "1000"}, format="json")
    assert count() == one
    assert client.get("/api/v1/recoveries/").json()["count"] == 4


def test_the_schema_documents_recover_and_recoveries() -> None:
    schema = api_as(None).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    recover = paths["/api/v1/applications/{reference}/recover/"]["post"]
    reference = recover["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][reference]["properties"]) >= {"amount", "reasons", "ban_years"}
    assert {"201", "400", "409"} <= set(recover["responses"])
    assert "post" in paths["/api/v1/recoveries/{number}/refunds/"]
    assert "get" in paths["/api/v1/recoveries/"]
