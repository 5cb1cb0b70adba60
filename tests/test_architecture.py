"""The layering of the apps (README, "Architecture"): each app imports only apps below it, so the
import graph has no circle. A higher app reacts to a lower one's events through a declared hook
(portal/hooks.py), never by being imported from below."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top. `audit` and `workdays` serve everyone; `portal` holds shared infrastructure.
LAYERS = [
    "measures",
    "accounts",
    "credit",
    "calls",
    "applications",
    "experts",
    "decisions",
    "budgets",
    "awards",
    "announcements",
    "disbursement",
    "recovery",
    "proactive",
    "reports",
    "demo",
]
SERVICES = {"audit", "workdays"}
# The project's wiring may name every app; the rest of portal/ is infrastructure below all apps.
PROJECT_WIRING = {"portal/urls.py", "portal/context_processors.py", "portal/settings"}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update((name.split(".")[0], node.lineno) for name in names)
    return found


def modules_of(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_apps_below_it(app: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(app)]) | SERVICES | {"portal", app}
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules_of(app)
        for name, line in imported_apps(path)
        if name in LAYERS and name not in allowed
    ]
    assert upward == [], "an app imports an app above it (use a hook in portal/hooks.py):\n" + "\n".join(upward)


@pytest.mark.parametrize("app", sorted(SERVICES))
def test_shared_apps_import_no_domain_app(app: str) -> None:
    assert not {name for path in modules_of(app) for name, _ in imported_apps(path) if name in LAYERS}


def test_portal_infrastructure_imports_no_app() -> None:
    leaks = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules_of("portal")
        if not any(str(path.relative_to(ROOT)).startswith(w) for w in PROJECT_WIRING)
        for name, _ in imported_apps(path)
        if name in LAYERS
    ]
    assert leaks == []


def test_every_app_of_the_domain_is_installed_in_layer_order() -> None:
    from django.conf import settings

    ours = [app for app in settings.INSTALLED_APPS if app in LAYERS]
    assert ours == LAYERS
