"""Writes to calls: publishing and editing one, with the permission check and the audit record in
the same transaction. Who may: calls/permissions.py."""

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from measures.models import Incentive
from portal.uploads import UploadRefused, file_format

from .models import Call
from .permissions import may_manage_call_for

# "section.field" or "section.rows[].field" (the same notation as Incentive.claim_key).
REFERENCE_FIELD = re.compile(r"[a-z0-9_]+\.(?:[a-z0-9_]+\[\]\.)?[a-z0-9_]+")


class CallError(Exception):
    """A rule refused the call; `problems` maps a field to its messages, in the user's language."""

    def __init__(self, message: str, *, problems: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or {}


def call_problems(call: Call, incentives: list[Incentive]) -> dict[str, list[str]]:
    """What is wrong with the call as given, by field; empty when it may be saved."""
    problems: dict[str, list[str]] = {}
    if not incentives:
        problems["incentives"] = [_("Choose at least one incentive.")]
    # Either may be missing in a form that failed to parse it.
    opens: dt.datetime | None = call.opens_at
    closes: dt.datetime | None = call.closes_at
    if opens is not None and closes is not None and closes <= opens:
        problems["closes_at"] = [_("The call must close after it opens.")]
    if call.reference_from and call.reference_to and call.reference_to < call.reference_from:
        problems["reference_to"] = [_("The reference period must end on or after its first day.")]
    if call.reference_date_field and not REFERENCE_FIELD.fullmatch(call.reference_date_field):
        problems["reference_date_field"] = [
            _("Name the answer as section.field or section.rows[].field, e.g. claim.standards[].published_on.")
        ]
    if call.money_available is not None and call.money_available < 0:
        problems["money_available"] = [_("The money available cannot be negative.")]
    return problems


def _to_the_minute(call: Call) -> None:
    # The window is announced to the minute ("截至2027年1月3日17:00"): seconds would only surprise.
    call.opens_at = call.opens_at.replace(second=0, microsecond=0)
    call.closes_at = call.closes_at.replace(second=0, microsecond=0)


def _snapshot(call: Call, incentive_codes: list[str]) -> dict[str, Any]:
    fields = model_to_dict(call, exclude=["id", "incentives", "notice_pdf", "created_by"])
    return {**fields, "incentives": incentive_codes, "notice_pdf": call.notice_pdf.name or ""}


def call_save(
    *,
    actor: User,
    call: Call,
    incentives: Iterable[Incentive],
    notice_pdf: UploadedFile | None = None,
    ip_address: str | None = None,
) -> Call:
    """Publishes a new call (`call` unsaved) or saves the changes made to `call`'s fields. The
    published notice, when given, must be a PDF. Raises CallError with the problems by field."""
    chosen = list(incentives)
    stored = Call.objects.prefetch_related("incentives").filter(pk=call.pk).first()  # None: a new call
    # Editing needs the right to the call as it was and as it will be.
    if not may_manage_call_for(actor, chosen) or (
        stored is not None and not may_manage_call_for(actor, stored.incentives.all())
    ):
        raise CallError(_("You may publish calls only for the incentives your department handles."))
    _to_the_minute(call)
    problems = call_problems(call, chosen)
    if notice_pdf is not None:
        try:
            file_format(notice_pdf, accepted={"pdf"}, refused_message=_("The published notice must be a PDF file."))
        except UploadRefused as refused:
            problems["notice_pdf"] = [refused.message]
    if problems:
        raise CallError(_("The call cannot be saved: correct the fields marked."), problems=problems)
    before = _snapshot(stored, sorted(i.code for i in stored.incentives.all())) if stored is not None else None
    with transaction.atomic():
        if stored is None:
            call.created_by = actor
        if notice_pdf is not None:
            call.notice_pdf.save("notice.pdf", notice_pdf, save=False)
        call.save()
        call.incentives.set(chosen)
        audit_record(
            actor=actor,
            action="call.update" if stored is not None else "call.create",
            obj=call,
            before=before,
            after=_snapshot(call, sorted(i.code for i in chosen)),
            ip_address=ip_address,
            visible_to_applicant=False,
        )
    return call
