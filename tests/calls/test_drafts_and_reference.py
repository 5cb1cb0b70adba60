"""Which call a new draft joins, and the reference period the claim's facts must fall in
(measure 15: each standard's publication date; measure 17: the award's date)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine

from accounts.models import OfficialRole, User
from applications.models import Status
from applications.services import (
    ApplicationError,
    application_create,
    application_problems,
    application_save_section,
    application_submit,
)
from calls.models import Call
from measures.models import Incentive
from proactive.list_file import ListFile
from proactive.offers import proactive_offer_confirm
from proactive.services import proactive_list_import
from tests.applications.helpers import FIXED, PER_UNIT, complete_draft
from tests.calls.conftest import at
from tests.factories import BankAccountFactory, EnterpriseUserFactory, OfficialFactory

pytestmark = pytest.mark.django_db

NOW = "2026-03-10 10:00"


@pytest.fixture
def applicant_user(db: None) -> User:
    return EnterpriseUserFactory()


def test_a_draft_joins_the_open_call_for_its_year_else_the_next_one(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    incentive = Incentive.objects.get(code=FIXED)
    make_call(FIXED, opens="2026-01-05 09:00", closes="2026-02-05 17:00", title="已截止")
    later = make_call(FIXED, opens="2026-06-01 09:00", closes="2026-06-30 17:00", title="下一批")
    current = make_call(FIXED, opens="2026-03-01 09:00", closes="2026-03-31 17:00", title="本批")
    make_call(FIXED, fiscal_year=2027, opens="2026-03-01 09:00", closes="2026-03-31 17:00", title="明年")
    other_user = EnterpriseUserFactory()
    with time_machine.travel(at(NOW), tick=False):
        assert application_create(actor=applicant_user, incentive=incentive, fiscal_year=2026).call == current
    with time_machine.travel(at("2026-04-10 10:00"), tick=False):
        assert application_create(actor=other_user, incentive=incentive, fiscal_year=2026).call == later


def test_a_chosen_call_must_be_for_the_incentive_and_year_and_not_closed(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    incentive = Incentive.objects.get(code=FIXED)
    other = make_call(PER_UNIT, opens="2026-03-01 09:00", closes="2026-03-31 17:00")
    closed = make_call(FIXED, opens="2026-01-05 09:00", closes="2026-02-05 17:00")
    with time_machine.travel(at(NOW), tick=False):
        with pytest.raises(ApplicationError, match="not for this incentive"):
            application_create(actor=applicant_user, incentive=incentive, fiscal_year=2026, call=other)
        with pytest.raises(ApplicationError, match="for the fiscal year 2026"):
            application_create(actor=applicant_user, incentive=incentive, fiscal_year=2025, call=closed)
        with pytest.raises(ApplicationError, match="closed on 2026-02-05 17:00"):
            application_create(actor=applicant_user, incentive=incentive, fiscal_year=2026, call=closed)


def _standards_call(make_call: Callable[..., Call], **fields: object) -> Call:
    return make_call(
        PER_UNIT,
        opens="2026-03-01 09:00",
        closes="2026-03-31 17:00",
        reference_from=dt.date(2025, 7, 1),
        reference_to=dt.date(2026, 6, 30),
        **fields,
    )


def test_a_standard_published_outside_the_reference_period_is_refused_on_its_row(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    _standards_call(make_call)
    with time_machine.travel(at(NOW), tick=False):
        application = complete_draft(applicant_user, PER_UNIT)  # the helper's standards: published 2025-05-01
        claim = application.data["claim"]
        claim["standards"][1]["published_on"] = "2025-07-01"  # the period's first day: inside
        application = application_save_section(
            actor=applicant_user, application=application, section_key="claim", answers=claim
        )
        with pytest.raises(ApplicationError) as refused:
            application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert refused.value.problems["claim"] == [
        (
            "id_standards-0-published_on",
            "Row 1: Publication date: 2025-05-01 is outside this call's reference period (2025-07-01 to "
            "2026-06-30): only what falls in that period can be claimed in this call.",
        )
    ]
    application.refresh_from_db()
    assert application.status == Status.DRAFT

    claim["standards"][0]["published_on"] = "2026-06-30"  # the period's last day: inside
    with time_machine.travel(at(NOW), tick=False):
        application = application_save_section(
            actor=applicant_user, application=application, section_key="claim", answers=claim
        )
        assert application_problems(application) == {}
        submitted = application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert submitted.status == Status.SUBMITTED


def test_the_form_s_only_date_field_is_checked_when_the_call_names_none(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    make_call(
        FIXED,
        opens="2026-03-01 09:00",
        closes="2026-03-31 17:00",
        reference_from=dt.date(2025, 10, 1),
        reference_to=dt.date(2026, 9, 30),
    )
    with time_machine.travel(at(NOW), tick=False):
        application = complete_draft(applicant_user, FIXED)  # award_date 2025-09-16
        problems = application_problems(application)
    assert [field for field, _message in problems["claim"]] == ["id_award_date"]
    assert "Date of the award or recognition: 2025-09-16 is outside" in problems["claim"][0][1]


def test_a_named_reference_field_that_the_form_lacks_checks_nothing(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    _standards_call(make_call, reference_date_field="claim.standards[].no_such_date")
    with time_machine.travel(at(NOW), tick=False):
        application = complete_draft(applicant_user, PER_UNIT)
        assert application_problems(application) == {}


def test_proactive_offers_need_no_call(make_call: Callable[..., Call]) -> None:
    champion = EnterpriseUserFactory(applicant__name="深圳市冠军科技有限公司")
    BankAccountFactory(applicant=champion.applicant)
    admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
    code = "m3-national-single-champion"
    make_call(code, opens="2026-01-05 09:00", closes="2026-02-05 17:00")  # closed
    with time_machine.travel(at(NOW), tick=False):
        from budgets.services import budget_set

        budget_set(
            actor=OfficialFactory(role=OfficialRole.FINANCE),
            incentive=Incentive.objects.get(code=code),
            fiscal_year=2026,
            allocation=Decimal("10000000"),
        )
        outcome = proactive_list_import(
            actor=admin,
            incentive=Incentive.objects.get(code=code),
            qualification="national_single_champion",
            year=2026,
            list_file=ListFile.from_rows(
                ["序号", "统一社会信用代码", "企业名称", "年度", "称号"],
                [[1, champion.applicant.uscc, champion.applicant.name, 2026, "国家级制造业单项冠军企业"]],
            ),
            amount=Decimal("500000"),
            title="2026年国家级制造业单项冠军企业名单",
            dry_run=False,
        )
        assert outcome.ok
        offer = champion.applicant.applications.get()
        assert offer.call is None
        confirmed = proactive_offer_confirm(actor=champion, application=offer)
    assert confirmed.status == Status.APPROVED
