"""Finance's pages under /finance/: who may see them, budgets, building, approving, the payment
file, the results import with its preview, and query counts that do not grow with the rows."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import OfficialRole
from budgets.models import Budget
from budgets.services import budget_set
from disbursement.models import DisbursementBatch, Payment, ResultsJob
from disbursement.services import batch_build
from tests.factories import PASSWORD, EnterpriseUserFactory, OfficialFactory, incentive_by_code
from tests.support.disbursement import (
    QUALITY_AWARD,
    YEAR,
    approved_batch,
    ensure_budget,
    final_award,
    finance,
    paid_rows,
    results_csv,
    upload,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def officer(db):
    return finance("finance-1")


@pytest.fixture
def second(db):
    return finance("finance-2")


def page_urls(batch_pk: int) -> list[str]:
    return [
        reverse("disbursement:batches"),
        reverse("disbursement:build"),
        reverse("disbursement:batch", args=[batch_pk]),
        reverse("disbursement:results", args=[batch_pk]),
        reverse("disbursement:payment_file", args=[batch_pk, "csv"]),
    ]


# ── who may ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_finance_pages_are_for_finance_only_budgets_for_administrators_too(officer, second) -> None:
    final_award()
    batch = approved_batch(officer, second)
    handler = OfficialFactory(role=OfficialRole.HANDLER)
    admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
    applicant = EnterpriseUserFactory()

    for url in page_urls(batch.pk):
        assert Client().get(url).status_code == 302  # to sign in
        for user in (handler, admin, applicant):
            assert client_for(user).get(url).status_code == 403, (url, user)
        assert client_for(officer).get(url).status_code == 200, url
    budgets = reverse("disbursement:budgets")
    assert client_for(admin).get(budgets).status_code == 200
    assert client_for(officer).get(budgets).status_code == 200
    for user in (handler, applicant):
        assert client_for(user).get(budgets).status_code == 403
    assert client_for(officer).get(reverse("disbursement:batch", args=[batch.pk + 99])).status_code == 404


# ── budgets ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_budgets_page_lists_figures_and_sets_an_allocation(officer) -> None:
    final_award("3000000")  # commits 3,000,000 of 900,000,000
    client = client_for(officer)

    page = client.get(reverse("disbursement:budgets"), {"year": YEAR}).content.decode()
    assert "900,000,000.00" in page and "3,000,000.00" in page and "897,000,000.00" in page
    assert "Incentives without an allocation" in page

    response = client.post(
        reverse("disbursement:budgets"),
        {"incentive": QUALITY_AWARD, "fiscal_year": YEAR, "allocation": "2000000"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "3,000,000.00 CNY already committed or paid" in body
    assert Budget.objects.get(incentive__code=QUALITY_AWARD).allocation == Decimal("900000000.00")

    response = client.post(
        reverse("disbursement:budgets"),
        {"incentive": "m15-international-standard-lead", "fiscal_year": YEAR, "allocation": "5000000"},
    )
    assert response.status_code == 302
    assert Budget.objects.get(incentive__code="m15-international-standard-lead").allocation == Decimal("5000000.00")


@pytest.mark.django_db
def test_budgets_page_queries_do_not_grow_with_budgets(officer) -> None:
    client = client_for(officer)
    ensure_budget(QUALITY_AWARD)
    url = reverse("disbursement:budgets") + f"?year={YEAR}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for code in ("m15-international-standard-lead", "m3-little-giant", "m17-provincial-quality-award-org"):
        budget_set(actor=officer, incentive=incentive_by_code(code), fiscal_year=YEAR, allocation=Decimal(1000))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ── batches ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_build_preview_build_and_four_eyes_approval_on_the_pages(officer, second) -> None:
    award = final_award("3000000")
    no_account = final_award("1000000", bank=False)
    client = client_for(officer)

    preview = client.get(reverse("disbursement:build"), {"department": "amr"}).content.decode()
    assert award.application.reference in preview and no_account.application.reference in preview
    assert "No bank account: left out" in preview and "4,000,000.00" in preview

    response = client.post(reverse("disbursement:build"), {"department": "amr"}, follow=True)
    batch = DisbursementBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("disbursement:batch", args=[batch.pk])
    body = response.content.decode()
    assert f"Batch {batch.number} built with 1 payment" in body
    assert f"Left out {no_account.application.reference}" in body
    assert "another finance officer must approve it (four-eyes)" in body
    assert "Approve the batch" not in body

    refused = client.post(reverse("disbursement:approve", args=[batch.pk]), follow=True).content.decode()
    assert "Another finance officer must approve the batch" in refused
    batch.refresh_from_db()
    assert batch.status == DisbursementBatch.Status.DRAFT
    assert client.get(reverse("disbursement:payment_file", args=[batch.pk, "csv"])).status_code == 302

    other = client_for(second)
    assert "Approve the batch" in other.get(reverse("disbursement:batch", args=[batch.pk])).content.decode()
    other.post(reverse("disbursement:approve", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == DisbursementBatch.Status.APPROVED and batch.approved_by == second

    nothing = client.post(reverse("disbursement:build"), {"department": "amr"}).content.decode()
    assert "No award can be paid" in nothing and no_account.application.reference in nothing


@pytest.mark.django_db
def test_payment_file_downloads_total_the_batch(officer, second) -> None:
    for amount in ("3000000", "1500000.50"):
        final_award(amount, payee="=cmd|' /C calc'!A0")
    batch = approved_batch(officer, second)
    client = client_for(officer)

    response = client.get(reverse("disbursement:payment_file", args=[batch.pk, "csv"]))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert f'filename="{batch.number}-payment-file.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sum(Decimal(r[4]) for r in rows[1:]) == Decimal("4500000.50")
    assert {r[1] for r in rows[1:]} == {"'=cmd|' /C calc'!A0"}

    response = client.get(reverse("disbursement:payment_file", args=[batch.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))[1:]
    assert sum(Decimal(str(v[4])) for v in values) == Decimal("4500000.50")
    assert client.get(reverse("disbursement:payment_file", args=[batch.pk, "pdf"])).status_code == 404


@pytest.mark.django_db
def test_results_preview_then_confirm_records_once(officer, second, django_capture_on_commit_callbacks) -> None:
    final_award("3000000")
    final_award("1000000")
    batch = approved_batch(officer, second)
    paid, failed = batch.payments.order_by("reference")
    rows = [paid_rows(batch)[0], [failed.reference, "failed", "", "", "户名不符", ""]]
    client = client_for(officer)
    url = reverse("disbursement:results", args=[batch.pk])

    assert "Check the file" in client.get(url).content.decode()
    preview = client.post(url, {"file": upload(results_csv(rows))}).content.decode()
    assert "Will be recorded as paid" in preview and "Will be recorded as failed" in preview
    assert Payment.objects.filter(status=Payment.Status.PENDING).count() == 2
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)

    with django_capture_on_commit_callbacks(execute=True):  # the job runs in-process after commit
        confirmed = client.post(reverse("disbursement:results_confirm", args=[batch.pk]), {"token": token})
    job = ResultsJob.objects.get()
    assert confirmed["Location"] == reverse("disbursement:results_job", args=[batch.pk, job.pk])
    done = client.get(confirmed["Location"])
    assert "1 paid, 1 failed, 0 already recorded." in done.content.decode()
    assert 'http-equiv="refresh"' not in done.content.decode()  # done: the page stops refreshing
    assert Payment.objects.get(pk=paid.pk).status == Payment.Status.PAID
    assert Payment.objects.get(pk=failed.pk).status == Payment.Status.FAILED

    # The confirmation cannot be replayed, and the same file again changes nothing.
    replay = client.post(reverse("disbursement:results_confirm", args=[batch.pk]), {"token": token}, follow=True)
    assert "The preview has expired" in replay.content.decode()
    again = client.post(url, {"file": upload(results_csv(rows))}).content.decode()
    assert "Every row of this file is already recorded" in again and 'name="token"' not in again
    assert Budget.objects.get().paid == Decimal("3000000.00")

    # Another officer cannot use a token made for someone else.
    stolen = client_for(second).post(reverse("disbursement:results_confirm", args=[batch.pk]), {"token": token})
    assert stolen.status_code in (302, 403)


@pytest.mark.django_db
def test_results_preview_shows_each_error_with_row_and_field(officer, second) -> None:
    final_award("3000000")
    batch = approved_batch(officer, second)
    reference = batch.payments.get().reference
    client = client_for(officer)
    content = results_csv([[reference, "paid", "2026-13-01", "BK", "", "1.00"], ["NOPE", "maybe", "", "", "", ""]])

    body = client.post(reverse("disbursement:results", args=[batch.pk]), {"file": upload(content)}).content.decode()

    assert "There is a problem with the file" in body
    assert 'href="#row-2">Row 2, paid date: “2026-13-01” is not a date' in body
    assert 'href="#row-2">Row 2, amount: The amount 1.00 differs' in body
    assert 'href="#row-3">Row 3, payment reference: There is no payment NOPE' in body
    assert 'name="token"' not in body

    bad = client.post(reverse("disbursement:results", args=[batch.pk]), {"file": upload(b"\x00\x01", "x.pdf")})
    assert "Upload a CSV or XLSX file." in bad.content.decode()


@pytest.mark.django_db
def test_batch_list_and_detail_queries_do_not_grow(officer, second) -> None:
    client = client_for(officer)
    final_award("1000")
    first = batch_build(actor=second).batch  # a draft with one payment, built by the other officer

    def count(url: str) -> int:
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    list_before = count(reverse("disbursement:batches"))
    detail_before = count(reverse("disbursement:batch", args=[first.pk]))

    for _ in range(4):
        final_award("2000")
    larger = batch_build(actor=second).batch  # four payments
    for _ in range(2):
        final_award("3000")
    batch_build(actor=second)

    assert count(reverse("disbursement:batches")) == list_before
    assert count(reverse("disbursement:batch", args=[larger.pk])) == detail_before


def test_a_draft_is_discarded_from_its_page_and_through_the_api(officer, second) -> None:
    from rest_framework.test import APIClient

    final_award("3000000")
    client = client_for(officer)
    client.post(reverse("disbursement:build"), {"department": "amr"})
    draft = DisbursementBatch.objects.get()
    page = client.get(reverse("disbursement:batch", args=[draft.pk])).content.decode()
    assert reverse("disbursement:discard", args=[draft.pk]) in page and "Discard the batch" in page
    response = client.post(reverse("disbursement:discard", args=[draft.pk]), {"reason": "账户待核实"}, follow=True)
    assert "is discarded" in response.content.decode()
    assert DisbursementBatch.objects.get(pk=draft.pk).status == DisbursementBatch.Status.DISCARDED

    api = APIClient()
    api.force_authenticate(second)
    url = f"/api/v1/disbursements/{draft.pk}/discard/"
    again = api.post(url, {"reason": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "only a draft" in again.json()["detail"]
