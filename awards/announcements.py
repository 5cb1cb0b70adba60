"""Public announcement (公示) of approved awards, objections (异议) and finalisation.

Services (writes) and selectors (reads shared by the pages and the API), one module because each
half is short. The life of an announced award:

    approved (award committed) ──announcement_publish──▶ announced: the list is public for
    `period_days` Chinese working days (ends_on, inclusive); anyone may object meanwhile
      ├─ objection upheld (objection_resolve) ─▶ withdrawn: budget released, applicant told why
      ├─ objection dismissed ─▶ the reason is recorded, the award stays announced
      └─ period over, no open objection (awards_finalise_due: Celery beat, or on demand) ─▶ final

An objection that names no entry concerns the whole announcement: while it is open, none of the
announcement's awards becomes final.
"""

import datetime as dt
import ipaddress
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Q, QuerySet, Sum, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OfficialRole, User
from accounts.services import notification_send
from applications.models import Application, Status
from applications.permissions import roles_for
from applications.services import _notify_applicant_users
from applications.workflow import Role, TransitionNotAllowed, transition
from audit.services import audit_record
from measures.models import Department
from workdays.calendar import add_working_days

from .models import Announcement, AnnouncementEntry, Award, Objection
from .services import award_release

DEFAULT_PERIOD_DAYS = 5
MAX_PERIOD_DAYS = 30
TRACKING_PREFIX = "YY"  # 异议
NAME_MAX, CONTACT_MAX, REASON_MAX, RESOLUTION_MAX = 100, 100, 5000, 5000
_TRACKING_ATTEMPTS = 20  # each collision round lets at least one through


class AnnouncementError(Exception):
    """A rule refused the input (pages: the form's errors; API: 400). `problems`: field → messages."""

    def __init__(self, message: str, *, problems: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or {}


class AnnouncementNotAllowed(AnnouncementError):
    """The caller may not do this (API: 403)."""


class AnnouncementConflict(AnnouncementError):
    """Not possible in the current state: the period is over, the objection already resolved (API: 409)."""


# ── masking ──────────────────────────────────────────────────────────────────────────────────


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


# ── who may ──────────────────────────────────────────────────────────────────────────────────


def is_department_official(user: Any, department_id: int | None) -> bool:
    """A handler or approver of the department (who publishes and resolves its announcements)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.official_role in (OfficialRole.HANDLER, OfficialRole.APPROVER)
        and user.department_id
        and user.department_id == department_id
    )


def _require_official(actor: Any, department_id: int) -> None:
    if not is_department_official(actor, department_id):
        raise AnnouncementNotAllowed(_("Only handlers and approvers of the responsible department may do this."))


def _require_approver(actor: Any, department_id: int, message: str) -> None:
    _require_official(actor, department_id)
    if actor.official_role != OfficialRole.APPROVER:
        raise AnnouncementNotAllowed(message)


# ── dates ────────────────────────────────────────────────────────────────────────────────────


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


def _moment(today: dt.date | None) -> dt.datetime:
    """Now, or the current time of day on `today` (tests and back-dated imports pass a day)."""
    now = timezone.now()
    if today is None:
        return now
    local = timezone.localtime(now)
    return timezone.make_aware(dt.datetime.combine(today, local.time().replace(tzinfo=None)))


# ── publishing ───────────────────────────────────────────────────────────────────────────────


def _announce_one(actor: User, announcement: Announcement, application: Application) -> AnnouncementEntry:
    made: list[AnnouncementEntry] = []

    def changes(locked: Application) -> dict[str, Any]:
        if locked.incentive.handling_department_id != announcement.department_id:
            raise AnnouncementError(_("its incentive is handled by another department"))
        award = Award.objects.select_for_update().filter(application_id=locked.pk).first()
        if award is None or award.status != Award.Status.COMMITTED:
            raise AnnouncementError(_("it has no committed award"))
        if AnnouncementEntry.objects.filter(award_id=award.pk).exists():
            raise AnnouncementError(_("it is already in an announcement"))
        made.append(
            AnnouncementEntry.objects.create(
                announcement=announcement,
                award=award,
                display_name=published_name(locked),
                incentive_name=locked.incentive.name,
                amount=award.amount,
            )
        )
        return {"announcement": announcement.pk, "ends_on": announcement.ends_on, "amount": award.amount}

    transition(
        application,
        "announce",
        actor=actor,
        roles=roles_for(actor, application),
        changes=changes,
        on_commit=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s: publicly announced") % {"reference": a.reference},
            _(
                "Your award is in the public announcement “%(title)s”. Anyone may object until %(ends_on)s; "
                "without an upheld objection it then becomes final."
            )
            % {"title": announcement.title, "ends_on": announcement.ends_on.isoformat()},
        ),
    )
    return made[0]


def announcement_publish(
    *,
    actor: User,
    department: Department,
    applications: Iterable[Application],
    title: str,
    period_days: int = DEFAULT_PERIOD_DAYS,
    today: dt.date | None = None,
) -> Announcement:
    """Publishes approved awards of the department's incentives for `period_days` working days.

    All or nothing: if any application cannot be announced, nothing is published and the error
    names each one with the reason.
    """
    _require_official(actor, department.pk)
    title = (title or "").strip()
    problems: dict[str, list[str]] = {}
    if not title:
        problems["title"] = [_("Enter the announcement's title.")]
    elif len(title) > 200:
        problems["title"] = [_("The title may have at most 200 characters.")]
    if not isinstance(period_days, int) or not 1 <= period_days <= MAX_PERIOD_DAYS:
        problems["period_days"] = [_("The period is between 1 and %(max)s working days.") % {"max": MAX_PERIOD_DAYS}]
    chosen = list({a.pk: a for a in applications}.values())
    if not chosen:
        problems["applications"] = [_("Choose at least one approved application.")]
    if problems:
        raise AnnouncementError(_("The announcement cannot be published yet."), problems=problems)

    moment = _moment(today)
    deadline = add_working_days(timezone.localdate(moment), period_days)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            department=department,
            title=title,
            published_at=moment,
            period_days=period_days,
            ends_on=deadline.day,
            published_by=actor,
        )
        refused: list[str] = []
        entries: list[AnnouncementEntry] = []
        for application in sorted(chosen, key=lambda a: a.reference or ""):
            try:
                entries.append(_announce_one(actor, announcement, application))
            except (AnnouncementError, TransitionNotAllowed) as error:
                refused.append(f"{application.reference}: {getattr(error, 'message', str(error))}")
        if refused:
            raise AnnouncementError(
                _("Some applications cannot be announced; nothing was published."),
                problems={"applications": refused},
            )
        audit_record(
            actor=actor,
            action="announcement.publish",
            obj=announcement,
            after={
                "title": title,
                "period_days": period_days,
                "ends_on": deadline.day,
                "ends_on_provisional": deadline.provisional,
                "entries": len(entries),
                "total": sum((e.amount for e in entries), Decimal(0)),
            },
        )
    return announcement


# ── objections ───────────────────────────────────────────────────────────────────────────────


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _next_tracking_number(year: int) -> str:
    prefix = f"{TRACKING_PREFIX}-{year}-"
    last = (
        Objection.objects.filter(tracking_number__startswith=prefix)
        .order_by("-tracking_number")
        .values_list("tracking_number", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _clean_text(value: Any, field: str, label: str, limit: int, problems: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if not text:
        problems[field] = [_("Enter your %(what)s.") % {"what": label}]
    elif len(text) > limit:
        problems[field] = [_("At most %(limit)s characters.") % {"limit": limit}]
    return text


def objection_lodge(
    *,
    actor: Any,
    announcement: Announcement,
    name: str,
    contact: str,
    reason: str,
    entry: AnnouncementEntry | None = None,
    ip_address: str | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Anyone, signed in or not, objects during the period; the answer is a tracking number.

    Tracking numbers are YY-<year>-<sequence>, unique (a constraint) and sequential: the next one
    is taken from the last, and a concurrent lodging that took the same number retries.
    """
    today = today or timezone.localdate()
    closed = objection_period_problem(announcement, today)
    if closed:
        raise AnnouncementConflict(closed)
    problems: dict[str, list[str]] = {}
    name = _clean_text(name, "name", _("name"), NAME_MAX, problems)
    contact = _clean_text(contact, "contact", _("contact details"), CONTACT_MAX, problems)
    reason = _clean_text(reason, "reason", _("reason for objecting"), REASON_MAX, problems)
    if entry is not None and entry.announcement_id != announcement.pk:
        problems["entry"] = [_("Choose an entry of this announcement.")]
    if problems:
        raise AnnouncementError(_("The objection is not complete."), problems=problems)
    address = _valid_ip(ip_address)
    signed_in = actor if getattr(actor, "is_authenticated", False) else None
    for attempt in range(_TRACKING_ATTEMPTS):
        try:
            with transaction.atomic():
                objection = Objection.objects.create(
                    announcement=announcement,
                    entry=entry,
                    tracking_number=_next_tracking_number(today.year),
                    name=name,
                    contact=contact,
                    reason=reason,
                    ip_address=address,
                )
                audit_record(
                    actor=signed_in,
                    action="objection.lodge",
                    obj=objection,
                    after={
                        "tracking_number": objection.tracking_number,
                        "announcement": announcement.pk,
                        "entry": entry.pk if entry else None,
                    },
                    ip_address=address,
                    visible_to_applicant=False,
                )
                for official in _department_officials(announcement.department_id):
                    notification_send(
                        user=official,
                        subject=_("Objection %(number)s to “%(title)s”")
                        % {"number": objection.tracking_number, "title": announcement.title},
                        body=_("A new objection waits for a decision: %(entry)s")
                        % {"entry": entry.display_name if entry else _("the whole announcement")},
                        link=reverse("announcements:objections", args=[announcement.pk]),
                    )
        except IntegrityError:
            if attempt == _TRACKING_ATTEMPTS - 1:
                raise
            continue
        return objection
    raise AssertionError("unreachable")  # pragma: no cover


def _department_officials(department_id: int) -> QuerySet[User]:
    return User.objects.filter(
        department_id=department_id,
        official_role__in=[OfficialRole.HANDLER, OfficialRole.APPROVER],
        is_active=True,
    )


def objection_resolve(
    *,
    actor: User,
    objection: Objection,
    upheld: bool,
    resolution: str,
    ip_address: str | None = None,
) -> Objection:
    """Upheld (approvers: the award is withdrawn, its budget released, the applicant told why) or
    dismissed (handlers or approvers: the reason is recorded). Each objection is resolved once."""
    announcement = objection.announcement
    if upheld:
        _require_approver(
            actor, announcement.department_id, _("Only an approver upholds an objection: the award is withdrawn.")
        )
    else:
        _require_official(actor, announcement.department_id)
    resolution = (resolution or "").strip()
    if not resolution:
        raise AnnouncementError(
            _("Give the reasons for the decision."), problems={"resolution": [_("Give the reasons for the decision.")]}
        )
    if len(resolution) > RESOLUTION_MAX:
        raise AnnouncementError(
            _("The reasons are too long."),
            problems={"resolution": [_("At most %(limit)s characters.") % {"limit": RESOLUTION_MAX}]},
        )
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != Objection.Status.OPEN:
            raise AnnouncementConflict(
                _("Objection %(number)s is already resolved (%(status)s).")
                % {"number": locked.tracking_number, "status": locked.get_status_display()}
            )
        withdrawn = None
        if upheld and locked.entry_id:
            withdrawn = _withdraw_award(actor, locked, resolution, ip_address)
        locked.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        locked.resolution = resolution
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit_record(
            actor=actor,
            action="objection.uphold" if upheld else "objection.dismiss",
            obj=locked,
            before={"status": Objection.Status.OPEN},
            after={"status": locked.status, "withdrawn": withdrawn},
            reason=resolution,
            ip_address=ip_address,
            visible_to_applicant=False,
        )
    return locked


def _withdraw_award(actor: User, objection: Objection, resolution: str, ip_address: str | None) -> str | None:
    """The entry's award is withdrawn and the application leaves by "uphold_objection"; returns its
    reference, or None when an earlier upheld objection already withdrew it."""
    entry = AnnouncementEntry.objects.select_related("award__application").get(pk=objection.entry_id)
    application = entry.award.application
    if application.status == Status.WITHDRAWN:
        return None

    def changes(locked: Application) -> dict[str, Any]:
        award = award_release(actor=actor, award=entry.award, reason=resolution)
        return {"objection": objection.tracking_number, "released": award.amount}

    transition(
        application,
        "uphold_objection",
        actor=actor,
        roles=roles_for(actor, application),
        changes=changes,
        reason=resolution,
        ip_address=ip_address,
        on_commit=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s: award withdrawn after an objection") % {"reference": a.reference},
            _(
                "An objection to your award in the public announcement “%(title)s” was upheld, so the award is "
                "withdrawn. The department's reasons: %(reasons)s"
            )
            % {"title": objection.announcement.title, "reasons": resolution},
        ),
    )
    return application.reference


# ── finalisation ─────────────────────────────────────────────────────────────────────────────


def _blocked_by_open_objection(entry: AnnouncementEntry) -> bool:
    return Objection.objects.filter(
        Q(entry_id=entry.pk) | Q(announcement_id=entry.announcement_id, entry__isnull=True),
        status=Objection.Status.OPEN,
    ).exists()


def awards_finalise_due(
    today: dt.date | None = None, *, actor: User | None = None, announcement: Announcement | None = None
) -> list[str]:
    """Announced awards whose period has ended (ends_on before `today`) and none of whose objections
    is open become final (the application moves by "finalise"). Idempotent; returns the references.

    Without an actor it runs as the system (Celery beat); with one (the on-demand button), as that
    approver, limited to one announcement.
    """
    today = today or timezone.localdate()
    finalised: list[str] = []
    for entry in entries_due_for_finalisation(today, announcement=announcement):
        application = entry.award.application
        roles = {Role.SYSTEM} if actor is None else roles_for(actor, application)

        def changes(locked: Application, entry: AnnouncementEntry = entry) -> dict[str, Any]:
            if _blocked_by_open_objection(entry):  # lodged or reopened meanwhile
                raise TransitionNotAllowed(_("An objection to this award is open."))
            award = Award.objects.select_for_update().get(pk=entry.award_id)
            if award.status != Award.Status.COMMITTED:
                raise TransitionNotAllowed(_("The award is no longer committed."))
            award.status = Award.Status.FINAL
            award.finalised_at = timezone.now()
            award.save(update_fields=["status", "finalised_at"])
            return {"award": award.pk, "announcement": entry.announcement_id, "ends_on": entry.announcement.ends_on}

        try:
            done = transition(
                application,
                "finalise",
                actor=actor,
                roles=roles,
                changes=changes,
                reason=_("The announcement period ended on %(day)s without an open objection.")
                % {"day": entry.announcement.ends_on.isoformat()},
                on_commit=lambda a: _notify_applicant_users(
                    a,
                    _("Application %(reference)s: award final") % {"reference": a.reference},
                    _(
                        "The public announcement period ended without an upheld objection: your award is final "
                        "and waits for disbursement."
                    ),
                ),
            )
        except TransitionNotAllowed:
            continue  # changed meanwhile: the next run sees it again if still due
        finalised.append(done.reference or str(done.pk))
    return finalised


def announcement_finalise(*, actor: User, announcement: Announcement, today: dt.date | None = None) -> list[str]:
    """On demand: an approver of the department finalises the announcement's awards that are due."""
    _require_approver(actor, announcement.department_id, _("Only an approver of the department finalises awards."))
    today = today or timezone.localdate()
    if today <= announcement.ends_on:
        raise AnnouncementConflict(
            _("The announcement period runs until %(day)s: awards become final after it.")
            % {"day": announcement.ends_on.isoformat()}
        )
    done = awards_finalise_due(today, actor=actor, announcement=announcement)
    audit_record(
        actor=actor,
        action="announcement.finalise",
        obj=announcement,
        after={"finalised": done},
        visible_to_applicant=False,
    )
    return done


# ── selectors ────────────────────────────────────────────────────────────────────────────────


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
