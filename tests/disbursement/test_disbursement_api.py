"""/api/v1/disbursements/: list, build, approve (four-eyes), payment file, the bank's results."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import OfficialRole
from budgets.models import Budget
from disbursement.models import DisbursementBatch, Payment
from disbursement.services import batch_build
from tests.factories import EnterpriseUserFactory, OfficialFactory
from tests.support.auth import api_key
from tests.support.disbursement import (
    STANDARD_LEAD,
    approved_batch,
    final_award,
    finance,
    results_csv,
    upload,
)

LIST = "/api/v1/disbursements/"


def api_as(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


@pytest.fixture
def officer(db):
    return finance("finance-1")


@pytest.fixture
def second(db):
    return finance("finance-2")


@pytest.mark.django_db
def test_only_finance_anonymous_401_others_403(officer, second) -> None:
    final_award()
    batch = approved_batch(officer, second)
    urls = [
        ("get", LIST),
        ("post", LIST),
        ("get", f"{LIST}{batch.pk}/"),
        ("get", f"{LIST}{batch.pk}/payments/"),
        ("post", f"{LIST}{batch.pk}/approve/"),
        ("get", f"{LIST}{batch.pk}/payment-file/?format=csv"),
        ("post", f"{LIST}{batch.pk}/results/"),
    ]
    others = [
        OfficialFactory(role=OfficialRole.HANDLER),
        OfficialFactory(role=OfficialRole.ADMINISTRATOR),
        EnterpriseUserFactory(),
    ]
    for method, url in urls:
        response = getattr(api_as(), method)(url)
        assert response.status_code == 401, url
        assert set(response.json()) == {"detail", "code", "errors"}
        for user in others:
            assert getattr(api_as(user), method)(url).status_code == 403, (url, user)
    assert api_as(officer).get(f"{LIST}999999/").status_code == 404
    assert api_as(officer).get(f"{LIST}999999/payment-file/?format=csv").status_code == 404


@pytest.mark.django_db
def test_build_approve_file_and_results_through_the_api(officer, second, django_capture_on_commit_callbacks) -> None:
    paid_award = final_award("3000000")
    failed_award = final_award("1000000")
    no_account = final_award("500000", bank=False)
    client, other = api_as(officer), api_as(second)

    built = client.post(LIST, {"department": "amr"}, format="json")
    assert built.status_code == 201, built.content
    batch = built.json()["batch"]
    assert batch["status"] == "draft" and batch["payment_count"] == 2 and batch["total"] == "4000000.00"
    assert built.json()["skipped"][0]["application"] == no_account.application.reference
    assert client.post(LIST, {"department": "amr"}, format="json").status_code == 409
    assert client.post(LIST, {"department": "nowhere"}, format="json").status_code == 400

    base = f"{LIST}{batch['id']}/"
    early = client.get(f"{base}payment-file/?format=csv")
    assert early.status_code == 409 and early.json()["code"] == "conflict"
    four_eyes = client.post(f"{base}approve/")
    assert four_eyes.status_code == 403 and "Another finance officer" in four_eyes.json()["detail"]
    approved = other.post(f"{base}approve/")
    assert approved.status_code == 200 and approved.json()["approved_by"] == "finance-2"
    assert other.post(f"{base}approve/").status_code == 409

    payments = client.get(f"{base}payments/").json()["results"]
    assert {p["application"] for p in payments} == {
        paid_award.application.reference,
        failed_award.application.reference,
    }
    assert all(p["account_number"].startswith("*") for p in payments)

    response = client.get(f"{base}payment-file/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sum(Decimal(r[4]) for r in rows[1:]) == Decimal("4000000.00")
    xlsx = client.get(f"{base}payment-file/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    wrong = client.get(f"{base}payment-file/?format=pdf")
    assert wrong.status_code == 400 and "format" in wrong.json()["errors"]

    db_batch = DisbursementBatch.objects.get(pk=batch["id"])
    paid = db_batch.payments.get(award=paid_award)
    failed = db_batch.payments.get(award=failed_award)
    content = results_csv(
        [
            [paid.reference, "paid", "2026-11-02", "BK-1", "", "3000000.00"],
            [failed.reference, "failed", "", "", "账户冻结", ""],
        ]
    )
    dry = client.post(f"{base}results/", {"file": upload(content)}, format="multipart")
    assert dry.status_code == 200
    assert dry.json()["dry_run"] and not dry.json()["applied"]
    assert [r["outcome"] for r in dry.json()["rows"]] == ["will_pay", "will_fail"]
    assert [r["row"] for r in dry.json()["rows"]] == [2, 3]

    # Applying is a job (in-process here, after commit): 202 with the job to poll.
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(f"{base}results/", {"file": upload(content), "dry_run": "false"}, format="multipart")
    assert applied.status_code == 202, applied.content
    job_url = applied.json()["url"]
    assert applied["Location"] == job_url and job_url.startswith(f"{base}results/jobs/")
    polled = client.get(job_url).json()
    assert (polled["status"], polled["progress"], polled["total"], polled["done"]) == ("done", 100, 2, 2)
    assert (polled["paid"], polled["failed"], polled["already"], polled["errors"]) == (1, 1, 0, [])
    assert client.get(base).json()["status"] == "closed"
    with django_capture_on_commit_callbacks(execute=True):
        twice = client.post(f"{base}results/", {"file": upload(content), "dry_run": "false"}, format="multipart")
    assert twice.status_code == 202
    assert client.get(twice.json()["url"]).json()["already"] == 2
    budget = Budget.objects.get()
    assert budget.paid == Decimal("3000000.00") and budget.committed == Decimal("1500000.00")  # failed + no account
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 1


@pytest.mark.django_db
def test_results_errors_are_400_naming_row_and_field_and_apply_nothing(officer, second) -> None:
    final_award("3000000")
    batch = approved_batch(officer, second)
    reference = batch.payments.get().reference
    client = api_as(officer)
    url = f"{LIST}{batch.pk}/results/"
    content = results_csv(
        [[reference, "paid", "yesterday", "BK", "", ""], ["PF-0000", "paid", "2026-11-02", "B", "", ""]]
    )

    preview = client.post(url, {"file": upload(content)}, format="multipart")
    assert preview.status_code == 200 and not preview.json()["valid"]
    refused = client.post(url, {"file": upload(content), "dry_run": "false"}, format="multipart")

    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "invalid" and "nothing was applied" in body["detail"]
    assert set(body["errors"]) == {"row 2: paid_date", "row 3: payment_reference"}
    assert "“yesterday” is not a date" in body["errors"]["row 2: paid_date"][0]
    assert [r["outcome"] for r in body["rows"]] == ["invalid", "invalid"]
    assert not Payment.objects.filter(status=Payment.Status.PAID).exists()

    no_file = client.post(url, {"dry_run": "false"}, format="multipart")
    assert no_file.status_code == 400 and "file" in no_file.json()["errors"]
    bad_flag = client.post(url, {"file": upload(content), "dry_run": "perhaps"}, format="multipart")
    assert bad_flag.status_code == 400 and "dry_run" in bad_flag.json()["errors"]
    columns = client.post(url, {"file": upload(b"a,b\n1,2\n")}, format="multipart")
    assert columns.status_code == 400 and "no column" in columns.json()["errors"]["file"][0]
    binary = client.post(url, {"file": upload(b"PK\x03\x04\x00\x00junk", "r.xlsx")}, format="multipart")
    assert binary.status_code == 400 and "XLSX" in binary.json()["errors"]["file"][0]
    huge = client.post(url, {"file": upload(b"x" * (5 * 1024 * 1024 + 1))}, format="multipart")
    assert huge.status_code == 413

    final_award("1000", code=STANDARD_LEAD)
    draft_batch = batch_build(actor=officer).batch
    not_yet = client.post(f"{LIST}{draft_batch.pk}/results/", {"file": upload(content)}, format="multipart")
    assert not_yet.status_code == 409


@pytest.mark.django_db
def test_list_queries_do_not_grow(officer, second) -> None:
    client = api_as(officer)
    final_award("1000")
    batch_build(actor=officer)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).json()["count"] == 1
    for _ in range(3):
        final_award("1000")
        batch_build(actor=second)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 4
    assert len(many) == len(few)
    assert client.get(LIST, {"status": "draft"}).json()["count"] == 4
    assert client.get(LIST, {"status": "lost"}).status_code == 400

    payments_url = f"{LIST}{DisbursementBatch.objects.order_by('pk').first().pk}/payments/"
    with CaptureQueriesContext(connection) as one:
        client.get(payments_url)
    for _ in range(3):
        final_award("1000")
    bigger = batch_build(actor=officer).batch
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(f"{LIST}{bigger.pk}/payments/").json()["results"]) == 3
    assert len(three) == len(one)


@pytest.mark.django_db
def test_the_schema_documents_the_disbursement_api() -> None:
    schema = APIClient().get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for url in (
        "/api/v1/budgets/",
        "/api/v1/budgets/{id}/",
        "/api/v1/disbursements/",
        "/api/v1/disbursements/{id}/approve/",
        "/api/v1/disbursements/{id}/payment-file/",
        "/api/v1/disbursements/{id}/results/",
    ):
        assert url in paths, url
    results = paths["/api/v1/disbursements/{id}/results/"]["post"]
    assert "multipart/form-data" in results["requestBody"]["content"]
    assert {"200", "400", "401", "403", "404", "409", "413"} <= set(results["responses"])
    file_responses = paths["/api/v1/disbursements/{id}/payment-file/"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(file_responses)
