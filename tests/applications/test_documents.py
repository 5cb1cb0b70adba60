"""Documents: judged by content, at most 20 MB, never empty, names cleaned, served only to the owner."""

import pytest
from django.test import Client
from django.urls import reverse

from applications.documents import MAX_BYTES, clean_name
from applications.models import ApplicationDocument, Status
from applications.services import application_submit

from .helpers import EXECUTABLE, FIXED, JPEG, PDF, PNG, complete_draft, ofd_bytes, upload

pytestmark = pytest.mark.django_db

BOUNDARY = "----portal-test-boundary"


def multipart(fields: dict[str, str], *, filename: str, content: bytes, content_type: str = "application/pdf") -> bytes:
    """A multipart body written by hand, so the file name reaches the server exactly as given
    (the test client's upload objects strip directories before sending)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def draft(enterprise_user):
    application = complete_draft(enterprise_user, FIXED)
    application.documents.all().delete()
    return application


def page_upload(client: Client, application, content: bytes, name: str = "report.pdf", kind: str | None = None):
    kind = kind or str(application.incentive.required_documents.first().pk)
    return client.post(
        reverse("applications:documents", args=[application.pk]), {"kind": kind, "file": upload(name, content)}
    )


def api_upload(client, application, content: bytes, name: str = "report.pdf", kind: int | None = None):
    data = {"file": upload(name, content)}
    if kind is not None:
        data["kind"] = kind
    return client.post(f"/api/v1/applications/{application.pk}/documents/", data, format="multipart")


# ── refused ─────────────────────────────────────────────────────────────────────────────────


def test_a_disguised_executable_is_refused_in_the_page_and_the_api(
    enterprise_user, draft, page_client, api_client
) -> None:
    response = page_upload(page_client(enterprise_user), draft, EXECUTABLE, "report.pdf")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only PDF, JPEG, PNG and OFD documents are accepted" in page
    assert 'href="#id_file"' in page  # in the error summary, linked to the field
    response = api_upload(api_client(enterprise_user), draft, EXECUTABLE, "report.pdf")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "Only PDF, JPEG, PNG and OFD" in response.json()["errors"]["file"][0]
    assert not ApplicationDocument.objects.exists()


def test_a_file_over_20_mb_is_refused_with_413_in_the_api(enterprise_user, draft, page_client, api_client) -> None:
    big = PDF + b"\0" * (MAX_BYTES + 1 - len(PDF))
    response = api_upload(api_client(enterprise_user), draft, big, "big.pdf")
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than 20 MB.", "code": "too_large", "errors": {}}
    response = page_upload(page_client(enterprise_user), draft, big, "big.pdf")
    assert response.status_code == 413
    assert "The file is larger than 20 MB." in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_exactly_20_mb_is_accepted(enterprise_user, draft, api_client) -> None:
    response = api_upload(api_client(enterprise_user), draft, PDF + b"\0" * (MAX_BYTES - len(PDF)), "limit.pdf")
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == MAX_BYTES


def test_an_empty_file_is_refused(enterprise_user, draft, page_client, api_client) -> None:
    response = page_upload(page_client(enterprise_user), draft, b"", "empty.pdf")
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    response = api_upload(api_client(enterprise_user), draft, b"", "empty.pdf")
    assert response.status_code == 400
    assert "empty" in response.json()["errors"]["file"][0]
    assert not ApplicationDocument.objects.exists()


def test_no_file_or_no_type_chosen_is_an_error_not_a_500(enterprise_user, draft, page_client) -> None:
    response = page_client(enterprise_user).post(reverse("applications:documents", args=[draft.pk]), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_kind"' in page and 'href="#id_file"' in page


# ── names ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("send", ["page", "api"])
def test_a_path_in_the_file_name_is_dropped(enterprise_user, draft, send: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(enterprise_user)
    kind = str(draft.incentive.required_documents.first().pk)
    url = (
        reverse("applications:documents", args=[draft.pk])
        if send == "page"
        else f"/api/v1/applications/{draft.pk}/documents/"
    )
    body = multipart({"kind": kind}, filename="../../etc/passwd.pdf", content=b"%PDF-1.4\n" + PDF[9:])
    response = client.generic("POST", url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code in {201, 302}, response.content
    document = ApplicationDocument.objects.get()
    assert document.original_name == "passwd.pdf"
    assert ".." not in document.file.name and "etc" not in document.file.name
    assert document.file.name.startswith(f"applications/{draft.pk}/") and document.format == "pdf"


@pytest.mark.parametrize(
    ("given", "file_format", "cleaned"),
    [
        ("..\\..\\windows\\evil.pdf", "pdf", "evil.pdf"),
        ("photo.exe", "jpeg", "photo.jpg"),
        ("年度报告\x00.pdf", "pdf", "年度报告.pdf"),
        ("<script>.png", "png", "script.png"),
        ("", "ofd", "document.ofd"),
    ],
)
def test_clean_name(given: str, file_format: str, cleaned: str) -> None:
    assert clean_name(given, file_format) == cleaned


# ── accepted and served ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("name", "content", "file_format", "content_type", "stored_as"),
    [
        ("photo.jpeg", JPEG, "jpeg", "image/jpeg", "photo.jpg"),
        ("scan.png", PNG, "png", "image/png", "scan.png"),
        ("证书.ofd", ofd_bytes(), "ofd", "application/ofd", "证书.ofd"),
        ("certificate.PDF", PDF, "pdf", "application/pdf", "certificate.pdf"),
    ],
)
def test_jpeg_png_ofd_and_pdf_are_accepted_and_served_inline_to_the_owner(
    enterprise_user, draft, page_client, name: str, content: bytes, file_format: str, content_type: str, stored_as: str
) -> None:
    client = page_client(enterprise_user)
    response = page_upload(client, draft, content, name)
    assert response.status_code == 302, response.content.decode()
    document = ApplicationDocument.objects.get()
    assert (document.format, document.original_name, document.size) == (file_format, stored_as, len(content))
    assert document.uploaded_by == enterprise_user and not document.for_supplement

    served = client.get(reverse("applications:document", args=[draft.pk, document.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["Content-Disposition"].startswith("inline;")
    assert stored_as in served["Content-Disposition"] or "filename*=utf-8''" in served["Content-Disposition"]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == content


def test_the_documents_page_lists_required_documents_and_a_document_can_be_deleted(
    enterprise_user, draft, page_client
) -> None:
    client = page_client(enterprise_user)
    page = client.get(reverse("applications:documents", args=[draft.pk])).content.decode()
    assert "China Quality Award certificate" in page and "Missing" in page
    assert page_upload(client, draft, PDF, "cert.pdf").status_code == 302
    page = client.get(reverse("applications:documents", args=[draft.pk])).content.decode()
    assert "cert.pdf" in page and "Uploaded" in page
    document = ApplicationDocument.objects.get()
    response = client.post(reverse("applications:document_delete", args=[draft.pk, document.pk]))
    assert response.status_code == 302
    assert not ApplicationDocument.objects.exists()
    assert client.get(reverse("applications:document_delete", args=[draft.pk, 1])).status_code == 405


def test_an_other_supporting_document_needs_no_type(enterprise_user, draft, page_client, api_client) -> None:
    assert page_upload(page_client(enterprise_user), draft, PDF, "extra.pdf", kind="other").status_code == 302
    assert ApplicationDocument.objects.get().required_document is None
    response = api_upload(api_client(enterprise_user), draft, PNG, "extra.png")
    assert response.status_code == 201 and response.json()["kind"] is None


def test_a_document_type_of_another_incentive_is_refused(enterprise_user, draft, api_client) -> None:
    from measures.models import RequiredDocument

    foreign = RequiredDocument.objects.exclude(incentive=draft.incentive).first()
    response = api_upload(api_client(enterprise_user), draft, PDF, kind=foreign.pk)
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_after_submission_documents_can_no_longer_be_added_or_removed(enterprise_user, page_client, api_client) -> None:
    application = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    assert application.status == Status.SUBMITTED
    response = api_upload(api_client(enterprise_user), application, PDF)
    assert response.status_code == 409 and response.json()["code"] == "not_allowed"
    client = page_client(enterprise_user)
    assert page_upload(client, application, PDF).status_code == 302
    document = application.documents.get()
    client.post(reverse("applications:document_delete", args=[application.reference, document.pk]))
    assert application.documents.count() == 1
    page = client.get(reverse("applications:documents", args=[application.reference])).content.decode()
    assert "Upload a document" not in page and "app-delete" not in page
