"""Exports: the ledger and the summaries as CSV and XLSX, read back, equal the database's totals;
formula injection is neutralised; each reader gets their own rows only."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Q, Sum
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from audit.models import AuditEvent
from awards.models import Award
from disbursement.models import Payment
from portal import spreadsheets
from reports import exports
from tests.factories import EnterpriseUserFactory
from tests.support.reports import AMR_GRANT, MIIT_GRANT, administrator, award_at, finance, official

pytestmark = pytest.mark.django_db

INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "+86-20-1234", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR"]


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture
def ledger() -> list[Award]:
    """Awards of two departments at every stage, in three cities."""
    return [
        award_at("paid", code=MIIT_GRANT, amount="3000000", city="guangzhou"),
        award_at("paid", code=MIIT_GRANT, amount="3000000", city="shenzhen"),
        award_at("failed", code=MIIT_GRANT, amount="3000000", city="foshan"),
        award_at("pending", code=MIIT_GRANT, amount="3000000", city="foshan"),
        award_at("final", code=MIIT_GRANT, amount="3000000", city="guangzhou"),
        award_at("committed", code=MIIT_GRANT, amount="3000000", city="zhuhai"),
        award_at("paid", code=AMR_GRANT, amount="1000000.50", city="shenzhen"),
        award_at("failed", code=AMR_GRANT, amount="500000", city="dongguan"),
        award_at("committed", code=AMR_GRANT, amount="250000.25", city="dongguan"),
    ]


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


def body(response: object) -> bytes:
    if isinstance(response, StreamingHttpResponse) or getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]


def csv_rows(response: object) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response: object, sheet: int = 0) -> list[tuple]:
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    return list(book.worksheets[sheet].iter_rows(values_only=True))


def _sum(column: list) -> Decimal:
    return sum((Decimal(str(v)) for v in column), Decimal(0))


# ---- totals equal the database ------------------------------------------------------------------


def test_ledger_csv_has_one_row_per_payment_and_its_totals_equal_the_database(ledger: list[Award]) -> None:
    response = client_for(finance()).get("/reports/download/ledger/?format=csv")
    assert response.status_code == 200
    assert response.streaming, "the CSV streams"
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    amount, status = header.index("Amount (CNY)"), header.index("Status")
    assert len(rows) == Payment.objects.count() == 6
    assert _sum([r[amount] for r in rows]) == Payment.objects.aggregate(s=Sum("amount"))["s"]
    paid = [r[amount] for r in rows if r[status] == "Paid"]
    assert _sum(paid) == Payment.objects.filter(status="paid").aggregate(s=Sum("amount"))["s"] == Decimal("7000000.50")
    references = {r[header.index("Application reference")] for r in rows}
    assert references == set(Payment.objects.values_list("award__application__reference", flat=True))
    first = next(r for r in rows if r[header.index("Department")] == "省市场监管局" and r[status] == "Paid")
    assert first[header.index("City")] == "Shenzhen"
    assert first[header.index("Fiscal year")] == "2026"
    assert first[header.index("Measure")] == "15"
    assert first[header.index("Bank reference")].startswith("BR")


def test_ledger_xlsx_read_back_equals_the_database(ledger: list[Award]) -> None:
    response = api_for(finance()).get("/api/v1/reports/ledger/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    header, *rows = xlsx_rows(response)
    amount = header.index("Amount (CNY)")
    assert len(rows) == Payment.objects.count()
    assert all(isinstance(r[amount], int | float) for r in rows), "amounts are numbers in the workbook"
    assert _sum([r[amount] for r in rows]) == Payment.objects.aggregate(s=Sum("amount"))["s"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_summaries_by_each_dimension_total_the_database(ledger: list[Award], fmt: str) -> None:
    awards = Award.objects.exclude(status="withdrawn")
    committed = awards.filter(status__in=["committed", "final"]).aggregate(s=Sum("amount"))["s"]
    paid = awards.filter(status="paid").aggregate(s=Sum("amount"))["s"]
    client = api_for(administrator())
    for name in ("by-fiscal-year", "by-department", "by-measure", "by-incentive", "by-city"):
        response = client.get(f"/api/v1/reports/{name}/?format={fmt}")
        assert response.status_code == 200, name
        header, *rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        *groups, total = rows
        assert str(total[0]) == "Total"  # 合计 in Chinese: not the API's key
        c, p, n = header.index("Committed (CNY)"), header.index("Paid (CNY)"), header.index("Awards")
        assert _sum([g[c] for g in groups]) == _sum([total[c]]) == committed, name
        assert _sum([g[p] for g in groups]) == _sum([total[p]]) == paid, name
        assert sum(int(g[n]) for g in groups) == int(total[n]) == awards.count(), name
    by_city = csv_rows(client.get("/api/v1/reports/by-city/?format=csv")) if fmt == "csv" else None
    if by_city:
        shenzhen = next(r for r in by_city if r[0] == "shenzhen")
        assert Decimal(shenzhen[4]) == Decimal("4000000.50")


def test_the_full_summary_has_a_sheet_per_dimension_and_one_csv_with_the_dimension_named(ledger: list[Award]) -> None:
    client = api_for(finance())
    book = load_workbook(io.BytesIO(body(client.get("/api/v1/reports/summary/?format=xlsx"))), read_only=True)
    assert len(book.worksheets) == 5
    header, *rows = csv_rows(client.get("/api/v1/reports/summary/?format=csv"))
    assert header[:2] == ["Summary by", "Group"]
    assert {r[0] for r in rows} == {"Fiscal year", "Department", "Measure", "Incentive", "City"}
    assert sum(1 for r in rows if r[1] == "Total") == 5


def test_a_fiscal_year_filter_keeps_the_totals_right(ledger: list[Award]) -> None:
    award_at("paid", code=MIIT_GRANT, amount="123.45", year=2025)
    header, *rows = csv_rows(client_for(finance()).get("/reports/download/ledger/?format=csv&fiscal_year=2025"))
    assert len(rows) == 1 and rows[0][header.index("Amount (CNY)")] == "123.45"
    data = api_for(finance()).get("/api/v1/reports/by-fiscal-year/").json()
    years = {row["key"]: row["paid"] for row in data["tables"][0]["rows"]}
    assert years == {"2026": "7000000.50", "2025": "123.45"}


# ---- formula injection --------------------------------------------------------------------------


def test_cells_that_start_a_formula_are_neutralised_in_csv_and_xlsx() -> None:
    for i, name in enumerate(INJECTIONS):
        award_at("paid", code=MIIT_GRANT, amount="1000", payee=name, bank_reference=f"=CMD{i}")
    client = client_for(finance())
    header, *rows = csv_rows(client.get("/reports/download/ledger/?format=csv"))
    payee, reference = header.index("Payee"), header.index("Bank reference")
    assert sorted(r[payee] for r in rows) == sorted("'" + name for name in INJECTIONS)
    assert all(r[reference].startswith("'=CMD") for r in rows)
    header, *cells = xlsx_rows(client.get("/reports/download/ledger/?format=xlsx"))
    # A carriage return is kept as OOXML's escape, _x000D_ (Excel shows a line break; openpyxl's
    # reader leaves the escape as it is); depending on the XML parser, it may also come back as \n.
    expected = sorted("'" + name.replace("\r", "\n") for name in INJECTIONS)
    payees = [r[header.index("Payee")].replace("_x000D_", "\r").replace("\r", "\n") for r in cells]
    assert sorted(payees) == expected
    assert all(r[header.index("Bank reference")].startswith("'=CMD") for r in cells)
    # The workbook holds no formula at all: every injected value is a string cell.
    book = load_workbook(io.BytesIO(body(client.get("/reports/download/ledger/?format=xlsx"))))
    assert not [c for row in book.active.iter_rows() for c in row if c.data_type == "f"]


def test_neutralise_leaves_numbers_and_ordinary_text_alone() -> None:
    assert spreadsheets.neutralise("广东示例制造有限公司") == "广东示例制造有限公司"
    assert spreadsheets.neutralise(Decimal("-5")) == Decimal("-5")
    assert spreadsheets.neutralise("a=b") == "a=b"
    assert spreadsheets.neutralise("=1+1") == "'=1+1"


# ---- who sees what ------------------------------------------------------------------------------


def test_department_officials_export_only_their_departments_rows(ledger: list[Award]) -> None:
    amr = official("amr-approver", OfficialRole.APPROVER, "amr")
    header, *rows = csv_rows(client_for(amr).get("/reports/download/ledger/?format=csv"))
    assert {r[header.index("Department")] for r in rows} == {"省市场监管局"}
    assert len(rows) == Payment.objects.filter(award__application__incentive__handling_department__code="amr").count()
    header, *rows = csv_rows(api_for(amr).get("/api/v1/reports/by-department/?format=csv"))
    assert [r[0] for r in rows] == ["amr", "Total"]
    amr_awards = Award.objects.filter(application__incentive__handling_department__code="amr")
    assert (
        Decimal(rows[-1][header.index("Committed (CNY)")])
        == amr_awards.filter(Q(status="committed") | Q(status="final")).aggregate(s=Sum("amount"))["s"]
    )
    # The JSON ledger too.
    data = api_for(amr).get("/api/v1/reports/ledger/").json()
    assert data["count"] == 2 and {r["department"] for r in data["results"]} == {"省市场监管局"}


@pytest.mark.parametrize("who", ["applicant", "anonymous", "no-role"])
def test_others_may_not_export(ledger: list[Award], who: str) -> None:
    user = {
        "applicant": lambda: EnterpriseUserFactory(),
        "anonymous": lambda: None,
        "no-role": lambda: User.objects.create_user("plain", password="x" * 12),
    }[who]()
    page = client_for(user).get("/reports/download/ledger/?format=csv")
    assert page.status_code == (302 if user is None else 403)
    api = api_for(user).get("/api/v1/reports/ledger/?format=csv")
    assert api.status_code == (401 if user is None else 403)
    assert api["Content-Type"] == "application/json"
    assert set(api.json()) == {"detail", "code", "errors"}


def test_bad_format_and_year_are_400_in_the_error_format(ledger: list[Award]) -> None:
    client = api_for(finance())
    bad_format = client.get("/api/v1/reports/ledger/?format=doc")
    assert bad_format.status_code == 400 and "format" in bad_format.json()["errors"]
    pdf_ledger = client.get("/api/v1/reports/ledger/?format=pdf")
    assert pdf_ledger.status_code == 400 and "format" in pdf_ledger.json()["errors"]
    bad_year = client.get("/api/v1/reports/by-city/?format=csv&fiscal_year=abc")
    assert bad_year.status_code == 400 and "fiscal_year" in bad_year.json()["errors"]
    assert client.get("/api/v1/reports/nothing/?format=csv").status_code == 404
    page = client_for(finance()).get("/reports/download/ledger/?format=pdf")
    assert page.status_code == 400
    assert b"error-summary" in page.content


def test_a_large_ledger_as_xlsx_is_sent_to_the_background(ledger: list[Award], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "DIRECT_XLSX_MAX_ROWS", 3)
    response = api_for(finance()).get("/api/v1/reports/ledger/?format=xlsx")
    assert response.status_code == 400
    assert "background" in response.json()["errors"]["format"][0]
    assert api_for(finance()).get("/api/v1/reports/ledger/?format=csv").status_code == 200


def test_direct_exports_are_on_record(ledger: list[Award]) -> None:
    officer = finance()
    client_for(officer).get("/reports/download/by-city/?format=csv")
    event = AuditEvent.objects.filter(action="report.exported").get()
    assert event.actor == officer and event.after["report"] == "by-city" and event.after["format"] == "csv"


def test_the_export_form_downloads_now_or_explains_what_is_wrong(ledger: list[Award]) -> None:
    client = client_for(finance())
    page = client.get("/reports/")
    assert page.status_code == 200 and b'name="report"' in page.content
    now = client.post("/reports/exports/new/", {"report": "by-measure", "format": "csv", "action": "download"})
    assert now.status_code == 200 and now["Content-Type"].startswith("text/csv")
    wrong = client.post("/reports/exports/new/", {"report": "ledger", "format": "pdf", "fiscal_year": "1999"})
    assert wrong.status_code == 400
    assert b'href="#id_format"' in wrong.content and b'href="#id_fiscal_year"' in wrong.content


def test_api_lists_the_reports(ledger: list[Award]) -> None:
    data = api_for(finance()).get("/api/v1/reports/").json()
    assert {r["name"] for r in data} == set(exports.REPORTS)
    assert next(r for r in data if r["name"] == "ledger")["formats"] == ["csv", "xlsx"]


def test_the_summary_is_chinese_by_default_with_a_chinese_total_row(ledger: list[Award]) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(administrator())
    with translation.override("zh-hans"):
        header, *rows = csv_rows(client.get("/api/v1/reports/by-department/?format=csv"))
    assert header[:2] == ["部门", "名称"]
    assert rows[-1][0] == "合计"
    assert not any("TOTAL" in cell or "Total" in cell for row in rows for cell in row)
