"""The payment file for the bank, as CSV (streamed) or XLSX (write-only).

Headings and the incentive's name are in the language of the request (Chinese by default; English
when the portal speaks English), fixed when the file is opened: a streamed CSV is written after the
view returns. The bank's results import accepts either language's headings (disbursement.resources)."""

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext_lazy

from portal.languages import is_english
from portal.spreadsheets import csv_lines, xlsx_row

# The payment file's columns, in order (CSV and XLSX); the bank's results file may repeat them.
PAYMENT_FILE_HEADERS = (
    gettext_lazy("payment reference"),
    gettext_lazy("payee"),
    gettext_lazy("bank"),
    gettext_lazy("account number"),
    gettext_lazy("amount"),
    gettext_lazy("application reference"),
    gettext_lazy("incentive"),
)


MONEY_COLUMNS = frozenset({4})


def payment_file_headers() -> list[str]:
    """The headings in the current language."""
    return [str(h) for h in PAYMENT_FILE_HEADERS]


def _localised(rows: Iterable[tuple[Any, ...]], *, english: bool) -> Iterator[tuple[Any, ...]]:
    """The selector's rows end with the incentive's Chinese and English names: one of them stays."""
    for *row, name, name_en in rows:
        yield (*row, name_en if english and name_en else name)


def payment_file_csv(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """The payment file as CSV, one line at a time (UTF-8 with a BOM, so spreadsheets read Chinese)."""
    return csv_lines(payment_file_headers(), _localised(rows, english=is_english()))


def payment_file_xlsx(rows: Iterable[tuple[Any, ...]], *, title: str) -> IO[bytes]:
    """The payment file as XLSX, written in openpyxl's write-only mode to a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for letter, width in zip("ABCDEFG", (24, 36, 36, 24, 16, 22, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(payment_file_headers())
    for row in _localised(rows, english=is_english()):
        sheet.append(xlsx_row(sheet, row, money_columns=MONEY_COLUMNS, as_text=True))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the caller closes it)
    workbook.save(out)
    out.seek(0)
    return out
