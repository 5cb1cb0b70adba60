"""Policy targets: officials of the responsible department record progress (audited); the public
page shows each target with its latest count, percent, department and trend."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from audit.models import AuditEvent
from measures.models import Target
from reports.models import TargetProgress
from reports.services import target_progress_record
from tests.factories import EnterpriseUserFactory
from tests.support.reports import administrator, official

pytestmark = pytest.mark.django_db

STANDARDS = "m15-international-standards"  # 500 international standards, 省市场监管局 (amr)
ENGINEERS = "m28-excellent-engineers"  # about 1000 engineers, 省工业和信息化厅 (miit)


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def api_for(user: User | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def amr() -> User:
    return official("amr-handler", OfficialRole.HANDLER, "amr")


def test_an_official_of_the_responsible_department_records_progress_on_the_page(amr: User) -> None:
    client = client_for(amr)
    form = client.get(f"/reports/targets/{STANDARDS}/record/")
    assert form.status_code == 200 and b'name="count"' in form.content
    response = client.post(
        f"/reports/targets/{STANDARDS}/record/",
        {"count": "120", "as_of": "2026-06-30", "evidence": "省市场监管局2026年上半年国际标准统计表"},
    )
    assert response.status_code == 302 and response["Location"] == f"/reports/targets/{STANDARDS}/"
    entry = TargetProgress.objects.get()
    assert (entry.target.code, entry.count, entry.as_of, entry.recorded_by) == (
        STANDARDS,
        120,
        dt.date(2026, 6, 30),
        amr,
    )
    event = AuditEvent.objects.get(action="target.progress")
    assert event.actor == amr and event.after == {
        "target": STANDARDS,
        "count": 120,
        "as_of": "2026-06-30",
        "evidence": "省市场监管局2026年上半年国际标准统计表",
    }
    detail = client.get(response["Location"]).content.decode()
    assert "Progress recorded: 120 as of 2026-06-30." in detail
    assert "120</strong> (24.0%)" in detail
    assert "国际标准统计表" in detail and "<svg" in detail


def test_others_may_not_record_a_targets_progress(amr: User) -> None:
    miit = official("miit-approver", OfficialRole.APPROVER, "miit")
    finance = official("finance-1", OfficialRole.FINANCE, "finance")
    for user in (miit, finance, EnterpriseUserFactory()):
        assert client_for(user).get(f"/reports/targets/{STANDARDS}/record/").status_code == 403
        posted = client_for(user).post(f"/reports/targets/{STANDARDS}/record/", {"count": "1", "as_of": "2026-01-01"})
        assert posted.status_code == 403
        api = api_for(user).post(
            f"/api/v1/reports/targets/{STANDARDS}/progress/", {"count": 1, "as_of": "2026-01-01"}, format="json"
        )
        assert api.status_code == 403 and api.json()["code"] == "permission_denied"
    assert client_for(None).get(f"/reports/targets/{STANDARDS}/record/").status_code == 302
    assert TargetProgress.objects.count() == 0
    # Administrators may record any target; the miit approver its own.
    target_progress_record(
        actor=administrator(), target=Target.objects.get(code=STANDARDS), count=5, as_of=dt.date(2026, 1, 1)
    )
    target_progress_record(actor=miit, target=Target.objects.get(code=ENGINEERS), count=50, as_of=dt.date(2026, 1, 1))
    assert TargetProgress.objects.count() == 2


def test_refused_input_is_shown_in_the_error_summary(amr: User) -> None:
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client_for(amr).post(f"/reports/targets/{STANDARDS}/record/", {"count": "-3", "as_of": future})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_count"' in html
    again = client_for(amr).post(f"/reports/targets/{STANDARDS}/record/", {"count": "3", "as_of": future})
    assert 'href="#id_as_of"' in again.content.decode() and "future" in again.content.decode()
    assert TargetProgress.objects.count() == 0


def test_the_public_page_shows_each_target_with_latest_count_percent_department_and_trend(amr: User) -> None:
    target = Target.objects.get(code=STANDARDS)
    for count, day in ((50, "2025-12-31"), (200, "2026-06-30"), (120, "2026-03-31")):
        target_progress_record(actor=amr, target=target, count=count, as_of=dt.date.fromisoformat(day))
    page = client_for(None).get("/reports/targets/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<tr>") - 1 == Target.objects.count()  # one row per catalog target
    assert "<strong>200</strong> / 500" in html and "(40.0%)" in html  # the latest by date, not by entry
    assert '<progress class="progress" max="100" value="40.0"' in html
    assert "Guangdong Administration for Market Regulation" in html
    assert html.count("<polyline") == 1, "a trend line where there are entries"
    assert "as of 2026-06-30" in html
    data = api_for(None).get("/api/v1/reports/targets/").json()
    standards = next(t for t in data["results"] if t["code"] == STANDARDS)
    assert (standards["latest"], standards["percent"], standards["department"]) == (200, 40.0, "amr")
    entries = api_for(None).get(f"/api/v1/reports/targets/{STANDARDS}/progress/").json()["results"]
    assert [e["count"] for e in entries] == [50, 120, 200]
    assert client_for(None).get("/reports/targets/nothing/").status_code == 404


def test_the_api_records_progress_for_the_responsible_department(amr: User) -> None:
    client = api_for(amr)
    created = client.post(
        f"/api/v1/reports/targets/{STANDARDS}/progress/",
        {"count": 75, "as_of": "2026-05-31", "evidence": "统计表"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["count"] == 75
    bad = client.post(f"/api/v1/reports/targets/{STANDARDS}/progress/", {"count": -1, "as_of": "x"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"count", "as_of"}
    assert api_for(None).post(f"/api/v1/reports/targets/{STANDARDS}/progress/", {}, format="json").status_code == 401


def test_the_targets_page_queries_do_not_grow_with_the_entries(amr: User) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_for(None).get("/reports/targets/").status_code == 200
        return len(captured.captured_queries)

    recorder = administrator()
    TargetProgress.objects.create(
        target=Target.objects.first(), count=1, as_of=dt.date(2026, 1, 1), recorded_by=recorder
    )
    few = count()
    for target in Target.objects.all():
        for month in range(1, 7):
            TargetProgress.objects.create(
                target=target, count=month * 3, as_of=dt.date(2026, month, 1), recorded_by=recorder
            )
    assert count() == few
    assert few <= 4
