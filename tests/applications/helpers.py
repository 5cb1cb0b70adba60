"""Answers, files and drafts for the applications tests (not a test module)."""

import io
import itertools
import struct
import zipfile
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from applications.models import Application
from applications.services import application_create, application_save_section, document_add
from measures.models import Incentive

FIXED = "m17-china-quality-award-org"
PER_UNIT = "m15-international-standard-lead"
COST_SHARE = "m13-quality-digitalisation-subsidy"

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode."
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    + _png_chunk(b"IEND", b"")
)


def ofd_bytes() -> bytes:
    """An OFD package (GB/T 33190): a ZIP with OFD.xml at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>',
        )
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


_STANDARDS = itertools.count(23000)


def standard(i: int) -> dict[str, str]:
    """One row of measure 15's form: an international standard led."""
    return {
        "number": f"ISO {next(_STANDARDS)}:2025",
        "title": f"Standard {i}",
        "organisation": "iso",
        "published_on": "2025-05-01",
    }


CONTACT = {"contact_name": "王五", "contact_phone": "020-87654321"}


_CERTIFICATES = itertools.count(1)


def answers_for(code: str, *, units: int = 2, investment: str = "1200000") -> dict[str, dict[str, Any]]:
    """Complete, valid answers for a fixed grant, measure 15's per-unit form or a cost-share grant."""
    kind = Incentive.objects.values_list("kind", flat=True).get(code=code)
    claim: dict[str, Any] = {"summary": "获得第五届中国质量奖。"}
    if kind == Incentive.Kind.FIXED_GRANT:
        # Each application claims its own certificate: the same one is funded only once.
        claim |= {"certificate_number": f"CQA-2025-001-{next(_CERTIFICATES)}", "award_date": "2025-09-16"}
    elif code == PER_UNIT:
        claim |= {"standards": [standard(i) for i in range(units)], "requested_amount": ""}
    else:
        claim |= {"investment": investment, "investment_period": "2024-01 to 2024-12"}
    return {"claim": claim, "contact": dict(CONTACT)}


def complete_draft(user: User, code: str, **answers: Any) -> Application:
    """A draft with every section answered and every mandatory document uploaded, through the services."""
    incentive = Incentive.objects.get(code=code)
    application = application_create(actor=user, incentive=incentive, fiscal_year=_year())
    for section_key, section_answers in answers_for(code, **answers).items():
        application = application_save_section(
            actor=user, application=application, section_key=section_key, answers=section_answers
        )
    for required in incentive.required_documents.filter(is_mandatory=True):
        document_add(
            actor=user, application=application, upload=upload("evidence.pdf", PDF), required_document=required
        )
    return Application.objects.get(pk=application.pk)


def _year() -> int:
    from django.utils import timezone

    return timezone.localdate().year
