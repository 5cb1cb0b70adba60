"""`make screenshots` keeps docs/screenshots/ true: the tool signs in as a persona, visits pages by
URL name, and writes the first screen at desktop and phone sizes."""

import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from accounts.models import OfficialRole
from demo.screenshots import SHOTS, SIZES, Shot, take
from tests.factories import PASSWORD, OfficialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_every_shot_names_a_page_that_exists() -> None:
    names = [shot.name for shot in SHOTS]
    assert len(names) == len(set(names)) >= 10
    anonymous = [shot for shot in SHOTS if shot.persona is None]
    assert {"catalog", "measure-15"} <= {shot.name for shot in anonymous}


def test_screenshots_of_a_visitor_and_a_signed_in_handler(live_server, tmp_path: Path) -> None:
    OfficialFactory(role=OfficialRole.HANDLER, department="amr", username="shots-handler")
    shots = [
        Shot("catalog", None, lambda: "/"),
        Shot("queue", "shots-handler", lambda: "/review/"),
    ]
    # In a thread of its own: the session's browser (the `page` fixture's, if a journey ran first in
    # this process) keeps an event loop in this one, and Playwright's sync API refuses to start in it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(take, live_server.url, tmp_path, {"shots-handler": PASSWORD}, shots).result()
    assert sorted(p.name for p in written) == [
        "catalog-desktop.png",
        "catalog-phone.png",
        "queue-desktop.png",
        "queue-phone.png",
    ]
    assert _png_size(tmp_path / "catalog-phone.png") == (SIZES["phone"]["width"], SIZES["phone"]["height"])
    assert _png_size(tmp_path / "queue-desktop.png") == (SIZES["desktop"]["width"], SIZES["desktop"]["height"])
