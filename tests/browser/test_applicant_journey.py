"""An enterprise in headless Chromium: register, send its business licence, complete the profile, see
the matches, apply with a document, have the licence approved, submit, and see the status."""

import re
from pathlib import Path

import pytest
from django.core import mail

from accounts.identity import identity_check_approve
from accounts.models import IdentityCheck, OfficialRole
from applications.models import Application, Status
from tests.factories import OfficialFactory, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submit(page) -> None:
    page.locator("main form button[type=submit].button:not(.button-secondary)").last.click()


def test_register_profile_matches_apply_submit_and_follow(live_server, page, tmp_path: Path) -> None:
    page.goto(live_server.url + "/accounts/register/enterprise/")
    page.fill("input[name=uscc]", make_uscc(424242).lower())  # lower case is accepted and normalised
    page.fill("input[name=name]", "广东卓越质量电子有限公司")
    page.select_option("select[name=city]", "shenzhen")
    page.select_option("select[name=industry]", "39")
    page.select_option("select[name=size]", "medium")
    page.fill("input[name=username]", "zhuoyue")
    page.fill("input[name=email]", "zhuoyue@example.com")
    page.fill("input[name=password]", "Quality-Brand-2026!")
    page.fill("input[name=password_confirm]", "Quality-Brand-2026!")
    submit(page)
    page.wait_for_load_state()
    assert "/accounts/register" not in page.url, page.content()[:2000]

    # The emailed link confirms the address: applications can be submitted only then.
    match = re.search(r"https?://[^/\s]+(/accounts/verify-email/\S+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    page.goto(live_server.url + match.group(1))
    assert "zhuoyue@example.com" in page.content()

    # A new enterprise sends its business licence; an official checks it before the first submission.
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)
    page.goto(live_server.url + "/accounts/identity/")
    assert page.input_value("input[name=name]") == "广东卓越质量电子有限公司"
    page.set_input_files("input[name=licence]", str(licence))
    submit(page)
    page.wait_for_load_state()
    check = IdentityCheck.objects.get(applicant__name="广东卓越质量电子有限公司", status="pending")

    page.goto(live_server.url + "/accounts/profile/qualifications/")
    page.select_option("select[name=qualification]", "china_quality_award")
    page.fill("input[name=year]", "2025")
    page.fill("input[name=certificate_number]", "CQA-2025-0007")
    submit(page)
    page.wait_for_load_state()
    assert "CQA-2025-0007" in page.content()

    page.goto(live_server.url + "/me/matches/")
    award = page.locator("#match-m17-china-quality-award-org")
    assert "3,000,000.00" in award.inner_text()
    award.locator("a.button").click()

    page.wait_for_url("**/applications/start/m17-china-quality-award-org/")
    submit(page)
    page.wait_for_load_state()
    task_list = page.url

    page.locator("ol a, ul a").filter(has_text=re.compile("申报内容|Your claim")).first.click()
    page.fill("textarea[name=summary]", "本企业获第五届中国质量奖，申请质量工作资助金。")
    page.fill("input[name=certificate_number]", "CQA-2025-0007")
    page.fill("input[name=award_date]", "2025-09-15")
    submit(page)
    page.wait_for_url(task_list)

    page.locator("ol a, ul a").filter(has_text=re.compile("联系人|Contact")).first.click()
    page.fill("input[name=contact_name]", "陈经理")
    page.fill("input[name=contact_phone]", "0755-88886666")
    submit(page)
    page.wait_for_url(task_list)

    application = Application.objects.get(applicant__name="广东卓越质量电子有限公司")
    page.goto(live_server.url + f"/applications/{application.pk}/documents/")
    evidence = tmp_path / "获奖证书.pdf"
    evidence.write_bytes(PDF)
    for document in application.incentive.required_documents.filter(is_mandatory=True):
        page.select_option("select[name=kind]", str(document.pk))
        page.set_input_files("input[type=file]", str(evidence))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    assert "获奖证书.pdf" in page.content()

    page.goto(live_server.url + f"/applications/{application.pk}/check/")
    assert "3,000,000.00" in page.content()
    assert "/accounts/identity/" in page.content()  # not verified yet: the page says where to go
    identity_check_approve(actor=OfficialFactory(role=OfficialRole.HANDLER, department="amr"), check=check)
    page.reload()
    assert "/accounts/identity/" not in page.locator("main").inner_html()
    page.check("#credit-commitment")  # 信用承诺: the applicant gives the credit commitment
    submit(page)
    page.wait_for_url("**/confirmation/")
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert re.fullmatch(r"QB-\d{4}-17-\d{6}", application.reference)
    assert application.reference in page.content()

    page.goto(live_server.url + "/me/")
    row = page.locator("tr").filter(has_text=application.reference)
    assert row.count() == 1
    assert "已提交" in row.inner_text() or "Submitted" in row.inner_text()
