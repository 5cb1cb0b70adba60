"""A funding round in headless Chromium (issue 12): a call for measure 15's international-standard
subsidy opens (city first review, expert review, money allocated by rank); an enterprise registered
in Foshan submits; the Foshan bureau's handler proposes to recommend it and its approver signs; the
province's handler accepts it, starts the review and draws the expert panel; three experts of other
cities score it; the handler closes the panel and records the collective decision meeting; the
approver approves; the handler announces it, and the public announcement shows the enterprise and
its amount."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import OfficialRole, User
from announcements.models import Announcement
from applications.models import Application, Status
from budgets.services import budget_set
from calls.models import Call
from calls.services import call_save
from decisions.models import Meeting
from experts.models import Assignment, Expert, ExpertiseField, Panel, ScoreCriterion
from measures.models import Incentive
from measures.vocabulary import GuangdongCity
from tests.applications.helpers import PER_UNIT, complete_draft
from tests.factories import EnterpriseUserFactory, OfficialFactory, _UserFactory
from tests.support.auth import authenticator

from .test_money_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTERPRISE = "佛山国际标准示范陶瓷有限公司"
EXPERT_CITIES = [GuangdongCity.GUANGZHOU, GuangdongCity.SHENZHEN, GuangdongCity.ZHUHAI]


def status_of(application: Application) -> str:
    return Application.objects.get(pk=application.pk).status


def act(page, action: str, **fields: str) -> None:
    """Fills the action's form on the review page (fields prefixed by the action) and sends it."""
    section = page.locator(f"#action-{action}")
    for name, value in fields.items():
        section.locator(f"[name='{action}-{name}']").fill(value)
    section.locator("form button[type=submit]").click()
    page.wait_for_load_state()


def open_round(admin: User, finance: User) -> Call:
    """Measure 15's call, open now, reviewed by the city first and by three experts, with a budget."""
    now = timezone.now()
    incentives = Incentive.objects.filter(code=PER_UNIT)
    call = call_save(
        actor=admin,
        call=Call(
            fiscal_year=timezone.localdate().year,
            title="2026年度广东省主导制定国际标准资助申报通知",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=10),
            review_path=Call.ReviewPath.CITY_FIRST,
            expert_review=True,
            experts_per_application=3,
            money_available=Decimal("5000000.00"),
            allocation=Call.Allocation.RANK,
        ),
        incentives=incentives,
    )
    budget_set(actor=finance, incentive=incentives.get(), fiscal_year=call.fiscal_year, allocation=Decimal("10000000"))
    return call


def expert_pool() -> list[Expert]:
    """Three experts in quality management, none of them in Foshan or at the enterprise."""
    field = ExpertiseField.objects.get(code="quality-management")
    experts = []
    for i, city in enumerate(EXPERT_CITIES, start=1):
        user = _UserFactory(username=f"round-expert-{i}", display_name=f"评审专家{i}")
        expert = Expert.objects.create(
            user=user, city=city, employer_name=f"广东质量研究院{i}", employer_uscc=f"91440000MA5ROUND{i:02d}"
        )
        expert.fields.set([field])
        experts.append(expert)
    return experts


def test_a_call_a_foshan_enterprise_the_city_experts_meeting_approval_and_announcement(
    live_server, page, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR, username="r-admin")
    finance = OfficialFactory(role=OfficialRole.FINANCE, username="r-finance")
    handler = OfficialFactory(role=OfficialRole.HANDLER, department="amr", username="r-handler")
    approver = OfficialFactory(role=OfficialRole.APPROVER, department="amr", username="r-approver")
    city_handler = OfficialFactory(
        role=OfficialRole.CITY_HANDLER, department=None, city=GuangdongCity.FOSHAN, username="r-foshan-handler"
    )
    city_approver = OfficialFactory(
        role=OfficialRole.CITY_APPROVER, department=None, city=GuangdongCity.FOSHAN, username="r-foshan-approver"
    )
    for official in (approver, city_approver):
        authenticator(official)  # set up earlier, on the security page
    call = open_round(admin, finance)
    experts = expert_pool()

    # The call is public while it is open.
    page.goto(live_server.url + f"/calls/{call.pk}/")
    assert "2026年度广东省主导制定国际标准资助申报通知" in page.content()

    # A Foshan enterprise's draft answers the call (prepared through the services) …
    user = EnterpriseUserFactory(applicant__name=ENTERPRISE, applicant__city=GuangdongCity.FOSHAN)
    draft = complete_draft(user, PER_UNIT, units=2)
    Application.objects.filter(pk=draft.pk).update(call=call)

    # … and it submits it in the browser: the check page, the credit commitment, submit.
    sign_in(page, live_server, user)
    page.goto(live_server.url + f"/applications/{draft.pk}/check/")
    page.check("#credit-commitment")
    page.locator(f"main form[action='/applications/{draft.pk}/submit/'] button[type=submit]").click()
    page.wait_for_load_state()
    application = Application.objects.get(pk=draft.pk)
    assert application.status == Status.CITY_REVIEW
    assert application.call_id == call.pk
    assert "/confirmation/" in page.url and application.reference in page.content()
    reference = application.reference
    review_page = live_server.url + f"/review/{reference}/"

    # The Foshan bureau's handler proposes to recommend it …
    sign_in(page, live_server, city_handler)
    page.goto(review_page)
    assert ENTERPRISE in page.content()
    act(page, "recommend", reasons="企业主导制定国际标准两项，材料齐全、真实，同意推荐。")
    assert status_of(application) == Status.CITY_PROPOSED
    assert "同意推荐" in page.content()

    # … and the bureau's approver (second factor) signs: it goes to the province.
    sign_in(page, live_server, city_approver)
    page.goto(review_page)
    act(page, "forward")
    application = Application.objects.get(pk=application.pk)
    assert application.status == Status.SUBMITTED
    assert application.city_recommended is True and application.city_decided_at is not None
    assert page.locator("#city").count() == 1

    # The province's handler accepts it and starts the review.
    sign_in(page, live_server, handler)
    page.goto(review_page)
    act(page, "accept")
    assert status_of(application) == Status.ACCEPTED
    act(page, "review")
    assert status_of(application) == Status.UNDER_REVIEW
    assert reference in page.content()

    # The handler draws the expert panel: three experts, none from Foshan.
    page.goto(live_server.url + f"/experts/calls/{call.pk}/panel/")
    quality = ExpertiseField.objects.get(code="quality-management")
    page.check(f"input[name=fields_of_expertise][value='{quality.pk}']")
    page.locator(f"main form[action='/experts/calls/{call.pk}/panel/draw/'] button[type=submit]").click()
    page.wait_for_load_state()
    panel = Panel.objects.get(call=call)
    assignments = list(Assignment.objects.filter(panel=panel).select_related("expert__user"))
    assert sorted(a.expert_id for a in assignments) == sorted(e.pk for e in experts)
    assert {a.application_id for a in assignments} == {application.pk}
    assert str(panel.seed) in page.content()

    # Each expert signs in and scores their assignment.
    criteria = list(ScoreCriterion.objects.filter(sheet__incentive__code=PER_UNIT).order_by("order"))
    assert criteria, "measure 15's score sheet is seeded"
    for i, assignment in enumerate(assignments):
        sign_in(page, live_server, assignment.expert.user)
        page.goto(live_server.url + "/experts/")
        assert reference in page.content()
        page.goto(live_server.url + f"/experts/assignments/{assignment.pk}/")
        assert ENTERPRISE in page.content()
        for criterion in criteria:
            points = criterion.max_points - i - 1
            page.fill(f"input[name=criterion_{criterion.pk}]", f"{points:f}")
        page.fill("textarea[name=comment]", f"专家{i + 1}：主导程度高，技术先进，材料规范。")
        page.locator("main form button[type=submit].button").last.click()
        page.wait_for_load_state()
        assert Assignment.objects.get(pk=assignment.pk).scored_at is not None
        assert f"/experts/assignments/{assignment.pk}/" in page.url

    # The handler closes the panel: the ranking shows.
    sign_in(page, live_server, handler)
    page.goto(live_server.url + f"/experts/calls/{call.pk}/panel/")
    page.locator(f"main form[action='/experts/calls/{call.pk}/panel/close/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert Panel.objects.get(pk=panel.pk).closed_at is not None
    assert page.locator("main table").first.inner_text().count(reference) >= 1

    # The collective decision meeting (集体审议) supports it: the proposal follows the ranking.
    page.goto(live_server.url + f"/calls/manage/{call.pk}/meetings/new/")
    assert reference in page.content()
    page.select_option(f"select[name='a{application.pk}-decision']", "support")
    page.fill("textarea[name=minutes]", "会议听取专家评审情况汇报，经集体审议，同意支持。")
    page.locator("main form button[name=record]").click()
    page.wait_for_load_state()
    assert Meeting.objects.filter(call=call).exists(), page.locator("main").inner_text()[:3000]
    meeting = Meeting.objects.get(call=call)
    application = Application.objects.get(pk=application.pk)
    assert application.status == Status.PROPOSED
    assert application.proposed_amount is not None and application.proposed_amount > 0
    assert meeting.number in page.content()
    amount = application.proposed_amount

    # The approver (second factor) approves the meeting's proposal.
    sign_in(page, live_server, approver)
    page.goto(review_page)
    act(page, "approve")
    application = Application.objects.get(pk=application.pk)
    assert application.status == Status.APPROVED
    assert application.decided_by_id == approver.pk

    # The handler announces it publicly (公示).
    sign_in(page, live_server, handler)
    page.goto(live_server.url + "/announcements/new/")
    page.fill("input[name=title]", "2026年度广东省主导制定国际标准资助拟支持名单公示")
    page.check(f"input[name=applications][value='{reference}']")
    page.locator("main form button[type=submit].button:not(.button-secondary)").last.click()
    page.wait_for_load_state()
    assert status_of(application) == Status.ANNOUNCED
    announcement = Announcement.objects.get()

    # Anyone reads the announcement: the Foshan enterprise and its amount.
    page.context.clear_cookies()
    page.goto(live_server.url + f"/announcements/{announcement.pk}/")
    content = page.content()
    assert ENTERPRISE in content
    assert f"{amount:,.2f}" in content
