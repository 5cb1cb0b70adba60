"""The bank's files speak the portal's language: the payment file's headings (and the incentive)
in Chinese by default and in English when the portal speaks English; the results import reads
either language's headings and statuses (已支付 / 支付成功 / paid, 支付失败 / failed …)."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from disbursement.models import Payment
from disbursement.payment_file import payment_file_csv, payment_file_xlsx
from disbursement.resources import read_results_file
from disbursement.results import Outcome, payment_results_check, results_job_run, results_job_start
from disbursement.services import payment_file_open
from tests.support.disbursement import approved_batch, final_award, finance, results_csv, upload

pytestmark = pytest.mark.django_db

CHINESE_HEADERS = ["拨付编号", "收款人", "开户银行", "银行账号", "金额", "申报编号", "支持事项"]
ENGLISH_HEADERS = [
    "payment reference",
    "payee",
    "bank",
    "account number",
    "amount",
    "application reference",
    "incentive",
]


@pytest.fixture
def batch():
    final_award("3000000")
    final_award("1000000")
    return approved_batch(finance("finance-1"), finance("finance-2"))


def _csv(batch, language: str) -> list[list[str]]:
    with translation.override(language):
        lines = payment_file_csv(payment_file_open(actor=finance("finance-1"), batch=batch, file_format="csv"))
    # Written after the language is gone, as a streamed response is: the headings were fixed on opening.
    return list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))


@pytest.mark.parametrize(("language", "headers"), [("zh-hans", CHINESE_HEADERS), ("en", ENGLISH_HEADERS)])
def test_the_payment_file_speaks_the_portals_language(batch, language: str, headers: list[str]) -> None:
    rows = _csv(batch, language)
    assert rows[0] == headers
    names = {row[6] for row in rows[1:]}
    payment = Payment.objects.select_related("award__application__incentive").first()
    incentive = payment.award.application.incentive
    assert names == {incentive.name if language == "zh-hans" else incentive.name_en}

    with translation.override(language):
        handle = payment_file_xlsx(
            payment_file_open(actor=finance("finance-1"), batch=batch, file_format="xlsx"), title=batch.number
        )
    sheet = load_workbook(handle, read_only=True).active
    assert list(next(sheet.iter_rows(values_only=True))) == headers


def test_the_payment_file_page_is_chinese_by_default(batch) -> None:
    client = Client()
    client.force_login(finance("finance-1"))
    response = client.get(f"/finance/batches/{batch.pk}/payment-file/csv/")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    assert next(csv.reader(io.StringIO(text))) == CHINESE_HEADERS


def _results(batch, header: list[str], paid: str, failed: str) -> bytes:
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    first, second = batch.payments.order_by("reference")
    return results_csv(
        [
            [first.reference, paid, yesterday, "BK0001", "", f"{first.amount:.2f}"],
            [second.reference, failed, "", "", "户名与账号不符", f"{second.amount:.2f}"],
        ],
        header=header,
    )


CHINESE_RESULTS = ["拨付编号", "状态", "支付日期", "银行流水号", "失败原因", "金额"]
ENGLISH_RESULTS = ["payment reference", "status", "paid date", "bank reference", "failure reason", "amount"]


@pytest.mark.parametrize(
    ("header", "paid", "failed"),
    [
        (CHINESE_RESULTS, "已支付", "支付失败"),
        (CHINESE_RESULTS, "支付成功", "失败"),
        (ENGLISH_RESULTS, "paid", "failed"),
        (ENGLISH_RESULTS, "PAID", "Failed"),
        (["付款参考号", "Status", "支付日期", "Bank reference", "原因", "金额"], "paid", "支付失败"),
    ],
)
def test_the_results_import_reads_chinese_and_english_headings_and_statuses(batch, header, paid, failed) -> None:
    officer = finance("finance-1")
    content = _results(batch, header, paid, failed)
    report = payment_results_check(actor=officer, batch=batch, dataset=read_results_file(upload(content)))
    assert report.valid, [row.errors for row in report.rows]
    assert [row.outcome for row in report.rows] == [Outcome.WILL_PAY, Outcome.WILL_FAIL]

    job = results_job_start(actor=officer, batch=batch, dataset=read_results_file(upload(content)), file_name="r.csv")
    results_job_run(job_id=job.pk)
    assert sorted(batch.payments.values_list("status", flat=True)) == [Payment.Status.FAILED, Payment.Status.PAID]


def test_the_payment_file_read_back_as_results_with_chinese_statuses(batch) -> None:
    """The bank may send our own Chinese payment file back with a status column added."""
    rows = _csv(batch, "zh-hans")
    header = [*rows[0], "状态", "支付日期", "银行流水号"]
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    body = [[*row, "已支付", yesterday, f"BK{n}"] for n, row in enumerate(rows[1:])]
    out = io.StringIO()
    csv.writer(out).writerows([header, *body])
    report = payment_results_check(
        actor=finance("finance-1"), batch=batch, dataset=read_results_file(upload(out.getvalue().encode()))
    )
    assert report.valid, [row.errors for row in report.rows]
    assert {row.outcome for row in report.rows} == {Outcome.WILL_PAY}


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "“pending” is not a status: enter “paid” or “failed”."), ("zh-hans", "“pending”不是有效状态")],
)
def test_an_unknown_status_is_explained_in_the_users_language(batch, language: str, expected: str) -> None:
    content = _results(batch, ENGLISH_RESULTS, "pending", "failed")
    with translation.override(language):
        report = payment_results_check(
            actor=finance("finance-1"), batch=batch, dataset=read_results_file(upload(content))
        )
        message = report.rows[0].errors["status"][0]
    assert not report.valid
    assert expected in message
