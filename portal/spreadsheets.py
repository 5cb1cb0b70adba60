"""Writing CSV and XLSX for every download of the portal (reports, ledgers, the bank's payment
file, the admin's exports), with one guard against spreadsheet formula injection.

Names, payees and references come from applicants and banks: a text cell beginning with
= + - @, a tab or a line break gets a leading apostrophe, so a spreadsheet shows it instead of
running it. CSV is UTF-8 with a byte-order mark (Excel needs it to read Chinese) and is yielded a
line at a time; XLSX rows go through openpyxl's write-only mode (flat memory).
"""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar, overload

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
MONEY_FORMAT = "#,##0.00"


T = TypeVar("T")


@overload
def neutralise(value: str) -> str: ...
@overload
def neutralise(value: T) -> T: ...
def neutralise(value: Any) -> Any:
    """'=HYPERLINK(…)' → "'=HYPERLINK(…)": a spreadsheet shows the text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


class _Echo:
    """csv.writer writes each row to this and gets the line back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV a line at a time: the byte-order mark and headers first, every cell neutralised."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def xlsx_row(
    sheet: Any, row: Sequence[Any], *, money_columns: frozenset[int] = frozenset(), as_text: bool = False
) -> list[Any]:
    """One row for a write-only sheet: text neutralised and stripped of the control characters XML
    cannot hold; money columns as numbers formatted #,##0.00; with `as_text`, every other cell is
    text (an account number must not become a number)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out: list[Any] = []
    for index, value in enumerate(row):
        if index in money_columns and value is not None:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = MONEY_FORMAT
            out.append(cell)
        elif isinstance(value, str):
            out.append(neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
        elif as_text:
            out.append("" if value is None else str(value))
        else:
            out.append(value)
    return out


def xlsx_header(sheet: Any, headers: Sequence[str]) -> list[Any]:
    """The header row for a write-only sheet, in bold."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for header in xlsx_row(sheet, [str(h) for h in headers]):
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cells.append(cell)
    return cells
