"""Reads of announcements shared by the pages and the API: dates, names as published, lists."""

import datetime as dt
from typing import Any

from django.db.models import Case, Count, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Status
from awards.models import Award
from workdays.calendar import add_working_days

from .models import Announcement, AnnouncementEntry, Objection
from .permissions import is_department_official


def mask_person_name(name: str) -> str:
    """An individual's name as published: the first character, and the last when there are three
    or more, e.g. 陈*量, 张*, 欧**华. Enterprises' names are published in full."""
    chars = list((name or "").strip())
    if len(chars) <= 1:
        return "*" * len(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


def published_name(application: Application) -> str:
    applicant = application.applicant
    return applicant.name if applicant.is_enterprise else mask_person_name(applicant.name)


def published_on(announcement: Announcement) -> dt.date:
    return timezone.localdate(announcement.published_at)


def period_is_provisional(announcement: Announcement) -> bool:
    """True when a day of the period falls in a year without an official holiday schedule yet."""
    return add_working_days(published_on(announcement), announcement.period_days).provisional


def objections_open(announcement: Announcement, today: dt.date | None = None) -> bool:
    """Objections are taken from the day of publication up to and including `ends_on`."""
    today = today or timezone.localdate()
    return published_on(announcement) <= today <= announcement.ends_on


def objection_period_problem(announcement: Announcement, today: dt.date | None = None) -> str:
    """Why an objection cannot be lodged today ("" while the period runs)."""
    today = today or timezone.localdate()
    if today < published_on(announcement):
        return _("This announcement is not yet open for objections.")
    if today > announcement.ends_on:
        return _("The objection period of this announcement ended on %(day)s: objections are no longer accepted.") % {
            "day": announcement.ends_on.isoformat()
        }
    return ""


def announcements_with_totals() -> QuerySet[Announcement]:
    """Every announcement with its department, number of entries and total (one query)."""
    return Announcement.objects.select_related("department").annotate(
        entry_count=Count("entries"), total_amount=Sum("entries__amount")
    )


def announcements_current(today: dt.date | None = None) -> QuerySet[Announcement]:
    today = today or timezone.localdate()
    return announcements_with_totals().filter(ends_on__gte=today).order_by("ends_on", "-published_at")


def announcements_past(today: dt.date | None = None) -> QuerySet[Announcement]:
    today = today or timezone.localdate()
    return announcements_with_totals().filter(ends_on__lt=today).order_by("-published_at", "-pk")


def announcement_entries(announcement: Announcement) -> QuerySet[AnnouncementEntry]:
    """The entries as published, with the award (its state now) and the application's reference."""
    return (
        AnnouncementEntry.objects.filter(announcement=announcement)
        .select_related("award", "award__application")
        .order_by("pk")
    )


def announcement_objections(announcement: Announcement) -> QuerySet[Objection]:
    """For the department's officials: open ones first, then by arrival."""
    return (
        Objection.objects.filter(announcement=announcement)
        .select_related("entry", "resolved_by")
        .order_by(Case(When(status=Objection.Status.OPEN, then=0), default=1), "created_at")
    )


def open_objection_count(announcement: Announcement) -> int:
    return Objection.objects.filter(announcement=announcement, status=Objection.Status.OPEN).count()


def announceable_applications(user: Any) -> QuerySet[Application]:
    """Approved applications with a committed award, of the incentives the official's department
    handles and not yet announced: what the publish form offers."""
    if not is_department_official(user, getattr(user, "department_id", None)):
        return Application.objects.none()
    return (
        Application.objects.filter(
            status=Status.APPROVED,
            incentive__handling_department_id=user.department_id,
            award__status=Award.Status.COMMITTED,
            award__announcement_entry__isnull=True,
        )
        .select_related("applicant", "incentive", "award")
        .order_by("incentive__code", "reference")
    )


def entries_due_for_finalisation(
    today: dt.date, *, announcement: Announcement | None = None
) -> QuerySet[AnnouncementEntry]:
    open_objections = Objection.objects.filter(status=Objection.Status.OPEN)
    entries = (
        AnnouncementEntry.objects.filter(
            announcement__ends_on__lt=today,
            award__status=Award.Status.COMMITTED,
            award__application__status=Status.ANNOUNCED,
        )
        .exclude(pk__in=open_objections.filter(entry__isnull=False).values("entry_id"))
        .exclude(announcement_id__in=open_objections.filter(entry__isnull=True).values("announcement_id"))
        .select_related("announcement", "award__application")
        .order_by("pk")
    )
    if announcement is not None:
        entries = entries.filter(announcement=announcement)
    return entries
