"""Writes to applications, one function per action: each checks who may, runs in a transaction,
records the audit event and sends notifications only after commit."""

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notification_send
from audit.services import audit_record
from calls.models import Call, CallStatus
from calls.selectors import call_for_draft, incentive_has_calls, open_call_for
from credit.screening import CreditListed, credit_screen
from credit.services import CreditError, credit_commitment_record
from measures.amounts import compute_amount
from measures.models import Incentive, RequiredDocument
from portal.numbering import next_number
from workdays.calendar import add_working_days

from . import form_definitions
from .call_rules import reference_period_problems
from .documents import DocumentRejected, clean_name, detect_format
from .hooks import application_submitting
from .models import Application, ApplicationDocument, Status
from .states import EDITABLE, RETURNED_STATUSES
from .workflow import ApplicationChanged, TransitionNotAllowed, transition


class ApplicationError(Exception):
    """A rule refused the action; `message` is for the user, in their language. The API answers
    400 with `code`, or 409 when `conflict` (the applicant or claim may not have it at all, API.md)."""

    code = "invalid"
    conflict = False

    def __init__(self, message: str, *, problems: dict[str, list[tuple[str, str]]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or {}


class ApplicationConflict(ApplicationError):
    """Refused for who applies or what happened before, not for the input: the API answers 409 with
    `code` (API.md), e.g. a receiver of `application_submitting` refusing a banned applicant."""

    conflict = True

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class CreditListedRefusal(ApplicationConflict):
    """信用审查: the applicant is on a list of seriously dishonest entities (API: 409 credit_listed).
    The message names the list and the dates."""

    code = "credit_listed"

    def __init__(self, listed: CreditListed) -> None:
        super().__init__(listed.message)
        self.entry = listed.entry


class EmailUnverified(ApplicationConflict):
    """The submitting user has not confirmed their email address (API: 409 email_unverified):
    notices about the application go there, so it must be known to reach them."""

    code = "email_unverified"

    def __init__(self, user: User) -> None:
        super().__init__(
            _(
                "Confirm your email address before you submit: open the link we sent to %(email)s, "
                "or ask for a new link on your profile page."
            )
            % {"email": user.email or "—"}
        )


class EnterpriseUnverified(ApplicationConflict):
    """The enterprise's identity (credit code and name) is not verified yet (API: 409
    enterprise_unverified): an official checks its business licence, or its legal person signs in
    with the government identity (accounts/identity.py). Drafts may be prepared before."""

    code = "enterprise_unverified"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Your enterprise's identity is not verified yet: send its business licence on the enterprise "
                "identity page (%(link)s) and submit once an official has checked it."
            )
            % {"link": reverse("accounts:identity")}
        )


class CallClosed(ApplicationConflict):
    """Submitting outside the call's window (逾期不再受理; API: 409 call_closed). The message names
    the closing time, or the opening time of a call not open yet."""

    code = "call_closed"

    def __init__(self, call: Call | None, *, incentive: Incentive, fiscal_year: int, now: dt.datetime) -> None:
        if call is None:
            message = _(
                "No call for applications is open for “%(incentive)s” in %(year)s: you can submit once the "
                "department opens one."
            ) % {"incentive": incentive.localized("name"), "year": fiscal_year}
        elif call.status(now) == CallStatus.UPCOMING:
            message = _(
                "The call for applications “%(title)s” opens on %(when)s (Beijing time): you can submit from then."
            ) % {"title": call.localized("title"), "when": _minute(call.opens_at)}
        else:
            message = _(
                "The call for applications “%(title)s” closed on %(when)s (Beijing time): applications "
                "submitted after the closing time are not accepted."
            ) % {"title": call.localized("title"), "when": _minute(call.closes_at)}
        super().__init__(message)
        self.call = call


def _minute(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def refuse_if_listed(application: Application, on: dt.date | None = None) -> None:
    """Screening at submission and approval (credit.screening): raises CreditListedRefusal."""
    try:
        credit_screen(application.applicant, on=on)
    except CreditListed as listed:
        raise CreditListedRefusal(listed) from None


# The problem key (and API error field) of a missing credit commitment.
CREDIT_COMMITMENT = "credit_commitment"


class DuplicateApplication(ApplicationError):
    def __init__(self, message: str, existing: Application | None) -> None:
        super().__init__(message)
        self.existing = existing


__all__ = [
    "ApplicationChanged",
    "ApplicationConflict",
    "ApplicationError",
    "CallClosed",
    "CreditListedRefusal",
    "DocumentRejected",
    "DuplicateApplication",
    "EmailUnverified",
    "EnterpriseUnverified",
    "TransitionNotAllowed",
]


def _require_owner(actor: User, application: Application) -> None:
    if not actor.applicant_id or actor.applicant_id != application.applicant_id:
        # The access selectors already hide others' applications; this guards direct callers.
        raise TransitionNotAllowed(_("You may not take this action on this application."))


def _link(application: Application) -> str:
    return reverse("applications:detail", args=[application.reference or application.pk])


def application_create(
    *,
    actor: User,
    incentive: Incentive,
    fiscal_year: int,
    data: dict[str, Any] | None = None,
    call: Call | None = None,
) -> Application:
    """Starts a draft, at any time. For an incentive with calls, the draft joins `call` when given
    (the catalog's "apply" button), else the call open now for the year, else the next to open."""
    applicant = actor.applicant
    if applicant is None:
        raise ApplicationError(_("Only an enterprise or individual account can apply."))
    if not incentive.is_active:
        raise ApplicationError(_("This incentive is not open for applications."))
    if incentive.applicant_type != applicant.kind:
        raise ApplicationError(
            _("This incentive is for applicants of the type “%(type)s”.")
            % {"type": incentive.get_applicant_type_display()}
        )
    this_year = timezone.localdate().year
    if not this_year - 1 <= fiscal_year <= this_year + 1:
        raise ApplicationError(
            _("The fiscal year must be between %(a)s and %(b)s.") % {"a": this_year - 1, "b": this_year + 1}
        )
    now = timezone.now()
    if call is not None:
        _check_chosen_call(call, incentive, fiscal_year, now)
    else:
        call = call_for_draft(incentive, fiscal_year, now)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=applicant,
                incentive=incentive,
                fiscal_year=fiscal_year,
                call=call,
                data=data or {},
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action="application.create",
                obj=application,
                after={"incentive": incentive.code, "fiscal_year": fiscal_year, "call": call.pk if call else None},
            )
    except IntegrityError:
        existing = (
            Application.objects.filter(applicant=applicant, incentive=incentive, fiscal_year=fiscal_year)
            .exclude(status__in=[Status.WITHDRAWN, Status.LAPSED, Status.REFUSED, Status.REJECTED])
            .first()
        )
        raise DuplicateApplication(
            _("You already have an open application for this incentive in %(year)s: continue that one instead.")
            % {"year": fiscal_year},
            existing,
        ) from None
    return application


def _check_chosen_call(call: Call, incentive: Incentive, fiscal_year: int, now: dt.datetime) -> None:
    if not call.incentives.filter(pk=incentive.pk).exists():
        raise ApplicationError(_("This call for applications is not for this incentive."))
    if call.fiscal_year != fiscal_year:
        raise ApplicationError(
            _("This call for applications is for the fiscal year %(year)s.") % {"year": call.fiscal_year}
        )
    if call.status(now) == CallStatus.CLOSED:
        raise ApplicationError(
            _("This call for applications closed on %(when)s (Beijing time).") % {"when": _minute(call.closes_at)}
        )


def call_for_submission(application: Application, now: dt.datetime) -> Call | None:
    """The call a submission answers now: the draft's own when open, else the open call for its
    incentive and year (a draft started before the call, or in an earlier round). None for an
    incentive that has no call at all (it takes applications at any time). CallClosed otherwise."""
    incentive = application.incentive
    if application.call is not None and application.call.is_open(now):
        return application.call
    current = open_call_for(incentive, application.fiscal_year, now)
    if current is not None:
        return current
    if application.call is None and not incentive_has_calls(incentive):
        return None
    # Name the next call of the year when one is announced, else the draft's own (closed) one.
    shown = call_for_draft(incentive, application.fiscal_year, now) or application.call
    raise CallClosed(shown, incentive=incentive, fiscal_year=application.fiscal_year, now=now)


def application_save_section(
    *,
    actor: User,
    application: Application,
    section_key: str,
    answers: dict[str, Any],
    expected_version: int | None = None,
) -> Application:
    """Saves what was typed in one section, valid or not: a draft never loses input."""
    _require_owner(actor, application)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status not in EDITABLE:
            raise TransitionNotAllowed(_("This application can no longer be changed."))
        if expected_version is not None and expected_version != locked.version:
            raise ApplicationChanged(
                _("This application was changed elsewhere since you opened it. Reload to see the change.")
            )
        before = locked.data.get(section_key)
        locked.data = {**locked.data, section_key: answers}
        locked.version += 1
        locked.save(update_fields=["data", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="application.save",
            obj=locked,
            before={section_key: before},
            after={section_key: answers},
            visible_to_applicant=False,
        )
    return locked


def _next_reference(year: int, measure_number: int) -> str:
    """QB-<year>-<measure>-<sequence>: the next of the year and measure, no gaps, no duplicates."""
    return f"QB-{year}-{measure_number:02d}-{next_number(reference_series(year, measure_number)):06d}"


def reference_series(year: int, measure_number: int) -> str:
    return f"application:{year}:{measure_number:02d}"


def _missing_documents(application: Application) -> list[RequiredDocument]:
    provided = {d.required_document_id for d in application.documents.all()}
    return [d for d in application.incentive.required_documents.all() if d.is_mandatory and d.pk not in provided]


def application_problems(application: Application, call: Call | None = None) -> dict[str, list[tuple[str, str]]]:
    """What stops submission: invalid or missing answers per section (a date outside the call's
    reference period included; `call`: the one it is submitted to, by default its own), and
    missing documents."""
    problems = form_definitions.validate_answers(application.incentive, application.data)
    for section, items in reference_period_problems(application, call or application.call).items():
        problems[section] = [*problems.get(section, []), *items]
    missing = _missing_documents(application)
    if missing:
        problems["documents"] = [
            ("documents", _("Missing document: %(name)s") % {"name": d.localized("name")}) for d in missing
        ]
    return problems


def _estimate(application: Application, on: dt.date) -> tuple[Decimal | None, dict[str, Any]]:
    claim = form_definitions.claim_from_answers(application.incentive, application.data)
    result = compute_amount(application.incentive, on=on, claim=claim)
    return result.amount, {"zh": result.trace_zh, "en": result.trace_en, "on": on.isoformat()}


def application_submit(
    *,
    actor: User,
    application: Application,
    credit_commitment: bool,
    commitment_version: str | None = None,
    ip_address: str | None = None,
) -> Application:
    """Submits a complete draft. The applicant gives the credit commitment (信用承诺, its text from
    the catalog: credit.selectors.commitment_for); `commitment_version` is the version they read,
    when known. Outside its call's window (CallClosed: checked first, before the form), a user whose
    email address is not confirmed (EmailUnverified), an enterprise whose identity is not verified
    (EnterpriseUnverified) and a listed enterprise (CreditListedRefusal) are refused, with nothing
    changed."""
    _require_owner(actor, application)
    call = call_for_submission(application, timezone.now()) if application.status == Status.DRAFT else None
    if actor.email_verified_at is None:
        raise EmailUnverified(actor)
    if not application.applicant.identity_verified:
        raise EnterpriseUnverified()
    problems = application_problems(application, call)
    if not credit_commitment:
        problems[CREDIT_COMMITMENT] = [
            (CREDIT_COMMITMENT, _("Give the credit commitment: tick the box to confirm you accept it."))
        ]
    if problems:
        only_commitment = list(problems) == [CREDIT_COMMITMENT]
        message = problems[CREDIT_COMMITMENT][0][1] if only_commitment else _("The application is not complete yet.")
        raise ApplicationError(message, problems=problems)
    to_city = call is not None and call.review_path == Call.ReviewPath.CITY_FIRST
    if to_city and not application.applicant.city:
        # 地市初审推荐 goes to the bureau of the registered city: without one nobody could review it.
        raise ApplicationError(
            _("This call is reviewed first by the city bureau of your registered city: set your city in your profile.")
        )

    def assign(locked: Application) -> dict[str, Any]:
        now = timezone.now()
        if call is not None:
            if not call.is_open(now):  # the window closed while the request ran
                raise CallClosed(call, incentive=locked.incentive, fiscal_year=locked.fiscal_year, now=now)
            locked.call = call
        refuse_if_listed(locked, timezone.localdate(now))  # 信用审查, before a reference is taken
        locked.reference = _next_reference(locked.fiscal_year, locked.incentive.measure.number)
        locked.submitted_at = now
        locked.estimated_amount, locked.amount_trace = _estimate(locked, timezone.localdate(now))
        # The department's time limit for accepting starts now.
        locked.stage_due_on = add_working_days(timezone.localdate(now), locked.incentive.acceptance_days).day
        from .claim_keys import claim_keys_record  # imports this module's ApplicationError

        claim_keys_record(locked)
        try:
            commitment = credit_commitment_record(
                actor=actor,
                applicant=locked.applicant,
                incentive=locked.incentive,
                application_id=locked.pk,
                reference=locked.reference,
                version=commitment_version,
                ip_address=ip_address,
            )
        except CreditError as changed:
            problems = {CREDIT_COMMITMENT: [(CREDIT_COMMITMENT, changed.message)]}
            raise ApplicationError(changed.message, problems=problems) from None
        application_submitting.send(actor=actor, application=locked)
        return {
            "reference": locked.reference,
            "call": locked.call_id,
            "estimated_amount": locked.estimated_amount,
            "stage_due_on": locked.stage_due_on,
            "credit_commitment": commitment.version,
        }

    with transaction.atomic():
        if call is not None and application.call_id != call.pk:
            # The call it answers decides the path the table takes (submit or submit_to_city); a
            # draft started in another round joins this one first, in the submission's transaction.
            Application.objects.filter(pk=application.pk, status=Status.DRAFT).update(call=call)
        submitted = _submit(application, "submit_to_city" if to_city else "submit", actor, assign, ip_address)
    return submitted


def _submit(application: Application, action: str, actor: User, assign: Any, ip_address: str | None) -> Application:
    return transition(
        application,
        action,
        actor=actor,
        changes=assign,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s received") % {"reference": a.reference},
            _("Your application for “%(incentive)s” was submitted on %(when)s with the reference %(reference)s.")
            % {
                "incentive": a.incentive.localized("name"),
                "when": timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
                "reference": a.reference,
            },
        ),
    )


def application_facts(application: Application) -> list[tuple[str, str]]:
    """What an applicant's notification about the application lists (the email shows them as a table)."""
    return [
        (_("Reference"), application.reference or "—"),
        (_("Incentive"), application.incentive.localized("name")),
        (_("Fiscal year"), str(application.fiscal_year)),
        (_("Status"), str(application.get_status_display())),
    ]


def _notify_applicant_users(application: Application, subject: str, body: str) -> None:
    facts = application_facts(application)
    for user in User.objects.filter(applicant_id=application.applicant_id, is_active=True):
        notification_send(user=user, subject=subject, body=body, link=_link(application), facts=facts)


def application_withdraw(
    *, actor: User, application: Application, reason: str = "", ip_address: str | None = None
) -> Application:
    _require_owner(actor, application)
    return transition(
        application,
        "withdraw",
        actor=actor,
        reason=reason,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s withdrawn") % {"reference": a.reference},
            _("Your application %(reference)s was withdrawn.") % {"reference": a.reference},
        ),
    )


def application_supplement(
    *, actor: User, application: Application, note: str, ip_address: str | None = None
) -> Application:
    """Answers a supplement request (补正): the changed answers and new documents go back to the
    department. Never refused for its call's window: the department asked, after the closing time too."""
    _require_owner(actor, application)
    if not note.strip():
        raise ApplicationError(_("Say briefly what you changed or added."))
    problems = application_problems(application)
    if problems:
        raise ApplicationError(_("The application is not complete yet."), problems=problems)
    # Back to whoever asked: the city bureau (地市初审) or the provincial department.
    action = "city_supplement" if application.status == Status.CITY_RETURNED else "supplement"
    return transition(
        application,
        action,
        actor=actor,
        reason=note,
        ip_address=ip_address,
        changes=_supplement_answered,
    )


def _supplement_answered(locked: Application) -> dict[str, Any]:
    from .claim_keys import claim_keys_record  # imports this module's ApplicationError

    claim_keys_record(locked)  # the answers may have changed what is claimed
    # Back with the department, whose time limit for accepting starts again.
    locked.stage_due_on = add_working_days(timezone.localdate(), locked.incentive.acceptance_days).day
    return {"supplement_request": locked.supplement_request, "stage_due_on": locked.stage_due_on}


def document_add(
    *, actor: User, application: Application, upload: UploadedFile, required_document: RequiredDocument | None = None
) -> ApplicationDocument:
    _require_owner(actor, application)
    if application.status not in EDITABLE:
        raise TransitionNotAllowed(_("Documents can be added only to a draft or in answer to a supplement request."))
    if required_document is not None and required_document.incentive_id != application.incentive_id:
        raise ApplicationError(_("This document type does not belong to this incentive."))
    file_format = detect_format(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        document = ApplicationDocument(
            application=application,
            required_document=required_document,
            stored_name=f"{secrets.token_hex(16)}.{file_format}",
            original_name=clean_name(upload.name or "", file_format),
            format=file_format,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            for_supplement=application.status in RETURNED_STATUSES,
        )
        document.file.save(document.stored_name, upload, save=False)
        document.save()
        audit_record(
            actor=actor,
            action="document.add",
            obj=application,
            after={"document": document.pk, "name": document.original_name, "sha256": document.sha256},
        )
    return document


def document_remove(*, actor: User, document: ApplicationDocument) -> None:
    application = document.application
    _require_owner(actor, application)
    if application.status not in EDITABLE:
        raise TransitionNotAllowed(_("Documents can be removed only from a draft or during a supplement."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="document.remove",
            obj=application,
            before={"document": document.pk, "name": document.original_name},
        )
        document.file.delete(save=False)
        document.delete()
