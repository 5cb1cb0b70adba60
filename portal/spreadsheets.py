"""Writing CSV and XLSX for every download of the portal (reports, ledgers, the bank's payment
file, the admin's exports), with one guard against spreadsheet formula injection; and reading the
lists officials upload (`TableFile`: CSV in UTF-8 or GBK, or XLSX, headings in Chinese or English).

Names, payees and references come from applicants and banks: a text cell beginning with
= + - @, a tab or a line break gets a leading apostrophe, so a spreadsheet shows it instead of
running it. CSV is UTF-8 with a byte-order mark (Excel needs it to read Chinese) and is yielded a
line at a time; XLSX is written by XlsxWriter in constant-memory mode (`XlsxSheets`; the bank's
small payment file still uses openpyxl's write-only cells, `xlsx_row`).
"""

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any, ClassVar, TypeVar, overload

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

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


class XlsxSheets:
    """A workbook written with XlsxWriter in constant-memory mode: each row goes to a temporary
    file as it is written, so memory stays flat however long the sheet (and it writes at about
    the library's own pace, which openpyxl's write-only cells did not: issue 10). Text is
    neutralised and stripped of what XML cannot hold, strings are never read as formulas, URLs
    or numbers, and money columns are numbers formatted #,##0.00. `target`: a path or a binary
    file object."""

    def __init__(self, target: Any) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "yyyy-mm-dd",
                "remove_timezone": True,
            },
        )
        self._bold = self.workbook.add_format({"bold": True})
        self._money = self.workbook.add_format({"num_format": MONEY_FORMAT})

    def sheet(self, title: str, headers: Sequence[str], *, money_columns: frozenset[int] = frozenset()) -> "XlsxSheet":
        sheet = self.workbook.add_worksheet(title)
        for index, header in enumerate(headers):
            sheet.set_column(index, index, 18 if index in money_columns else max(12, len(str(header)) + 4))
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, [_xml_text(str(h)) for h in headers], self._bold)
        return XlsxSheet(sheet, money_columns, self._money)

    def close(self) -> None:
        self.workbook.close()


class XlsxSheet:
    def __init__(self, sheet: Any, money_columns: frozenset[int], money: Any) -> None:
        self._sheet, self._money_columns, self._money, self._next = sheet, money_columns, money, 1

    def append(self, row: Sequence[Any]) -> None:
        # The type checks in the order the ledger's cells come most (text, then money), and text
        # cleaned only when it holds something to clean: this loop runs millions of times (issue 10).
        n, sheet, money_columns = self._next, self._sheet, self._money_columns
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                if not value.isprintable():
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith(FORMULA_PREFIXES):
                    value = "'" + value
                sheet.write_string(n, column, value)
            elif isinstance(value, bool):
                sheet.write_boolean(n, column, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(n, column, value, self._money if column in money_columns else None)
            elif isinstance(value, dt.date):
                sheet.write_datetime(n, column, value)
            else:
                sheet.write_string(n, column, _xml_text(str(value)))
        self._next = n + 1


def _xml_text(value: str) -> str:
    """Text a sheet can hold: without the control characters XML refuses, and never a formula."""
    if not value.isprintable():  # every character XML refuses is unprintable
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


# The control characters XML 1.0 refuses (openpyxl's ILLEGAL_CHARACTERS_RE, without importing openpyxl).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ── reading uploaded lists ──────────────────────────────────────────────────────────────────────

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADING_SEARCH_ROWS = 10  # a title line or two above the headings is common in official lists
FILE_FIELD = "file"


def heading_key(value: Any) -> str:
    """A heading as compared: NFKC (full-width to half-width), trimmed, lower case, spaces folded."""
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).strip().lower().split())


def cell_text(value: Any) -> str:
    """A cell as text: NFKC, trimmed; 2026.0 (how Excel keeps numbers) is 2026."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


@dataclass(frozen=True)
class Columns:
    """The columns a list has: for each, the headings accepted (Chinese as officials send them,
    English as scripts do) and how people call it; `required` must all be in the heading row."""

    headings: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, Any]
    required: tuple[str, ...]

    def canonical(self, headers: Sequence[Any]) -> list[str]:
        """The file's headings as column names; a heading we do not know is kept as it is."""
        by_heading = {heading_key(h): column for column, names in self.headings.items() for h in names}
        return [by_heading.get(heading_key(h), str(h or "")) for h in headers]

    def label(self, column: str) -> str:
        return str(self.labels.get(column, column))


@dataclass
class RowProblem:
    """A problem in one row of an uploaded list, for the preview's table and error summary."""

    row: int  # the line in the file, the heading row counted (as a spreadsheet numbers it); 0: the file
    field: str  # the column's name, "row" or "file"
    column: str  # how people call the column
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def _file_error(message: str) -> ValidationError:
    return ValidationError({FILE_FIELD: [ValidationError(message, code="file")]})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_table(data: bytes) -> list[tuple[Any, ...]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            table = list(islice(sheet.iter_rows(values_only=True), MAX_ROWS + HEADING_SEARCH_ROWS + 2))
        finally:
            workbook.close()
    except (BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise _file_error(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    return table


def _csv_table(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _file_error(_("The CSV file's text encoding is not UTF-8 or GBK."))
    if "\x00" in text:
        raise _file_error(_("Upload a CSV or XLSX file."))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise _file_error(_("The CSV file could not be read: check its quotes and separators.")) from None


@dataclass
class TableFile:
    """The rows of an uploaded list under column names (a subclass names its `columns`), with
    each row's line in the file as a spreadsheet numbers it (the heading row counted)."""

    headers: list[str]
    rows: list[list[str]]
    file_rows: list[int]
    name: str = ""

    columns: ClassVar[Columns]

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Each row as (its line in the file, column → cell)."""
        pairs = zip(self.file_rows, self.rows, strict=True)
        return [(line, dict(zip(self.headers, row, strict=False))) for line, row in pairs]

    def dataset(self) -> Any:
        import tablib

        return tablib.Dataset(*[tuple(r) for r in self.rows], headers=self.headers)

    def to_dict(self) -> dict[str, Any]:
        """What a preview stages for its confirmation (portal/staging.py)."""
        return {"headers": self.headers, "rows": self.rows, "file_rows": self.file_rows, "name": self.name}

    @classmethod
    def from_dict(cls: type["T_Table"], data: dict[str, Any]) -> "T_Table":
        return cls(
            headers=list(data["headers"]),
            rows=[list(r) for r in data["rows"]],
            file_rows=list(data["file_rows"]),
            name=data.get("name", ""),
        )

    @classmethod
    def from_rows(cls: type["T_Table"], headers: list[str], rows: Iterable[Iterable[Any]], name: str = "") -> "T_Table":
        """For code that builds a list itself (the demo, tests): headings in any accepted form."""
        return cls._from_table([headers, *rows], name=name)

    @classmethod
    def read(cls: type["T_Table"], upload: UploadedFile) -> "T_Table":
        """The list in an uploaded CSV or XLSX file (judged by content), or a ValidationError on "file"."""
        size = upload.size or 0
        if size == 0:
            raise _file_error(_("The file is empty."))
        if size > MAX_FILE_BYTES:
            raise _file_error(_("The file is larger than 5 MB."))
        upload.seek(0)
        data = upload.read()
        name = (upload.name or "").rsplit("/", 1)[-1][:200]
        if data[:4] == b"PK\x03\x04":
            table: list[Any] = _xlsx_table(data)
        elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise _file_error(_("Old Excel files (.xls) are not read: save the list as .xlsx or CSV."))
        else:
            table = _csv_table(data)
        return cls._from_table(table, name=name)

    @classmethod
    def _from_table(cls: type["T_Table"], table: Iterable[Iterable[Any]], *, name: str) -> "T_Table":
        columns = cls.columns
        lines = [[_cell(v) for v in line] for line in table]
        heading_index = None
        for index, line in enumerate(lines[:HEADING_SEARCH_ROWS]):
            if set(columns.required) <= set(columns.canonical(line)):
                heading_index = index
                break
        if heading_index is None:
            raise _file_error(
                _("The file needs the columns %(columns)s in its heading row (the first rows of the file).")
                % {"columns": ", ".join(columns.label(c) for c in columns.required)}
            )
        headers = columns.canonical(lines[heading_index])
        # Unknown headings stay (nobody reads them) but must not collide with ours.
        headers = [h if h in columns.headings or not h else f"_{i}_{h}" for i, h in enumerate(headers)]
        headers = [h or f"_{i}" for i, h in enumerate(headers)]
        rows: list[list[str]] = []
        file_rows: list[int] = []
        for index in range(heading_index + 1, len(lines)):
            line = lines[index]
            if not any(line):
                continue  # blank lines (Excel keeps formatted empty rows) are not rows of the list
            rows.append((line + [""] * len(headers))[: len(headers)])
            file_rows.append(index + 1)
            if len(rows) > MAX_ROWS:
                raise _file_error(
                    _("The file has more than %(n)d rows: split it into several lists.") % {"n": MAX_ROWS}
                )
        if not rows:
            raise _file_error(_("The file has no rows under its heading row."))
        return cls(headers=headers, rows=rows, file_rows=file_rows, name=name)


T_Table = TypeVar("T_Table", bound=TableFile)
