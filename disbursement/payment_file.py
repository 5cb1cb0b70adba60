"""The payment file for the bank, as CSV (streamed) or XLSX (write-only)."""

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from portal.spreadsheets import csv_lines, xlsx_row

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


MONEY_COLUMNS = frozenset({4})


def payment_file_csv(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """The payment file as CSV, one line at a time (UTF-8 with a BOM, so spreadsheets read Chinese)."""
    return csv_lines(PAYMENT_FILE_HEADERS, rows)


def payment_file_xlsx(rows: Iterable[tuple[Any, ...]], *, title: str) -> IO[bytes]:
    """The payment file as XLSX, written in openpyxl's write-only mode to a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for letter, width in zip("ABCDEFG", (24, 36, 36, 24, 16, 22, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(list(PAYMENT_FILE_HEADERS))
    for row in rows:
        sheet.append(xlsx_row(sheet, row, money_columns=MONEY_COLUMNS, as_text=True))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the caller closes it)
    workbook.save(out)
    out.seek(0)
    return out
