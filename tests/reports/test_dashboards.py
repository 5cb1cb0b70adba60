"""Dashboards: each role sees its figures as charts (inline SVG) and tables, department officials
only their department's, in a number of queries that does not grow with the data."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from applications.review import application_accept, application_propose, application_start_review
from applications.services import application_submit
from awards.models import Award
from measures.models import Target
from reports.models import TargetProgress
from reports.scope import ReportScope
from reports.selectors import time_limit_compliance
from reports.tallies import tallies_rebuild
from tests.applications.helpers import complete_draft
from tests.factories import ApplicationFactory, EnterpriseUserFactory, incentive_by_code
from tests.support.clock import clock_moved
from tests.support.reports import AMR_GRANT, MIIT_GRANT, QUALITY_AWARD, administrator, award_at, finance, official

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def some_data(cities: tuple[str, ...], n: int = 1) -> None:
    """Awards at every stage in each city, open applications (one overdue), targets' progress."""
    recorder = administrator()
    for city in cities:
        for _ in range(n):
            award_at("paid", code=MIIT_GRANT, amount="3000000", city=city)
            award_at("failed", code=MIIT_GRANT, amount="3000000", city=city)
            award_at("committed", code=AMR_GRANT, amount="500000", city=city)
            award_at("final", code="m3-little-giant", amount="1000000", city=city)
            ApplicationFactory(status=Status.UNDER_REVIEW, stage_due_on=timezone.localdate() - dt.timedelta(days=3))
            ApplicationFactory(status=Status.ACCEPTED, stage_due_on=timezone.localdate() + dt.timedelta(days=3))
    for target in Target.objects.all()[:4]:
        TargetProgress.objects.create(
            target=target, count=target.quantity // 4, as_of=timezone.localdate(), recorded_by=recorder
        )
    tallies_rebuild()  # the factory's applications did not go through the workflow


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["administrator", "finance", "department"])
def test_dashboard_queries_do_not_grow_with_the_data(role: str) -> None:
    user = {
        "administrator": administrator,
        "finance": finance,
        "department": lambda: official("miit-approver", OfficialRole.APPROVER, "miit"),
    }[role]()
    client = client_for(user)
    some_data(("guangzhou",))
    few = {url: queries(client, url) for url in ("/reports/dashboard/", "/api/v1/reports/dashboard/")}
    some_data(("shenzhen", "foshan", "dongguan", "zhuhai", "shantou"), n=2)
    many = {url: queries(client, url) for url in few}
    assert many == few
    # 14, the budgets' refunds (recovery), and for the roles with a second factor its device
    # (django-otp checks on each request that the device that verified the session still exists).
    assert few["/reports/dashboard/"] <= 16, few
    with_year = queries(client, "/reports/dashboard/?fiscal_year=2026")
    every_year = queries(client, "/reports/dashboard/?fiscal_year=all")
    assert with_year == every_year == few["/reports/dashboard/"]


def test_the_administrators_dashboard_has_every_section_as_charts() -> None:
    some_data(("guangzhou", "shenzhen"))
    page = client_for(administrator()).get("/reports/dashboard/")
    html = page.content.decode()
    for heading in (
        "Applications by stage",
        "Time limits",
        "Budgets per incentive",
        "Payments by status",
        "Amounts by city",
        "Targets' progress",
    ):
        assert heading in html, heading
    assert html.count("<svg") == 4  # stages, budgets, payments, cities
    assert "Shenzhen" in html and "省市场监管局" not in html  # cities by name; departments aren't listed
    assert "Dashboard: the whole policy" in html


def test_finance_sees_budgets_and_payments_not_the_application_pipeline() -> None:
    some_data(("guangzhou",))
    html = client_for(finance()).get("/reports/dashboard/").content.decode()
    assert "Budgets per incentive" in html and "Payments by status" in html and "Amounts by city" in html
    assert "Applications by stage" not in html and "Time limits" not in html
    assert "<svg" in html


def test_department_officials_see_only_their_departments_incentives() -> None:
    award_at("paid", code=MIIT_GRANT, amount="3000000", city="guangzhou")
    award_at("committed", code=AMR_GRANT, amount="777777", city="shenzhen")
    amr = official("amr-handler", OfficialRole.HANDLER, "amr")
    html = client_for(amr).get("/reports/dashboard/").content.decode()
    assert "777,777.00" in html
    assert "3,000,000.00" not in html
    mine, theirs = incentive_by_code(AMR_GRANT).localized("name"), incentive_by_code(MIIT_GRANT).localized("name")
    assert mine in html and theirs not in html
    data = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    data.force_login(amr)
    board = data.get("/api/v1/reports/dashboard/").json()
    assert board["role"] == "department" and board["totals"]["committed"] == "777777.00"
    assert [b["code"] for b in board["budgets"]] == [AMR_GRANT]
    assert {t["department"] for t in board["targets"]} == {"amr"}


@pytest.mark.parametrize("who", ["applicant", "no-role"])
def test_others_get_403(who: str) -> None:
    user = EnterpriseUserFactory() if who == "applicant" else User.objects.create_user("plain", password="x" * 12)
    assert client_for(user).get("/reports/dashboard/").status_code == 403
    assert client_for(user).get("/reports/").status_code == 403


def test_time_limit_compliance_counts_overdue_and_decisions_within_the_limit() -> None:
    handler = official("award-handler", OfficialRole.HANDLER, "amr")

    def decided(*, late: bool) -> Application:
        user = EnterpriseUserFactory()
        application = application_submit(
            actor=user, application=complete_draft(user, QUALITY_AWARD), credit_commitment=True
        )
        application = application_accept(actor=handler, application=application)
        application = application_start_review(actor=handler, application=application)
        # The decision taken now, or sixty days on: after the review deadline set at acceptance.
        with clock_moved(days=60 if late else 0):
            return application_propose(actor=handler, application=application, support=True, reasons="符合条件")

    decided(late=False)
    decided(late=True)
    ApplicationFactory(status=Status.UNDER_REVIEW, stage_due_on=timezone.localdate() - dt.timedelta(days=1))
    tallies_rebuild()  # the factory's application did not go through the workflow
    compliance = time_limit_compliance(ReportScope("department", handler.department_id, "amr"))
    # Open: the two proposals (awaiting approval) and the overdue one; overdue: one.
    assert (compliance.open, compliance.overdue) == (3, 1)
    assert (compliance.decided, compliance.decided_in_time) == (2, 1)
    assert compliance.in_time_percent == 50.0
    stages = {stage.key: stage for stage in compliance.stages}
    assert set(stages) == {Status.SUBMITTED, Status.ACCEPTED, Status.UNDER_REVIEW}
    assert (stages[Status.UNDER_REVIEW].ended, stages[Status.UNDER_REVIEW].in_time_percent) == (2, 50.0)
    assert stages[Status.UNDER_REVIEW].average_days == 30.0  # 0 and 60 days
    other = official("miit-1", "handler", "miit")
    miit = time_limit_compliance(ReportScope("department", other.department_id, "miit"))
    assert (miit.open, miit.decided) == (0, 0) and miit.in_time_percent is None and miit.stages == []
    html = client_for(handler).get("/reports/dashboard/").content.decode()
    assert "1 of 2 review decisions were taken within the review time limit." in html
    assert "Stages that ended" in html and "30.0" in html


def test_dashboards_show_the_current_fiscal_year_unless_asked_for_another_or_every_year() -> None:
    award_at("paid", code=MIIT_GRANT, amount="3000000", city="shenzhen")  # this year (2026)
    award_at("paid", code=MIIT_GRANT, amount="1000000", city="shenzhen", year=2024)
    this_year = timezone.localdate().year
    assert this_year == 2026, "the reports' test data is of 2026"
    client = client_for(finance())
    page = client.get("/reports/dashboard/")
    assert page.context["board"].fiscal_year == this_year
    assert page.context["board"].totals.paid == Decimal("3000000.00")
    assert f'<option value="{this_year}" selected>' in page.content.decode()
    assert client.get("/reports/dashboard/?fiscal_year=2024").context["board"].totals.paid == Decimal("1000000.00")
    every = client.get("/reports/dashboard/?fiscal_year=all").context["board"]
    assert (every.fiscal_year, every.totals.paid) == (None, Decimal("4000000.00"))
    assert "Every fiscal year." in client.get("/reports/dashboard/?fiscal_year=all").content.decode()
    assert client.get("/reports/dashboard/?fiscal_year=1999").context["board"].fiscal_year == this_year
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_login(finance())
    assert api.get("/api/v1/reports/dashboard/").json()["fiscal_year"] == this_year
    assert api.get("/api/v1/reports/dashboard/").json()["totals"]["paid"] == "3000000.00"
    assert api.get("/api/v1/reports/dashboard/?fiscal_year=all").json()["totals"]["paid"] == "4000000.00"
    assert api.get("/api/v1/reports/dashboard/?fiscal_year=2024").json()["totals"]["paid"] == "1000000.00"
    assert api.get("/api/v1/reports/dashboard/?fiscal_year=abc").status_code == 400


def test_recent_activity_counts_each_day_whatever_the_year() -> None:
    handler = official("award-handler", OfficialRole.HANDLER, "amr")
    for days_ago in (0, 0, 3, 20, 40):
        with clock_moved(days=-days_ago):
            user = EnterpriseUserFactory()
            application = application_submit(
                actor=user, application=complete_draft(user, QUALITY_AWARD), credit_commitment=True
            )
            if days_ago == 3:
                application = application_accept(actor=handler, application=application)
                application = application_start_review(actor=handler, application=application)
                application_propose(actor=handler, application=application, support=True, reasons="ok")
    board = client_for(handler).get("/reports/dashboard/?fiscal_year=2020").context["board"]
    assert len(board.activity) == 30 and board.activity[-1].day == timezone.localdate()
    assert [(d.submitted, d.accepted, d.decided) for d in board.activity if d.submitted or d.decided] == [
        (1, 0, 0),  # 20 days ago
        (1, 1, 1),  # 3 days ago: submitted, accepted and decided the same day
        (2, 0, 0),  # today
    ]
    assert (board.last_week.submitted, board.last_month.submitted, board.last_week.decided) == (3, 4, 1)
    html = client_for(handler).get("/reports/dashboard/").content.decode()
    assert "Recent activity" in html and "Applications submitted per day, last 30 days" in html
    miit = client_for(official("miit-1", OfficialRole.HANDLER, "miit")).get("/reports/dashboard/").context["board"]
    assert miit.last_month.submitted == 0


@pytest.mark.parametrize("role", ["administrator", "finance", "department"])
def test_dashboards_read_the_tallies_not_the_records(role: str) -> None:
    """No statement of a dashboard reads the audit trail, awards or payments; applications only
    for the one count that depends on today (open and past due, on a partial index). The one
    exception starts from the refunds (recovery_refund: as many rows as money recovered, which is
    rare) and reaches each refund's award by its key, for the budgets' "recovered" column."""
    user = {
        "administrator": administrator,
        "finance": finance,
        "department": lambda: official("miit-approver", OfficialRole.APPROVER, "miit"),
    }[role]()
    some_data(("guangzhou", "shenzhen"))
    with CaptureQueriesContext(connection) as captured:
        assert client_for(user).get("/reports/dashboard/?fiscal_year=all").status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    statements = [sql for sql in statements if not sql.split(" FROM ", 1)[-1].startswith('"recovery_refund"')]
    for table in ("audit_auditevent", "awards_award", "disbursement_payment", "applications_stagerecord"):
        assert not [sql for sql in statements if f'"{table}"' in sql], table
    reading_applications = [sql for sql in statements if '"applications_application"' in sql]
    assert len(reading_applications) == (0 if role == "finance" else 1)
    for sql in reading_applications:
        assert '"stage_due_on" <' in sql and "COUNT(*)" in sql


def test_amounts_by_city_chart_and_table_agree_with_the_awards() -> None:
    award_at("paid", code=MIIT_GRANT, amount="3000000", city="shenzhen")
    award_at("final", code=MIIT_GRANT, amount="1000000", city="shenzhen")
    award_at("paid", code=MIIT_GRANT, amount="3000000", city="zhuhai")
    board = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    board.force_login(finance())
    cities = {c["key"]: c for c in board.get("/api/v1/reports/dashboard/").json()["cities"]}
    assert cities["shenzhen"]["paid"] == "3000000.00" and cities["shenzhen"]["committed"] == "1000000.00"
    assert cities["zhuhai"]["awards"] == 1
    assert list(cities) == ["shenzhen", "zhuhai"], "largest first"
    assert Award.objects.count() == 3


def test_payments_chart_colours_each_status_by_its_meaning() -> None:
    """Paid, failed and pending money are not all green: failed is red, pending amber."""
    import re

    from reports import charts
    from reports.dashboards import Dashboard
    from reports.selectors import CountRow, SummaryRow
    from reports.views import dashboard_charts

    board = Dashboard(
        scope=ReportScope(role="finance"),
        fiscal_year=2026,
        sections=("payments",),
        totals=SummaryRow("", "", 0, Decimal(0), Decimal(0), 0),
        payments=[
            CountRow("pending", "待支付", 1, Decimal(100)),
            CountRow("paid", "已支付", 2, Decimal(200)),
            CountRow("failed", "支付失败", 1, Decimal(50)),
        ],
    )
    bars = re.findall(
        r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16" fill="(#[0-9a-f]{6})"',
        dashboard_charts(board)["payments"],
    )
    assert bars == [charts.AMBER, charts.GREEN, charts.RED]
