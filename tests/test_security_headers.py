"""The Content-Security-Policy allows nothing inline, and no page of the portal needs it to.

Every page the demo's personas can reach by following links (from every URL that takes no
argument) is rendered and read: no `style` attribute, no `<style>` or `<script>` element without a
source (JSON data islands and nonce-carrying elements aside), no `on…=` handler, no `javascript:`
link. The browser journeys (tests/browser/) fail on any CSP violation Chromium reports.
"""

import contextlib
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from accounts.models import OfficialRole, User

pytestmark = pytest.mark.django_db

DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
# Links a crawl must not follow: they change state on GET in no page of ours, but signing out,
# switching language and downloads are no pages to read.
SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/static/", "/media/")
PAGES_PER_PERSONA = 120


class InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._inline: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            script_url = name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            )
            if name == "style" or name.startswith("on") or script_url:
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        nonce = "nonce" in attributes
        if tag == "style" and not nonce:
            self._inline = "style"
        elif tag == "script" and not attributes.get("src") and not nonce and not self._is_data(attributes):
            self._inline = "script"

    @staticmethod
    def _is_data(attributes: dict[str, str | None]) -> bool:
        return (attributes.get("type") or "").lower() in DATA_SCRIPT_TYPES

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script"}:
            self._inline = None

    def handle_data(self, data: str) -> None:
        if self._inline and data.strip():
            self.problems.append(f"inline <{self._inline}>: {data.strip()[:80]!r}")


def inline_problems(html: str) -> tuple[list[str], list[str]]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems, finder.links


def assert_strict_csp(response: object) -> None:
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    directives = dict(part.strip().partition(" ")[::2] for part in policy.split(";"))
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'", policy


def _argumentless_paths() -> list[str]:
    """Every named URL of the portal that takes no argument (the crawl's starting points)."""
    paths: list[str] = []

    def walk(patterns: list, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                with contextlib.suppress(NoReverseMatch):  # a name whose reverse needs arguments after all
                    paths.append(reverse(name))

    walk(get_resolver().url_patterns, "")
    return sorted({p for p in paths if not p.startswith(SKIP_PREFIXES) and "/api/v1/" not in p})


def crawl(client: Client, starts: list[str]) -> dict[str, list[str]]:
    """Follows same-site links breadth first; {path: problems} for each HTML page read."""
    seen: set[str] = set()
    queue = deque(starts)
    found: dict[str, list[str]] = {}
    while queue and len(found) < PAGES_PER_PERSONA:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            found[path] = [f"status {response.status_code}"]
            continue
        content_type = response.get("Content-Type", "")
        if getattr(response, "streaming", False) or not content_type.startswith("text/html"):
            continue
        assert "Content-Security-Policy" in response, path
        problems, links = inline_problems(response.content.decode())
        found[path] = problems
        for link in links:
            target, _fragment = urldefrag(link)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIP_PREFIXES) or "download" in parts.path or parts.path.endswith(".pdf"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def test_pages_and_the_api_docs_carry_a_strict_csp_and_a_permissions_policy(client: Client) -> None:
    for path in ("/", "/api/docs/", "/accounts/login/", "/no-such-page/", "/api/v1/measures/"):
        response = client.get(path)
        assert_strict_csp(response)
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_a_browser_asking_the_api_for_html_gets_json(client: Client) -> None:
    """REST framework's browsable pages have inline styles: the API answers JSON only."""
    response = client.get("/api/v1/measures/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_the_api_docs_load_their_start_up_script_from_a_url(client: Client) -> None:
    page = client.get("/api/docs/")
    problems, _links = inline_problems(page.content.decode())
    assert problems == []
    assert '<script src="/api/docs/?script="></script>' in page.content.decode()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_finder_sees_what_the_csp_would_block() -> None:
    html = (
        '<div style="width: 5%"></div><button onclick="go()">x</button><a href="javascript:go()">y</a>'
        "<script>go()</script><style>p{}</style>"
        '<script src="/static/x.js"></script><script type="application/json" id="d">{"a": 1}</script>'
        '<script nonce="abc">ok()</script><progress max="100" value="5"></progress>'
    )
    problems, _links = inline_problems(html)
    assert len(problems) == 5, problems


def test_every_page_each_persona_reaches_has_nothing_inline() -> None:
    call_command("demo_data", "--json", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    personas: dict[str, User | None] = {"anonymous": None}
    for username in ("demo-enterprise", "demo-individual", "admin"):
        personas[username] = User.objects.get(username=username)
    for role in (OfficialRole.HANDLER, OfficialRole.APPROVER, OfficialRole.FINANCE):
        personas[role] = User.objects.filter(official_role=role).order_by("pk").first()
    starts = _argumentless_paths()
    assert "/" in starts and "/review/" in starts and "/finance/" in starts, starts
    failures: dict[str, list[str]] = {}
    read = 0
    for persona, user in personas.items():
        assert persona == "anonymous" or user is not None, persona
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        pages = crawl(client, starts)
        read += len(pages)
        failures.update({f"{persona} {path}": problems for path, problems in pages.items() if problems})
    assert read > 150, read
    assert not failures, "\n".join(f"{where}: {problems}" for where, problems in sorted(failures.items()))


def test_the_admin_pages_of_third_party_packages_have_nothing_inline(administrator: User) -> None:
    """Overridden in templates/ (import-export's export page, celery-beat's task form,
    simple-history's history list): pages the crawl may not reach within its budget."""
    from measures.models import Measure

    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator)
    measure = Measure.objects.order_by("number").first()
    assert measure is not None
    for path in (
        "/admin/measures/measure/export/",
        "/admin/django_celery_beat/periodictask/add/",
        f"/admin/measures/measure/{measure.pk}/history/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert inline_problems(response.content.decode())[0] == [], path
