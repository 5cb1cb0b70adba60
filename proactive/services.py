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
registers (accounts.hooks.applicant_registered, sent by enterprise_register on commit).

Measure 3 names rewards without figures ("set by the department"): where the amount engine has
no figure, the administrator gives the amount for each enterprise on the list, and the trace
says so. Where the engine has a figure, it applies and a different one is refused.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Applicant, ApplicantQualification, User
from accounts.services import notification_send
from applications.models import CLOSED_STATUSES, Application, Status
from applications.services import _next_reference
from applications.workflow import WORKFLOW as APPLICATION_WORKFLOW
from audit.services import audit_record
from budgets.models import Budget
from budgets.services import year_ceiling_set
from credit.models import CreditListEntry
from credit.screening import listed_reason
from credit.selectors import listing_for, listings_for
from measures.amounts import money
from measures.models import EligibilityCriterion, Incentive, YearCeiling
from measures.vocabulary import ApplicantType, Qualification
from portal.spreadsheets import RowProblem

from .amounts import OfferAmount, _offer_amount, list_offer_amount
from .list_file import ListFile
from .models import ProactiveList, ProactiveListRow
from .permissions import is_list_administrator
from .resources import COLUMN_LABELS, ProactiveListRowResource


class ProactiveError(Exception):
    """A rule refused the action; `message` is for people, `code` for the API."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _require_administrator(actor: Any) -> None:
    if not is_list_administrator(actor):
        raise PermissionDenied(_("Only administrators import official lists."))


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
    if _open_application(applicant, award_list) is not None or listing_for(applicant) is not None:
        # Not offered twice; and never to an enterprise on a list of seriously dishonest entities
        # (信用审查: the import's preview names the list).
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
            APPLICATION_WORKFLOW.created(application)  # counted in the dashboards' tallies
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
    _notify_offer(application)  # in the offer's transaction: both are kept, or neither
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
class PreviewRow:
    row: int
    uscc: str
    name: str
    title: str
    applicant: Applicant | None = None
    existing: Application | None = None
    listing: CreditListEntry | None = None  # 信用审查: on a list of seriously dishonest entities

    @property
    def outcome(self) -> str:
        if self.listing is not None:
            return "credit_listed"
        if self.applicant is None:
            return "unmatched"
        return "existing" if self.existing is not None else "offer"

    @property
    def listed_reason(self) -> str:
        return listed_reason(self.listing) if self.listing is not None else ""


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
    def listed_count(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "credit_listed")

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
            names: list[str] = [
                q for q in (criterion.params or {}).get("qualifications", []) if q in Qualification.values
            ]
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


def _check_department_ceiling(incentive: Incentive, year: int, amount: Decimal | None) -> None:
    ceiling = YearCeiling.objects.filter(incentive=incentive, fiscal_year=year).first()
    if ceiling is not None and amount is not None and amount > ceiling.amount:
        raise ValidationError(
            {
                "amount": [
                    ValidationError(
                        _("The department's ceiling for %(year)s is %(ceiling)s CNY per award: enter at most that.")
                        % {"year": year, "ceiling": money(ceiling.amount)},
                        code="ceiling",
                    )
                ]
            }
        )


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
    if offer.set_by_department:
        _check_department_ceiling(incentive, year, offer.amount)
    outcome = ImportOutcome(
        dry_run=dry_run, qualification=qualification, title=title, amount=offer.amount, trace=offer.trace
    )
    with transaction.atomic():
        # The administrator's figure for the list is the department's ceiling for the year, unless
        # one is set already (then the figure must be within it, checked above).
        needs_ceiling = offer.set_by_department and not dry_run and offer.amount is not None
        if needs_ceiling and not YearCeiling.objects.filter(incentive=incentive, fiscal_year=year).exists():
            year_ceiling_set(actor=actor, incentive=incentive, fiscal_year=year, amount=offer.amount)
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
            if isinstance(r.instance, ProactiveListRow) and not r.validation_error and not r.errors
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
        listed = listings_for(by_code)
        for preview in outcome.rows:
            stored = by_code[preview.uscc]
            preview.applicant = stored.applicant
            preview.listing = listed.get(preview.uscc)
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
                "credit_listed": [r.uscc for r in outcome.rows if r.listing is not None],
            },
        )
        outcome.award_list = award_list
    return outcome


def _plan(rows: list[PreviewRow], award_list: ProactiveList) -> None:
    """What confirming would do with each row: three queries, nothing written."""
    codes = [r.uscc for r in rows]
    listed = listings_for(codes)
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
        row.listing = listed.get(row.uscc)


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
