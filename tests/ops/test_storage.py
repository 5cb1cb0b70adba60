"""Uploads and generated files go through Django's storage API only, so they work the same on the
local disk and on S3-compatible storage: proven here with a storage that has no files at all
(InMemoryStorage: a `.path` raises). On S3 nothing is public: objects are private and any URL is
signed and expires; the portal streams files from its permission-checked views."""

import os
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import InMemoryStorage, Storage, storages
from django.test import Client
from django.urls import reverse
from django.utils._os import safe_join

from accounts.models import ApplicantQualification
from applications.models import Notice
from applications.notices import issue_notice
from portal.settings.base import storages_from_environment
from tests.applications.helpers import FIXED, PDF, complete_draft, upload
from tests.factories import EnterpriseUserFactory
from tests.notices.conftest import application_for_notice

pytestmark = pytest.mark.django_db


class PathlessStorage(InMemoryStorage):
    """Files in memory and, like S3, no path on any disk."""

    def path(self, name: str) -> str:
        raise NotImplementedError("this storage has no file system paths")

    def _relative_path(self, name: str) -> str:  # InMemoryStorage's own bookkeeping used path()
        return os.path.relpath(safe_join(self.location, name), self.location)


@pytest.fixture
def storage(settings: Any) -> Storage:
    settings.STORAGES = {
        "default": {"BACKEND": f"{__name__}.PathlessStorage"},
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    assert isinstance(storages["default"], PathlessStorage)
    return storages["default"]


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def body(response: Any) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_an_application_document_is_stored_and_served_without_a_file_path(storage: Storage) -> None:
    user = EnterpriseUserFactory()
    application = complete_draft(user, FIXED)
    application.documents.all().delete()
    client = client_for(user)
    kind = application.incentive.required_documents.first().pk
    response = client.post(
        reverse("applications:documents", args=[application.pk]), {"kind": kind, "file": upload("报告.pdf", PDF)}
    )
    assert response.status_code == 302
    document = application.documents.get()
    assert storage.exists(document.file.name)
    with pytest.raises(NotImplementedError):
        document.file.path  # noqa: B018 - nothing may rely on a path
    assert body(client.get(reverse("applications:document", args=[application.pk, document.pk]))) == PDF
    # Another applicant gets nothing, as on disk.
    other = client_for(EnterpriseUserFactory())
    assert other.get(reverse("applications:document", args=[application.pk, document.pk])).status_code == 404


def test_qualification_evidence_is_stored_and_served_without_a_file_path(storage: Storage) -> None:
    user = EnterpriseUserFactory()
    client = client_for(user)
    response = client.post(
        "/accounts/profile/qualifications/",
        {
            "qualification": "little_giant",
            "level": "national",
            "year": "2023",
            "certificate_number": "ZJTX-1",
            "evidence": upload("证书.pdf", PDF),
        },
    )
    assert response.status_code == 302
    record = ApplicantQualification.objects.get(applicant=user.applicant)
    assert storage.exists(record.evidence.name)
    assert body(client.get(f"/accounts/profile/qualifications/{record.pk}/evidence/")) == PDF


def test_a_notice_pdf_is_written_and_downloaded_through_the_storage(storage: Storage) -> None:
    owner = EnterpriseUserFactory()
    application, event = application_for_notice(Notice.Kind.DECISION_SUPPORT, user=owner)
    notice = issue_notice(
        application_id=application.pk, kind=Notice.Kind.DECISION_SUPPORT, event_sequence=event.sequence
    )
    with storage.open(notice.pdf.name, "rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF-")
    assert body(client_for(owner).get(reverse("verify:notice_pdf", args=[notice.pk]))) == pdf


def test_an_s3_url_would_be_signed_and_short_lived(monkeypatch: pytest.MonkeyPatch) -> None:
    from storages.backends.s3 import S3Storage

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "portal-media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://minio:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "portal")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "minio-secret")
    config = storages_from_environment(static_backend="x")["default"]
    storage = S3Storage(**config["OPTIONS"])  # building a presigned URL contacts nothing
    url = urlsplit(storage.url("applications/2026/report.pdf"))
    assert (url.scheme, url.netloc, url.path) == ("http", "minio:9000", "/portal-media/applications/2026/report.pdf")
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Signature"]
