"""Collective decision meetings (集体审议): the meeting ranks the call's applications under review,
shares the call's money (decisions.allocation) and proposes through applications.review, in one
transaction; the approver then approves each proposal as for any other (four-eyes)."""

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import ConflictOfInterest, OfficialRole, User
from applications.models import Application, Status
from applications.review import application_approve, application_confirm_rejection, application_propose
from applications.review_api import ReviewedApplicationSerializer
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEvent
from calls.models import Call
from decisions.models import Meeting, MeetingDecision
from decisions.services import DecisionError, meeting_record, site_check_record
from experts.models import Panel
from measures.models import Incentive, YearCeiling
from tests.factories import EnterpriseUserFactory
from tests.review.conftest import fund
from tests.support.panels import closed_panel

pytestmark = pytest.mark.django_db

D = Decimal
PER_UNIT = "m15-international-standard-lead"


def _record(actor: User, call: Call, decisions: list[tuple[Application, bool, str]], **kwargs: object) -> Meeting:
    fields: dict[str, object] = {
        "held_on": timezone.localdate(),
        "chaired_by_id": actor.pk,
        "attendee_ids": [actor.pk],
        "other_attendees": "专家组组长",
        "minutes": "会议按评审排名逐项审议。",
    }
    fields.update(kwargs)
    if call.expert_review and not Panel.objects.filter(call=call).exists():
        closed_panel(call, [application for application, _support, _reasons in decisions])
    return meeting_record(actor=actor, call=call, decisions=decisions, **fields)  # type: ignore[arg-type]


def _fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def three(make_call: Callable[..., Call], under_review: Callable[..., Application]) -> Callable[[str], tuple]:
    """A call with 1,000,000 CNY and three applications asking 600k, 500k and 300k."""

    def make(allocation: str) -> tuple[Call, Application, Application, Application]:
        call = make_call(allocation=allocation, expert_review=True)
        return (
            call,
            under_review(call, 2, "600000"),
            under_review(call, 1),
            under_review(call, 1, "300000"),
        )

    return make


def test_rank_mode_proposes_in_rank_order_within_the_money(three: Callable, amr_handler: User) -> None:
    call, a, b, c = three(Call.Allocation.RANK)
    meeting = _record(amr_handler, call, [(a, True, ""), (b, True, ""), (c, True, "")])
    a, b, c = _fresh(a), _fresh(b), _fresh(c)
    assert (a.status, a.proposed_amount, a.amount_override_reason) == (Status.PROPOSED, D("600000.00"), "")
    assert (b.status, b.proposed_amount) == (Status.PROPOSED, D("400000.00"))
    assert meeting.number in b.amount_override_reason and "ranked 2" in b.amount_override_reason
    # Supported, but the money was used up by better-ranked ones: proposed not to support, with the reason.
    assert c.status == Status.REJECTION_PROPOSED and c.proposed_amount is None
    assert meeting.number in c.decision_reasons
    rows = list(MeetingDecision.objects.filter(meeting=meeting).order_by("rank"))
    assert [(r.application_id, r.rank, r.amount_asked, r.amount_allocated, r.support) for r in rows] == [
        (a.pk, 1, D("600000.00"), D("600000.00"), True),
        (b.pk, 2, D("500000.00"), D("400000.00"), True),
        (c.pk, 3, D("300000.00"), D("0.00"), True),
    ]
    event = AuditEvent.objects.get(action="meeting.record", object_id=str(meeting.pk))
    assert [d["amount"] for d in event.after["decisions"]] == ["600000.00", "400000.00", "0.00"]
    assert all(x.proposed_by_id == amr_handler.pk for x in (a, b, c))


def test_pro_rata_mode_proposes_proportional_amounts(three: Callable, amr_handler: User) -> None:
    call, a, b, c = three(Call.Allocation.PRO_RATA)
    _record(amr_handler, call, [(a, True, ""), (b, True, ""), (c, True, "")])
    amounts = [_fresh(x).proposed_amount for x in (a, b, c)]
    assert amounts == [D("428571.42"), D("357142.85"), D("214285.71")]
    assert all(_fresh(x).status == Status.PROPOSED for x in (a, b, c))


def test_the_ranking_is_the_meetings_not_the_submission_order(three: Callable, amr_handler: User) -> None:
    call, a, b, c = three(Call.Allocation.RANK)
    _record(
        amr_handler,
        call,
        [
            (c, True, ""),
            (b, True, ""),
            (a, False, "创新性不足"),
        ],
    )
    assert _fresh(c).proposed_amount == D("300000.00")
    assert _fresh(b).proposed_amount == D("500000.00")
    refused = _fresh(a)
    assert refused.status == Status.REJECTION_PROPOSED and refused.decision_reasons == "创新性不足"


def test_most_awards_limits_the_proposals(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User
) -> None:
    call = make_call(money_available=None, max_awards=1, expert_review=True)
    a, b = under_review(call, 1), under_review(call, 1)
    _record(amr_handler, call, [(a, True, ""), (b, True, "")])
    assert _fresh(a).status == Status.PROPOSED and _fresh(b).status == Status.REJECTION_PROPOSED


def test_proposals_outside_the_meeting_are_refused_for_expert_review_calls(
    three: Callable, amr_handler: User, api_client: Callable, page_client: Callable
) -> None:
    _call, a, _b, _c = three(Call.Allocation.RANK)
    for support in (True, False):
        with pytest.raises(TransitionNotAllowed, match="collective decision meeting"):
            application_propose(actor=amr_handler, application=a, support=support, reasons="材料齐全")
    response = api_client(amr_handler).post(
        f"/api/v1/applications/{a.reference}/propose/", {"decision": "support", "reasons": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed"
    assert "collective decision meeting" in response.json()["detail"]
    page = page_client(amr_handler).get(f"/review/{a.reference}/")
    assert page.status_code == 200
    assert b'id="action-propose"' not in page.content and b'id="meeting-decides"' in page.content
    assert _fresh(a).status == Status.UNDER_REVIEW


def test_calls_without_expert_review_keep_ordinary_proposals(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User
) -> None:
    a = under_review(make_call(), 1)
    proposed = application_propose(actor=amr_handler, application=a, support=True, reasons="")
    assert proposed.status == Status.PROPOSED


def test_a_ceiling_breach_refuses_the_whole_meeting(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User
) -> None:
    call = make_call(money_available=D("5000000"))  # no panel: the m14 award has no score sheet
    discretionary = Incentive.objects.get(code="m14-gd-standardisation-award-org")
    call.incentives.add(discretionary)
    first = under_review(call, 2, "600000")
    # The department's ceiling for the discretionary award is 500,000; this claim asks 800,000
    # (put under review directly: only the amount matters here).
    year = timezone.localdate().year
    YearCeiling.objects.create(incentive=discretionary, fiscal_year=year, amount=D("500000"), set_by=amr_handler)
    user = EnterpriseUserFactory()
    over = Application.objects.create(
        applicant=user.applicant,
        incentive=discretionary,
        fiscal_year=year,
        call=call,
        status=Status.UNDER_REVIEW,
        reference=f"QB-{year}-14-990001",
        data={"claim": {"requested_amount": "800000"}},
        created_by=user,
    )
    with pytest.raises(DecisionError, match="policy ceiling") as refused:
        _record(amr_handler, call, [(first, True, ""), (over, True, "")])
    assert refused.value.code == "above_ceiling"
    assert not Meeting.objects.exists() and not MeetingDecision.objects.exists()
    assert _fresh(first).status == Status.UNDER_REVIEW and _fresh(first).proposed_amount is None
    assert not AuditEvent.objects.filter(action="application.propose", object_id=str(first.pk)).exists()


def test_the_approver_approves_a_meeting_proposal_four_eyes_holds(
    three: Callable, amr_handler: User, amr_approver: User
) -> None:
    call, a, _b, c = three(Call.Allocation.RANK)
    fund(PER_UNIT)
    _record(amr_handler, call, [(a, True, ""), (c, False, "不符合条件")])
    # The handler who recorded the meeting proposed: the approval needs another official.
    with pytest.raises(TransitionNotAllowed):
        application_approve(actor=amr_handler, application=_fresh(a))
    approved = application_approve(actor=amr_approver, application=_fresh(a))
    assert approved.status == Status.APPROVED and approved.decided_by_id == amr_approver.pk
    rejected = application_confirm_rejection(actor=amr_approver, application=_fresh(c))
    assert rejected.status == Status.REJECTED


def test_an_application_is_decided_once(three: Callable, amr_handler: User) -> None:
    call, a, b, _c = three(Call.Allocation.RANK)
    with pytest.raises(DecisionError, match="twice"):
        _record(amr_handler, call, [(a, True, ""), (a, True, "")])
    _record(amr_handler, call, [(a, True, "")])
    with pytest.raises(DecisionError, match="not under review") as refused:
        _record(amr_handler, call, [(b, True, ""), (a, True, "")])
    assert refused.value.conflict
    assert Meeting.objects.count() == 1 and _fresh(b).status == Status.UNDER_REVIEW


def test_only_the_calls_applications_under_review(
    three: Callable, make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User
) -> None:
    call, a, _b, _c = three(Call.Allocation.RANK)
    elsewhere = under_review(make_call(), 1)
    with pytest.raises(DecisionError, match="does not belong"):
        _record(amr_handler, call, [(a, True, ""), (elsewhere, True, "")])
    assert _fresh(a).status == Status.UNDER_REVIEW


def test_not_supporting_needs_reasons(three: Callable, amr_handler: User) -> None:
    call, a, _b, _c = three(Call.Allocation.RANK)
    with pytest.raises(DecisionError, match="reasons"):
        _record(amr_handler, call, [(a, False, " ")])
    assert not Meeting.objects.exists()


def test_a_site_check_call_supports_only_after_a_passed_check(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User
) -> None:
    call = make_call(site_check=True)
    a = under_review(call, 1)
    with pytest.raises(DecisionError, match="site check"):
        _record(amr_handler, call, [(a, True, "")])

    def check(outcome: str) -> None:
        site_check_record(
            actor=amr_handler,
            application=a,
            checked_on=timezone.localdate(),
            official_ids=[amr_handler.pk],
            others_present="企业质量负责人",
            findings="现场查看生产线与标准实施情况。",
            outcome=outcome,
        )

    check("rectify")
    with pytest.raises(DecisionError, match="site check"):
        _record(amr_handler, call, [(a, True, "")])
    assert not Meeting.objects.exists()
    check("passed")
    _record(amr_handler, call, [(a, True, "")])
    assert _fresh(a).status == Status.PROPOSED


def test_a_refusal_by_the_site_check_does_not_stop_not_supporting(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User
) -> None:
    call = make_call(site_check=True)
    a = under_review(call, 1)
    _record(amr_handler, call, [(a, False, "现场核查未通过")])
    assert _fresh(a).status == Status.REJECTION_PROPOSED


# ── who may record ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("who", ["approver", "other_department", "city", "applicant", "conflicted"])
def test_only_a_handler_of_the_calls_department_records_a_meeting(
    who: str,
    three: Callable,
    amr_handler: User,
    amr_approver: User,
    miit_handler: User,
    make_official: Callable[..., User],
) -> None:
    call, a, _b, _c = three(Call.Allocation.RANK)
    if who == "approver":
        actor = amr_approver
    elif who == "other_department":
        actor = miit_handler
    elif who == "city":
        actor = make_official(OfficialRole.CITY_HANDLER, None, city="guangzhou")
    elif who == "applicant":
        actor = User.objects.get(applicant=a.applicant)
    else:
        ConflictOfInterest.objects.create(official=amr_handler, applicant=a.applicant, note="亲属")
        actor = amr_handler
    with pytest.raises((TransitionNotAllowed, DecisionError)):
        _record(actor, call, [(a, True, "")], chaired_by_id=amr_handler.pk, attendee_ids=[amr_handler.pk])
    assert not Meeting.objects.exists()
    assert _fresh(a).status == Status.UNDER_REVIEW


def test_attendees_are_officials_of_the_department(three: Callable, amr_handler: User, miit_handler: User) -> None:
    call, a, _b, _c = three(Call.Allocation.RANK)
    with pytest.raises(DecisionError, match="attended"):
        _record(amr_handler, call, [(a, True, "")], attendee_ids=[amr_handler.pk, miit_handler.pk])
    assert not Meeting.objects.exists()


def test_the_api_does_not_offer_propose_in_expert_review_calls(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User
) -> None:
    """The actions' answers list the caller's allowed actions (ReviewedApplicationSerializer)."""
    by_meeting = under_review(make_call(expert_review=True), 1)
    ordinary = under_review(make_call(), 1)
    context = {"request": SimpleNamespace(user=amr_handler)}
    assert ReviewedApplicationSerializer(_fresh(by_meeting), context=context).data["allowed_actions"] == ["return"]
    assert "propose" in ReviewedApplicationSerializer(_fresh(ordinary), context=context).data["allowed_actions"]


def test_the_meeting_starts_from_the_panels_ranking_and_waits_for_it_to_close(
    make_call: Callable[..., Call], under_review: Callable[..., Application], amr_handler: User, page_client: Callable
) -> None:
    from decisions.selectors import meeting_candidates
    from experts.ranking import PanelNotClosed

    call = make_call(expert_review=True)
    a, b, c = under_review(call, 1), under_review(call, 1), under_review(call, 1)
    # No panel yet: no meeting, and its page sends the official to the panel.
    with pytest.raises(PanelNotClosed):
        meeting_candidates(call)
    with pytest.raises(DecisionError, match="panel") as refused:
        meeting_record(
            actor=amr_handler,
            call=call,
            held_on=timezone.localdate(),
            chaired_by_id=amr_handler.pk,
            attendee_ids=[amr_handler.pk],
            other_attendees="",
            minutes="集体审议",
            decisions=[(a, True, "")],
        )
    assert refused.value.conflict
    page = page_client(amr_handler).get(f"/calls/manage/{call.pk}/meetings/new/")
    assert page.status_code == 302 and page["Location"] == f"/experts/calls/{call.pk}/panel/"

    closed_panel(call, [c, a, b])
    candidates = meeting_candidates(call)
    assert [x.application.pk for x in candidates] == [c.pk, a.pk, b.pk]
    assert candidates[0].score is not None and candidates[0].score > candidates[1].score > candidates[2].score
    meeting = _record(amr_handler, call, [(c, True, ""), (a, True, ""), (b, False, "得分偏低")])
    decided = {d.application_id: d for d in meeting.decisions.all()}
    assert decided[c.pk].score == candidates[0].score and decided[b.pk].score == candidates[2].score
