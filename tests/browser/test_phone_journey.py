"""On a phone (375 × 812, as most of Guangdong's applicants browse): the header is one short line
whose menu folds behind a button, no page is wider than the screen, tables become stacked rows
labelled by their headings, and chart labels stay legible."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import OfficialRole
from budgets.services import budget_set
from tests.browser.test_money_journey import sign_in
from tests.factories import OfficialFactory, incentive_by_code
from tests.support.auth import authenticator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_header_folds_its_menu_behind_a_button(live_server, page) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 90, header  # it took 385 of 844 px
    menu = page.get_by_role("button", name="菜单")
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not page.locator(".main-nav").is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.locator(".main-nav a", has_text="登录").is_visible()
    assert _overflow(page) == 0

    # On a wide screen the menu is simply there, with no button.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    assert page.locator(".main-nav").is_visible() and not page.locator(".menu-button").is_visible()


def test_finance_pages_fit_the_screen_with_stacked_tables_and_legible_charts(live_server, page) -> None:
    finance = OfficialFactory(role=OfficialRole.FINANCE, username="phone-finance")
    authenticator(finance)
    year = dt.date.today().year
    for code in ("m17-china-quality-award-org", "m15-international-standard-lead"):
        budget_set(actor=finance, incentive=incentive_by_code(code), fiscal_year=year, allocation=Decimal("5000000"))

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, finance)
    page.goto(live_server.url + "/finance/budgets/")
    assert page.locator("table.table-stacked").count() >= 1
    assert _overflow(page) == 0  # it overflowed by 384 px
    # Each cell carries its column's heading, shown above its value.
    cell = page.locator("table.table-stacked tbody td[data-label]").first
    assert cell.get_attribute("data-label")
    assert page.evaluate("getComputedStyle(document.querySelector('table.table-stacked tbody td')).display") == "block"

    page.goto(live_server.url + "/reports/dashboard/")
    assert _overflow(page) == 0
    # The chart keeps a readable size (it scrolls inside its panel): its labels were 5 px tall.
    label_height = page.evaluate(
        "Math.min(...[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height))"
    )
    assert label_height >= 10, label_height
