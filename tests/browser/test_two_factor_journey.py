"""In headless Chromium: an approver's first sign-in sets up the second factor (QR code made by the
portal, a code from the app, ten recovery codes), the next one asks for the code."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from accounts.models import OfficialRole
from tests.factories import PASSWORD, OfficialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/?next=/review/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_an_approver_sets_up_the_second_factor_then_uses_it(live_server, page, tmp_path) -> None:
    OfficialFactory(role=OfficialRole.APPROVER, department="miit", username="b-approver")
    password_step(page, live_server, "b-approver")
    assert "/accounts/security/setup/" in page.url
    assert page.locator(".qr-code svg").count() == 1  # drawn by the portal, no image service
    secret = page.locator("#totp-secret").inner_text()
    page.screenshot(path=str(tmp_path / "setup.png"), full_page=True)
    page.fill("input[name=code]", f"{totp(b32decode(secret)):06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.locator("main a.button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/review/")

    password_step(page, live_server, "b-approver")
    assert "/accounts/security/code/" in page.url
    page.fill("input[name=code]", codes[0])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/review/")
