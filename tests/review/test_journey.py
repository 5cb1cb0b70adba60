"""The review in headless Chromium, each person signing in through the login page: a handler
accepts and starts the review, returns the application for supplement, the enterprise answers, the
handler accepts again, reviews and proposes the engine's amount, an approver approves, and the
enterprise downloads the decision notice (a real PDF, made by the notice task after commit)."""

import re
import shutil
import subprocess

import pytest

from accounts.models import OfficialRole, User
from accounts.two_factor import second_factor_required
from applications.models import Application, Notice, Status
from tests.factories import PASSWORD, EnterpriseUserFactory, OfficialFactory
from tests.support.auth import authenticator, fresh_code

from .conftest import fund, submit_new

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str, next_path: str) -> None:
    user = User.objects.get(username=username)
    if second_factor_required(user):
        authenticator(user)  # the approver set up their authenticator app earlier
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    if second_factor_required(user):
        # The second step: the code the app shows.
        page.wait_for_url("**/accounts/security/code/**")
        page.fill("input[name=code]", fresh_code(user))
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{next_path}")


def sign_out(page) -> None:
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()


def act(page, action: str, **fields: str) -> None:
    """Fills the action's form on the officials' application page and sends it."""
    section = page.locator(f"#action-{action}")
    for name, value in fields.items():
        section.locator(f"[name={action}-{name}]").fill(value)
    section.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_accept_return_supplement_propose_approve_and_download(live_server, page) -> None:
    enterprise = EnterpriseUserFactory(username="journey-enterprise")
    application = submit_new(enterprise)
    reference = application.reference
    OfficialFactory(username="journey-handler")
    OfficialFactory(role=OfficialRole.APPROVER, username="journey-approver")
    fund()
    review_path = f"/review/{reference}/"

    # The handler finds it in the queue, accepts it and starts the review.
    sign_in(page, live_server, "journey-handler", "/review/")
    row = page.locator("table.review-queue tr").filter(has_text=reference)
    assert row.count() == 1
    row.locator(f"a[href='{review_path}']").click()
    page.wait_for_url(f"**{review_path}")
    act(page, "accept")
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED
    act(page, "review")
    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW

    # Something is missing: back to the enterprise, with a deadline in working days.
    act(page, "return", missing="请补充加盖公章的获奖证书扫描件。")
    returned = Application.objects.get(pk=application.pk)
    assert returned.status == Status.RETURNED
    assert returned.supplement_deadline.isoformat() in page.locator(".messages").inner_text()
    sign_out(page)

    # The enterprise reads the request on its page and answers it.
    sign_in(page, live_server, "journey-enterprise", f"/applications/{reference}/")
    assert "请补充加盖公章的获奖证书扫描件。" in page.content()
    page.fill("textarea[name=note]", "已补充加盖公章的证书扫描件。")
    page.locator("section.app-supplement form button[type=submit]").click()
    page.wait_for_load_state()
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    sign_out(page)

    # The handler accepts again, reviews and proposes the engine's amount.
    sign_in(page, live_server, "journey-handler", review_path)
    assert "已补充加盖公章的证书扫描件。" in page.content()  # the answer is in the history
    act(page, "accept")
    act(page, "review")
    amount = page.locator("[name=propose-amount]")
    assert amount.input_value() == "3000000.00"
    act(page, "propose", reasons="材料齐全，符合第17条支持条件。")
    proposed = Application.objects.get(pk=application.pk)
    assert proposed.status == Status.PROPOSED
    assert str(proposed.proposed_amount) == "3000000.00"
    assert page.locator("#action-approve").count() == 0  # never the proposer's to approve
    sign_out(page)

    # A second official approves.
    sign_in(page, live_server, "journey-approver", review_path)
    assert "3,000,000.00" in page.content()
    act(page, "approve")
    approved = Application.objects.get(pk=application.pk)
    assert approved.status == Status.APPROVED
    assert approved.decided_by.username == "journey-approver"
    sign_out(page)

    # The decision notice was made after commit; the enterprise downloads it.
    notice = Notice.objects.get(application=application, kind=Notice.Kind.DECISION_SUPPORT)
    pdf_path = f"/notices/{notice.pk}/pdf/"
    sign_in(page, live_server, "journey-enterprise", f"/applications/{reference}/")
    link = page.locator(f"a[href='{pdf_path}']")
    assert link.count() == 1  # the applicant's page lists its notices
    response = page.request.get(live_server.url + link.get_attribute("href"))  # as the signed-in enterprise
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    content = response.body()
    assert content.startswith(b"%PDF") and content.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=content, capture_output=True, check=True, timeout=60
        ).stdout.decode()
        assert reference in text
        assert re.search(r"3,000,000(\.00)?|300万", text), text
