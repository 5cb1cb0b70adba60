"""Exports: the disbursement ledger and the summaries as CSV, XLSX and PDF, written as streams.

    REPORTS["ledger"].tables(scope, fiscal_year)    -> [Table(title, headers, rows)]
    csv_chunks(spec, scope, fiscal_year)             -> the CSV as an iterator of strings
    write_xlsx(target, spec, scope, fiscal_year)     -> an XLSX in XlsxWriter's constant-memory mode
    summary_pdf(spec, scope, fiscal_year)            -> PDF bytes (WeasyPrint, charts inline)

Memory stays flat however long the ledger is: rows come from `values_list().iterator(chunk_size=
2000)`, the CSV is yielded in blocks of rows (StreamingHttpResponse) and XlsxWriter's constant-memory
mode writes each row to a temporary file as it goes.

Every text cell is neutralised against spreadsheet formula injection: a value beginning with
= + - @, a tab or a carriage return gets a leading apostrophe, in CSV and XLSX alike (names,
payees and references come from applicants and banks).
"""

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.http import FileResponse, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.spreadsheets import XlsxSheets, csv_lines

from . import charts
from .scope import ReportScope
from .selectors import (
    DIMENSIONS,
    LEDGER_FIELDS,
    LEDGER_HEADERS,
    budgets_by_incentive,
    ledger_queryset,
    ledger_rows,
    summary_rows,
    summary_totals,
)

CHUNK_ROWS = 2000


# Above this many ledger rows an XLSX is prepared in the background (an export job) instead of
# during the request; a CSV always streams.
DIRECT_XLSX_MAX_ROWS = 20_000


Progress = Callable[[int], None]


class ReportError(ValueError):
    """Refused input: the message says what to fix; `field` names the input it concerns."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Iterable[tuple]
    money_columns: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: Any
    formats: tuple[str, ...]
    dimensions: tuple[str, ...] = ()  # summaries: what they group by; the ledger: none

    @property
    def is_ledger(self) -> bool:
        return not self.dimensions

    def tables(self, scope: ReportScope, fiscal_year: int | None) -> list[Table]:
        if self.is_ledger:
            money = frozenset({LEDGER_FIELDS.index("amount"), LEDGER_FIELDS.index("recovered")})
            return [Table(str(self.title), [str(h) for h in LEDGER_HEADERS], ledger_rows(scope, fiscal_year), money)]
        return [_summary_table(d, scope, fiscal_year) for d in self.dimensions]

    def count(self, scope: ReportScope, fiscal_year: int | None) -> int | None:
        """Rows to write, for a job's progress (None for the small summaries)."""
        return ledger_queryset(scope, fiscal_year).count() if self.is_ledger else None


SUMMARY_HEADERS = (
    gettext_lazy("Name"),
    gettext_lazy("Awards"),
    gettext_lazy("Committed (CNY)"),
    gettext_lazy("Paid (CNY)"),
    gettext_lazy("Awards paid"),
    gettext_lazy("Committed and paid (CNY)"),
)


def _summary_table(dimension: str, scope: ReportScope, fiscal_year: int | None) -> Table:
    spec = DIMENSIONS[dimension]
    rows = summary_rows(scope, dimension, fiscal_year)
    total = summary_totals(scope, fiscal_year)
    return Table(
        _("Summary by %(dimension)s") % {"dimension": str(spec.title).lower()},
        [str(spec.title), *(str(h) for h in SUMMARY_HEADERS)],
        [
            *((r.key, r.name, r.awards, r.committed, r.paid, r.paid_count, r.total) for r in rows),
            # The total row reads 合计 (Total) in the first column, not the API's "TOTAL" key.
            (str(_("Total")), "", total.awards, total.committed, total.paid, total.paid_count, total.total),
        ],
        frozenset({3, 4, 6}),
    )


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec("ledger", gettext_lazy("Disbursement ledger"), ("csv", "xlsx")),
        ReportSpec(
            "summary", gettext_lazy("Summary of awards and payments"), ("csv", "xlsx", "pdf"), tuple(DIMENSIONS)
        ),
        ReportSpec("by-fiscal-year", gettext_lazy("Summary by fiscal year"), ("csv", "xlsx", "pdf"), ("fiscal-year",)),
        ReportSpec("by-department", gettext_lazy("Summary by department"), ("csv", "xlsx", "pdf"), ("department",)),
        ReportSpec("by-measure", gettext_lazy("Summary by measure"), ("csv", "xlsx", "pdf"), ("measure",)),
        ReportSpec("by-incentive", gettext_lazy("Summary by incentive"), ("csv", "xlsx", "pdf"), ("incentive",)),
        ReportSpec("by-city", gettext_lazy("Summary by city"), ("csv", "xlsx", "pdf"), ("city",)),
    )
}


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(spec: ReportSpec, fmt: str, fiscal_year: int | None, scope: ReportScope) -> str:
    who = "all" if scope.everything else f"department-{scope.department_id}"
    return f"{spec.name}-{fiscal_year or 'all-years'}-{who}-{timezone.localdate():%Y%m%d}.{fmt}"


def _counted(rows: Iterable[tuple], progress: Progress | None, written: list[int]) -> Iterator[tuple]:
    for row in rows:
        yield row
        written[0] += 1
        if progress is not None and written[0] % CHUNK_ROWS == 0:
            progress(written[0])


def csv_chunks(
    spec: ReportSpec, scope: ReportScope, fiscal_year: int | None, *, progress: Progress | None = None
) -> Iterator[str]:
    """The CSV (UTF-8 with a byte-order mark, which Excel needs to read Chinese), a block of rows at a
    time. Several tables (the full summary) become one, with the table's title in a first column."""
    tables = spec.tables(scope, fiscal_year)
    written = [0]
    several = len(tables) > 1
    headers = [_("Summary by"), _("Group"), *tables[0].headers[1:]] if several else tables[0].headers

    def rows() -> Iterator[tuple]:
        for table in tables:
            prefix = (table.headers[0],) if several else ()
            for row in _counted(table.rows, progress, written):
                yield (*prefix, *row)

    block: list[str] = []
    for line in csv_lines(headers, rows()):
        block.append(line)
        if len(block) >= CHUNK_ROWS:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)
    if progress is not None:
        progress(written[0])


def write_csv(
    target: IO[str], spec: ReportSpec, scope: ReportScope, fiscal_year: int | None, *, progress: Progress | None = None
) -> None:
    for chunk in csv_chunks(spec, scope, fiscal_year, progress=progress):
        target.write(chunk)


def _sheet_title(title: str, taken: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def write_xlsx(
    target: Any, spec: ReportSpec, scope: ReportScope, fiscal_year: int | None, *, progress: Progress | None = None
) -> None:
    """A workbook in XlsxWriter's constant-memory mode (rows go to a temporary file as they come),
    one sheet per table; `target` is a path or a binary file object."""
    workbook = XlsxSheets(target)
    taken: set[str] = set()
    written = [0]
    try:
        for table in spec.tables(scope, fiscal_year):
            sheet = workbook.sheet(
                _sheet_title(table.title, taken), table.headers, money_columns=frozenset(table.money_columns)
            )
            for row in _counted(table.rows, progress, written):
                sheet.append(row)
    finally:
        workbook.close()
    if progress is not None:
        progress(written[0])


def summary_context(spec: ReportSpec, scope: ReportScope, fiscal_year: int | None) -> dict[str, Any]:
    """What the PDF (and nothing else) shows: totals, budgets, and each dimension as a chart and a table."""
    committed, paid = _("Committed"), _("Paid")
    sections = []
    for dimension in spec.dimensions:
        rows = summary_rows(scope, dimension, fiscal_year)
        sections.append(
            {
                "title": _("By %(dimension)s") % {"dimension": str(DIMENSIONS[dimension].title).lower()},
                "dimension": DIMENSIONS[dimension].title,
                "slug": dimension,
                "rows": rows,
                "chart": charts.bar_chart(
                    title=str(DIMENSIONS[dimension].title),
                    labels=[r.name if dimension != "measure" else f"{r.key}. {r.name}" for r in rows],
                    series=[
                        charts.Series(paid, [r.paid for r in rows], charts.GREEN),
                        charts.Series(committed, [r.committed for r in rows], charts.BLUE),
                    ],
                    money=True,
                    label_width=230,
                ),
            }
        )
    budgets = budgets_by_incentive(scope, fiscal_year)
    return {
        "spec": spec,
        "scope": scope,
        "fiscal_year": fiscal_year,
        "generated_at": timezone.localtime(),
        "totals": summary_totals(scope, fiscal_year),
        "sections": sections,
        "budgets": budgets,
        "budget_chart": charts.bar_chart(
            title=_("Budgets per incentive"),
            labels=[b.name for b in budgets],
            series=[
                charts.Series(paid, [b.paid for b in budgets], charts.GREEN),
                charts.Series(committed, [b.committed for b in budgets], charts.BLUE),
            ],
            track=[b.allocation for b in budgets],
            track_name=_("Allocation"),
            money=True,
            label_width=230,
        ),
    }


def summary_pdf(spec: ReportSpec, scope: ReportScope, fiscal_year: int | None) -> bytes:
    """The summary as a PDF with its charts; WeasyPrint fetches nothing but the portal's static files
    (the notices' fetcher: applications.notices)."""
    from portal.pdf import render_pdf

    html = render_to_string("reports/summary_pdf.html", summary_context(spec, scope, fiscal_year))
    return render_pdf(html)


def export_response(spec: ReportSpec, fmt: str, scope: ReportScope, fiscal_year: int | None) -> HttpResponseBase:
    """The report as a download: a streamed CSV, an XLSX written to a temporary file and streamed
    from it, or a PDF. A ledger too long for an XLSX during a request is a ReportError."""
    name = filename(spec, fmt, fiscal_year, scope)
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_chunks(spec, scope, fiscal_year), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if fmt == "xlsx":
        if spec.is_ledger and (spec.count(scope, fiscal_year) or 0) > DIRECT_XLSX_MAX_ROWS:
            raise ReportError(
                _(
                    "This ledger has more than %(limit)s rows: prepare the XLSX in the background "
                    "(an export job), or download it as CSV."
                )
                % {"limit": f"{DIRECT_XLSX_MAX_ROWS:,}"},
                field="format",
                code="too_large",
            )
        scratch = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_xlsx(scratch, spec, scope, fiscal_year)
        scratch.seek(0)
        return FileResponse(scratch, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"])
    pdf = HttpResponse(summary_pdf(spec, scope, fiscal_year), content_type=CONTENT_TYPES["pdf"])
    pdf["Content-Disposition"] = f'attachment; filename="{name}"'
    return pdf
