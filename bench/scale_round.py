"""One funding round for bench/scale.py's round pages (issue 10), built once in the seeded database
(found again by its call's title, so `--reuse` keeps it): a call of measure 15's per-unit grant,
reviewed by the city first and by experts, with `size` new applications of the seeded enterprises
(under review, recommended and signed by their city), the city bureau's letter of the city with the
most of them, an expert panel of 30 drawn through experts.services.panel_draw, every assignment
scored in bulk (the scoring service writes one assignment at a time) and the panel closed through
panel_close, and one collective decision meeting recording the panel's ranking in bulk (without the
transitions meeting_record makes, so that every application stays a candidate of the new meeting).

The applications are new rows, not seeded ones moved into the call: the seed has too few of one
incentive under review, and the other metrics keep measuring the seeded data unchanged."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ROUND_TITLE = "性能测试：国际标准资助申报通知（地市初审、专家评审）"
INCENTIVE = "m15-international-standard-lead"
EXPERTS = 30
CONFLICTED_CITY = "guangzhou"  # a fifth of the pool works there: the draw leaves them out of its applicants


@dataclass
class Round:
    call: Any
    handler: Any  # of the department handling the incentive: runs the panel and the meetings
    city_approver: Any  # of the city whose letter was issued
    expert: Any  # the user of the expert with the most assignments
    meeting: Any


def _user(username: str, **fields: Any) -> Any:
    from accounts.models import User

    user, _ = User.objects.get_or_create(username=username, defaults=fields)
    return user


def _city_officials(city: str) -> Any:
    from accounts.models import OfficialRole

    _user(f"bench-city-handler-{city}", official_role=OfficialRole.CITY_HANDLER, city=city, display_name="地市经办人")
    return _user(
        f"bench-city-approver-{city}", official_role=OfficialRole.CITY_APPROVER, city=city, display_name="地市审核人"
    )


def find_round() -> Round | None:
    from django.db.models import Count

    from accounts.models import User
    from applications.models import CityRecommendationLetter
    from calls.models import Call
    from decisions.models import Meeting
    from experts.models import Assignment

    call = Call.objects.filter(title=ROUND_TITLE).first()
    meeting = Meeting.objects.filter(call=call).order_by("pk").first() if call else None
    if call is None or meeting is None:
        return None
    letter = CityRecommendationLetter.objects.filter(call=call).order_by("pk").first()
    busiest = (
        Assignment.objects.filter(panel__call=call).values("expert__user_id").annotate(n=Count("pk")).order_by("-n")
    ).first()
    assert letter is not None and busiest is not None
    return Round(
        call=call,
        handler=meeting.recorded_by,
        city_approver=User.objects.get(username=f"bench-city-approver-{letter.city}"),
        expert=User.objects.get(pk=busiest["expert__user_id"]),
        meeting=meeting,
    )


def build_round(size: int) -> Round:
    """The round (made when missing): about `size` applications."""
    from django.db import transaction

    found = find_round()
    if found is not None:
        return found
    with transaction.atomic():
        _build(size)
    made = find_round()
    assert made is not None
    return made


def _build(size: int) -> None:
    from django.db.models import Count, Q
    from django.utils import timezone

    from accounts.models import Applicant, User
    from applications.city_letters import city_letter_issue
    from applications.models import CLOSED_STATUSES, Application, Status
    from calls.models import Call
    from decisions.allocation import allocate
    from decisions.models import Meeting, MeetingDecision
    from experts.models import Assignment, Expert, ExpertiseField, Score, ScoreCriterion
    from experts.ranking import panel_ranking
    from experts.services import panel_close, panel_draw
    from measures.models import Incentive

    incentive = Incentive.objects.select_related("handling_department").get(code=INCENTIVE)
    handler = User.objects.get(username=f"bench-handler-{incentive.handling_department.code}-1")
    handler2 = User.objects.get(username=f"bench-handler-{incentive.handling_department.code}-2")
    now = timezone.now()
    year = timezone.localdate().year
    call = Call.objects.create(
        fiscal_year=year,
        title=ROUND_TITLE,
        opens_at=now - dt.timedelta(days=90),
        closes_at=now - dt.timedelta(days=45),
        review_path=Call.ReviewPath.CITY_FIRST,
        expert_review=True,
        experts_per_application=3,
        money_available=Decimal("60000000.00"),
        created_by=handler,
    )
    call.incentives.set([incentive])

    # Enterprises without an open application of the incentive this year (one open per year).
    busy = Application.objects.filter(incentive=incentive, fiscal_year=year).filter(~Q(status__in=CLOSED_STATUSES))
    applicants = list(
        Applicant.objects.filter(kind="organisation")
        .exclude(pk__in=busy.values("applicant_id"))
        .order_by("pk")
        .values_list("pk", "city")[:size]
    )
    users = dict(
        User.objects.filter(applicant_id__in=[pk for pk, _city in applicants])
        .order_by("-pk")
        .values_list("applicant_id", "pk")
    )
    rows = []
    for n, (applicant_id, _city) in enumerate(applicants, start=1):
        units = 1 + n % 3
        submitted = now - dt.timedelta(days=60, minutes=n)
        rows.append(
            Application(
                applicant_id=applicant_id,
                incentive=incentive,
                fiscal_year=year,
                call=call,
                status=Status.UNDER_REVIEW,
                reference=f"QB-{year}-15-R{n:06d}",
                data={
                    "claim": {
                        "summary": "本企业主导制定国际标准，现依据政策申报。",
                        "requested_amount": "",
                        "standards": [
                            {
                                "number": f"ISO {21000 + n % 9000}:{year - 1}-R{n}-{unit}",
                                "organisation": "iso",
                                "title": "Smart manufacturing — Quality data exchange",
                                "published_on": f"{year - 1}-05-01",
                            }
                            for unit in range(units)
                        ],
                    },
                    "contact": {"contact_name": "王经理", "contact_phone": "020-88886666"},
                },
                estimated_amount=Decimal(500000 * units),
                city_recommended=True,
                city_reasons="主导制定国际标准，行业影响大。",
                city_decided_at=submitted + dt.timedelta(days=10),
                status_changed_at=submitted + dt.timedelta(days=20),
                stage_due_on=(now + dt.timedelta(days=20)).date(),
                submitted_at=submitted,
                created_by_id=users[applicant_id],
            )
        )
    Application.objects.bulk_create(rows, batch_size=1000)

    # The letter of the city with the most of them, through the city's own service.
    city = (
        Application.objects.filter(call=call)
        .values("applicant__city")
        .annotate(n=Count("pk"))
        .order_by("-n", "applicant__city")
        .first()["applicant__city"]
    )
    city_letter_issue(actor=_city_officials(city), call=call)

    field = ExpertiseField.objects.get(code="standardisation")
    for n in range(1, EXPERTS + 1):
        user = _user(f"bench-expert-{n}", display_name=f"评审专家{n}")
        expert, _ = Expert.objects.get_or_create(
            user=user,
            defaults={"city": CONFLICTED_CITY if n % 5 == 0 else "", "employer_name": f"标准化研究院{n}"},
        )
        expert.fields.add(field)
    panel = panel_draw(actor=handler, call=call, fields=[field], seed=20261205)

    # Every assignment scored: points between 60% and 100% of each criterion's, from the ids.
    criteria = list(ScoreCriterion.objects.filter(sheet__incentive=incentive))
    assignments = list(Assignment.objects.filter(panel=panel).values_list("pk", flat=True))
    Score.objects.bulk_create(
        (
            Score(
                assignment_id=pk,
                criterion=criterion,
                points=(
                    criterion.max_points
                    * (Decimal(60 + hashlib.sha256(f"{pk}-{criterion.pk}".encode()).digest()[0] % 41) / 100)
                ).quantize(Decimal("0.01")),
            )
            for pk in assignments
            for criterion in criteria
        ),
        batch_size=2000,
    )
    Assignment.objects.filter(panel=panel).update(scored_at=now, comment="材料完整，评分如上。")
    panel_close(actor=handler, panel=panel)

    ranking = panel_ranking(call)
    asked = dict(Application.objects.filter(call=call).values_list("pk", "estimated_amount"))
    allocated = allocate(
        [(r.application_id, asked[r.application_id]) for r in ranking],
        call.money_available,
        call.max_awards,
        call.allocation,
    )
    meeting = Meeting.objects.create(
        call=call,
        held_on=timezone.localdate(),
        chaired_by=handler,
        minutes="按专家评审排序逐项审议，表决通过。",
        recorded_by=handler,
    )
    meeting.attendees.set([handler, handler2])
    MeetingDecision.objects.bulk_create(
        (
            MeetingDecision(
                meeting=meeting,
                application_id=r.application_id,
                rank=r.rank,
                score=r.score,
                amount_asked=asked[r.application_id],
                support=True,
                amount_allocated=allocated.get(r.application_id, Decimal(0)),
            )
            for r in ranking
        ),
        batch_size=2000,
    )
