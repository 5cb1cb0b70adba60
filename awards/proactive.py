"""Proactive awards (免申即享): official lists become award offers the enterprise only confirms.

    proactive_list_read(upload)                       -> ListFile (CSV or XLSX; file-level errors)
    proactive_list_import(actor=, incentive=, qualification=, year=, list_file=, amount=, dry_run=)
                                                      -> ImportOutcome (preview, row problems, or the list)
    proactive_list_rematch(actor=, award_list=)       -> offers made for rows now matching
    proactive_match_new_applicant(applicant)          -> offers made for a newly registered enterprise
    proactive_offer_confirm(actor=, application=)     OFFERED → APPROVED ("confirm_offer"), commits the budget
    proactive_offer_decline(actor=, application=)     OFFERED → WITHDRAWN ("decline_offer")
    ensure_demo_proactive_list()                      the demo list of `make run` (idempotent)

An administrator imports a list for an incentive and the qualification it confers. A dry run
shows every row with what will happen to it and every problem by row and field; nothing is
stored. Confirmed, each row is stored; a row whose credit code is a registered enterprise's
becomes an offer: an application created directly in OFFERED (a start state of the workflow)
with its reference number, the amount and its trace; the enterprise is told and gains the
qualification. Rows nobody has registered yet wait, and are matched when that enterprise
registers (accounts.services.enterprise_register calls `proactive_match_new_applicant` on commit).

Measure 3 names rewards without figures ("set by the department"): where the amount engine has
no figure, the administrator gives the amount for each enterprise on the list, and the trace
says so. Where the engine has a figure, it applies and a different one is refused.
"""

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Applicant, ApplicantQualification, BankAccount, OfficialRole, User
from accounts.services import notification_send
from applications.models import CLOSED_STATUSES, Application, Status
from applications.permissions import roles_for
from applications.selectors import application_list
from applications.services import _next_reference
from applications.workflow import Role, TransitionNotAllowed, transition
from audit.services import audit_record
from measures.amounts import compute_amount, money
from measures.models import EligibilityCriterion, Incentive
from measures.vocabulary import ApplicantType, Qualification

from .models import Budget, ProactiveList, ProactiveListRow
from .proactive_resources import COLUMN_LABELS, REQUIRED_COLUMNS, ProactiveListRowResource, canonical_headers
from .services import award_commit

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADING_SEARCH_ROWS = 10  # a title line or two above the headings is common in official lists
FILE_FIELD = "file"


class ProactiveError(Exception):
    """A rule refused the action; `message` is for people, `code` for the API."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def is_list_administrator(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or getattr(user, "official_role", "") == OfficialRole.ADMINISTRATOR)
    )


def _require_administrator(actor: Any) -> None:
    if not is_list_administrator(actor):
        raise PermissionDenied(_("Only administrators import official lists."))


# ── the file ────────────────────────────────────────────────────────────────────────────────


@dataclass
class ListFile:
    """The rows of an uploaded list under resource column names, with each row's line in the file."""

    headers: list[str]
    rows: list[list[str]]
    file_rows: list[int]
    name: str = ""

    def dataset(self) -> tablib.Dataset:
        return tablib.Dataset(*[tuple(r) for r in self.rows], headers=self.headers)

    def to_dict(self) -> dict[str, Any]:
        return {"headers": self.headers, "rows": self.rows, "file_rows": self.file_rows, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ListFile":
        return cls(
            headers=list(data["headers"]),
            rows=[list(r) for r in data["rows"]],
            file_rows=list(data["file_rows"]),
            name=data.get("name", ""),
        )

    @classmethod
    def from_rows(cls, headers: list[str], rows: Iterable[Iterable[Any]], name: str = "") -> "ListFile":
        """For code that builds a list itself (the demo, tests): headings in any accepted form."""
        return _list_from_table([headers, *rows], name=name)


def _file_error(message: str) -> ValidationError:
    return ValidationError({FILE_FIELD: [ValidationError(message, code="file")]})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _list_from_table(table: Iterable[Iterable[Any]], *, name: str) -> ListFile:
    lines = [[_cell(v) for v in line] for line in table]
    heading_index = None
    for index, line in enumerate(lines[:HEADING_SEARCH_ROWS]):
        if set(REQUIRED_COLUMNS) <= set(canonical_headers(line)):
            heading_index = index
            break
    if heading_index is None:
        raise _file_error(
            _("The file needs the columns %(columns)s in its heading row (the first rows of the file).")
            % {"columns": ", ".join(str(COLUMN_LABELS[c]) for c in REQUIRED_COLUMNS)}
        )
    headers = canonical_headers(lines[heading_index])
    # Unknown headings stay (the resource ignores them) but must not collide with ours.
    headers = [h if h in COLUMN_LABELS or not h else f"_{i}_{h}" for i, h in enumerate(headers)]
    headers = [h or f"_{i}" for i, h in enumerate(headers)]
    rows: list[list[str]] = []
    file_rows: list[int] = []
    for index in range(heading_index + 1, len(lines)):
        line = lines[index]
        if not any(line):
            continue  # blank lines (Excel keeps formatted empty rows) are not rows of the list
        rows.append((line + [""] * len(headers))[: len(headers)])
        file_rows.append(index + 1)
        if len(rows) > MAX_ROWS:
            raise _file_error(_("The file has more than %(n)d rows: split it into several lists.") % {"n": MAX_ROWS})
    if not rows:
        raise _file_error(_("The file has no rows under its heading row."))
    return ListFile(headers=headers, rows=rows, file_rows=file_rows, name=name)


def _xlsx_table(data: bytes) -> list[tuple[Any, ...]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            table = list(islice(sheet.iter_rows(values_only=True), MAX_ROWS + HEADING_SEARCH_ROWS + 2))
        finally:
            workbook.close()
    except (BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise _file_error(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    return table


def _csv_table(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _file_error(_("The CSV file's text encoding is not UTF-8 or GBK."))
    if "\x00" in text:
        raise _file_error(_("Upload a CSV or XLSX file."))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise _file_error(_("The CSV file could not be read: check its quotes and separators.")) from None


def proactive_list_read(upload: UploadedFile) -> ListFile:
    """The list in an uploaded CSV or XLSX file (judged by content), or a ValidationError on "file"."""
    size = upload.size or 0
    if size == 0:
        raise _file_error(_("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise _file_error(_("The file is larger than 5 MB."))
    upload.seek(0)
    data = upload.read()
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    if data[:4] == b"PK\x03\x04":
        table: list[Any] = _xlsx_table(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _file_error(_("Old Excel files (.xls) are not read: save the list as .xlsx or CSV."))
    else:
        table = _csv_table(data)
    return _list_from_table(table, name=name)


# ── amounts ─────────────────────────────────────────────────────────────────────────────────


def parse_amount(value: Any) -> Decimal | None:
    """An amount as people type it ("500,000", "500000.00", full-width digits); None when empty."""
    text = unicodedata.normalize("NFKC", str(value or "")).replace(",", "").replace(" ", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            {"amount": [ValidationError(_("Enter an amount in CNY, for example 500,000."), code="invalid")]}
        ) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e16"):
        raise ValidationError(
            {"amount": [ValidationError(_("Enter an amount in CNY greater than zero."), code="invalid")]}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": [ValidationError(_("Enter the amount to the fen at most."), code="invalid")]})
    return amount.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class OfferAmount:
    amount: Decimal
    trace: dict[str, Any]
    set_by_department: bool


def _offer_amount(incentive: Incentive, *, on: dt.date, given: Decimal | None, title: str, year: int) -> OfferAmount:
    """The engine's figure where it has one; otherwise the administrator's, recorded in the trace."""
    result = compute_amount(incentive, on=on)
    zh, en = result.trace_zh, result.trace_en
    if result.amount is not None:
        if given is not None and given != result.amount:
            raise ValidationError(
                {
                    "amount": [
                        ValidationError(
                            _(
                                "The policy's figure for this incentive on %(day)s is %(amount)s CNY: "
                                "leave the amount empty or enter that figure."
                            )
                            % {"day": on.isoformat(), "amount": money(result.amount)},
                            code="engine_amount",
                        )
                    ]
                }
            )
        amount, by_department = result.amount, False
    else:
        if given is None:
            raise ValidationError(
                {
                    "amount": [
                        ValidationError(
                            _(
                                "The policy states no figure for this incentive: enter the amount the "
                                "department set for each enterprise on the list."
                            ),
                            code="required",
                        )
                    ]
                }
            )
        if result.cap is not None and given > result.cap:
            raise ValidationError(
                {
                    "amount": [
                        ValidationError(
                            _("The amount is above the cap of %(cap)s CNY.") % {"cap": money(result.cap)},
                            code="cap",
                        )
                    ]
                }
            )
        amount, by_department = given, True
        # Stored data in both languages, like the engine's own lines.
        zh = [*zh, f"部门为名单“{title}”（{year}年）上的每家企业确定奖励金额：{money(given)} 元。"]
        en = [*en, f"The department set {money(given)} CNY for each enterprise on the list “{title}” ({year})."]
    zh = [*zh, f"免申即享：依据名单“{title}”直接兑现，企业无需申报，确认银行账户即可。"]
    en = [*en, f"Proactive award: offered from the list “{title}” without an application; the enterprise confirms."]
    return OfferAmount(amount, {"zh": zh, "en": en, "on": on.isoformat()}, by_department)


def list_offer_amount(award_list: ProactiveList) -> OfferAmount | None:
    """The amount for a row of a stored list, computed as on the day the list was imported."""
    try:
        return _offer_amount(
            award_list.incentive,
            on=timezone.localdate(award_list.imported_at),
            given=award_list.amount,
            title=award_list.title,
            year=award_list.year,
        )
    except ValidationError:
        return None


# ── matching and offers ───────────────────────────────────────────────────────────────────────


def _qualification_level(code: str) -> str:
    if code.startswith(("provincial_", "guangdong_")):
        return ApplicantQualification.Level.PROVINCIAL
    return ApplicantQualification.Level.NATIONAL


def _offer_link(application: Application) -> str:
    return reverse("proactive:offer", args=[application.reference])


def _notify_offer(application: Application) -> None:
    amount = money(application.estimated_amount or Decimal(0))
    with translation.override("zh-hans"):
        subject = _("Award offered: %(incentive)s") % {"incentive": application.incentive.name}
        body = _(
            "Your enterprise is on an official list and is offered %(amount)s CNY for “%(incentive)s” "
            "(%(year)s), without applying. Check your bank account and confirm the award (reference %(reference)s)."
        ) % {
            "amount": amount,
            "incentive": application.incentive.name,
            "year": application.fiscal_year,
            "reference": application.reference,
        }
    for user in User.objects.filter(applicant_id=application.applicant_id, is_active=True):
        notification_send(user=user, subject=subject, body=body, link=_offer_link(application))


def _add_qualification(applicant: Applicant, award_list: ProactiveList, actor: Any) -> None:
    record, created = ApplicantQualification.objects.get_or_create(
        applicant=applicant,
        qualification=award_list.qualification,
        year=award_list.year,
        defaults={"level": _qualification_level(award_list.qualification)},
    )
    if created:
        audit_record(
            actor=actor,
            action="qualification.add",
            obj=record,
            after={"qualification": record.qualification, "year": record.year, "level": record.level},
            reason=_("On the official list “%(title)s”.") % {"title": award_list.title},
        )


def _open_application(applicant: Applicant, award_list: ProactiveList) -> Application | None:
    return (
        Application.objects.filter(
            applicant=applicant, incentive_id=award_list.incentive_id, fiscal_year=award_list.year
        )
        .exclude(status__in=CLOSED_STATUSES)
        .first()
    )


def _make_offer(
    *, row: ProactiveListRow, applicant: Applicant, award_list: ProactiveList, offer: OfferAmount, actor: Any
) -> Application | None:
    """The offer for a matched row, or None when the enterprise already has an open application
    for the incentive and year (it is not offered twice). Call inside a transaction."""
    row.applicant = applicant
    _add_qualification(applicant, award_list, actor)
    if _open_application(applicant, award_list) is not None:
        row.save(update_fields=["applicant"])
        return None
    incentive = award_list.incentive
    try:
        with transaction.atomic():  # a concurrent offer or application for the same year wins cleanly
            application = Application.objects.create(
                applicant=applicant,
                incentive=incentive,
                fiscal_year=award_list.year,
                status=Status.OFFERED,  # a start state: made from the list, confirmed by the enterprise
                reference=_next_reference(award_list.year, incentive.measure.number),
                estimated_amount=offer.amount,
                amount_trace=offer.trace,
                proposed_amount=offer.amount,
                proposed_by=award_list.imported_by,
                decision_reasons=_("On the official list “%(title)s” (%(year)s).")
                % {"title": award_list.title, "year": award_list.year},
                created_by=award_list.imported_by,
            )
            row.application = application
            row.save(update_fields=["applicant", "application"])
            audit_record(
                actor=actor,
                action="application.offer",
                obj=application,
                after={
                    "status": Status.OFFERED,
                    "reference": application.reference,
                    "estimated_amount": offer.amount,
                    "amount_set_by_department": offer.set_by_department,
                    "list": award_list.pk,
                    "list_title": award_list.title,
                    "row_name": row.name,
                },
                reason=_("Proactive award from the official list “%(title)s”.") % {"title": award_list.title},
            )
    except IntegrityError:
        row.application = None
        row.save(update_fields=["applicant"])
        return None
    transaction.on_commit(lambda: _notify_offer(application))
    return application


def _match_rows(rows: list[ProactiveListRow], award_list: ProactiveList, actor: Any) -> list[Application]:
    """Matches stored rows to registered enterprises by credit code and makes their offers."""
    codes = [r.uscc for r in rows if r.applicant_id is None]
    if not codes:
        return []
    applicants = {a.uscc: a for a in Applicant.objects.filter(uscc__in=codes, kind=ApplicantType.ORGANISATION)}
    if not applicants:
        return []
    offer = list_offer_amount(award_list)
    made: list[Application] = []
    for row in rows:
        applicant = applicants.get(row.uscc)
        if applicant is None or row.applicant_id is not None:
            continue
        if offer is None:  # the amount can no longer be computed: match, offer nothing
            row.applicant = applicant
            row.save(update_fields=["applicant"])
            continue
        application = _make_offer(row=row, applicant=applicant, award_list=award_list, offer=offer, actor=actor)
        if application is not None:
            made.append(application)
    return made


@dataclass
class RowProblem:
    row: int  # the line in the file, the heading row counted (as a spreadsheet numbers it)
    field: str  # uscc, name, year, title, or "row"
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class PreviewRow:
    row: int
    uscc: str
    name: str
    title: str
    applicant: Applicant | None = None
    existing: Application | None = None

    @property
    def outcome(self) -> str:
        if self.applicant is None:
            return "unmatched"
        return "existing" if self.existing is not None else "offer"


@dataclass
class ImportOutcome:
    dry_run: bool
    qualification: str = ""
    title: str = ""
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    award_list: ProactiveList | None = None
    offers: list[Application] = field(default_factory=list)
    amount: Decimal | None = None
    trace: dict[str, Any] = field(default_factory=dict)
    budget: Budget | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def offer_count(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "offer")

    @property
    def unmatched_count(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "unmatched")

    @property
    def existing_count(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "existing")

    @property
    def offered_total(self) -> Decimal:
        return (self.amount or Decimal(0)) * self.offer_count

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.offered_total > self.budget.remaining


def _problems(result: Any, resource: ProactiveListRowResource) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for error in result.base_errors:
        problems.append(RowProblem(0, "file", _("file"), str(error.error)))
    for invalid in result.invalid_rows:
        line = resource.file_row(invalid.number)
        for name, messages in invalid.error_dict.items():
            column = str(COLUMN_LABELS.get(name, _("row")))
            for message in messages:
                problems.append(RowProblem(line, name if name in COLUMN_LABELS else "row", column, str(message)))
    for number, errors in result.row_errors():
        line = resource.file_row(number)
        for _error in errors:
            problems.append(RowProblem(line, "row", _("row"), _("This row could not be stored.")))
    problems.sort(key=lambda p: (p.row, list(COLUMN_LABELS).index(p.field) if p.field in COLUMN_LABELS else 9))
    return problems


def default_qualification(incentive: Incentive) -> str:
    """The qualification the incentive's own criteria name (e.g. national_single_champion), if one."""
    for criterion in incentive.criteria.all():
        if criterion.rule == EligibilityCriterion.Rule.QUALIFICATION_ANY:
            names = [q for q in (criterion.params or {}).get("qualifications", []) if q in Qualification.values]
            if len(names) == 1:
                return names[0]
    return ""


def _clean_parameters(incentive: Incentive, qualification: str, year: Any, title: str) -> tuple[int, str, str]:
    errors: dict[str, list[ValidationError]] = {}
    qualification = qualification or default_qualification(incentive)
    if not incentive.pays_money or incentive.applicant_type != ApplicantType.ORGANISATION:
        errors["incentive"] = [
            ValidationError(_("Choose an incentive that pays enterprises a grant."), code="invalid_choice")
        ]
    if qualification not in Qualification.values:
        errors["qualification"] = [
            ValidationError(_("Choose the qualification the list confers."), code="invalid_choice")
        ]
    this_year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not this_year - 1 <= year <= this_year + 1:
        errors["year"] = [
            ValidationError(
                _("The year must be between %(a)s and %(b)s.") % {"a": this_year - 1, "b": this_year + 1},
                code="out_of_range",
            )
        ]
    title = " ".join((title or "").split())[:200]
    if errors:
        raise ValidationError(errors)
    if not title:
        label = Qualification(qualification).label
        with translation.override("zh-hans"):
            title = f"{year} {label}"
    return year, title, qualification


def proactive_list_import(
    *,
    actor: User,
    incentive: Incentive,
    year: Any,
    list_file: ListFile,
    qualification: str = "",
    amount: Decimal | None = None,
    title: str = "",
    dry_run: bool = True,
) -> ImportOutcome:
    """Imports an official list: a dry run previews it; otherwise it is stored and offers are made.

    `qualification` defaults to the one the incentive's criteria name (m3-little-giant: little_giant).

    Raises ValidationError (keyed by form field) for the parameters. Row problems come back in
    the outcome, and then nothing is stored, dry run or not.
    """
    _require_administrator(actor)
    year, title, qualification = _clean_parameters(incentive, qualification, year, title)
    offer = _offer_amount(incentive, on=timezone.localdate(), given=amount, title=title, year=year)
    outcome = ImportOutcome(
        dry_run=dry_run, qualification=qualification, title=title, amount=offer.amount, trace=offer.trace
    )
    with transaction.atomic():
        award_list = ProactiveList.objects.create(
            title=title,
            qualification=qualification,
            incentive=incentive,
            year=year,
            amount=offer.amount if offer.set_by_department else None,
            imported_by=actor,
        )
        resource = ProactiveListRowResource(award_list=award_list, file_rows=list_file.file_rows)
        result = resource.import_data(list_file.dataset(), dry_run=dry_run, use_transactions=True)
        outcome.problems = _problems(result, resource)
        valid = [
            (resource.file_row(n), r.instance)
            for n, r in enumerate(result.rows, 1)
            if r.instance is not None and not r.validation_error and not r.errors
        ]
        outcome.rows = [PreviewRow(line, i.uscc, i.name, i.title) for line, i in valid]
        outcome.budget = (
            Budget.objects.filter(incentive=incentive, fiscal_year=year).select_related("incentive").first()
        )
        if dry_run or not outcome.ok:
            _plan(outcome.rows, award_list)
            transaction.set_rollback(True)
            return outcome
        rows = list(award_list.rows.select_related("award_list__incentive__measure").order_by("pk"))
        outcome.offers = _match_rows(rows, award_list, actor)
        by_code = {r.uscc: r for r in rows}
        for preview in outcome.rows:
            stored = by_code[preview.uscc]
            preview.applicant = stored.applicant
            if stored.applicant_id and not stored.application_id:
                preview.existing = _open_application(stored.applicant, award_list)  # type: ignore[arg-type]
        audit_record(
            actor=actor,
            action="proactive_list.import",
            obj=award_list,
            after={
                "title": title,
                "incentive": incentive.code,
                "qualification": qualification,
                "year": year,
                "amount": offer.amount,
                "amount_set_by_department": offer.set_by_department,
                "file": list_file.name,
                "rows": len(rows),
                "offers": [a.reference for a in outcome.offers],
                "unmatched": outcome.unmatched_count,
            },
        )
        outcome.award_list = award_list
    return outcome


def _plan(rows: list[PreviewRow], award_list: ProactiveList) -> None:
    """What confirming would do with each row: two queries, nothing written."""
    codes = [r.uscc for r in rows]
    applicants = {a.uscc: a for a in Applicant.objects.filter(uscc__in=codes, kind=ApplicantType.ORGANISATION)}
    existing = {
        a.applicant_id: a
        for a in Application.objects.filter(
            applicant__in=list(applicants.values()), incentive_id=award_list.incentive_id, fiscal_year=award_list.year
        ).exclude(status__in=CLOSED_STATUSES)
    }
    for row in rows:
        row.applicant = applicants.get(row.uscc)
        row.existing = existing.get(row.applicant.pk) if row.applicant else None


def proactive_list_rematch(*, actor: User, award_list: ProactiveList) -> list[Application]:
    """Matches the list's waiting rows again (e.g. enterprises registered while the list was imported)."""
    _require_administrator(actor)
    with transaction.atomic():
        rows = list(
            ProactiveListRow.objects.select_for_update(of=("self",))
            .filter(award_list=award_list, applicant__isnull=True)
            .order_by("pk")
        )
        locked = ProactiveList.objects.select_related("incentive__measure", "imported_by").get(pk=award_list.pk)
        made = _match_rows(rows, locked, actor)
        if made:
            audit_record(
                actor=actor,
                action="proactive_list.rematch",
                obj=locked,
                after={"offers": [a.reference for a in made]},
            )
    return made


def proactive_match_new_applicant(applicant: Applicant) -> list[Application]:
    """Offers for a newly registered enterprise on lists imported before it registered.

    Called by the registration service after commit; idempotent (only rows still unmatched).
    """
    if applicant.kind != ApplicantType.ORGANISATION or not applicant.uscc:
        return []
    made: list[Application] = []
    with transaction.atomic():
        rows = list(
            ProactiveListRow.objects.select_for_update(of=("self",))
            .filter(uscc=applicant.uscc, applicant__isnull=True)
            .select_related("award_list__incentive__measure", "award_list__imported_by")
            .order_by("pk")
        )
        for row in rows:
            offer = list_offer_amount(row.award_list)
            if offer is None:
                row.applicant = applicant
                row.save(update_fields=["applicant"])
                continue
            application = _make_offer(row=row, applicant=applicant, award_list=row.award_list, offer=offer, actor=None)
            if application is not None:
                made.append(application)
    return made


# ── the enterprise confirms or declines ────────────────────────────────────────────────────────


def offer_bank_problem(applicant: Applicant, account: BankAccount | None) -> str | None:
    """Why the award cannot be paid to the applicant's account, in words; None when it can."""
    if account is None:
        return _("Add the bank account the award should be paid to before you confirm.")
    if account.account_name != applicant.name:
        return _("The bank account's name must be exactly the enterprise's name, “%(name)s”: change the account.") % {
            "name": applicant.name
        }
    return None


def _require_applicant(actor: User, application: Application) -> set[str]:
    roles = roles_for(actor, application)
    if Role.APPLICANT not in roles:
        raise TransitionNotAllowed(_("You may not take this action on this application."))
    return roles


def _notify_users(application: Application, subject: str, body: str) -> None:
    for user in User.objects.filter(applicant_id=application.applicant_id, is_active=True):
        notification_send(user=user, subject=subject, body=body, link=_offer_link(application))


def proactive_offer_confirm(*, actor: User, application: Application, ip_address: str | None = None) -> Application:
    """The enterprise accepts: its bank account is checked, the budget committed, the offer approved.

    Raises ProactiveError (no usable bank account), awards.services.BudgetError (the budget cannot
    take the amount: the message gives what is left) or TransitionNotAllowed; nothing changes then.
    """
    roles = _require_applicant(actor, application)

    def commit(locked: Application) -> dict[str, Any]:
        account = BankAccount.objects.filter(applicant_id=locked.applicant_id).first()
        problem = offer_bank_problem(locked.applicant, account)
        if problem or account is None:
            raise ProactiveError(problem or "", code="bank_account_required")
        if not locked.estimated_amount or locked.estimated_amount <= 0:
            raise ProactiveError(_("This offer has no amount: ask the department."), code="no_amount")
        award = award_commit(actor=actor, application=locked, amount=locked.estimated_amount)
        return {
            "amount": locked.estimated_amount,
            "award": award.pk,
            "bank_account": f"{account.bank_name} {account.account_number_masked}",
        }

    return transition(
        application,
        "confirm_offer",
        actor=actor,
        roles=roles,
        changes=commit,
        ip_address=ip_address,
        on_commit=lambda a: _notify_users(
            a,
            _("Award %(reference)s confirmed") % {"reference": a.reference},
            _("You confirmed the award of %(amount)s CNY. It will be publicly announced, then paid to your account.")
            % {"amount": money(a.estimated_amount or Decimal(0))},
        ),
    )


def proactive_offer_decline(
    *, actor: User, application: Application, reason: str = "", ip_address: str | None = None
) -> Application:
    roles = _require_applicant(actor, application)
    return transition(
        application,
        "decline_offer",
        actor=actor,
        roles=roles,
        reason=(reason or "").strip()[:2000],
        ip_address=ip_address,
        on_commit=lambda a: _notify_users(
            a,
            _("Award %(reference)s declined") % {"reference": a.reference},
            _("The award offer %(reference)s was declined.") % {"reference": a.reference},
        ),
    )


# ── selectors ────────────────────────────────────────────────────────────────────────────────


def proactive_incentives() -> QuerySet[Incentive]:
    """Incentives a list can be imported for: grants to enterprises."""
    return (
        Incentive.objects.filter(kind__in=Incentive.GRANT_KINDS, applicant_type=ApplicantType.ORGANISATION)
        .select_related("measure")
        .order_by("measure__number", "position")
    )


def proactive_list_summaries() -> QuerySet[ProactiveList]:
    """Every list with its counts, in one query."""
    return (
        ProactiveList.objects.select_related("incentive", "incentive__measure", "imported_by")
        .annotate(
            row_count=Count("rows"),
            matched_count=Count("rows", filter=Q(rows__applicant__isnull=False)),
            unmatched_count=Count("rows", filter=Q(rows__applicant__isnull=True)),
            offer_count=Count("rows", filter=Q(rows__application__isnull=False)),
        )
        .order_by("-imported_at", "-pk")
    )


def access_proactive_list(user: Any, pk: Any) -> ProactiveList:
    """A list for an administrator; others are refused, a missing list is a 404."""
    if not is_list_administrator(user):
        raise PermissionDenied
    try:
        return proactive_list_summaries().get(pk=int(pk))
    except (ProactiveList.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def proactive_list_rows(award_list: ProactiveList) -> QuerySet[ProactiveListRow]:
    return (
        ProactiveListRow.objects.filter(award_list=award_list).select_related("applicant", "application").order_by("pk")
    )


def access_offer(user: Any, reference: str) -> Application:
    """An offer made to the user's enterprise, by reference; anything else (another enterprise's
    offer, an ordinary application, a missing reference) is the same 404."""
    queryset = (
        application_list(user, own_only=True)
        .filter(proactive_row__isnull=False)
        .select_related("proactive_row__award_list", "applicant__bank_account", "incentive__handling_department")
    )
    try:
        return queryset.get(reference=str(reference))
    except Application.DoesNotExist:
        raise Http404 from None


def offer_bank_account(application: Application) -> BankAccount | None:
    try:
        return application.applicant.bank_account
    except BankAccount.DoesNotExist:
        return None


# ── demo data ────────────────────────────────────────────────────────────────────────────────

DEMO_INCENTIVE = "m3-national-single-champion"
DEMO_TITLE = "{year}年国家级制造业单项冠军企业名单（广东）"
DEMO_AMOUNT = Decimal("500000.00")
DEMO_BUDGET = Decimal("10000000.00")
# On the list but not registered: matched when it registers (its code carries a valid check character).
DEMO_UNMATCHED = ("91440101MA9W5LQ47Y", "广州粤芯精密仪器股份有限公司")


def ensure_demo_proactive_list() -> ProactiveList:
    """The demo's list: the two demo enterprises (offers) and one enterprise not yet registered.

    Idempotent: a second call returns the list made by the first. Sets the incentive's budget
    for the year when none is set, so the demo enterprises can confirm; the second demo
    enterprise confirms its offer, so the list shows an offer on its way to announcement.
    """
    from accounts.demo import DEMO_APPLICANTS, DEMO_ENTERPRISE_2, ensure_demo_accounts

    from .services import budget_set

    year = timezone.localdate().year
    title = DEMO_TITLE.format(year=year)
    incentive = Incentive.objects.get(code=DEMO_INCENTIVE)
    existing = ProactiveList.objects.filter(title=title, incentive=incentive, year=year).first()
    if existing is not None:
        return existing
    ensure_demo_accounts()
    admin = User.objects.get(username="admin")
    if not Budget.objects.filter(incentive=incentive, fiscal_year=year).exists():
        budget_set(actor=admin, incentive=incentive, fiscal_year=year, allocation=DEMO_BUDGET)
    enterprises = [(a.identifier, a.name) for a in DEMO_APPLICANTS if a.kind == ApplicantType.ORGANISATION]
    list_file = ListFile.from_rows(
        ["序号", "统一社会信用代码", "企业名称", "年度", "称号"],
        [
            [n, code, name, year, "国家级制造业单项冠军企业"]
            for n, (code, name) in enumerate([*enterprises, DEMO_UNMATCHED], 1)
        ],
        name="demo.csv",
    )
    outcome = proactive_list_import(
        actor=admin,
        incentive=incentive,
        qualification=Qualification.NATIONAL_SINGLE_CHAMPION,
        year=year,
        list_file=list_file,
        amount=DEMO_AMOUNT,
        title=title,
        dry_run=False,
    )
    if not outcome.ok or outcome.award_list is None:
        raise RuntimeError("; ".join(str(p) for p in outcome.problems))
    for offer in outcome.offers:
        if offer.applicant.name == DEMO_ENTERPRISE_2:
            user = User.objects.filter(applicant=offer.applicant, is_applicant_admin=True).first()
            if user is not None and offer_bank_problem(offer.applicant, offer_bank_account(offer)) is None:
                proactive_offer_confirm(actor=user, application=offer)
    return outcome.award_list
