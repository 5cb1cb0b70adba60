"""Reading an official list file (CSV or XLSX) into rows, with file-level errors in the user's language."""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .resources import COLUMN_LABELS, REQUIRED_COLUMNS, canonical_headers

MAX_FILE_BYTES = 5 * 1024 * 1024


MAX_ROWS = 5000


HEADING_SEARCH_ROWS = 10  # a title line or two above the headings is common in official lists


FILE_FIELD = "file"


@dataclass
class ListFile:
    """The rows of an uploaded list under resource column names, with each row's line in the file."""

    headers: list[str]
    rows: list[list[str]]
    file_rows: list[int]
    name: str = ""

    def dataset(self) -> tablib.Dataset:
        return tablib.Dataset(*[tuple(r) for r in self.rows], headers=self.headers)

    def to_dict(self) -> dict[str, Any]:
        return {"headers": self.headers, "rows": self.rows, "file_rows": self.file_rows, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ListFile":
        return cls(
            headers=list(data["headers"]),
            rows=[list(r) for r in data["rows"]],
            file_rows=list(data["file_rows"]),
            name=data.get("name", ""),
        )

    @classmethod
    def from_rows(cls, headers: list[str], rows: Iterable[Iterable[Any]], name: str = "") -> "ListFile":
        """For code that builds a list itself (the demo, tests): headings in any accepted form."""
        return _list_from_table([headers, *rows], name=name)


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


def _list_from_table(table: Iterable[Iterable[Any]], *, name: str) -> ListFile:
    lines = [[_cell(v) for v in line] for line in table]
    heading_index = None
    for index, line in enumerate(lines[:HEADING_SEARCH_ROWS]):
        if set(REQUIRED_COLUMNS) <= set(canonical_headers(line)):
            heading_index = index
            break
    if heading_index is None:
        raise _file_error(
            _("The file needs the columns %(columns)s in its heading row (the first rows of the file).")
            % {"columns": ", ".join(str(COLUMN_LABELS[c]) for c in REQUIRED_COLUMNS)}
        )
    headers = canonical_headers(lines[heading_index])
    # Unknown headings stay (the resource ignores them) but must not collide with ours.
    headers = [h if h in COLUMN_LABELS or not h else f"_{i}_{h}" for i, h in enumerate(headers)]
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
            raise _file_error(_("The file has more than %(n)d rows: split it into several lists.") % {"n": MAX_ROWS})
    if not rows:
        raise _file_error(_("The file has no rows under its heading row."))
    return ListFile(headers=headers, rows=rows, file_rows=file_rows, name=name)


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


def proactive_list_read(upload: UploadedFile) -> ListFile:
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
    return _list_from_table(table, name=name)
