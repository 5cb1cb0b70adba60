"""HTML to PDF for every document the portal prints (notices, report summaries): WeasyPrint with
the portal's CJK fonts, fetching nothing but the portal's own static files, since templates carry
user data."""

import functools
import logging
import mimetypes
import posixpath
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

from .links import site_url

logger = logging.getLogger(__name__)


class URLRefused(Exception):
    """WeasyPrint asked for something other than the portal's own static files."""


def static_file_for(url: str) -> Path:
    """The file behind `<SITE_URL>/static/<path>` among the portal's static files; URLRefused for
    anything else (another host, another scheme, a path outside /static/, `..`, a missing file)."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        raise URLRefused(url)
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL):
        raise URLRefused(url)
    relative = path[len(settings.STATIC_URL) :]
    if not relative or "\\" in relative or "\x00" in relative or relative != posixpath.normpath(relative):
        raise URLRefused(url)
    if any(segment in ("", ".", "..") for segment in relative.split("/")):
        raise URLRefused(url)
    found = finders.find(relative)
    if not found:
        raise URLRefused(url)
    return Path(found)


@functools.cache
def _fetcher_class() -> type:
    # WeasyPrint takes about a second to import: only processes that render notices pay for it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnlyFetcher(URLFetcher):
        """WeasyPrint's URL fetcher (v70: a URLFetcher whose `fetch` returns a URLFetcherResponse),
        allowing only the portal's static files. WeasyPrint catches the refusal, logs it and renders
        the rest; `fetched` and `refused` keep the URLs asked for."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("http", "https"), allow_redirects=False, fail_on_errors=False)
            self.fetched: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            try:
                path = static_file_for(url)
            except URLRefused:
                self.refused.append(url)
                logger.warning("notice rendering: refused to fetch %s", url[:200])
                raise
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if content_type.startswith("text/"):
                content_type += "; charset=utf-8"
            self.fetched.append(url)
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": content_type})

    return StaticFilesOnlyFetcher


def static_files_only_fetcher() -> Any:
    """A new fetcher for one rendering (it records what it fetched and refused)."""
    return _fetcher_class()()


def base_url() -> str:
    return site_url("/")


_per_thread = threading.local()


def font_configuration() -> Any:
    """WeasyPrint's font configuration, kept for the thread's next documents. Left to itself,
    WeasyPrint builds one per document: Fontconfig's list of every installed font and a new Pango
    font map, whose fonts are then opened again (about 10 ms of a notice's 85 ms, issue 10).
    Per thread, because Pango's objects are not for sharing between threads. Our stylesheets
    declare no @font-face, so the configuration holds nothing from any one document."""
    from weasyprint.text.fonts import FontConfiguration

    configuration = getattr(_per_thread, "font_configuration", None)
    if configuration is None:
        configuration = _per_thread.font_configuration = FontConfiguration()
    return configuration


def render_pdf(html: str, *, fetcher: Any = None) -> bytes:
    """HTML to PDF with WeasyPrint, fetching nothing but the portal's static files."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url(), url_fetcher=fetcher or static_files_only_fetcher())
    pdf: bytes = document.write_pdf(font_config=font_configuration())
    return pdf
