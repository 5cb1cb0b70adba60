"""Checking an uploaded file, for every upload of the portal: judged by its bytes (the name and the
browser's content type are not trusted), 20 MB at most, and a clean name to show it under."""

import os
import re
import unicodedata
import zipfile
from collections.abc import Collection
from typing import Any

import magic
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MIME_FORMATS = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "ofd": ".ofd"}


class UploadRefused(Exception):
    """The file cannot be taken; `message` says why in the user's language, `code` is one of
    empty, too_large, file_type."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def too_large(self) -> bool:
        return self.code == "too_large"


def _is_ofd(upload: Any) -> bool:
    """OFD (GB/T 33190, China's fixed-layout format) is a ZIP package with OFD.xml at its root."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            return "OFD.xml" in package.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def file_format(upload: Any, *, accepted: Collection[str], refused_message: str) -> str:
    """The file's format ("pdf", "jpeg", "png", "ofd") when it is one of `accepted`, else UploadRefused."""
    if not upload.size:
        raise UploadRefused(_("The file is empty."), code="empty")
    if upload.size > MAX_BYTES:
        raise UploadRefused(_("The file is larger than 20 MB."), code="too_large")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = magic.from_buffer(head, mime=True)
    found = MIME_FORMATS.get(mime)
    if found is None and "ofd" in accepted and mime in {"application/zip", "application/octet-stream"}:
        found = "ofd" if _is_ofd(upload) else None
    if found is None or found not in accepted:
        raise UploadRefused(refused_message, code="file_type")
    return found


def clean_name(name: str, fmt: str, *, default: str = "document") -> str:
    """Only the last part of any path, no control characters, the extension of the real format."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(name)[0]
    stem = re.sub(r"[^\w\-. ()（）]", "_", stem).strip(" ._") or default
    return stem[:120] + EXTENSIONS[fmt]


class UploadTooLarge(RequestDataTooBig):
    """A file, or a whole multipart request, beyond what the portal takes: answered with 413
    (portal/middleware.py, or portal/errors.py's handler400 when a view's parser meets it)."""


def max_request_bytes() -> int:
    """One file at its largest plus the form's other fields (Django's own limit for those)."""
    return MAX_BYTES + int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: refuses a request whose declared length is beyond
    `max_request_bytes()` before reading it, and stops a file as soon as its bytes pass MAX_BYTES,
    so an oversized upload is never read in full nor written to a temporary file."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        if content_length > max_request_bytes():
            raise UploadTooLarge("request body larger than the upload limit")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > MAX_BYTES:
            raise UploadTooLarge("uploaded file larger than the upload limit")
        return raw_data  # the next handler (memory or temporary file) keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler returns the file
