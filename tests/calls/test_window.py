"""The call's window at submission, to the minute with the clock frozen (time-machine): checked
before the form's completeness, refused with the closing (or opening) time, API 409 call_closed;
a supplement may be answered after closing; incentives without calls and proactive offers unaffected."""

from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from applications.review import application_accept, application_return
from applications.services import (
    ApplicationError,
    CallClosed,
    application_create,
    application_submit,
    application_supplement,
)
from calls.models import Call
from measures.models import Incentive
from tests.applications.helpers import COST_SHARE, FIXED, complete_draft
from tests.calls.conftest import at
from tests.factories import EnterpriseUserFactory, OfficialFactory

pytestmark = pytest.mark.django_db

WINDOW = {"opens": "2026-03-01 09:00", "closes": "2026-03-31 17:00"}


@pytest.fixture
def applicant_user(db: None) -> User:
    return EnterpriseUserFactory()


def _draft_in_window(make_call: Callable[..., Call], user: User) -> tuple[Call, Application]:
    call = make_call(FIXED, **WINDOW)
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        application = complete_draft(user, FIXED)
    return call, application


def test_submitting_one_minute_before_closing_is_accepted(make_call: Callable[..., Call], applicant_user: User) -> None:
    call, application = _draft_in_window(make_call, applicant_user)
    assert application.call == call
    with time_machine.travel(at("2026-03-31 16:59"), tick=False):
        submitted = application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert submitted.status == Status.SUBMITTED
    assert submitted.call == call
    assert submitted.reference


@pytest.mark.parametrize("moment", ["2026-03-31 17:00", "2026-03-31 17:01", "2026-04-15 09:00"])
def test_submitting_at_or_after_closing_is_refused_naming_the_closing_time(
    make_call: Callable[..., Call], applicant_user: User, moment: str
) -> None:
    _call, application = _draft_in_window(make_call, applicant_user)
    with time_machine.travel(at(moment), tick=False), pytest.raises(CallClosed) as refused:
        application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert refused.value.code == "call_closed" and refused.value.conflict
    assert "closed on 2026-03-31 17:00 (Beijing time)" in refused.value.message
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.reference is None


def test_the_window_is_checked_before_the_forms_completeness(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    make_call(FIXED, **WINDOW)
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        empty = application_create(actor=applicant_user, incentive=Incentive.objects.get(code=FIXED), fiscal_year=2026)
    with time_machine.travel(at("2026-04-01 10:00"), tick=False), pytest.raises(CallClosed) as refused:
        application_submit(actor=applicant_user, application=empty, credit_commitment=False)
    assert refused.value.problems == {}


def test_submitting_before_the_call_opens_is_refused_naming_the_opening_time(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    call = make_call(FIXED, opens="2026-04-01 09:00", closes="2026-04-30 17:00")
    with time_machine.travel(at("2026-03-20 10:00"), tick=False):
        application = complete_draft(applicant_user, FIXED)
    assert application.call == call  # the next call to open
    with time_machine.travel(at("2026-04-01 08:59"), tick=False), pytest.raises(CallClosed) as refused:
        application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert "opens on 2026-04-01 09:00 (Beijing time)" in refused.value.message
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        submitted = application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert submitted.status == Status.SUBMITTED


def test_the_api_answers_409_call_closed_and_the_page_shows_the_message(
    make_call: Callable[..., Call],
    applicant_user: User,
    api_client: Callable[..., object],
    page_client: Callable[..., object],
) -> None:
    _call, application = _draft_in_window(make_call, applicant_user)
    with time_machine.travel(at("2026-03-31 17:00"), tick=False):
        response = api_client(applicant_user).post(  # type: ignore[attr-defined]
            reverse("api-application-submit", args=[application.pk]), {"credit_commitment": True}, format="json"
        )
        page = page_client(applicant_user).post(  # type: ignore[attr-defined]
            reverse("applications:submit", args=[application.pk]), {"credit_commitment": "yes"}
        )
    assert response.status_code == 409
    assert response.json()["code"] == "call_closed"
    assert "closed on 2026-03-31 17:00" in response.json()["detail"]
    assert page.status_code == 409
    assert "closed on 2026-03-31 17:00" in page.content.decode()


def test_a_supplement_is_answered_after_the_call_closed(make_call: Callable[..., Call], applicant_user: User) -> None:
    _call, application = _draft_in_window(make_call, applicant_user)
    handler = OfficialFactory(role=OfficialRole.HANDLER, department="amr")
    with time_machine.travel(at("2026-03-30 10:00"), tick=False):
        application = application_submit(actor=applicant_user, application=application, credit_commitment=True)
        application = application_return(actor=handler, application=application, missing="请补充获奖证书扫描件。")
    assert application.status == Status.RETURNED
    with time_machine.travel(at("2026-04-03 10:00"), tick=False):
        answered = application_supplement(actor=applicant_user, application=application, note="已补充。")
    assert answered.status == Status.SUBMITTED
    with time_machine.travel(at("2026-04-03 11:00"), tick=False):
        accepted = application_accept(actor=handler, application=answered)
    assert accepted.status == Status.ACCEPTED


def test_an_incentive_with_calls_but_none_for_the_year_refuses_submission(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    make_call(FIXED, fiscal_year=2025, opens="2025-03-01 09:00", closes="2025-03-31 17:00")
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        application = complete_draft(applicant_user, FIXED)
        assert application.call is None
        with pytest.raises(CallClosed) as refused:
            application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert "No call for applications is open" in refused.value.message


def test_a_draft_started_before_any_call_joins_the_call_open_at_submission(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    with time_machine.travel(at("2026-02-10 10:00"), tick=False):
        application = complete_draft(applicant_user, FIXED)
    assert application.call is None
    call = make_call(FIXED, **WINDOW)
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        submitted = application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert submitted.call == call


def test_incentives_without_calls_take_applications_at_any_time(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    make_call(FIXED, **WINDOW)  # another incentive's call changes nothing here
    with time_machine.travel(at("2026-08-10 03:17"), tick=False):
        application = complete_draft(applicant_user, COST_SHARE)
        submitted = application_submit(actor=applicant_user, application=application, credit_commitment=True)
    assert submitted.status == Status.SUBMITTED and submitted.call is None


def test_an_incomplete_draft_in_the_window_is_still_refused_for_its_answers(
    make_call: Callable[..., Call], applicant_user: User
) -> None:
    make_call(FIXED, **WINDOW)
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        empty = application_create(actor=applicant_user, incentive=Incentive.objects.get(code=FIXED), fiscal_year=2026)
        with pytest.raises(ApplicationError) as refused:
            application_submit(actor=applicant_user, application=empty, credit_commitment=True)
    assert not isinstance(refused.value, CallClosed)
    assert "claim" in refused.value.problems
