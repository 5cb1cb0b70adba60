"""Qualifications with their evidence files, by page and API; uploads judged by content."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ApplicantQualification, User
from audit.models import AuditEvent
from tests.factories import QualificationFactory

from .conftest import api_as
from .uploads import EXECUTABLE, JPEG, PDF, PNG, too_large_pdf, upload

pytestmark = pytest.mark.django_db


def form(**changes: object) -> dict[str, object]:
    return {
        "qualification": "little_giant",
        "level": "national",
        "year": "2023",
        "certificate_number": "ZJTX-1",
        **changes,
    }


# --- pages -------------------------------------------------------------------------------------


def test_add_a_qualification_with_evidence_and_download_it(enterprise_client: Client, enterprise_user: User) -> None:
    response = enterprise_client.post("/accounts/profile/qualifications/", form(evidence=upload("证书.pdf", PDF)))
    assert response.status_code == 302
    record = ApplicantQualification.objects.get(applicant=enterprise_user.applicant)
    assert (record.qualification, record.year, record.evidence_name) == ("little_giant", 2023, "证书.pdf")
    stored = Path(record.evidence.path)
    assert stored.read_bytes() == PDF and Path(settings.MEDIA_ROOT) in stored.parents
    assert stored.name != "证书.pdf"  # stored under a random name
    assert AuditEvent.objects.filter(action="qualification.add", actor=enterprise_user).exists()
    html = enterprise_client.get("/accounts/profile/qualifications/").content.decode()
    assert "证书.pdf" in html and "ZJTX-1" in html
    download = enterprise_client.get(f"/accounts/profile/qualifications/{record.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(("name", "content"), [("scan.jpg", JPEG), ("scan.png", PNG), ("no-extension", PNG)])
def test_images_are_accepted(enterprise_client: Client, name: str, content: bytes) -> None:
    response = enterprise_client.post(
        "/accounts/profile/qualifications/", form(evidence=upload(name, content, "image/png"))
    )
    assert response.status_code == 302
    record = ApplicantQualification.objects.get()
    assert record.evidence_name.endswith((".jpg", ".png"))


@pytest.mark.parametrize(
    ("file", "words"),
    [
        (lambda: upload("certificate.pdf", EXECUTABLE), "Only PDF, JPEG and PNG files are accepted"),
        (lambda: upload("page.pdf", b"<html><script>alert(1)</script></html>"), "Only PDF, JPEG and PNG"),
        (lambda: upload("empty.pdf", b""), "The file is empty."),
    ],
    ids=["disguised executable", "html named pdf", "empty"],
)
def test_bad_uploads_are_refused_and_what_was_typed_is_kept(
    enterprise_client: Client, file: object, words: str
) -> None:
    response = enterprise_client.post(
        "/accounts/profile/qualifications/",
        form(certificate_number="KEEP-ME-42", evidence=file()),  # type: ignore[operator]
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert words in html and 'href="#id_evidence"' in html and 'value="KEEP-ME-42"' in html
    assert not ApplicantQualification.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [path for path in media.rglob("*") if path.is_file()]


def test_an_upload_over_20_mb_is_stopped_with_413(enterprise_client: Client) -> None:
    """Stopped as its bytes pass the limit (portal.uploads.SizeLimitUploadHandler), before the form
    is read: the page says why, and nothing is kept."""
    response = enterprise_client.post(
        "/accounts/profile/qualifications/", form(certificate_number="KEEP-ME-42", evidence=too_large_pdf())
    )
    assert response.status_code == 413
    assert "The file is larger than 20 MB." in response.content.decode()
    assert not ApplicantQualification.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [path for path in media.rglob("*") if path.is_file()]


def test_a_path_in_the_file_name_is_cleaned(enterprise_client: Client) -> None:
    enterprise_client.post("/accounts/profile/qualifications/", form(evidence=upload("../../etc/passwd.pdf", PDF)))
    record = ApplicantQualification.objects.get()
    assert record.evidence_name == "passwd.pdf"
    assert Path(settings.MEDIA_ROOT).resolve() in Path(record.evidence.path).resolve().parents
    assert ".." not in record.evidence.name


def test_a_windows_path_and_a_wrong_extension_are_cleaned(enterprise_client: Client) -> None:
    enterprise_client.post("/accounts/profile/qualifications/", form(evidence=upload("C:\\Users\\x\\扫描件.exe", PDF)))
    assert ApplicantQualification.objects.get().evidence_name == "扫描件.pdf"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"year": "1989"}, "year"),
        ({"year": str(dt.date.today().year + 1)}, "year"),
        ({"qualification": "nobel_prize"}, "qualification"),
        ({"level": "galactic"}, "level"),
    ],
)
def test_bad_qualification_values_are_refused(enterprise_client: Client, changes: dict, field: str) -> None:
    response = enterprise_client.post("/accounts/profile/qualifications/", form(**changes))
    assert response.status_code == 200
    assert f'href="#id_{field}"' in response.content.decode()
    assert not ApplicantQualification.objects.exists()


def test_the_same_qualification_twice_in_a_year_is_refused_politely(enterprise_client: Client) -> None:
    enterprise_client.post("/accounts/profile/qualifications/", form())
    response = enterprise_client.post("/accounts/profile/qualifications/", form())
    assert response.status_code == 200
    assert "already recorded this qualification" in response.content.decode()
    assert ApplicantQualification.objects.count() == 1


def test_remove_a_qualification_and_its_file(enterprise_client: Client, django_capture_on_commit_callbacks) -> None:
    enterprise_client.post("/accounts/profile/qualifications/", form(evidence=upload("a.pdf", PDF)))
    record = ApplicantQualification.objects.get()
    path = Path(record.evidence.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = enterprise_client.post(f"/accounts/profile/qualifications/{record.pk}/delete/")
    assert response.status_code == 302
    assert not ApplicantQualification.objects.exists() and not path.exists()
    assert AuditEvent.objects.filter(action="qualification.delete").exists()


def test_delete_needs_post(enterprise_client: Client, enterprise_user: User) -> None:
    record = QualificationFactory(applicant=enterprise_user.applicant)
    assert enterprise_client.get(f"/accounts/profile/qualifications/{record.pk}/delete/").status_code == 405
    assert ApplicantQualification.objects.filter(pk=record.pk).exists()


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_adds_and_deletes_qualifications(enterprise_user: User) -> None:
    api = api_as(enterprise_user)
    created = api.post(
        "/api/v1/me/qualifications/",
        {
            "qualification": "national_single_champion",
            "level": "national",
            "year": 2024,
            "evidence": upload("c.pdf", PDF),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["qualification"] == "national_single_champion" and body["evidence_name"] == "c.pdf"
    assert body["evidence_url"] == f"/accounts/profile/qualifications/{body['id']}/evidence/"
    json_created = api.post(
        "/api/v1/me/qualifications/", {"qualification": "little_giant", "year": 2023}, format="json"
    )
    assert json_created.status_code == 201
    listed = api.get("/api/v1/me/qualifications/").json()
    assert listed["count"] == 2 and {r["year"] for r in listed["results"]} == {2023, 2024}
    assert api.get(f"/api/v1/me/qualifications/{body['id']}/").status_code == 200
    assert api.delete(f"/api/v1/me/qualifications/{body['id']}/").status_code == 204
    assert api.get("/api/v1/me/qualifications/").json()["count"] == 1


@pytest.mark.parametrize(
    ("file", "status", "field"),
    [
        (lambda: upload("certificate.pdf", EXECUTABLE), 400, "evidence"),
        (lambda: upload("empty.pdf", b""), 400, "evidence"),
        (too_large_pdf, 413, None),
    ],
    ids=["disguised executable", "empty", "over 20 MB"],
)
def test_api_refuses_bad_uploads(enterprise_user: User, file: object, status: int, field: str | None) -> None:
    response = api_as(enterprise_user).post(
        "/api/v1/me/qualifications/",
        {"qualification": "little_giant", "year": 2023, "evidence": file()},  # type: ignore[operator]
        format="multipart",
    )
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    if field:
        assert field in body["errors"]
    else:
        assert body["code"] == "too_large" and "20 MB" in body["detail"]
    assert not ApplicantQualification.objects.exists()


def test_api_stores_a_path_name_cleaned(enterprise_user: User) -> None:
    response = api_as(enterprise_user).post(
        "/api/v1/me/qualifications/",
        {"qualification": "little_giant", "year": 2023, "evidence": upload("../../etc/passwd.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["evidence_name"] == "passwd.pdf"


def test_api_refuses_a_year_out_of_range(enterprise_user: User) -> None:
    response = api_as(enterprise_user).post(
        "/api/v1/me/qualifications/", {"qualification": "little_giant", "year": 1989}, format="json"
    )
    assert response.status_code == 400 and "year" in response.json()["errors"]


def test_api_qualification_list_queries_do_not_grow(enterprise_user: User) -> None:
    api = api_as(enterprise_user)
    QualificationFactory(applicant=enterprise_user.applicant)
    with CaptureQueriesContext(connection) as before:
        assert api.get("/api/v1/me/qualifications/").status_code == 200
    QualificationFactory.create_batch(10, applicant=enterprise_user.applicant)
    with CaptureQueriesContext(connection) as after:
        response = api.get("/api/v1/me/qualifications/")
    assert response.json()["count"] == 11
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


def test_qualifications_page_queries_do_not_grow(enterprise_client: Client, enterprise_user: User) -> None:
    QualificationFactory(applicant=enterprise_user.applicant)
    with CaptureQueriesContext(connection) as before:
        enterprise_client.get("/accounts/profile/qualifications/")
    QualificationFactory.create_batch(10, applicant=enterprise_user.applicant)
    with CaptureQueriesContext(connection) as after:
        enterprise_client.get("/accounts/profile/qualifications/")
    assert len(after) == len(before)
