"""A visitor reads the catalog in headless Chromium: search, open a measure, switch language."""

import pytest

from measures.models import Measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_open_a_measure_and_switch_to_english(live_server, page) -> None:
    measure = Measure.objects.get(number=15)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "广东省全面提升制造业质量品牌水平的若干政策措施"
    assert page.locator(".measure-item").count() == 31

    page.get_by_label("关键词").fill("国际标准")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/?q=*")
    results = page.locator(".measure-item")
    assert 0 < results.count() < 31
    page.get_by_role("link", name=f"15. {measure.title}").click()

    page.wait_for_url("**/measures/15/")
    assert page.locator("h1").inner_text() == f"15. {measure.title}"
    assert "500,000.00" in page.locator("#incentives-heading + article").inner_text()
    assert page.locator(".tag-lead").first.is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/measures/15/")
    assert page.locator("h1").inner_text() == f"15. {measure.title_en}"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Responsible departments").is_visible()

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_url("**/measures/15/")
    assert page.locator("h1").inner_text() == f"15. {measure.title}"
