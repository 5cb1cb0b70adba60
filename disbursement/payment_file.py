"""The payment file for the bank, as CSV (streamed) or XLSX (write-only)."""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from reports.exports import neutralise

# The payment file's columns, in order (CSV and XLSX); the bank's results file may repeat them.
PAYMENT_FILE_HEADERS = (
    "payment reference",
    "payee",
    "bank",
    "account number",
    "amount",
    "application reference",
    "incentive",
)


def _file_row(row: tuple[Any, ...]) -> list[Any]:
    return [neutralise(value) if index != 4 else value for index, value in enumerate(row)]


class _Echo:
    """A file-like object whose write returns what it was given: csv.writer writes one line at a time."""

    def write(self, value: str) -> str:
        return value


def payment_file_csv(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """The payment file as CSV, one line at a time (UTF-8 with a BOM, so spreadsheets read Chinese)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(PAYMENT_FILE_HEADERS)
    for row in rows:
        cells = _file_row(row)
        cells[4] = f"{cells[4]:.2f}"
        yield writer.writerow(cells)


def payment_file_xlsx(rows: Iterable[tuple[Any, ...]], *, title: str) -> IO[bytes]:
    """The payment file as XLSX, written in openpyxl's write-only mode to a temporary file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for letter, width in zip("ABCDEFG", (24, 36, 36, 24, 16, 22, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(list(PAYMENT_FILE_HEADERS))
    for row in rows:
        # Text stays text (an account number must not become a number; after neutralise() no text
        # begins with "=", so none becomes a formula); control characters XML cannot hold are dropped.
        cells: list[Any] = [
            ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else ("" if value is None else str(value))
            for value in _file_row(row)
        ]
        amount = WriteOnlyCell(sheet, value=row[4])
        amount.number_format = "#,##0.00"
        cells[4] = amount
        sheet.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the caller closes it)
    workbook.save(out)
    out.seek(0)
    return out
