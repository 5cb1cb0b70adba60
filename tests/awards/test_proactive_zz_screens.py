import pytest
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications.models import Application
from tests.factories import PASSWORD, BankAccountFactory, EnterpriseUserFactory, make_uscc

YEAR = timezone.localdate().year


@pytest.mark.django_db(transaction=True)
def test_screens(live_server, page, tmp_path) -> None:
    admin = User.objects.create_user("list-admin", password=PASSWORD, official_role=OfficialRole.ADMINISTRATOR)
    champion = EnterpriseUserFactory(applicant__name="深圳市冠军科技有限公司")
    BankAccountFactory(applicant=champion.applicant)
    csv = tmp_path / "list.csv"
    csv.write_text(
        "统一社会信用代码,企业名称,年度\n"
        f"{champion.applicant.uscc},{champion.applicant.name},{YEAR}\n{make_uscc(5)},未注册公司,{YEAR}\n"
        f"{make_uscc(5)},重复公司,{YEAR}\n",
        encoding="utf-8",
    )
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "list-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + "/proactive/lists/import/")
    page.select_option("#id_incentive", "m3-national-single-champion")
    page.select_option("#id_qualification", "national_single_champion")
    page.fill("#id_year", str(YEAR))
    page.fill("#id_amount", "500,000")
    page.set_input_files("#id_file", str(csv))
    page.click("text=Check the list" if False else "form button[type=submit] >> nth=-1")
    page.screenshot(path="/tmp/shot_errors.png", full_page=True)
    csv.write_text(
        "统一社会信用代码,企业名称,年度\n"
        f"{champion.applicant.uscc},{champion.applicant.name},{YEAR}\n{make_uscc(5)},未注册公司,{YEAR}\n",
        encoding="utf-8",
    )
    page.goto(live_server.url + "/proactive/lists/import/")
    page.select_option("#id_incentive", "m3-national-single-champion")
    page.select_option("#id_qualification", "national_single_champion")
    page.fill("#id_year", str(YEAR))
    page.fill("#id_amount", "500,000")
    page.set_input_files("#id_file", str(csv))
    page.click("form button[type=submit] >> nth=-1")
    page.screenshot(path="/tmp/shot_preview.png", full_page=True)
    page.click("form[action$='confirm/'] button")
    page.screenshot(path="/tmp/shot_detail.png", full_page=True)
    page.goto(live_server.url + "/proactive/lists/")
    page.screenshot(path="/tmp/shot_lists.png", full_page=True)
    offer = Application.objects.get()
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", champion.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + f"/proactive/offers/{offer.reference}/")
    page.screenshot(path="/tmp/shot_offer.png", full_page=True)
