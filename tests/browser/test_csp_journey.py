"""Pages that run scripts still work under the portal's strict Content-Security-Policy (the `page`
fixture fails a test on any violation Chromium reports)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_the_operations_under_the_csp(live_server, page) -> None:
    page.goto(live_server.url + "/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert "/api/v1/measures/" in page.locator("#swagger-ui").inner_text()


def test_the_dashboards_bars_show_their_values_without_inline_styles(live_server, page) -> None:
    from django.core.management import call_command

    call_command("demo_data", "--json", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill("demo-enterprise")
    page.locator("#id_password").fill("demo-Enterprise-2026")
    page.locator("form [type=submit]").last.click()
    page.goto(live_server.url + "/me/")
    bar = page.locator("progress.progress").first
    assert bar.get_attribute("value") == "100"
    assert bar.bounding_box()["width"] > 100
