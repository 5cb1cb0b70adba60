"""Shared fixtures: officials (built by tests.factories.OfficialFactory), real Chromium for browser
journeys, a real Celery worker, database guards.

    def test_x(handler, approver, finance_officer, administrator, make_official, page_client, api_client): ...
    make_official(OfficialRole.APPROVER, "amr", username="amr-approver")
"""

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from tests.factories import OfficialFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls beside it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _stale_translations() -> list[Path]:
    """Our .po files (LOCALE_PATHS, our apps' locale/) whose .mo is missing or older."""
    from django.apps import apps
    from django.conf import settings

    locale_dirs = [Path(path) for path in settings.LOCALE_PATHS]
    locale_dirs += [
        Path(app.path) / "locale" for app in apps.get_app_configs() if not Path(app.path).is_relative_to(sys.prefix)
    ]
    stale = []
    for locale_dir in locale_dirs:
        for po in locale_dir.glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


def pytest_configure(config: pytest.Config) -> None:
    """Compile the translations when a .po is newer than its .mo, as `make messages` does, so a
    bare `pytest` tests the current texts (.mo files are build output, not committed)."""
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller process compiled them before starting it
    if not _stale_translations():
        return
    from django.conf import settings
    from django.core.management import call_command

    # compilemessages looks for locale/ directories under the current directory.
    cwd = Path.cwd()
    os.chdir(settings.BASE_DIR)
    try:
        call_command("compilemessages", ignore_patterns=[".venv", "var", ".git"], verbosity=0)
    finally:
        os.chdir(cwd)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = connection.vendor == "postgresql"
    has_broker = bool(os.environ.get("CELERY_BROKER_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: SQLite has no row locks (.ci/run runs it on PostgreSQL)")
            )
        if "worker" in item.keywords and not has_broker:
            item.add_marker(
                pytest.mark.skip(reason="needs CELERY_BROKER_URL and a real worker (.ci/run runs it on Redis)")
            )


@pytest.fixture(autouse=True)
def _private_media_in_a_temporary_directory(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploads and generated PDFs never land in the working tree's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _an_empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: the catalog cache (measures/caching.py) and throttles
    would otherwise carry one test's data into the next (each test's database is rolled back)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# ── officials ────────────────────────────────────────────────────────────────────────────────


_ROLES_DEPARTMENT = object()  # make_official's default: the department that goes with the role


@pytest.fixture
def make_official(db: None) -> Callable[..., User]:
    """`make_official(role, department)`: an official of that role (handler by default). The
    department is a code or None; unless given it follows the role (amr for handlers and
    approvers — the department of measure 17's quality awards, which most tests claim —, "finance"
    for finance officers, none for administrators). Other keywords
    (username, display_name…) go to OfficialFactory."""

    def make(role: str = OfficialRole.HANDLER, department: Any = _ROLES_DEPARTMENT, **fields: Any) -> User:
        if department is not _ROLES_DEPARTMENT:
            fields["department"] = department
        return OfficialFactory(role=role, **fields)

    return make


@pytest.fixture
def handler(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.HANDLER, "amr", username="award-handler")


@pytest.fixture
def handler2(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.HANDLER, "amr", username="award-handler-2")


@pytest.fixture
def amr_handler(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.HANDLER, "amr", username="amr-handler")


@pytest.fixture
def miit_handler(make_official: Callable[..., User]) -> User:
    """A handler of another department than the quality awards' (省工业和信息化厅)."""
    return make_official(OfficialRole.HANDLER, "miit", username="miit-handler")


@pytest.fixture
def approver(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.APPROVER, "amr", username="award-approver")


@pytest.fixture
def finance_officer(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.FINANCE, "finance", username="finance-officer")


@pytest.fixture
def administrator(make_official: Callable[..., User]) -> User:
    return make_official(OfficialRole.ADMINISTRATOR, None, username="administrator")


@pytest.fixture(autouse=True)
def _sign_ins_pass_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.login`/`force_login` of an approver, finance officer or administrator finishes the
    sign-in with the second factor (tests/support/auth.py); the login page still asks for it."""
    from django.test.client import ClientMixin

    from accounts.two_factor import second_factor_required
    from tests.support.auth import mark_verified

    original = ClientMixin._login

    def _login(self: Any, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        if second_factor_required(user):
            mark_verified(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)


# ── signed-in clients (English messages) ─────────────────────────────────────────────────────


@pytest.fixture
def page_client() -> Callable[[User | None], Client]:
    """`page_client(user)`: a page client signed in as the user (anonymous for None), in English."""

    def make(user: User | None = None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client() -> Callable[[User | None], APIClient]:
    def make(user: User | None = None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


# ── browsers and workers ─────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright; nothing downloads a browser."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page; the test fails if Chromium reports that the Content-Security-Policy blocked
    anything (an inline style, script or handler the portal should not have)."""
    context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not blocked, "\n".join(blocked)


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[None]:
    """A real Celery worker (in a thread of this process) consuming from the real broker.

    Only for tests marked `worker`, which run when CELERY_BROKER_URL is set (.ci/run: Redis).
    """
    with celery_worker_running():
        yield


@contextmanager
def celery_worker_running() -> Iterator[None]:
    """The `celery_worker` fixture's worker, for a test that starts it part-way (e.g. once the
    broker is back)."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    # The suite runs tasks in-process (test settings); this test goes through the broker instead,
    # starting from an empty queue: this process's own (CELERY_TASK_DEFAULT_QUEUE, test settings),
    # so parallel test processes sharing the broker never take each other's tasks.
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10.0):
            yield
    finally:
        app.conf.task_always_eager = True
        # The queue's name is unique to this process: leave nothing behind on the shared broker.
        # (kombu's Redis transport deletes only the bindings its channel declared: declare first.)
        with app.connection_for_write() as conn:
            queue = app.amqp.queues[app.conf.task_default_queue].bind(conn.default_channel)
            queue.declare()
            queue.delete()
