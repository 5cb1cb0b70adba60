"""Input that cannot be stored is refused with 400, never a 500 (portal/middleware.py); text has
maximum lengths; an upload beyond the limit is refused before it is read in full (413).

Every URL of the portal is walked: each takes a form post, a multipart post and JSON bodies
carrying a NUL or an unpaired surrogate, and each answers 400 — before any view or the database
is reached (the walk runs without database access, which would fail the test).
"""

import io
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import PASSWORD_MAX, User
from portal.uploads import MAX_BYTES, max_request_bytes
from tests.accounts.uploads import PDF

SAMPLE_ARGUMENTS = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}
ROUTE_ARGUMENT = re.compile(r"<(?:(?P<kind>\w+):)?\w+>")
UNSTORABLE_JSON = [
    '{"name": "a\\u0000b"}',
    '{"reason": "\\ud800"}',
    '{"a\\u0000": 1}',
    '{"data": {"rows": ["\\udfff"]}}',
]


def every_path() -> list[str]:
    """One concrete address for every URL pattern of the portal (arguments filled with samples)."""
    found: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                text = ROUTE_ARGUMENT.sub(lambda m: SAMPLE_ARGUMENTS.get(m["kind"] or "str", "x"), prefix + route)
                if "(" in text or "<" in text or "^" in text:  # a regular expression (admin): its app's prefix
                    text = text.split("^", 1)[0]
                found.add("/" + text)

    walk(get_resolver().url_patterns, "")
    return sorted(found)


PATHS = every_path()


def test_the_walk_covers_pages_forms_and_the_api() -> None:
    for expected in (
        "/accounts/register/enterprise/",
        "/applications/x/withdraw/",
        "/review/x/",
        "/api/v1/applications/x/submit/",
        "/api/v1/announcements/1/objections/",
        "/finance/",
    ):
        assert any(path.startswith(expected) for path in PATHS), expected
    assert len(PATHS) > 150


def _assert_refused(response: Any, path: str) -> None:
    assert response.status_code == 400, (path, response.status_code)
    if path.startswith("/api/"):
        body = response.json()
        assert body["code"] == "invalid_characters" and body["errors"], body
    else:
        assert "cannot be stored" in response.content.decode()


@pytest.mark.parametrize("path", PATHS)
def test_every_form_and_endpoint_refuses_unstorable_input_with_400(path: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    _assert_refused(client.post(path, {"name": "a\x00b", "reason": "fine"}), path)
    _assert_refused(client.post(path, {"reason": "fine", "note": "x\x00"}, content_type=MULTIPART_CONTENT), path)
    _assert_refused(client.get(path, {"q": "a\x00"}), path)
    for body in UNSTORABLE_JSON:
        _assert_refused(client.post(path, body, content_type="application/json"), path)
    _assert_refused(client.patch(path, UNSTORABLE_JSON[0], content_type="application/json"), path)
    _assert_refused(client.put(path, "reason=%00", content_type="application/x-www-form-urlencoded"), path)


def test_the_message_names_the_field_in_the_readers_language() -> None:
    body = '{"uscc": "91440300MA5F00000X", "name": "鹏城\\u0000"}'
    english = Client(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/register/enterprise/", body, "application/json")
    assert english.json() == {
        "detail": "The request contains characters that cannot be stored.",
        "code": "invalid_characters",
        "errors": {
            "name": [
                "“name” contains a character that cannot be stored (a NUL character or an unpaired surrogate). "
                "Remove it and send again."
            ]
        },
    }
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post("/accounts/login/", {"username": "x\x00"})
    assert page.status_code == 400 and 'lang="zh-Hans"' in page.content.decode()


@pytest.mark.django_db
def test_nothing_is_created_from_a_refused_registration() -> None:
    data = {
        "uscc": "91440300MA5F00000X",
        "name": "鹏城\x00电子",
        "username": "nul-user",
        "email": "nul@example.com",
        "password": "a-long-pass-2026",
        "password_confirm": "a-long-pass-2026",
    }
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/register/enterprise/", data)
    assert response.status_code == 400 and "“name” contains a character" in response.content.decode()
    assert not User.objects.filter(username="nul-user").exists()


@pytest.mark.parametrize("path", ["/verify/%00/", "/api/v1/verify/%00/", "/api/v1/incentives/a%00b/"])
def test_a_nul_in_the_address_is_refused(path: str) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 400


@pytest.mark.django_db
def test_storable_text_passes_the_guard() -> None:
    """A paired surrogate (an emoji, as JSON escapes it) and a replacement character are text."""
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = api.post(
        "/api/v1/auth/token/",
        '{"username": "\\ud83d\\ude00\\ufffd", "password": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"  # wrong credentials, not characters
    assert Client().get("/", {"q": "质量 😀"}).status_code == 200


# ── maximum lengths ──────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("serializer", "field", "limit"),
    [
        ("applications.review_api.RejectSerializer", "reasons", 4000),
        ("applications.review_api.ReturnSerializer", "missing", 4000),
        ("applications.review_api.SendBackSerializer", "reason", 4000),
        ("applications.review_api.ProposeSerializer", "reasons", 4000),
        ("recovery.api.RecoverSerializer", "reasons", 4000),
        ("disbursement.api.BatchDiscardSerializer", "reason", 2000),
        ("disbursement.api.PaymentCancelSerializer", "reason", 2000),
        ("accounts.serializers.UserChangesSerializer", "display_name", 100),
        ("accounts.serializers.ApplicantChangesSerializer", "contact_person", 50),
        ("accounts.serializers.EnterpriseRegistrationSerializer", "password", PASSWORD_MAX),
    ],
)
def test_typed_text_has_a_maximum_length(serializer: str, field: str, limit: int) -> None:
    from django.utils.module_loading import import_string

    cls = import_string(serializer)
    assert cls().fields[field].max_length == limit
    with translation.override("en"):
        too_long = cls(data={field: "x" * (limit + 1)})
        assert not too_long.is_valid()
        assert f"no more than {limit} characters" in str(too_long.errors[field][0])


@pytest.mark.django_db
def test_an_over_long_password_is_refused_with_a_field_error() -> None:
    data = {
        "resident_id": "440305199001011234",
        "name": "张三",
        "username": "long-password",
        "email": "long@example.com",
        "password": "p" * (PASSWORD_MAX + 1),
    }
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/register/individual/", data, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not User.objects.filter(username="long-password").exists()


# ── uploads beyond the limit ─────────────────────────────────────────────────────────────────


class CountingStream(io.BytesIO):
    """A request body that counts what the server reads of it."""

    def __init__(self, data: bytes, *, refuse: bool = False) -> None:
        super().__init__(data)
        self.refuse = refuse
        self.bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        assert not self.refuse, "the body was read"
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int | None = -1, /) -> bytes:
        assert not self.refuse, "the body was read"
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@pytest.mark.parametrize(
    ("path", "expect_json"), [("/api/v1/applications/x/documents/", True), ("/applications/x/documents/", False)]
)
def test_a_request_declared_beyond_the_limit_is_refused_unread(path: str, expect_json: bool) -> None:
    stream = CountingStream(b"--" + BOUNDARY.encode() + b"--\r\n", refuse=True)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").generic(
        "POST",
        path,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(max_request_bytes() + 1),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    if expect_json:
        assert response.json() == {"detail": "The file is larger than 20 MB.", "code": "too_large", "errors": {}}
    else:
        assert "The file is larger than 20 MB." in response.content.decode()


def test_a_file_growing_past_the_limit_is_stopped_before_the_body_is_read_in_full() -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"\0" * (MAX_BYTES + 512 * 1024), content_type="application/pdf")
    body = encode_multipart(BOUNDARY, {"file": big, "kind": "other"})
    assert len(body) <= max_request_bytes()  # within the declared-length check: the handler must stop it
    stream = CountingStream(body)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").generic(
        "POST",
        "/api/v1/applications/x/documents/",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert stream.bytes_read < len(body) - 256 * 1024, (stream.bytes_read, len(body))


@pytest.mark.django_db
def test_a_json_body_beyond_the_data_limit_is_413_not_500() -> None:
    body = json.dumps({"reason": "x" * (3 * 1024 * 1024)})
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is larger than the portal accepts.",
        "code": "too_large",
        "errors": {},
    }
