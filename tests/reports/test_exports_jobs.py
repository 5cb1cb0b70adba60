"""Export jobs: requested on a page or over the API, written by the Celery task (eager here) to
100% with a file only the requester (and administrators) may download."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from audit.models import AuditEvent
from awards.models import Award
from disbursement.models import Payment
from reports import exports
from reports.models import ExportJob
from reports.services import export_job_run
from reports.tasks import run_export_job
from tests.factories import EnterpriseUserFactory
from tests.support.reports import AMR_GRANT, MIIT_GRANT, administrator, award_at, finance, official

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture
def ledger() -> list[Award]:
    return [
        award_at("paid", code=MIIT_GRANT, amount="3000000", city="guangzhou"),
        award_at("failed", code=MIIT_GRANT, amount="3000000", city="shenzhen"),
        award_at("paid", code=AMR_GRANT, amount="1000000.50", city="foshan"),
        award_at("pending", code=AMR_GRANT, amount="500000", city="foshan"),
    ]


def api_for(user: User | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def streamed(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_an_api_export_job_runs_to_100_percent_with_a_downloadable_file(
    ledger: list[Award], django_capture_on_commit_callbacks: object
) -> None:
    officer = finance()
    client = api_for(officer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        response = client.post("/api/v1/reports/ledger/exports/", {"format": "csv"}, format="json")
    assert response.status_code == 202, response.content
    assert len(callbacks) == 1, "the task starts after commit"
    job = ExportJob.objects.get()
    assert (job.status, job.progress, job.row_count, job.total_rows) == ("done", 100, 4, 4)
    assert job.requested_by == officer and job.department is None
    status = client.get(f"/api/v1/reports/exports/{job.pk}/").json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["download_url"] == f"/api/v1/reports/exports/{job.pk}/download/"
    download = client.get(status["download_url"])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    text = streamed(download).decode("utf-8").lstrip("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    amount = header.index("Amount (CNY)")
    assert len(rows) == Payment.objects.count()
    assert sum(Decimal(r[amount]) for r in rows) == Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert AuditEvent.objects.filter(action="report.export_requested", object_id=str(job.pk)).exists()


def test_an_xlsx_job_from_the_page_shows_progress_then_the_download_link(
    ledger: list[Award], django_capture_on_commit_callbacks: object
) -> None:
    client = client_for(finance())
    # Without the on-commit callbacks the task has not run yet: the page shows a running job.
    response = client.post("/reports/exports/new/", {"report": "ledger", "format": "xlsx", "action": "job"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{job.pk}/"
    waiting = client.get(response["Location"])
    assert b'<meta http-equiv="refresh" content="2">' in waiting.content
    assert b'<progress class="progress" max="100" value="0"' in waiting.content
    assert f"/reports/exports/{job.pk}/download/".encode() not in waiting.content
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        run_export_job.delay(job.pk)
    ready = client.get(f"/reports/exports/{job.pk}/")
    assert b"http-equiv" not in ready.content
    assert f"/reports/exports/{job.pk}/download/".encode() in ready.content
    download = client.get(f"/reports/exports/{job.pk}/download/")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(streamed(download)), read_only=True)
    header, *rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 4
    assert sum(Decimal(str(r[header.index("Amount (CNY)")])) for r in rows) == Decimal("7500000.50")
    listing = client.get("/reports/exports/")
    assert f"/reports/exports/{job.pk}/".encode() in listing.content


def test_only_the_requester_and_administrators_download_a_job(
    ledger: list[Award], django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        api_for(finance()).post("/api/v1/reports/summary/exports/", {"format": "pdf"}, format="json")
    job = ExportJob.objects.get()
    assert job.status == "done" and job.file.name.endswith(".pdf")
    other = finance("finance-2")
    assert api_for(other).get(f"/api/v1/reports/exports/{job.pk}/").status_code == 404
    assert api_for(other).get(f"/api/v1/reports/exports/{job.pk}/download/").status_code == 404
    assert client_for(other).get(f"/reports/exports/{job.pk}/").status_code == 404
    assert client_for(other).get(f"/reports/exports/{job.pk}/download/").status_code == 404
    admin = administrator()
    assert api_for(admin).get(f"/api/v1/reports/exports/{job.pk}/download/").status_code == 200
    assert client_for(admin).get(f"/reports/exports/{job.pk}/download/").status_code == 200
    assert api_for(None).get(f"/api/v1/reports/exports/{job.pk}/download/").status_code == 401


def test_a_department_officials_job_holds_only_their_departments_rows(
    ledger: list[Award], django_capture_on_commit_callbacks: object
) -> None:
    amr = official("amr-handler", OfficialRole.HANDLER, "amr")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        api_for(amr).post("/api/v1/reports/ledger/exports/", {"format": "csv"}, format="json")
    job = ExportJob.objects.get()
    assert job.department.code == "amr" and job.row_count == 2
    text = streamed(api_for(amr).get(f"/api/v1/reports/exports/{job.pk}/download/")).decode().lstrip("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert {r[header.index("Department")] for r in rows} == {"省市场监管局"}


def test_running_a_job_twice_changes_nothing_the_second_time(
    ledger: list[Award], django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        api_for(finance()).post("/api/v1/reports/by-city/exports/", {"format": "xlsx"}, format="json")
    job = ExportJob.objects.get()
    name = job.file.name
    again = export_job_run(job_id=job.pk)
    assert again.file.name == name and again.status == "done" and again.progress == 100


def test_export_requests_are_validated_and_refused_to_others(ledger: list[Award]) -> None:
    client = api_for(finance())
    assert client.post("/api/v1/reports/ledger/exports/", {"format": "pdf"}, format="json").status_code == 400
    bad_year = client.post("/api/v1/reports/ledger/exports/", {"format": "csv", "fiscal_year": 1900}, format="json")
    assert bad_year.status_code == 400 and "fiscal_year" in bad_year.json()["errors"]
    assert client.post("/api/v1/reports/nothing/exports/", {"format": "csv"}, format="json").status_code == 404
    applicant = api_for(EnterpriseUserFactory())
    assert applicant.post("/api/v1/reports/ledger/exports/", {"format": "csv"}, format="json").status_code == 403
    assert ExportJob.objects.count() == 0


def test_the_job_lists_and_the_json_ledger_take_a_fixed_number_of_queries(ledger: list[Award]) -> None:
    officer = finance()
    page, api = client_for(officer), api_for(officer)

    def counts() -> tuple[int, ...]:
        out = []
        for client, url in ((page, "/reports/"), (page, "/reports/exports/"), (api, "/api/v1/reports/ledger/")):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            out.append(len(captured.captured_queries))
        return tuple(out)

    ExportJob.objects.create(report="ledger", format="csv", requested_by=officer)
    few = counts()
    for _ in range(5):
        ExportJob.objects.create(report="by-city", format="xlsx", requested_by=officer, department_id=None)
        award_at("paid", code=MIIT_GRANT, amount="1000", city="zhuhai")
    assert counts() == few


def test_progress_is_recorded_after_each_chunk(ledger: list[Award], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "CHUNK_ROWS", 1)
    job = ExportJob.objects.create(report="ledger", format="csv", requested_by=finance())
    with CaptureQueriesContext(connection) as captured:
        export_job_run(job_id=job.pk)
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "reports_exportjob"')]
    assert sum('"row_count"' in sql and '"progress"' in sql for sql in updates) >= 4  # one per row here
    job.refresh_from_db()
    assert (job.status, job.progress, job.row_count) == ("done", 100, 4)


def test_a_failing_job_is_marked_failed_and_its_page_says_so(ledger: list[Award]) -> None:
    officer = finance()
    job = ExportJob.objects.create(report="ledger", format="csv", requested_by=officer, fiscal_year=2026)
    ExportJob.objects.filter(pk=job.pk).update(report="no-such-report")
    done = export_job_run(job_id=job.pk)
    assert done.status == "failed" and done.error and not done.file
    page = client_for(officer).get(f"/reports/exports/{job.pk}/")
    assert b"The export failed" in page.content and b"http-equiv" not in page.content


def test_a_second_delivery_leaves_a_live_run_alone_and_takes_over_a_dead_one(ledger: list[Award]) -> None:
    """The broker delivers a task again after its visibility timeout (5 minutes) if it was not
    acknowledged: a run that still writes progress is left alone, one that stopped is redone."""
    import datetime as dt

    from django.utils import timezone

    job = ExportJob.objects.create(report="ledger", format="csv", requested_by=finance())
    started = timezone.now() - dt.timedelta(minutes=6)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=started, heartbeat_at=timezone.now() - dt.timedelta(seconds=20), progress=40
    )
    alive = export_job_run(job_id=job.pk)
    assert (alive.status, alive.progress, alive.started_at, alive.file.name) == ("running", 40, started, "")
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=3))
    redone = export_job_run(job_id=job.pk)
    assert (redone.status, redone.progress, redone.row_count) == ("done", 100, 4)
    assert redone.started_at > started and redone.file.name
