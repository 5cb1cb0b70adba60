"""WeasyPrint fetches only the portal's own static files: never the network, never file://."""

from urllib import request

import pytest

from applications import notices
from applications.models import Notice
from applications.notices import issue_notice
from portal.pdf import URLRefused, render_pdf, static_files_only_fetcher
from tests.notices.conftest import application_for_notice, pdftotext

SITE = "https://portal.example.gov.cn"  # conftest sets SITE_URL

REFUSED = [
    "http://example.com/x.png",
    "https://example.com/static/notices/notice.css",  # another host, even with a static path
    "file:///etc/passwd",
    "data:image/png;base64,iVBORw0KGgo=",
    "ftp://portal.example.gov.cn/static/notices/notice.css",
    "http://portal.example.gov.cn/static/notices/notice.css",  # another scheme than SITE_URL's
    f"{SITE}/media/notices/2026/x.pdf",  # private media: not static
    f"{SITE}/static/../../../etc/passwd",
    f"{SITE}/static/%2e%2e/%2e%2e/etc/passwd",
    f"{SITE}/static/notices/../../portal/settings/base.py",
    f"{SITE}/static//etc/passwd",
    f"{SITE}/static/notices/no-such-file.css",
    f"{SITE}/admin/",
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a URL through urllib (what WeasyPrint's own fetcher uses) fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a URL was opened: {args!r}")

    monkeypatch.setattr(request.OpenerDirector, "open", refuse)
    monkeypatch.setattr(request, "urlopen", refuse)


@pytest.mark.parametrize("url", REFUSED)
def test_the_fetcher_refuses_anything_but_static_files(url: str) -> None:
    fetcher = static_files_only_fetcher()
    with pytest.raises(URLRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_notice_stylesheet_from_the_static_files() -> None:
    fetcher = static_files_only_fetcher()
    response = fetcher.fetch(f"{SITE}/static/notices/notice.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_images_from_elsewhere_are_not_fetched_and_the_pdf_still_renders() -> None:
    fetcher = static_files_only_fetcher()
    html = """<html lang="zh-Hans"><head><link rel="stylesheet" href="/static/notices/notice.css"></head><body>
    <p>外部图片：</p>
    <img src="http://example.com/x.png">
    <img src="file:///etc/passwd">
    <div style="background: url(http://example.com/bg.png)">背景</div>
    <link rel="stylesheet" href="https://example.com/evil.css">
    <p>正文仍然生成。</p></body></html>"""
    pdf = render_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert set(fetcher.refused) == {
        "http://example.com/x.png",
        "file:///etc/passwd",
        "http://example.com/bg.png",
        "https://example.com/evil.css",
    }
    assert fetcher.fetched == [f"{SITE}/static/notices/notice.css"]


@pytest.mark.django_db
def test_markup_in_the_applicants_text_is_printed_as_text_not_fetched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    made = []

    def recording_fetcher() -> object:
        fetcher = static_files_only_fetcher()
        made.append(fetcher)
        return fetcher

    monkeypatch.setattr(notices, "static_files_only_fetcher", recording_fetcher)
    reasons = '<img src="http://example.com/x.png"><img src="file:///etc/passwd">材料不全'
    application, event = application_for_notice(Notice.Kind.REFUSAL, reasons=reasons)
    notice = issue_notice(application_id=application.pk, kind=Notice.Kind.REFUSAL, event_sequence=event.sequence)

    text = pdftotext(notice.pdf.path)
    assert '<img src="http://example.com/x.png">' in text.replace("\n", "")
    (fetcher,) = made
    assert fetcher.refused == []
    assert fetcher.fetched == [f"{SITE}/static/notices/notice.css"]
