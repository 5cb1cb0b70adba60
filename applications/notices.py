"""Official notices (通知书): a numbered, verifiable PDF for each step the applicant must be told of.

    schedule_notice(application, kind)   in the decision's transaction: an outbox row (portal/outbox.py)
    issue_notice(application_id=..., kind=..., event_sequence=...)  -> Notice   (the Celery task calls it)

One notice per application, kind and audit event (the event that made the decision). Issuing is
idempotent: a retried or duplicated task finds the notice made first, and two racing tasks are
decided by the database's unique constraint (the loser deletes its file and returns the winner's).

Each notice has
- a number: 粤质品〔<year>〕<application reference>-<kind suffix>, e.g. 粤质品〔2026〕QB-2026-17-000123-SL;
  a second notice of the same kind for the same application (a second 补正) ends in -2, -3 …;
- a verification code of 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
  which /verify/<code>/ and /api/v1/verify/<code>/ resolve to the notice's essentials;
- its essentials as data (what the letter states), so verification never reads the PDF.

The PDF is rendered by WeasyPrint from templates/notices/<kind>.html and static/notices/notice.css
with a CJK font embedded. WeasyPrint fetches only the portal's own static files: its fetcher
(`static_files_only_fetcher`) refuses every other URL (network, file://, data:), because notices
contain text the applicant typed. `render_pdf` is reusable for other PDFs with the same guard.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.identifiers import mask_resident_id, normalise
from audit.models import AuditEvent
from portal.languages import is_english
from portal.links import site_url
from portal.outbox import enqueue
from portal.pdf import render_pdf, static_files_only_fetcher
from portal.workflow import audit_event_of

from .hooks import notice_facts
from .models import Application, Notice

logger = logging.getLogger(__name__)

Kind = Notice.Kind

NUMBER_PREFIX = "粤质品"  # 广东省制造业质量品牌政策兑现 (the portal's own series of notices)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH = 12

RIGHTS_ZH = "如不服本决定，可在收到本通知书之日起60日内依法申请行政复议，或者在6个月内依法提起行政诉讼。"
RIGHTS_EN = (
    "If you do not accept this decision, you may apply for administrative reconsideration within 60 days "
    "of receiving this notice, or bring an administrative lawsuit within 6 months, in accordance with the law."
)


@dataclass(frozen=True)
class NoticeKind:
    suffix: str  # the number's last part
    title: str  # 通知书 title, as printed
    title_en: str
    rights: bool  # states the applicant's rights of appeal


KINDS: dict[str, NoticeKind] = {
    Kind.ACCEPTANCE: NoticeKind("SL", "受理通知书", "Acceptance notice", rights=False),
    Kind.SUPPLEMENT: NoticeKind("BZ", "补正通知书", "Notice to supplement the application", rights=False),
    Kind.REFUSAL: NoticeKind("BSL", "不予受理通知书", "Notice of refusal to accept", rights=True),
    Kind.DECISION_SUPPORT: NoticeKind("ZC", "支持决定通知书", "Decision notice: supported", rights=False),
    Kind.DECISION_REJECT: NoticeKind("BZC", "不予支持决定通知书", "Decision notice: not supported", rights=True),
    # Ending an application for a missed deadline is an adverse decision too: the rights are stated.
    Kind.LAPSE: NoticeKind("SX", "终止办理通知书", "Notice of lapse", rights=True),
    Kind.DISBURSEMENT: NoticeKind("BF", "资金拨付通知书", "Disbursement notice", rights=False),
    # 追回: an adverse decision on money paid, with the rights of appeal.
    Kind.RECOVERY: NoticeKind("ZH", "追回资金决定通知书", "Recovery notice", rights=True),
}
# The notices whose facts a money app supplies through the `notice_facts` hook (the paid payment,
# the recovery decided): the kind's app answers, every other receiver returns None.
FACTS_FROM_HOOK: dict[str, str] = {Kind.DISBURSEMENT: "a recorded payment", Kind.RECOVERY: "a recovery decided"}


class NoticeError(ValueError):
    """The notice cannot be made from these arguments (unknown kind, no such event); not retried."""


# ---- numbers, codes, addresses ----------------------------------------------------------------


def notice_number(reference: str, kind: str, year: int, ordinal: int = 1) -> str:
    base = f"{NUMBER_PREFIX}〔{year}〕{reference}-{KINDS[kind].suffix}"
    return base if ordinal == 1 else f"{base}-{ordinal}"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str | None:
    """What a person typed (any case, spaces, hyphens, full-width) as a stored code, or None when
    it cannot be one."""
    code = normalise(value or "")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def format_code(code: str) -> str:
    """ABCD EFGH JKMN: groups of four are easier to read out and type."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def verify_url(code: str) -> str:
    return site_url(reverse("verify:notice", args=[code]))


# ---- amounts in words (大写金额) -----------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ((3, "仟"), (2, "佰"), (1, "拾"), (0, ""))
_GROUPS = ("", "万", "亿", "万亿")


def _four_digits(group: int) -> str:
    out, zero = "", False
    for power, unit in _PLACES:
        digit = group // 10**power % 10
        if digit == 0:
            zero = zero or bool(out)
        else:
            out += ("零" if zero else "") + _DIGITS[digit] + unit
            zero = False
    return out


def amount_in_words(amount: Decimal) -> str:
    """The amount in financial capitals, as on Chinese payment documents: 3000000 → 叁佰万元整."""
    cents = int((Decimal(amount) * 100).quantize(Decimal(1)))
    if cents < 0:
        raise ValueError("negative amount")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    if len(groups) > len(_GROUPS):
        raise ValueError("amount too large")
    words, pending_zero = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            pending_zero = bool(words)
            continue
        if words and (pending_zero or group < 1000):
            words += "零"
        words += _four_digits(group) + _GROUPS[index]
        pending_zero = False
    if words:
        words += "元"
    if jiao == 0 and fen == 0:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    return words + (_DIGITS[fen] + "分" if fen else "整")


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(Decimal(amount).quantize(Decimal("0.01")))


def _chinese_date(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


# ---- what a notice says -------------------------------------------------------------------------


def notice_essentials(application: Application, kind: str, event: AuditEvent, number: str) -> dict[str, Any]:
    """The facts the notice states, as data: what the PDF prints and /verify/ shows.

    Decision facts come from the audit event that made the decision (its "after"), so a task
    that runs late still states what was decided then, not what the application says now.
    """
    spec = KINDS[kind]
    applicant = application.applicant
    incentive = application.incentive
    measure = incentive.measure
    department = incentive.handling_department
    after = event.after or {}
    individual = not applicant.is_enterprise
    essentials: dict[str, Any] = {
        "kind": kind,
        "title": spec.title,
        "title_en": spec.title_en,
        "number": number,
        "date": timezone.localtime(event.at).date().isoformat(),
        "reference": application.reference,
        "fiscal_year": application.fiscal_year,
        "submitted_on": timezone.localtime(application.submitted_at).date().isoformat()
        if application.submitted_at
        else None,
        "applicant_name": applicant.name,
        "applicant_type": "individual" if individual else "organisation",
        # Personal information: an individual's resident ID is never stored on a notice unmasked.
        "applicant_identifier": mask_resident_id(applicant.resident_id or "") if individual else applicant.uscc,
        "incentive": incentive.name,
        "incentive_en": incentive.name_en,
        "measure_number": measure.number,
        "measure": measure.title,
        "measure_en": measure.title_en,
        "policy": measure.chapter.document.title,
        # A formal document carries the department's full name (广东省市场监督管理局, not 省市场监管局).
        "department": department.formal_name,
        "department_en": department.name_en,
    }
    if kind == Kind.ACCEPTANCE:
        essentials["review_due_on"] = after.get("stage_due_on") or _iso(application.stage_due_on)
        essentials["review_days"] = incentive.review_days
    elif kind == Kind.SUPPLEMENT:
        essentials["supplement_items"] = after.get("supplement_request") or application.supplement_request
        essentials["supplement_deadline"] = after.get("supplement_deadline") or _iso(application.supplement_deadline)
        essentials["supplement_days"] = incentive.supplement_days
    elif kind in (Kind.REFUSAL, Kind.DECISION_REJECT):
        essentials["reasons"] = after.get("reasons") or event.reason or application.decision_reasons
    elif kind == Kind.DECISION_SUPPORT:
        amount = after.get("approved_amount") or application.proposed_amount
        if amount is None:
            raise NoticeError(f"application {application.pk} has no approved amount")
        essentials["amount"] = _money(Decimal(str(amount)))
        essentials["amount_in_words"] = amount_in_words(Decimal(str(amount)))
    elif kind == Kind.LAPSE:
        essentials["supplement_items"] = application.supplement_request
        essentials["supplement_deadline"] = _iso(application.supplement_deadline)
    elif kind in FACTS_FROM_HOOK:
        facts = [f for f in notice_facts.send(kind=kind, application=application, event=event) if f is not None]
        if not facts:
            raise NoticeError(f"application {application.pk} has no {FACTS_FROM_HOOK[kind]} for event {event.sequence}")
        essentials.update(facts[0])
    if spec.rights:
        essentials["rights"] = RIGHTS_ZH
        essentials["rights_en"] = RIGHTS_EN
    return essentials


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None


def public_essentials(notice: Notice) -> dict[str, Any]:
    """What verification shows to anyone holding the code: enough to compare with a copy, no more
    (reasons and supplement items stay on the letter; the PDF's fingerprint covers them)."""
    e = notice.essentials
    english = is_english()

    def pick(field: str) -> Any:
        return (e.get(f"{field}_en") if english else None) or e.get(field)

    return {
        "number": notice.number,
        "kind": notice.kind,
        "title": pick("title"),
        "department": pick("department"),
        "date": e.get("date"),
        "issued_at": notice.issued_at,
        "reference": e.get("reference"),
        "applicant_name": e.get("applicant_name"),
        "applicant_identifier": e.get("applicant_identifier"),
        "incentive": pick("incentive"),
        "measure_number": e.get("measure_number"),
        "amount": e.get("amount"),
        "supplement_deadline": e.get("supplement_deadline") if notice.kind == Kind.SUPPLEMENT else None,
        "pdf_sha256": e.get("pdf_sha256", ""),
    }


def notice_by_code(value: str) -> Notice | None:
    """The notice a typed verification code names (case and spaces do not matter), or None."""
    code = normalise_code(value)
    if code is None:
        return None
    return Notice.objects.filter(verification_code=code).first()


# ---- rendering ----------------------------------------------------------------------------------


def render_notice_html(essentials: dict[str, Any], verification_code: str) -> str:
    context = {
        "e": essentials,
        "individual": essentials.get("applicant_type") == "individual",
        "date_zh": _chinese_date(essentials.get("date")),
        "submitted_on_zh": _chinese_date(essentials.get("submitted_on")),
        "review_due_on_zh": _chinese_date(essentials.get("review_due_on")),
        "supplement_deadline_zh": _chinese_date(essentials.get("supplement_deadline")),
        "amount_display": f"{Decimal(essentials['amount']):,.2f}" if essentials.get("amount") else "",
        "paid_display": f"{Decimal(essentials['paid']):,.2f}" if essentials.get("paid") else "",
        "banned_until_zh": _chinese_date(essentials.get("banned_until")),
        "code": verification_code,
        "code_display": format_code(verification_code),
        "verify_url": verify_url(verification_code),
        "verify_form_url": site_url(reverse("verify:form")),
        "stylesheet": settings.STATIC_URL + "notices/notice.css",
    }
    return render_to_string(f"notices/{essentials['kind']}.html", context)


# ---- issuing ------------------------------------------------------------------------------------


def _existing(application_id: int, kind: str, event_sequence: int) -> Notice | None:
    return Notice.objects.filter(application_id=application_id, kind=kind, event_sequence=event_sequence).first()


def _free_number(application: Application, kind: str, year: int) -> str:
    taken = set(Notice.objects.filter(application=application, kind=kind).values_list("number", flat=True))
    ordinal = 1
    while notice_number(application.reference or str(application.pk), kind, year, ordinal) in taken:
        ordinal += 1
    return notice_number(application.reference or str(application.pk), kind, year, ordinal)


def schedule_notice(application: Application, kind: str) -> None:
    """Records, in the caller's transaction, that the notice of the application's move just made
    (the audit event `Workflow.transition` set on it) must be issued; Celery issues it after commit.
    A rollback leaves no trace of it; once per application, kind and event."""
    from .tasks import generate_notice

    sequence = audit_event_of(application).sequence
    enqueue(
        generate_notice,
        {"application_id": application.pk, "kind": str(kind), "event_sequence": sequence},
        key=f"notice:{application.pk}:{kind}:{sequence}",
    )


def issue_notice(*, application_id: int, kind: str, event_sequence: int) -> Notice:
    """The notice for this application, kind and audit event: made once, found every later time."""
    existing = _existing(application_id, kind, event_sequence)
    if existing is not None:
        return existing
    if kind not in KINDS:
        raise NoticeError(f"no notice of kind {kind!r}")
    application = (
        Application.objects.select_related(
            "applicant",
            "incentive__measure__chapter__document",
            "incentive__handling_department",
        )
        # A notice states the decision's facts, never the answers: they are left unread.
        .defer(*Application.HEAVY_FIELDS)
        .get(pk=application_id)
    )
    event = AuditEvent.objects.filter(
        sequence=event_sequence, object_type=application._meta.label_lower, object_id=str(application.pk)
    ).first()
    if event is None:
        raise NoticeError(f"audit event {event_sequence} is not an event of application {application_id}")
    year = timezone.localtime(event.at).year

    for _attempt in range(5):
        number = _free_number(application, kind, year)
        code = new_verification_code()
        essentials = notice_essentials(application, kind, event, number)
        pdf = render_pdf(render_notice_html(essentials, code), fetcher=static_files_only_fetcher())
        essentials["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
        essentials["pdf_bytes"] = len(pdf)
        notice = Notice(
            application=application,
            kind=kind,
            event_sequence=event_sequence,
            number=number,
            verification_code=code,
            department_name=essentials["department"],
            essentials=essentials,
            issued_at=timezone.now(),
        )
        suffix = number.rsplit("〕", 1)[-1]
        notice.pdf.save(f"{suffix}-{event_sequence}.pdf", ContentFile(pdf), save=False)
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
        except IntegrityError:
            notice.pdf.delete(save=False)  # the row was not written: neither is its file kept
            winner = _existing(application_id, kind, event_sequence)
            if winner is not None:
                return winner  # another run of the task made it first
            continue  # the number or the code was taken meanwhile: try the next ones
        except BaseException:
            notice.pdf.delete(save=False)
            raise
        return notice
    raise NoticeError(f"could not find a free number or code for application {application_id}")
