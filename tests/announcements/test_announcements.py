"""Announcements (公示), objections (异议) and finalisation, through the services."""

import datetime as dt
import threading
from decimal import Decimal

import chinese_calendar
import pytest
from django.db import connection
from django.utils import timezone, translation

from accounts.models import Notification, OfficialRole
from announcements.models import Announcement, AnnouncementEntry, Objection
from announcements.selectors import mask_person_name
from announcements.services import (
    AnnouncementConflict,
    AnnouncementError,
    AnnouncementNotAllowed,
    announcement_finalise,
    announcement_publish,
    awards_finalise_due,
    objection_lodge,
    objection_resolve,
)
from announcements.tasks import finalise_due_awards
from applications.models import Status
from audit.models import AuditEvent
from awards.models import Award
from budgets.models import Budget
from measures.models import Department
from tests.factories import EnterpriseUserFactory, OfficialFactory
from tests.support.announcements import (
    approve_through_services,
    approved_quickly,
    award_of,
    days_after,
    publish_kwargs,
    refreshed,
    set_budget,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def amr():
    """省市场监管局: it handles measure 17's quality awards, which these tests announce."""
    return Department.objects.get(code="amr")


def _objection(announcement, entry=None, today=None, **extra):
    fields = {"name": "王小明", "contact": "13800000000", "reason": "该企业获奖信息与公布名单不一致。"} | extra
    return objection_lodge(
        actor=None, announcement=announcement, entry=entry, today=today, ip_address="203.0.113.9", **fields
    )


# ── the period ───────────────────────────────────────────────────────────────────────────────


def test_a_period_published_before_national_day_skips_the_holiday_and_counts_the_make_up_saturday(handler, amr) -> None:
    set_budget("9000000")
    application = approved_quickly()
    published = dt.date(2026, 9, 30)

    announcement = announcement_publish(
        actor=handler,
        department=amr,
        applications=[application],
        period_days=5,
        today=published,
        **publish_kwargs(),
    )

    # The library's own calendar: 1–7 October 2026 are the National Day holiday and Saturday
    # 10 October is a make-up workday (调休), so the five working days after 30 September are
    # 8, 9, 10, 12 and 13 October.
    assert all(chinese_calendar.is_holiday(dt.date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(dt.date(2026, 10, 10))
    counted = [
        day for day in (published + dt.timedelta(days=n) for n in range(1, 20)) if chinese_calendar.is_workday(day)
    ][:5]
    assert counted == [dt.date(2026, 10, d) for d in (8, 9, 10, 12, 13)]
    assert announcement.ends_on == counted[-1] == dt.date(2026, 10, 13)
    assert timezone.localdate(announcement.published_at) == published
    assert announcement.period_days == 5


def test_the_period_is_set_per_announcement(handler, amr) -> None:
    set_budget("9000000")
    announcement = announcement_publish(
        actor=handler,
        department=amr,
        applications=[approved_quickly()],
        period_days=10,
        today=dt.date(2026, 11, 2),  # a Monday: ten working days are two weeks
        **publish_kwargs(),
    )
    assert announcement.ends_on == dt.date(2026, 11, 16)


# ── publishing ───────────────────────────────────────────────────────────────────────────────


def test_publishing_announces_each_award_with_names_as_published(
    handler, approver, amr, django_capture_on_commit_callbacks
) -> None:
    set_budget("9000000")
    set_budget("9000000", code="m17-china-quality-award-ind")
    enterprise = approve_through_services(handler, approver)
    person = approved_quickly(individual_name="陈星量", amount="1000000")

    with django_capture_on_commit_callbacks(execute=True):
        announcement = announcement_publish(
            actor=handler, department=amr, applications=[enterprise, person], **publish_kwargs()
        )

    entries = {e.award.application_id: e for e in AnnouncementEntry.objects.select_related("award")}
    assert entries[enterprise.pk].display_name == enterprise.applicant.name
    assert entries[person.pk].display_name == "陈*量"
    assert entries[enterprise.pk].amount == Decimal("3000000.00")
    assert entries[person.pk].amount == Decimal("1000000.00")
    assert entries[enterprise.pk].incentive_name == "中国质量奖获奖组织质量工作资助金"
    assert refreshed(enterprise).status == Status.ANNOUNCED
    assert refreshed(person).status == Status.ANNOUNCED
    assert announcement.published_by == handler
    assert announcement.period_days == 5
    event = AuditEvent.objects.get(action="announcement.publish")
    assert event.after["entries"] == 2
    assert AuditEvent.objects.filter(action="application.announce").count() == 2
    told = Notification.objects.get(user__applicant=enterprise.applicant, subject__contains="publicly announced")
    assert announcement.ends_on.isoformat() in told.body


@pytest.mark.parametrize(
    ("name", "published"),
    [("陈星量", "陈*量"), ("张三", "张*"), ("欧阳小华", "欧**华"), ("李", "*"), ("  王五  ", "王*")],
)
def test_individuals_names_are_partly_masked(name: str, published: str) -> None:
    assert mask_person_name(name) == published


def test_only_officials_of_the_handling_department_publish(amr) -> None:
    set_budget("9000000")
    application = approved_quickly()
    for outsider in (
        OfficialFactory(role=OfficialRole.HANDLER, department="miit"),
        OfficialFactory(role=OfficialRole.FINANCE),
    ):
        with pytest.raises(AnnouncementNotAllowed):
            announcement_publish(actor=outsider, department=amr, applications=[application], **publish_kwargs())
    with pytest.raises(AnnouncementNotAllowed):
        announcement_publish(
            actor=EnterpriseUserFactory(), department=amr, applications=[application], **publish_kwargs()
        )
    # Officials of another department cannot publish the award under their own department either.
    miit = Department.objects.get(code="miit")
    with pytest.raises(AnnouncementError) as refused:
        announcement_publish(
            actor=OfficialFactory(role=OfficialRole.HANDLER, department="miit"),
            department=miit,
            applications=[application],
            **publish_kwargs(),
        )
    assert application.reference in refused.value.problems["applications"][0]
    assert not Announcement.objects.exists()
    assert refreshed(application).status == Status.APPROVED


def test_publishing_is_all_or_nothing_and_names_what_cannot_be_announced(handler, approver, amr) -> None:
    set_budget("9000000")
    good = approved_quickly()
    proposal_only = approved_quickly()
    proposal_only.status = Status.PROPOSED  # set directly: this test is about publishing, not reviewing
    proposal_only.save(update_fields=["status"])
    events = AuditEvent.objects.count()

    with pytest.raises(AnnouncementError) as refused:
        announcement_publish(actor=handler, department=amr, applications=[good, proposal_only], **publish_kwargs())

    problems = refused.value.problems["applications"]
    assert len(problems) == 1
    assert proposal_only.reference in problems[0]
    assert not Announcement.objects.exists()
    assert not AnnouncementEntry.objects.exists()
    assert refreshed(good).status == Status.APPROVED
    assert AuditEvent.objects.count() == events


def test_an_award_is_announced_once(handler, amr) -> None:
    set_budget("9000000")
    application = approved_quickly()
    announcement_publish(actor=handler, department=amr, applications=[application], **publish_kwargs())
    with pytest.raises(AnnouncementError):
        announcement_publish(actor=handler, department=amr, applications=[application], **publish_kwargs())
    assert Announcement.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"title": " "}, "title"), ({"period_days": 0}, "period_days"), ({"period_days": 31}, "period_days")],
)
def test_title_and_period_are_checked(handler, amr, fields, field) -> None:
    set_budget("9000000")
    with pytest.raises(AnnouncementError) as refused:
        announcement_publish(
            actor=handler, department=amr, applications=[approved_quickly()], **publish_kwargs(**fields)
        )
    assert field in refused.value.problems


# ── objections ───────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def announced(handler, amr):
    """Two awards (3,000,000 each) announced today under a 9,000,000 budget."""
    set_budget("9000000")
    first, second = approved_quickly(), approved_quickly()
    announcement = announcement_publish(actor=handler, department=amr, applications=[first, second], **publish_kwargs())
    entries = list(announcement.entries.order_by("pk"))
    return announcement, entries, [e.award.application for e in entries]


def test_an_objection_gets_the_next_tracking_number(announced) -> None:
    announcement, entries, _ = announced
    year = timezone.localdate().year
    first = _objection(announcement, entries[0])
    second = _objection(announcement)
    assert first.tracking_number == f"YY-{year}-000001"
    assert second.tracking_number == f"YY-{year}-000002"
    assert first.entry == entries[0] and second.entry is None
    assert first.status == Objection.Status.OPEN
    assert first.ip_address == "203.0.113.9"
    assert AuditEvent.objects.filter(action="objection.lodge").count() == 2


def test_objections_are_accepted_until_the_last_day_and_refused_after(announced) -> None:
    announcement, entries, _ = announced
    assert _objection(announcement, entries[0], today=announcement.ends_on).pk
    with pytest.raises(AnnouncementConflict) as refused:
        _objection(announcement, entries[0], today=days_after(announcement, 1))
    assert announcement.ends_on.isoformat() in refused.value.message
    assert "no longer accepted" in refused.value.message
    assert Objection.objects.count() == 1


def test_an_objection_must_say_who_and_why(announced) -> None:
    announcement, _, _ = announced
    with pytest.raises(AnnouncementError) as refused:
        objection_lodge(actor=None, announcement=announcement, name="", contact=" ", reason="")
    assert set(refused.value.problems) == {"name", "contact", "reason"}


def test_an_upheld_objection_withdraws_the_award_releases_the_budget_and_tells_the_applicant(
    announced, approver, django_capture_on_commit_callbacks
) -> None:
    announcement, entries, applications = announced
    objection = _objection(announcement, entries[0])
    assert Budget.objects.get().committed == Decimal("6000000.00")

    with django_capture_on_commit_callbacks(execute=True):
        resolved = objection_resolve(
            actor=approver, objection=objection, upheld=True, resolution="经核实，获奖证书系伪造。"
        )

    assert resolved.status == Objection.Status.UPHELD
    assert resolved.resolved_by == approver and resolved.resolved_at is not None
    assert award_of(applications[0]).status == Award.Status.WITHDRAWN
    assert refreshed(applications[0]).status == Status.WITHDRAWN
    assert Budget.objects.get().committed == Decimal("3000000.00")
    # The other award is untouched.
    assert award_of(applications[1]).status == Award.Status.COMMITTED
    assert refreshed(applications[1]).status == Status.ANNOUNCED
    told = Notification.objects.get(user__applicant=applications[0].applicant, subject__contains="withdrawn")
    assert "经核实，获奖证书系伪造。" in told.body
    assert AuditEvent.objects.filter(action="application.uphold_objection", object_id=str(applications[0].pk)).exists()
    assert AuditEvent.objects.filter(action="budget.release").exists()
    assert AuditEvent.objects.get(action="objection.uphold").reason == "经核实，获奖证书系伪造。"


def test_a_dismissed_objection_records_the_reason_and_changes_nothing_else(announced, handler) -> None:
    announcement, entries, applications = announced
    objection = _objection(announcement, entries[0])
    resolved = objection_resolve(actor=handler, objection=objection, upheld=False, resolution="反映问题经核查不属实。")
    assert resolved.status == Objection.Status.DISMISSED
    assert Objection.objects.get().resolution == "反映问题经核查不属实。"
    assert award_of(applications[0]).status == Award.Status.COMMITTED
    assert refreshed(applications[0]).status == Status.ANNOUNCED
    assert Budget.objects.get().committed == Decimal("6000000.00")
    assert AuditEvent.objects.filter(action="objection.dismiss").exists()


def test_who_may_resolve_and_only_once(announced, handler, approver) -> None:
    announcement, entries, applications = announced
    objection = _objection(announcement, entries[0])
    with pytest.raises(AnnouncementNotAllowed):  # upholding withdraws money: approvers only
        objection_resolve(actor=handler, objection=objection, upheld=True, resolution="成立")
    with pytest.raises(AnnouncementNotAllowed):
        objection_resolve(
            actor=OfficialFactory(role=OfficialRole.APPROVER, department="miit"),
            objection=objection,
            upheld=False,
            resolution="x",
        )
    with pytest.raises(AnnouncementError) as empty:
        objection_resolve(actor=approver, objection=objection, upheld=False, resolution="  ")
    assert "resolution" in empty.value.problems
    objection_resolve(actor=approver, objection=objection, upheld=False, resolution="不成立")
    with pytest.raises(AnnouncementConflict):
        objection_resolve(actor=approver, objection=objection, upheld=True, resolution="成立")
    assert award_of(applications[0]).status == Award.Status.COMMITTED


def test_a_second_upheld_objection_to_a_withdrawn_award_is_recorded_without_releasing_twice(
    announced, approver
) -> None:
    announcement, entries, _ = announced
    first, second = _objection(announcement, entries[0]), _objection(announcement, entries[0])
    objection_resolve(actor=approver, objection=first, upheld=True, resolution="成立")
    objection_resolve(actor=approver, objection=second, upheld=True, resolution="同上")
    assert Budget.objects.get().committed == Decimal("3000000.00")
    assert Objection.objects.filter(status=Objection.Status.UPHELD).count() == 2


# ── finalisation ─────────────────────────────────────────────────────────────────────────────


def test_finalisation_waits_for_the_period_and_for_open_objections(announced, approver) -> None:
    announcement, entries, applications = announced
    objection = _objection(announcement, entries[0])

    assert awards_finalise_due(today=announcement.ends_on) == []  # the last day still takes objections
    assert {refreshed(a).status for a in applications} == {Status.ANNOUNCED}

    day_after = days_after(announcement, 1)
    assert awards_finalise_due(today=day_after) == [applications[1].reference]  # the first is under objection
    assert refreshed(applications[0]).status == Status.ANNOUNCED
    assert award_of(applications[0]).status == Award.Status.COMMITTED
    assert refreshed(applications[1]).status == Status.FINAL
    final = award_of(applications[1])
    assert final.status == Award.Status.FINAL and final.finalised_at is not None

    objection_resolve(actor=approver, objection=objection, upheld=False, resolution="不成立")
    assert awards_finalise_due(today=days_after(announcement, 2)) == [applications[0].reference]
    assert refreshed(applications[0]).status == Status.FINAL
    assert awards_finalise_due(today=days_after(announcement, 3)) == []  # idempotent
    event = AuditEvent.objects.filter(action="application.finalise").first()
    assert event.actor is None and event.actor_label == "system"


def test_an_objection_to_the_whole_announcement_holds_every_award(announced, approver) -> None:
    announcement, _, applications = announced
    general = _objection(announcement)
    assert awards_finalise_due(today=days_after(announcement, 1)) == []
    objection_resolve(actor=approver, objection=general, upheld=True, resolution="公示程序合规，名单无误。")
    # Upholding an objection that names no award withdraws none; both then become final.
    assert sorted(awards_finalise_due(today=days_after(announcement, 1))) == sorted(a.reference for a in applications)


def test_a_withdrawn_award_never_becomes_final(announced, approver) -> None:
    announcement, entries, applications = announced
    objection_resolve(actor=approver, objection=_objection(announcement, entries[0]), upheld=True, resolution="成立")
    assert awards_finalise_due(today=days_after(announcement, 1)) == [applications[1].reference]
    assert refreshed(applications[0]).status == Status.WITHDRAWN


def test_on_demand_finalisation_by_an_approver_after_the_period(announced, handler, approver) -> None:
    announcement, _, applications = announced
    with pytest.raises(AnnouncementConflict):
        announcement_finalise(actor=approver, announcement=announcement, today=announcement.ends_on)
    with pytest.raises(AnnouncementNotAllowed):
        announcement_finalise(actor=handler, announcement=announcement, today=days_after(announcement, 1))
    done = announcement_finalise(actor=approver, announcement=announcement, today=days_after(announcement, 1))
    assert sorted(done) == sorted(a.reference for a in applications)
    assert AuditEvent.objects.filter(action="application.finalise", actor=approver).count() == 2


def test_the_beat_task_finalises_what_is_due_today(handler, amr) -> None:
    set_budget("9000000")
    application = approved_quickly()
    long_ago = timezone.localdate() - dt.timedelta(days=40)
    announcement_publish(actor=handler, department=amr, applications=[application], today=long_ago, **publish_kwargs())
    running = approved_quickly()
    announcement_publish(actor=handler, department=amr, applications=[running], **publish_kwargs())

    assert finalise_due_awards.apply().get() == 1
    assert refreshed(application).status == Status.FINAL
    assert refreshed(running).status == Status.ANNOUNCED
    assert finalise_due_awards.apply().get() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_objections_get_distinct_sequential_tracking_numbers(handler, amr) -> None:
    """Eight people object at the same moment: the unique constraint and the retry give each its
    own number, with no gap."""
    set_budget("9000000")
    announcement = announcement_publish(
        actor=handler, department=amr, applications=[approved_quickly()], **publish_kwargs()
    )
    barrier = threading.Barrier(8)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def lodge() -> None:
        try:
            barrier.wait(timeout=30)
            numbers.append(_objection(announcement).tracking_number)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=lodge) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    year = timezone.localdate().year
    assert failures == []
    assert sorted(numbers) == [f"YY-{year}-{n:06d}" for n in range(1, 9)]
