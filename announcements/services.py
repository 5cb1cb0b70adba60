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

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OfficialRole, User
from accounts.services import notification_send
from applications.models import Application, Status
from applications.services import _notify_applicant_users
from applications.workflow import TransitionNotAllowed, transition
from audit.services import audit_record
from awards.models import Award
from awards.services import award_finalise, award_release
from measures.models import Department
from portal.numbering import next_number
from workdays.calendar import add_working_days

from .models import Announcement, AnnouncementEntry, Objection
from .permissions import is_department_official
from .selectors import entries_due_for_finalisation, objection_period_problem, published_name
from .workflow import WORKFLOW as OBJECTION_WORKFLOW

DEFAULT_PERIOD_DAYS = 5


MAX_PERIOD_DAYS = 30


TRACKING_PREFIX = "YY"  # 异议
NAME_MAX, CONTACT_MAX, REASON_MAX, RESOLUTION_MAX = 100, 100, 5000, 5000


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


def _moment(today: dt.date | None) -> dt.datetime:
    """Now, or the current time of day on `today` (tests and back-dated imports pass a day)."""
    now = timezone.now()
    if today is None:
        return now
    local = timezone.localtime(now)
    return timezone.make_aware(dt.datetime.combine(today, local.time().replace(tzinfo=None)))


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
        changes=changes,
        notify=lambda a: _notify_applicant_users(
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
    if not isinstance(period_days, int) or not 1 <= period_days <= MAX_PERIOD_DAYS:  # type: ignore[redundant-expr]  # callers outside typing
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


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _next_tracking_number(year: int) -> str:
    return f"{TRACKING_PREFIX}-{year}-{next_number(f'objection:{year}'):06d}"


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
    return objection


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
        current = Objection.objects.select_for_update().get(pk=objection.pk)
        if current.status != Objection.Status.OPEN:
            raise AnnouncementConflict(
                _("Objection %(number)s is already resolved (%(status)s).")
                % {"number": current.tracking_number, "status": current.get_status_display()}
            )

        def resolve(locked: Objection) -> dict[str, Any]:
            withdrawn = _withdraw_award(actor, locked, resolution, ip_address) if upheld and locked.entry_id else None
            locked.resolution = resolution
            locked.resolved_by = actor
            locked.resolved_at = timezone.now()
            return {"withdrawn": withdrawn}

        try:
            return OBJECTION_WORKFLOW.transition(
                current,
                "uphold" if upheld else "dismiss",
                actor=actor,
                changes=resolve,
                reason=resolution,
                ip_address=ip_address,
                visible_to_applicant=False,
            )
        except TransitionNotAllowed as refused:  # the guard: a declared conflict of interest
            raise AnnouncementNotAllowed(str(refused)) from None


def _withdraw_award(actor: User, objection: Objection, resolution: str, ip_address: str | None) -> str | None:
    """The entry's award is withdrawn and the application leaves by "uphold_objection"; returns its
    reference, or None when an earlier upheld objection already withdrew it."""
    assert objection.entry_id is not None, "called for an objection to an entry"
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
        changes=changes,
        reason=resolution,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
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

        def changes(locked: Application, entry: AnnouncementEntry = entry) -> dict[str, Any]:
            if _blocked_by_open_objection(entry):  # lodged or reopened meanwhile
                raise TransitionNotAllowed(_("An objection to this award is open."))
            award = Award.objects.select_for_update().get(pk=entry.award_id)
            if award.status != Award.Status.COMMITTED:
                raise TransitionNotAllowed(_("The award is no longer committed."))
            award_finalise(actor=actor, award=award)
            return {"award": award.pk, "announcement": entry.announcement_id, "ends_on": entry.announcement.ends_on}

        try:
            done = transition(
                application,
                "finalise",
                actor=actor,
                changes=changes,
                reason=_("The announcement period ended on %(day)s without an open objection.")
                % {"day": entry.announcement.ends_on.isoformat()},
                notify=lambda a: _notify_applicant_users(
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


def _require_official(actor: Any, department_id: int) -> None:
    if not is_department_official(actor, department_id):
        raise AnnouncementNotAllowed(_("Only handlers and approvers of the responsible department may do this."))


def _require_approver(actor: Any, department_id: int, message: str) -> None:
    _require_official(actor, department_id)
    if actor.official_role != OfficialRole.APPROVER:
        raise AnnouncementNotAllowed(message)
