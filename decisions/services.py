"""Site checks (现场核查) and collective decision meetings (集体审议): one function per action, each
in one transaction with its permission check and its audit event.

The meeting proposes through applications.review (`application_propose(..., by_meeting=True)`),
so the application's status changes only through the workflow's one transition table, and the
policy ceiling, the cap and the four-eyes rule hold as for any proposal: the handler who records
the meeting is the proposer, an approver of the department approves each proposal afterwards.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from applications.models import Application, Status
from applications.review import application_propose, engine_amount
from applications.services import ApplicationError
from applications.workflow import TransitionNotAllowed
from audit.services import audit_record
from calls.models import Call
from experts.ranking import PanelNotClosed, panel_ranking
from portal.uploads import clean_name, file_format

from .allocation import allocate
from .models import Meeting, MeetingDecision, SiteCheck, SiteCheckPhoto
from .permissions import department_of_call, may_record_meeting, may_record_site_check
from .selectors import amount_asked, department_officials, latest_site_check

MAX_PHOTOS = 10
SITE_CHECK_STATUSES = (Status.ACCEPTED, Status.UNDER_REVIEW)


class DecisionError(ApplicationError):
    """A rule refused the site check or the meeting; nothing was saved. `field` names the input
    at fault (a form field, or "decisions"); `code` is the API's (API.md); `conflict`: 409."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid", conflict: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.conflict = conflict


def _today() -> dt.date:
    return timezone.localdate()


# ── site checks ─────────────────────────────────────────────────────────────────────────────


def _photo_format(upload: UploadedFile) -> str:
    return file_format(
        upload,
        accepted=("jpeg", "png"),
        refused_message=_("Only JPEG and PNG photos are accepted; this file is not one of them."),
    )


def site_check_record(
    *,
    actor: User,
    application: Application,
    checked_on: dt.date,
    official_ids: Sequence[int],
    others_present: str,
    findings: str,
    outcome: str,
    photos: Sequence[UploadedFile] = (),
    ip_address: str | None = None,
) -> SiteCheck:
    """现场核查: who checked, when, what they found and the outcome, with photos (JPEG or PNG,
    judged by their bytes). The application is at the province, accepted or under review, in a
    call with site checks; the applicant sees that the check took place and its outcome."""
    if not may_record_site_check(actor, application):
        raise TransitionNotAllowed(_("You may not record a site check for this application."))
    call = application.call
    if call is None or not call.site_check:
        raise DecisionError(_("The application's call has no site checks."), conflict=True, code="not_allowed")
    if outcome not in SiteCheck.Outcome.values:
        raise DecisionError(_("Choose the outcome of the site check."), field="outcome")
    if checked_on > _today():
        raise DecisionError(_("The date of the site check cannot be in the future."), field="checked_on")
    if not findings.strip():
        raise DecisionError(_("Describe what the site check found."), field="findings")
    wanted = set(official_ids)
    officials = list(department_officials(application.incentive.handling_department_id).filter(pk__in=wanted))
    if not wanted or len(officials) != len(wanted):
        raise DecisionError(_("Name the department's officials who were present."), field="officials")
    if len(photos) > MAX_PHOTOS:
        raise DecisionError(_("At most %(count)s photos.") % {"count": MAX_PHOTOS}, field="photos")
    checked = []
    for upload in photos:
        fmt = _photo_format(upload)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append((upload, fmt, digest.hexdigest()))

    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status not in SITE_CHECK_STATUSES:
            raise TransitionNotAllowed(
                _("A site check is recorded while the application is accepted or under review; it is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        check = SiteCheck.objects.create(
            application=locked,
            checked_on=checked_on,
            others_present=others_present.strip(),
            findings=findings.strip(),
            outcome=outcome,
            recorded_by=actor,
        )
        check.officials_present.set(officials)
        for upload, fmt, sha256 in checked:
            photo = SiteCheckPhoto(
                site_check=check,
                stored_name=SiteCheckPhoto.new_stored_name(fmt),
                original_name=clean_name(upload.name or "", fmt, default="photo"),
                format=fmt,
                size=upload.size or 0,
                sha256=sha256,
            )
            photo.file.save(photo.stored_name, upload, save=False)
            photo.save()
        audit_record(
            actor=actor,
            action="application.site_check",
            obj=locked,
            after={
                "site_check": check.pk,
                "checked_on": checked_on,
                "outcome": outcome,
                "officials": sorted(o.pk for o in officials),
                "photos": [sha for _u, _f, sha in checked],
            },
            reason=str(check.get_outcome_display()),
            ip_address=ip_address,
        )
    return check


# ── collective decision meetings ────────────────────────────────────────────────────────────


def _refuse(message: str, **kwargs: Any) -> DecisionError:
    return DecisionError(message, field=kwargs.pop("field", "decisions"), **kwargs)


def meeting_record(
    *,
    actor: User,
    call: Call,
    held_on: dt.date,
    chaired_by_id: int | None = None,
    attendee_ids: Sequence[int],
    other_attendees: str,
    minutes: str,
    decisions: Sequence[tuple[Application, bool, str]],
    scores: Mapping[int, Decimal | None] | None = None,
    ip_address: str | None = None,
) -> Meeting:
    """集体审议: the meeting's record and, in rank order (best first), its decision on each
    application: support (with the amount the call's money allows, `allocation.allocate`) or not.

    In one transaction: every application is locked, belongs to the call and is under review;
    in a call with site checks a supported application's latest site check passed; none is
    decided twice. Then each supported one with money is proposed with its amount, every other
    is proposed not to support, with reasons. If any proposal is refused (the policy ceiling, a
    conflict of interest...) the whole meeting is refused with that message and nothing is saved."""
    if not may_record_meeting(actor, call):
        raise TransitionNotAllowed(
            _("Only a handler of the department responsible for the call's incentives may record its meeting.")
        )
    if held_on > _today():
        raise _refuse(_("The meeting's date cannot be in the future."), field="held_on")
    if not minutes.strip():
        raise _refuse(_("Write the meeting's minutes."), field="minutes")
    if not decisions:
        raise _refuse(_("The meeting must decide at least one application."))
    department = department_of_call(call)
    wanted = set(attendee_ids) | ({chaired_by_id} if chaired_by_id else set())
    attendees = list(department_officials(department).filter(pk__in=wanted)) if department else []
    if not wanted or len(attendees) != len(wanted):
        raise _refuse(_("Name the department's officials who attended."), field="attendees")
    chair = next((a for a in attendees if a.pk == chaired_by_id), None)
    if chair is None:
        raise _refuse(_("Name who chaired the meeting, among the department's officials."), field="chaired_by")
    ids = [application.pk for application, _support, _reasons in decisions]
    if len(set(ids)) != len(ids):
        raise _refuse(_("An application is decided twice in this meeting."))
    for application, support, reasons in decisions:
        if not support and not reasons.strip():
            raise _refuse(
                _("Give the reasons for not supporting %(reference)s.") % {"reference": application.reference}
            )
    scores = dict(scores or {})
    if call.expert_review:
        # The experts' ranking, never the caller's figures: the panel must have closed.
        try:
            scores = {result.application_id: result.score for result in panel_ranking(call)}
        except PanelNotClosed as not_closed:
            raise _refuse(not_closed.message, conflict=True, code="not_allowed") from None
        for application, support, _reasons in decisions:
            if support and scores.get(application.pk) is None:
                raise _refuse(
                    _("%(reference)s has no score from the expert panel: it cannot be supported.")
                    % {"reference": application.reference}
                )

    with transaction.atomic():
        # Locked in one order: two meetings of the same call wait for each other, and the second
        # then finds the applications the first decided no longer under review.
        list(Application.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        locked = {
            a.pk: a
            for a in Application.objects.filter(pk__in=ids)
            .select_related("incentive", "call", "applicant")
            .prefetch_related("incentive__amount_parameters")
        }
        ranked: list[tuple[int, Decimal]] = []
        asked: dict[int, Decimal] = {}
        for application, support, _reasons in decisions:
            current = locked[application.pk]
            if current.call_id != call.pk:
                raise _refuse(
                    _("%(reference)s does not belong to this call.") % {"reference": current.reference},
                    conflict=True,
                    code="not_allowed",
                )
            if current.status != Status.UNDER_REVIEW:
                raise _refuse(
                    _("%(reference)s is not under review (it is “%(status)s”): it may have been decided already.")
                    % {"reference": current.reference, "status": current.get_status_display()},
                    conflict=True,
                    code="not_allowed",
                )
            ask = amount_asked(current)
            asked[current.pk] = ask if ask is not None else Decimal("0.00")
            if not support:
                continue
            if ask is None or ask <= 0:
                raise _refuse(
                    _("%(reference)s has no amount asked: it cannot be supported with money.")
                    % {"reference": current.reference}
                )
            if call.site_check:
                check = latest_site_check(current)
                if check is None or check.outcome != SiteCheck.Outcome.PASSED:
                    raise _refuse(
                        _("%(reference)s can be supported only after a site check it passed.")
                        % {"reference": current.reference}
                    )
            ranked.append((current.pk, ask))
        allocated = allocate(ranked, call.money_available, call.max_awards, call.allocation)

        meeting = Meeting.objects.create(
            call=call,
            held_on=held_on,
            chaired_by=chair,
            other_attendees=other_attendees.strip(),
            minutes=minutes.strip(),
            recorded_by=actor,
        )
        meeting.attendees.set(attendees)
        number = meeting.number
        for rank, (application, support, reasons) in enumerate(decisions, start=1):
            current = locked[application.pk]
            amount = allocated.get(current.pk, Decimal("0.00"))
            decision = MeetingDecision.objects.create(
                meeting=meeting,
                application=current,
                rank=rank,
                score=scores.get(current.pk),
                amount_asked=asked[current.pk],
                support=support,
                amount_allocated=amount,
                reasons=reasons.strip(),
            )
            _propose(actor, current, decision, number, ip_address)
        audit_record(
            actor=actor,
            action="meeting.record",
            obj=meeting,
            after={
                "call": call.pk,
                "number": number,
                "held_on": held_on,
                "chaired_by": chair.pk,
                "attendees": sorted(a.pk for a in attendees),
                "decisions": [
                    {
                        "application": locked[a.pk].reference,
                        "rank": rank,
                        "support": support,
                        "amount": allocated.get(a.pk, Decimal("0.00")),
                    }
                    for rank, (a, support, _r) in enumerate(decisions, start=1)
                ],
            },
            ip_address=ip_address,
            visible_to_applicant=False,
        )
    return meeting


def _propose(actor: User, application: Application, decision: MeetingDecision, number: str, ip: str | None) -> None:
    """The meeting's decision on one application, as the handler's proposal; a refusal refuses the meeting."""
    rank = decision.rank
    meeting_line = _("Collective decision meeting %(number)s, ranked %(rank)s") % {"number": number, "rank": rank}
    try:
        if decision.proposed:
            engine, _cap, _trace = engine_amount(application)
            application_propose(
                actor=actor,
                application=application,
                support=True,
                reasons=decision.reasons or meeting_line,
                amount=decision.amount_allocated,
                override_reason=meeting_line if decision.amount_allocated != engine else "",
                ip_address=ip,
                by_meeting=True,
            )
        else:
            reasons = decision.reasons
            if decision.support:  # supported, but the call's money or its most awards left nothing
                reasons = "\n".join(
                    r
                    for r in (
                        reasons,
                        _(
                            "%(meeting)s: the call's money or its number of awards was used up by better-ranked "
                            "applications."
                        )
                        % {"meeting": meeting_line},
                    )
                    if r
                )
            application_propose(
                actor=actor, application=application, support=False, reasons=reasons, ip_address=ip, by_meeting=True
            )
    except ApplicationError as refused:
        raise DecisionError(
            _("The meeting is not recorded: %(reference)s: %(message)s")
            % {"reference": application.reference, "message": refused.message},
            field="decisions",
            code=refused.code,
            conflict=refused.conflict,
        ) from refused
    except TransitionNotAllowed as refused:
        raise DecisionError(
            _("The meeting is not recorded: %(reference)s: %(message)s")
            % {"reference": application.reference, "message": str(refused)},
            field="decisions",
            code="not_allowed",
            conflict=True,
        ) from refused
