"""Writes on the credit list and commitments: one function per action, each checking who may,
in a transaction, with its audit record.

    credit_list_import(actor=, list_file=, list_name=, dry_run=)   -> ImportOutcome (preview, row problems, entries)
    credit_entry_add(actor=, uscc=, name=, list_name=, listed_on=, until=)   -> CreditListEntry
    credit_entry_end(actor=, entry=, reason=)                      -> CreditListEntry (ended today)
    credit_commitment_record(actor=, applicant=, incentive=, application_id=, reference=)  at submission

An import checks every row (credit code with its check character, name, list, dates, the same
entity twice in the file) and, in a dry run or when any row has a problem, stores nothing. A row
already on the list (same code, list and date listed) is left as it is, so a list can be imported
again after the publisher adds to it. Entries added and in force today are announced through
`hooks.entities_listed` in the same transaction: the applications app flags the listed
enterprises' open applications and unpaid awards for their officials.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identifiers import validate_uscc
from accounts.models import Applicant, User
from audit.services import audit_record
from measures.models import Incentive
from measures.vocabulary import ApplicantType
from portal.languages import is_english
from portal.spreadsheets import RowProblem, cell_text

from .hooks import entities_listed
from .list_file import COLUMN_LABELS, COLUMNS, CreditListFile
from .models import CreditCommitment, CreditListEntry
from .permissions import may_manage_credit_list
from .selectors import commitment_for, is_active

DEFAULT_LIST_NAME = "严重失信主体名单"
NAME_MAX, LIST_NAME_MAX = 200, 100


class CreditError(Exception):
    """A rule refused the action; `message` is for people, `field` names the input at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _require_administrator(actor: Any) -> None:
    if not may_manage_credit_list(actor):
        raise PermissionDenied(_("Only administrators keep the list of seriously dishonest entities."))


# ── the rules on an entry: for the import's rows, the page's form and the API ─────────────────

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_list_date(value: Any) -> dt.date | None:
    """A date as lists write it: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301, or an
    Excel date; None when empty. Raises ValueError with a message for people."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    text = text.removesuffix("T00:00:00").removesuffix(" 00:00:00")
    match = _DATE.fullmatch(text)
    parts = match.groups() if match else None
    if parts is None and re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    if parts is not None:
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise ValueError(
        _("“%(value)s” is not a date: write it as 2026-03-01 (or 2026/3/1, 2026年3月1日).") % {"value": text[:40]}
    )


@dataclass
class CleanEntry:
    uscc: str
    name: str
    list_name: str
    listed_on: dt.date | None
    until: dt.date | None


def entry_problems(
    *, uscc: Any, name: Any, list_name: Any, listed_on: Any, until: Any = None, today: dt.date | None = None
) -> tuple[CleanEntry, dict[str, list[str]]]:
    """The entry as cleaned, and the problems by field (empty when it may be stored)."""
    today = today or timezone.localdate()
    problems: dict[str, list[str]] = {}
    code = cell_text(uscc)
    if not code:
        problems["uscc"] = [_("Enter the unified social credit code.")]
    else:
        try:
            code = validate_uscc(code)
        except ValidationError as error:
            problems["uscc"] = [str(m) for m in error.messages]
    clean_name = " ".join(cell_text(name).split())
    if not clean_name:
        problems["name"] = [_("Enter the entity's name.")]
    elif len(clean_name) > NAME_MAX:
        problems["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    clean_list = " ".join(cell_text(list_name).split())
    if not clean_list:
        problems["list_name"] = [_("Enter the name of the list, e.g. 严重失信主体名单.")]
    elif len(clean_list) > LIST_NAME_MAX:
        problems["list_name"] = [_("At most %(n)d characters.") % {"n": LIST_NAME_MAX}]
    dates: dict[str, dt.date | None] = {}
    for key, value in (("listed_on", listed_on), ("until", until)):
        try:
            dates[key] = parse_list_date(value)
        except ValueError as error:
            problems[key] = [str(error)]
            dates[key] = None
    first, last = dates["listed_on"], dates["until"]
    if first is None and "listed_on" not in problems:
        problems["listed_on"] = [_("Enter the date the entity was listed.")]
    elif first is not None and first > today:
        problems["listed_on"] = [_("The date listed cannot be after today (%(today)s).") % {"today": today}]
    if first is not None and last is not None and last < first:
        problems["until"] = [_("The end of the listing cannot be before the date listed (%(date)s).") % {"date": first}]
    return CleanEntry(code, clean_name, clean_list, first, last), problems


def _already_listed(entry: "CleanEntry | PreviewRow") -> CreditListEntry | None:
    if entry.listed_on is None:
        return None
    return CreditListEntry.objects.filter(uscc=entry.uscc, list_name=entry.list_name, listed_on=entry.listed_on).first()


def _entry(actor: User, clean: "CleanEntry | PreviewRow", source: str, source_file: str = "") -> CreditListEntry:
    assert clean.listed_on is not None, "entry_problems refuses an entry without its date"
    return CreditListEntry(
        uscc=clean.uscc,
        name=clean.name,
        list_name=clean.list_name,
        listed_on=clean.listed_on,
        until=clean.until,
        source=source,
        source_file=source_file[:200],
        added_by=actor,
    )


def _store(
    actor: User, clean: "CleanEntry | PreviewRow", source: str, *, source_file: str = ""
) -> CreditListEntry | None:
    """Stores a checked entry and audits it; None when the same listing is there already (the
    database's constraint, in a savepoint so the caller's transaction goes on)."""
    try:
        with transaction.atomic():
            entry = _entry(actor, clean, source, source_file)
            entry.save()
    except IntegrityError:
        return None
    _audit_added(actor, entry)
    return entry


def _audit_added(actor: User, entry: CreditListEntry) -> None:
    audit_record(
        actor=actor,
        action="credit_entry.add",
        obj=entry,
        after={
            "uscc": entry.uscc,
            "name": entry.name,
            "list_name": entry.list_name,
            "listed_on": entry.listed_on,
            "until": entry.until,
            "source": entry.source,
            "file": entry.source_file,
        },
        visible_to_applicant=False,
    )


def _announce(actor: User, entries: list[CreditListEntry]) -> None:
    """Re-screening: entries in force today go to the apps above (hooks.entities_listed)."""
    today = timezone.localdate()
    active = [e for e in entries if is_active(e, today)]
    if active:
        entities_listed.send(actor=actor, entries=active)


# ── import ─────────────────────────────────────────────────────────────────────────────────────


@dataclass
class PreviewRow:
    row: int
    uscc: str
    name: str
    list_name: str
    listed_on: dt.date
    until: dt.date | None
    existing: CreditListEntry | None = None
    enterprise: Applicant | None = None  # the registered enterprise with this code, if any

    @property
    def outcome(self) -> str:
        """add (a new entry), or existing (already on the list: left as it is)."""
        return "existing" if self.existing is not None else "add"

    @property
    def in_force(self) -> bool:
        today = timezone.localdate()
        return self.listed_on <= today and (self.until is None or self.until >= today)


@dataclass
class ImportOutcome:
    dry_run: bool
    list_name: str = ""
    file_name: str = ""
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    entries: list[CreditListEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def add_count(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "add")

    @property
    def existing_count(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "existing")

    @property
    def registered_count(self) -> int:
        """Rows to add that name a registered enterprise: its applications will be re-screened."""
        return sum(1 for r in self.rows if r.outcome == "add" and r.enterprise is not None and r.in_force)


def _check_rows(list_file: CreditListFile, list_name: str, today: dt.date) -> ImportOutcome:
    outcome = ImportOutcome(dry_run=True, list_name=list_name, file_name=list_file.name)
    seen: dict[tuple[str, str], int] = {}
    order = list(COLUMN_LABELS)
    for line, values in list_file.records():
        clean, problems = entry_problems(
            uscc=values.get("uscc"),
            name=values.get("name"),
            list_name=values.get("list_name") or list_name,
            listed_on=values.get("listed_on"),
            until=values.get("until"),
            today=today,
        )
        if "uscc" not in problems and "list_name" not in problems:
            first = seen.setdefault((clean.uscc, clean.list_name), line)
            if first != line:
                problems.setdefault("uscc", []).append(
                    _("The same credit code is already on row %(row)d of the file for this list.") % {"row": first}
                )
        for name in sorted(problems, key=order.index):
            for message in problems[name]:
                outcome.problems.append(RowProblem(line, name, COLUMNS.label(name), message))
        if not problems and clean.listed_on is not None:
            outcome.rows.append(PreviewRow(line, clean.uscc, clean.name, clean.list_name, clean.listed_on, clean.until))
    return outcome


def _plan(rows: list[PreviewRow]) -> None:
    """What confirming would do with each row: two queries, nothing written."""
    codes = {r.uscc for r in rows}
    existing = {(e.uscc, e.list_name, e.listed_on): e for e in CreditListEntry.objects.filter(uscc__in=codes)}
    enterprises = {a.uscc: a for a in Applicant.objects.filter(uscc__in=codes, kind=ApplicantType.ORGANISATION)}
    for row in rows:
        row.existing = existing.get((row.uscc, row.list_name, row.listed_on))
        row.enterprise = enterprises.get(row.uscc)


def credit_list_import(
    *, actor: User, list_file: CreditListFile, list_name: str = "", dry_run: bool = True
) -> ImportOutcome:
    """Imports a list of seriously dishonest entities: a dry run previews every row; otherwise the
    new entries are stored, audited and announced for re-screening. `list_name` is for rows whose
    file gives none. Row problems come back in the outcome, and then nothing is stored."""
    _require_administrator(actor)
    list_name = " ".join((list_name or "").split())[:LIST_NAME_MAX]
    today = timezone.localdate()
    outcome = _check_rows(list_file, list_name, today)
    outcome.dry_run = dry_run
    _plan(outcome.rows)
    if dry_run or not outcome.ok:
        return outcome
    new = [r for r in outcome.rows if r.existing is None]
    with transaction.atomic():
        try:
            with transaction.atomic():  # all new rows in one statement: the common case
                entries = CreditListEntry.objects.bulk_create(
                    [_entry(actor, r, CreditListEntry.Source.IMPORT, list_file.name) for r in new]
                )
        except IntegrityError:  # some were added meanwhile (another import or by hand): row by row
            entries = []
            for row in new:
                entry = _store(actor, row, CreditListEntry.Source.IMPORT, source_file=list_file.name)
                if entry is None:
                    row.existing = _already_listed(row)
                else:
                    entries.append(entry)
        else:
            for entry in entries:
                _audit_added(actor, entry)
        outcome.entries = entries
        _announce(actor, outcome.entries)
    return outcome


# ── by hand ────────────────────────────────────────────────────────────────────────────────────


def credit_entry_add(
    *, actor: User, uscc: Any, name: Any, list_name: Any, listed_on: Any, until: Any = None
) -> CreditListEntry:
    """An administrator adds one entry. Raises ValidationError keyed by field when a rule refuses."""
    _require_administrator(actor)
    clean, problems = entry_problems(uscc=uscc, name=name, list_name=list_name, listed_on=listed_on, until=until)
    if not problems and _already_listed(clean) is not None:
        problems["uscc"] = [_("This entity is already on this list from that date.")]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        entry = _store(actor, clean, CreditListEntry.Source.MANUAL)
        if entry is None:  # added by someone else meanwhile
            raise ValidationError({"uscc": [_("This entity is already on this list from that date.")]})
        _announce(actor, [entry])
    return entry


def credit_entry_end(*, actor: User, entry: CreditListEntry, reason: str) -> CreditListEntry:
    """An administrator ends an entry today (e.g. credit repaired, 信用修复), with the reason."""
    _require_administrator(actor)
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise CreditError(_("Say why the entry ends."), field="reason")
    with transaction.atomic():
        locked = CreditListEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.ended_on is not None:
            raise CreditError(_("This entry was already ended on %(date)s.") % {"date": locked.ended_on.isoformat()})
        before = {"ended_on": None}
        locked.ended_on, locked.ended_by, locked.end_reason = timezone.localdate(), actor, reason
        locked.save(update_fields=["ended_on", "ended_by", "end_reason"])
        audit_record(
            actor=actor,
            action="credit_entry.end",
            obj=locked,
            before=before,
            after={"ended_on": locked.ended_on, "uscc": locked.uscc, "list_name": locked.list_name},
            reason=reason,
            visible_to_applicant=False,
        )
    return locked


# ── the credit commitment ──────────────────────────────────────────────────────────────────────


class CommitmentChanged(CreditError):
    """The commitment's text changed after the applicant read it."""


def credit_commitment_record(
    *,
    actor: User,
    applicant: Applicant,
    incentive: Incentive,
    application_id: int,
    reference: str,
    version: str | None = None,
    ip_address: str | None = None,
) -> CreditCommitment:
    """Records that the applicant gave the credit commitment in force for the incentive; call it
    in the transaction that submits the application (whose audit event names its version).
    `version`: the one the applicant read, when known; a different current text is refused."""
    commitment = commitment_for(incentive)
    if version and version != commitment.version:
        raise CommitmentChanged(
            _("The credit commitment was changed after you read it: read it again and confirm it."),
            field="credit_commitment",
        )
    return CreditCommitment.objects.create(
        applicant=applicant,
        given_by=actor,
        given_at=timezone.now(),
        application_id=application_id,
        reference=reference,
        incentive=incentive,
        text=commitment.text,
        text_en=commitment.text_en,
        version=commitment.version,
        language="en" if is_english() else "zh-hans",
        ip_address=ip_address,
    )
