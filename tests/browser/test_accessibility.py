"""The main pages (demo/screenshots.py's list, as each persona sees them) on a phone and a desktop:
nothing wider than a 375 px screen, and axe-core finds no serious or critical accessibility
violation. axe-core is served from the repository (tests/support/axe/), never fetched."""

import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.two_factor import second_factor_required
from demo.screenshots import SHOTS, SIZES
from tests.support.auth import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent.parent / "support" / "axe" / "axe.min.js"
SERIOUS = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map(n => n.target.join(" "))
  }));
}"""


def _sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    user = User.objects.get(username=username)
    if second_factor_required(user):
        page.fill("input[name=code]", fresh_code(user))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url and "/accounts/security/" not in page.url, page.url


def test_main_pages_fit_a_phone_and_pass_axe(live_server, browser, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_data", "--json")
    passwords = {a["username"]: a["password"] for a in json.loads(capsys.readouterr().out)}
    by_persona: dict[str | None, list[tuple[str, str]]] = defaultdict(list)
    for shot in SHOTS:
        by_persona[shot.persona].append((shot.name, shot.path()))

    problems: list[str] = []
    checked = 0
    for persona, shots in by_persona.items():
        # axe is added to every page through the browser's own channel, not a <script>: the pages'
        # Content-Security-Policy stays exactly as served.
        context = browser.new_context(locale="zh-CN")
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.set_default_timeout(20_000)
        if persona is not None:
            _sign_in(page, live_server, persona, passwords[persona])
        for name, path in shots:
            for size, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                response = page.goto(live_server.url + path)
                assert response is not None and response.status == 200, (name, path, response and response.status)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    problems.append(f"{name} ({size}): {overflow} px wider than the screen")
                for violation in page.evaluate(RUN_AXE):
                    if violation["impact"] in SERIOUS:
                        where = ", ".join(violation["where"])
                        problems.append(
                            f"{name} ({size}): {violation['impact']} {violation['id']}: {violation['help']} at {where}"
                        )
                checked += 1
        context.close()
    assert checked == len(SHOTS) * len(SIZES) >= 20
    assert problems == [], "\n".join(problems)
