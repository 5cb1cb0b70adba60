"""Checks on uploaded documents: PDF, JPEG, PNG and OFD only, judged by content; 20 MB at most."""

import os
import re
import unicodedata
import zipfile

import magic
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 20 * 1024 * 1024
MIME_FORMATS = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "ofd": ".ofd"}


class DocumentRejected(Exception):
    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def _is_ofd(upload: UploadedFile) -> bool:
    """OFD (GB/T 33190, China's fixed-layout format) is a ZIP package with OFD.xml at its root."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            return "OFD.xml" in package.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def detect_format(upload: UploadedFile) -> str:
    """The document's format from its bytes; the name and the browser's content type are not trusted."""
    if upload.size is None or upload.size == 0:
        raise DocumentRejected(str(_("The file is empty.")))
    if upload.size > MAX_BYTES:
        raise DocumentRejected(str(_("The file is larger than 20 MB.")), too_large=True)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = magic.from_buffer(head, mime=True)
    if mime in MIME_FORMATS:
        return MIME_FORMATS[mime]
    if mime in {"application/zip", "application/octet-stream"} and _is_ofd(upload):
        return "ofd"
    raise DocumentRejected(str(_("Only PDF, JPEG, PNG and OFD documents are accepted; this file is not one of them.")))


def clean_name(name: str, file_format: str) -> str:
    """Only the last part of any path, no control characters, the extension of the real format."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(name)[0]
    stem = re.sub(r"[^\w\-. ()（）]", "_", stem).strip(" ._") or "document"
    return stem[:120] + EXTENSIONS[file_format]
