"""Checks on an application's documents: PDF, JPEG, PNG and OFD only, judged by content; 20 MB at
most (portal/uploads.py does the checking for every upload of the portal)."""

from typing import Any

from django.utils.translation import gettext as _

from portal.uploads import EXTENSIONS, MAX_BYTES, UploadRefused, file_format
from portal.uploads import clean_name as _clean_name

__all__ = ["EXTENSIONS", "MAX_BYTES", "DocumentRejected", "clean_name", "detect_format"]

DocumentRejected = UploadRefused
FORMATS = ("pdf", "jpeg", "png", "ofd")


def detect_format(upload: Any) -> str:
    """The document's format from its bytes; the name and the browser's content type are not trusted."""
    return file_format(
        upload,
        accepted=FORMATS,
        refused_message=_("Only PDF, JPEG, PNG and OFD documents are accepted; this file is not one of them."),
    )


def clean_name(name: str, fmt: str) -> str:
    return _clean_name(name, fmt, default="document")
