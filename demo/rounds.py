"""The demo's closed China Quality Award round (measure 17), shown through every step a department
runs: three manufacturers applied while the call was open last month, the provincial department
accepted them, a panel of five experts drawn from the pool (seed recorded) scored them on the score
sheet, officials checked two sites, and the collective decision meeting ranked them within the
call's money: the first is approved, the second awaits the demo approver, the third is not supported.

History is made with the services, in order; only the clock is the demo's own: the call is opened
for the moment the three submit, then its window goes back to last month (the submission times with
it), as if they had applied then."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Applicant, IdentityMethod, User
from applications.models import Application, Status
from applications.review import application_accept, application_approve, application_start_review
from applications.services import application_submit
from calls.models import Call
from decisions.models import Meeting, SiteCheck
from decisions.services import meeting_record, site_check_record
from experts.models import ExpertiseField, Panel, ScoreSheet
from experts.ranking import panel_ranking
from experts.services import assignment_score, panel_close, panel_draw
from measures.models import Incentive
from measures.vocabulary import ApplicantType

from .applications import _budget, _draft, ensure_demo_officials
from .calls import QUALITY_AWARD, ensure_demo_calls
from .experts import ensure_demo_experts

# (name, credit code, city, the share of each criterion's points its experts give)
ROUND_APPLICANTS = [
    ("珠海格美精密制造有限公司", "91440400MA4WQR1X59", "zhuhai", Decimal("0.92")),
    ("惠州华睿新能源科技有限公司", "91441300MA4WQR2Y6A", "huizhou", Decimal("0.85")),
    ("中山市明辉照明电器有限公司", "91442000MA4WQR3N7P", "zhongshan", Decimal("0.74")),
]
PANEL_SEED = 20261115
PANEL_FIELDS = ("quality-management", "standardisation")


def _quality_award_call() -> Call | None:
    return Call.objects.filter(incentives__code=QUALITY_AWARD[0], expert_review=True).order_by("-opens_at").first()


def _applicant(name: str, uscc: str, city: str) -> User:
    applicant, _created = Applicant.objects.get_or_create(
        uscc=uscc,
        defaults={
            "kind": ApplicantType.ORGANISATION,
            "name": name,
            "city": city,
            "size": "large",
            "industry": "C",
            "contact_person": "质量部 负责人",
            "contact_phone": "0756-8800000",
            "identity_verified_at": timezone.now(),
            "identity_verified_via": IdentityMethod.OFFICIAL,
        },
    )
    username = f"demo-round-{uscc[-4:].lower()}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=None,  # no demo login: these applicants only populate the round
            applicant=applicant,
            is_applicant_admin=True,
            email_verified_at=timezone.now(),
        )
    return user


def _handling(incentive: Incentive, role: str) -> User:
    return User.objects.get(username=f"demo-{role}-{incentive.handling_department.code}")


def ensure_demo_quality_award_round() -> Meeting | None:
    """The measure-17 round, made once (a second run finds its meeting and adds nothing)."""
    ensure_demo_officials()
    ensure_demo_experts()
    ensure_demo_calls()
    call = _quality_award_call()
    if call is None:
        return None
    existing = Meeting.objects.filter(call=call).first()
    if existing is not None:
        return existing
    incentive = Incentive.objects.select_related("handling_department").get(code=QUALITY_AWARD[0])
    handler, approver = _handling(incentive, "handler"), _handling(incentive, "approver")
    finance = User.objects.get(username="demo-finance")
    _budget(finance, incentive, call.fiscal_year)

    with transaction.atomic():
        window = (call.opens_at, call.closes_at)
        now = timezone.now()
        Call.objects.filter(pk=call.pk).update(
            opens_at=now - dt.timedelta(minutes=1), closes_at=now + dt.timedelta(hours=1)
        )
        shares: dict[int, Decimal] = {}
        applications = []
        for offset, (name, uscc, city, share) in enumerate(ROUND_APPLICANTS):
            user = _applicant(name, uscc, city)
            draft = _draft(user, incentive, call.fiscal_year, complete=True)
            submitted = application_submit(actor=user, application=draft, credit_commitment=True)
            # Applied in the call's window last month, a day apart.
            Application.objects.filter(pk=submitted.pk).update(
                submitted_at=window[1] - dt.timedelta(days=5 - offset, hours=3)
            )
            shares[submitted.pk] = share
            applications.append(submitted)
        Call.objects.filter(pk=call.pk).update(opens_at=window[0], closes_at=window[1])
        call.refresh_from_db()

        for application in applications:
            accepted = application_accept(actor=handler, application=Application.objects.get(pk=application.pk))
            application_start_review(actor=handler, application=accepted)

        panel = panel_draw(
            actor=handler, call=call, fields=ExpertiseField.objects.filter(code__in=PANEL_FIELDS), seed=PANEL_SEED
        )
        sheet = ScoreSheet.objects.prefetch_related("criteria").get(incentive=incentive)
        for index, assignment in enumerate(panel.assignments.select_related("expert__user").order_by("pk")):
            # Experts differ a little from each other: ±3% around the application's share.
            share = shares[assignment.application_id] + Decimal(index % 3 - 1) * Decimal("0.03")
            points = {
                c.pk: min(c.max_points, (c.max_points * share).quantize(Decimal("0.5"))) for c in sheet.criteria.all()
            }
            assignment_score(
                actor=assignment.expert.user,
                assignment=assignment,
                points=points,
                comment="申报材料完整，质量管理体系运行有效，评分如上。",
            )
        panel_close(actor=handler, panel=Panel.objects.get(pk=panel.pk))

        ranking = panel_ranking(call)
        by_pk = {a.pk: a for a in Application.objects.filter(pk__in=shares)}
        checked_on = timezone.localdate() - dt.timedelta(days=10)
        outcomes = [SiteCheck.Outcome.PASSED, SiteCheck.Outcome.PASSED, SiteCheck.Outcome.RECTIFY]
        for result, outcome in zip(ranking, outcomes, strict=True):
            site_check_record(
                actor=handler,
                application=by_pk[result.application_id],
                checked_on=checked_on,
                official_ids=[handler.pk],
                others_present="企业质量负责人",
                findings=(
                    "现场查看生产线与质量管理体系运行记录，与申报材料一致。"
                    if outcome == SiteCheck.Outcome.PASSED
                    else "部分质量追溯记录缺失，需限期整改。"
                ),
                outcome=outcome,
            )
        decisions = [
            (
                by_pk[r.application_id],
                outcome == SiteCheck.Outcome.PASSED,
                "" if outcome == SiteCheck.Outcome.PASSED else "现场核查需整改，本轮不予支持。",
            )
            for r, outcome in zip(ranking, outcomes, strict=True)
        ]
        meeting = meeting_record(
            actor=handler,
            call=call,
            held_on=timezone.localdate() - dt.timedelta(days=3),
            chaired_by_id=approver.pk,
            attendee_ids=[handler.pk, approver.pk],
            other_attendees="驻厅纪检监察组",
            minutes="按专家评审排名逐项审议，结合现场核查结果，表决通过。",
            decisions=decisions,
        )
        first = Application.objects.get(pk=ranking[0].application_id)
        if first.status == Status.PROPOSED:
            application_approve(actor=approver, application=first)
    return meeting
