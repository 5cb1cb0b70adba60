"""Branded error pages in the reader's language, and the API's error format for every /api/ path:
unknown addresses and server errors included (portal/errors.py)."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.support.error_urls")]

# The shared header and footer, translated already, show which language a page was rendered in;
# the headings are compared with their translation in that language.
LANGUAGES = [("en", "Check that a notice is genuine"), ("zh-hans", "核验通知书真伪")]


def heading(text: str, language: str) -> str:
    with translation.override(language):
        return f"<h1>{translation.gettext(text)}</h1>"


def client_in(language: str, *, by: str = "header") -> Client:
    client = Client(raise_request_exception=False, **({"HTTP_ACCEPT_LANGUAGE": language} if by == "header" else {}))
    if by == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("by", ["header", "cookie"])
@pytest.mark.parametrize(("language", "footer"), LANGUAGES)
def test_the_error_pages_are_the_portals_in_the_readers_language(by: str, language: str, footer: str) -> None:
    client = client_in(language, by=by)
    lang = f'lang="{"en" if language == "en" else "zh-Hans"}"'
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert heading("Page not found", language) in html and lang in html
    assert 'class="site-header"' in html and f'<a href="/verify/">{footer}</a>' in html

    broken = client.get("/test-errors/fails/")
    html = broken.content.decode()
    assert broken.status_code == 500 and heading("Something went wrong", language) in html and lang in html
    assert "a bug" not in html

    bad = client.get("/test-errors/suspicious/")
    html = bad.content.decode()
    assert bad.status_code == 400 and heading("Bad request", language) in html and lang in html


def test_the_error_pages_are_in_english_under_english() -> None:
    """The headings themselves, in words (the Chinese ones come with the translations)."""
    client = client_in("en")
    assert "<h1>Page not found</h1>" in client.get("/no-such-page/").content.decode()
    assert "<h1>Something went wrong</h1>" in client.get("/test-errors/fails/").content.decode()


def test_a_refusal_is_the_portals_403_page() -> None:
    page = client_in("en").get("/test-errors/refuses/")
    assert page.status_code == 403
    html = page.content.decode()
    assert "<h1>You may not see this page</h1>" in html and 'href="/accounts/login/"' in html


def test_a_failed_csrf_check_is_a_branded_403_that_says_what_to_do() -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    page = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert page.status_code == 403
    html = page.content.decode()
    assert "<h1>The form could not be sent</h1>" in html and "reload the page" in html


def test_the_500_page_needs_no_request() -> None:
    """Rendered as Django renders it when everything else failed: no request, no context."""
    with translation.override("en"):
        html = render_to_string("500.html")
    assert "<h1>Something went wrong</h1>" in html and 'href="/static/css/portal.css"' in html


@pytest.mark.parametrize(("language", "detail"), [("en", "Not found."), ("zh-hans", "未找到。")], ids=["en", "zh-hans"])
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/measures/999/", "/api/nothing", "/api/"])
def test_an_unknown_api_path_is_a_404_in_the_api_format(path: str, language: str, detail: str) -> None:
    response = client_in(language).get(path, follow=True)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail, "code": "not_found", "errors": {}}


@pytest.mark.parametrize("path", ["/api/v1/test-errors/fails/", "/api/v1/test-errors/plain-fails/"])
def test_a_server_error_in_the_api_is_a_500_in_the_api_format(path: str) -> None:
    response = client_in("en").get(path)
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. It has been recorded; please try again later.",
        "code": "server_error",
        "errors": {},
    }
    assert "a bug" not in response.content.decode()


def test_a_suspicious_api_request_is_a_400_in_the_api_format() -> None:
    response = client_in("en").get("/api/v1/test-errors/suspicious/")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_a_post_to_an_unknown_api_path_is_json_too() -> None:
    response = client_in("en").post("/api/v1/no-such-thing/", {"a": "b"}, content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
