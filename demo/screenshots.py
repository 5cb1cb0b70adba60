"""Screenshots of the main pages, on a desktop (1280 × 800) and a phone (375 × 812), for docs/.

`make screenshots` serves a fresh demo portal and calls `manage.py screenshots`, which signs in as
each demo persona in headless Chromium (Debian's) and saves the first screen of each page. Pages
are named by URL name, so a moved page fails here rather than leaving a stale picture.
"""

from base64 import b32decode
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.urls import reverse
from django_otp.oath import totp

from applications.models import Application, Status

from .two_factor import DEMO_TOTP_SECRET

CHROMIUM = "/usr/bin/chromium"
SIZES: dict[str, Any] = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


@dataclass(frozen=True)
class Shot:
    name: str  # the file's name, e.g. "catalog" → catalog-desktop.png
    persona: str | None  # a demo username, or None for a visitor
    path: Callable[[], str]  # worked out when taken: ids come from the demo data


def _open_call() -> int:
    from calls.models import Call

    return Call.objects.open().values_list("pk", flat=True).first() or Call.objects.values_list("pk", flat=True)[0]


def _under_review() -> str:
    """The reference of an application an official works on (one the demo takes into review)."""
    states = (Status.UNDER_REVIEW, Status.ACCEPTED, Status.SUBMITTED, Status.PROPOSED)
    application = Application.objects.filter(status__in=states, reference__isnull=False).order_by("pk").first()
    if application is None or application.reference is None:
        raise LookupError("The demo data has no application in review: run `manage.py demo_data` first.")
    return application.reference


SHOTS: tuple[Shot, ...] = (
    Shot("catalog", None, lambda: reverse("measures:catalog")),
    Shot("measure-15", None, lambda: reverse("measures:measure", args=[15])),
    Shot("call", None, lambda: reverse("calls:detail", args=[_open_call()])),
    Shot("announcements", None, lambda: reverse("announcements:list")),
    Shot("applicant-home", "demo-enterprise", lambda: reverse("dashboard:home")),
    Shot("what-can-i-claim", "demo-enterprise", lambda: reverse("dashboard:matches")),
    Shot("my-applications", "demo-enterprise", lambda: reverse("applications:list")),
    Shot("review-queue", "demo-handler-amr", lambda: reverse("review:queue")),
    Shot("review-application", "demo-handler-amr", lambda: reverse("review:application", args=[_under_review()])),
    Shot("finance-budgets", "demo-finance", lambda: reverse("disbursement:budgets")),
    Shot("finance-batches", "demo-finance", lambda: reverse("disbursement:batches")),
    Shot("dashboard", "admin", lambda: reverse("reports:dashboard")),
)


def take(base_url: str, out: Path, passwords: dict[str, str], shots: Iterable[Shot] = SHOTS) -> list[Path]:
    """Saves each shot at each size under `out`; returns the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    # Paths (and the login page's) are worked out first: the database is not for Playwright's event loop.
    login = reverse("login")
    by_persona: dict[str | None, list[tuple[str, str]]] = {}
    for shot in shots:
        by_persona.setdefault(shot.persona, []).append((shot.name, shot.path()))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for persona, persona_shots in by_persona.items():
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            if persona is not None:
                _sign_in(page, base_url.rstrip("/") + login, persona, passwords[persona])
            for name, path in persona_shots:
                for size, viewport in SIZES.items():
                    page.set_viewport_size(viewport)
                    page.goto(base_url.rstrip("/") + path)
                    target = out / f"{name}-{size}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
            context.close()
        browser.close()
    return written


def _sign_in(page: object, login_url: str, username: str, password: str) -> None:
    page.goto(login_url)  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.locator("main form button[type=submit]").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    if "/accounts/security/code/" in page.url:  # type: ignore[attr-defined]
        page.fill("input[name=code]", f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}")  # type: ignore[attr-defined]
        page.locator("main form button[type=submit]").first.click()  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
