"""Applying a bank's results as a Celery job: checked in the request, then each row recorded in its
own transaction with the job's progress — a crash loses nothing, a second run resumes and changes
nothing already recorded; the page shows progress and refreshes itself while it runs."""

import pytest
from django.test import Client
from django.utils import translation

from audit.models import AuditEvent
from budgets.models import Budget
from disbursement import results as results_module
from disbursement.models import DisbursementBatch, Payment, ResultsJob
from disbursement.resources import read_results_file
from disbursement.results import results_job_run, results_job_start
from disbursement.services import WrongState
from tests.support.disbursement import approved_batch, final_award, finance, paid_rows, results_csv, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def start(officer, batch, rows) -> ResultsJob:
    return results_job_start(
        actor=officer, batch=batch, dataset=read_results_file(upload(results_csv(rows))), file_name="results.csv"
    )


def three_payments():
    officer, second = finance("finance-1"), finance("finance-2")
    for amount in ("3000000", "2000000", "1000000"):
        final_award(amount)
    return officer, approved_batch(officer, second)


def test_the_job_records_every_row_and_its_page_shows_progress(django_capture_on_commit_callbacks) -> None:
    officer, batch = three_payments()
    rows = paid_rows(batch)

    job = start(officer, batch, rows)  # the task starts after commit

    assert (job.status, job.total, job.done, job.progress) == (ResultsJob.Status.QUEUED, 3, 0, 0)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    waiting = client.get(f"/finance/batches/{batch.pk}/results/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in waiting and "0% done" in waiting and "0 / 3" in waiting
    with pytest.raises(WrongState, match="being applied"):  # one job at a time per batch
        start(officer, batch, rows)

    done = results_job_run(job_id=job.pk)

    assert (done.status, done.done, done.progress, done.paid, done.already) == (ResultsJob.Status.DONE, 3, 100, 3, 0)
    assert done.started_at and done.finished_at
    assert Payment.objects.filter(batch=batch, status=Payment.Status.PAID).count() == 3
    assert DisbursementBatch.objects.get(pk=batch.pk).status == DisbursementBatch.Status.CLOSED
    finished = client.get(f"/finance/batches/{batch.pk}/results/jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in finished and "3 paid, 0 failed, 0 already recorded." in finished
    assert AuditEvent.objects.filter(action="disbursement.results_job").count() == 1
    assert AuditEvent.objects.get(action="disbursement.results").after["paid"] == 3
    assert client.get(f"/finance/batches/{batch.pk}/results/jobs/{job.pk + 1}/").status_code == 404


def test_a_crash_midway_loses_nothing_and_a_second_run_resumes(monkeypatch) -> None:
    officer, batch = three_payments()
    job = start(officer, batch, paid_rows(batch))
    real = results_module.payment_result_record
    calls = []

    def crashing(**kwargs):
        calls.append(kwargs["payment_id"])
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(results_module, "payment_result_record", crashing)
    crashed = results_job_run(job_id=job.pk)
    assert (crashed.status, crashed.done, crashed.paid) == (ResultsJob.Status.FAILED, 1, 1)
    assert "worker lost" in crashed.failure
    assert Payment.objects.filter(batch=batch, status=Payment.Status.PAID).count() == 1  # the first row is kept
    assert Budget.objects.get().paid == 3000000

    monkeypatch.setattr(results_module, "payment_result_record", real)
    resumed = results_job_run(job_id=job.pk)
    assert (resumed.status, resumed.done, resumed.paid, resumed.already) == (ResultsJob.Status.DONE, 3, 3, 0)
    assert Payment.objects.filter(batch=batch, status=Payment.Status.PAID).count() == 3
    assert Budget.objects.get().paid == 6000000
    assert AuditEvent.objects.filter(action="application.pay").count() == 3  # each row once
    events = AuditEvent.objects.count()

    # Run again (a duplicated task): a job done is left as it is.
    again = results_job_run(job_id=job.pk)
    assert (again.status, again.done, again.paid) == (ResultsJob.Status.DONE, 3, 3)
    assert AuditEvent.objects.count() == events

    # The same file as a new job: every row is already recorded, nothing changes.
    repeat = results_job_run(job_id=start(officer, batch, paid_rows(batch)).pk)
    assert (repeat.paid, repeat.already, repeat.status) == (0, 3, ResultsJob.Status.DONE)
    assert Budget.objects.get().paid == 6000000


def test_a_row_a_service_refuses_when_applied_is_reported_and_the_others_recorded() -> None:
    officer, batch = three_payments()
    rows = paid_rows(batch)
    job = start(officer, batch, rows)
    # Between the check and the job, the second payment is recorded as failed by another file.
    second = Payment.objects.get(reference=rows[1][0])
    from disbursement.results import BankResult, payment_result_record

    payment_result_record(actor=officer, payment_id=second.pk, result=BankResult(status="failed", failure_reason="x"))

    done = results_job_run(job_id=job.pk)

    assert (done.status, done.done, done.paid) == (ResultsJob.Status.DONE, 3, 2)
    assert [(e["row"], e["reference"]) for e in done.errors] == [(3, second.reference)]
    assert "already recorded as “Failed”" in done.errors[0]["message"]
    assert DisbursementBatch.objects.get(pk=batch.pk).status == DisbursementBatch.Status.CLOSED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_applies_the_job_after_commit(celery_worker: None) -> None:
    import time

    from django.db import transaction

    from portal.celery import app

    assert not app.conf.task_always_eager, "this test must go through the broker"
    officer, batch = three_payments()
    with transaction.atomic():
        job = start(officer, batch, paid_rows(batch))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.2)
    assert (job.status, job.done, job.paid) == (ResultsJob.Status.DONE, 3, 3)
    assert Payment.objects.filter(batch=batch, status=Payment.Status.PAID).count() == 3
