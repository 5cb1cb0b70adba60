"""Demo officials and applications in every state, for `make run` (idempotent; not in production).

    ensure_demo_officials()      a handler and an approver of amr (省市场监管局: measure 15's standards and
                                 measure 17's quality awards) and of miit (省工业和信息化厅: measure 17's
                                 quality benchmark), and finance officers
    ensure_demo_applications()   applications of the demo enterprises (accounts.demo) in every state

Applications move through the real services — submitted by the enterprise's user, accepted,
returned, reviewed, proposed and approved by the officials — so their audit trail, notices and
budget commitments are real. Where a later issue's service is not the point of the demo (public
announcement, finalisation, payment), the step goes through `workflow.transition`, the one
function every service uses, with the role the table names: still a recorded transition.
"""

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications import form_definitions, review
from applications.models import Application, Status
from applications.services import application_create, application_save_section, application_submit, application_withdraw
from applications.services import document_add as _document_add
from demo.accounts import DEMO_ENTERPRISE, DEMO_ENTERPRISE_2, DEMO_INDIVIDUAL, DemoAccount, ensure_demo_accounts
from measures.models import Department, Incentive

DEMO_OFFICIAL_PASSWORD = "demo-Official-2026"  # noqa: S105 — public, like every demo login (never in production)

DEMO_OFFICIALS = [
    # (username, role, department code, display name)
    ("demo-handler-amr", OfficialRole.HANDLER, "amr", "市场监管局经办人 刘敏"),
    ("demo-approver-amr", OfficialRole.APPROVER, "amr", "市场监管局审核人 周强"),
    ("demo-handler-miit", OfficialRole.HANDLER, "miit", "工信厅经办人 陈晓"),
    ("demo-approver-miit", OfficialRole.APPROVER, "miit", "工信厅审核人 黄伟"),
    ("demo-finance", OfficialRole.FINANCE, "finance", "财政厅 林芳"),
    # A second finance officer: a disbursement batch is approved by someone other than its builder.
    ("demo-finance2", OfficialRole.FINANCE, "finance", "财政厅 吴涛"),
]

# The applicant users of accounts.demo, by the applicant's name.
APPLICANT_USERS = {
    DEMO_ENTERPRISE: "demo-enterprise",
    DEMO_ENTERPRISE_2: "demo-enterprise2",
    DEMO_INDIVIDUAL: "demo-individual",
}

CQA_ORG = "m17-china-quality-award-org"
CQA_IND = "m17-china-quality-award-ind"
NOMINATION_ORG = "m17-china-quality-award-nomination-org"
PROVINCIAL_ORG = "m17-provincial-quality-award-org"
BENCHMARK = "m17-quality-benchmark"  # a recognition: accepted, then handled
STANDARDS = "m15-international-standard-lead"  # measure 15, handled by amr (as are the quality awards above)


@dataclass(frozen=True)
class DemoApplication:
    applicant: str
    incentive: str
    year_offset: int  # fiscal year = this year + offset (the services accept last, this and next year)
    status: str


# One application per state (a submitted one in amr's queue and one in miit's).
# Each (applicant, incentive, year) appears once, so a second run finds every one and adds nothing.
DEMO_APPLICATIONS = [
    DemoApplication(DEMO_ENTERPRISE_2, STANDARDS, 0, Status.DRAFT),
    DemoApplication(DEMO_ENTERPRISE, STANDARDS, 0, Status.SUBMITTED),
    DemoApplication(DEMO_ENTERPRISE_2, BENCHMARK, 1, Status.SUBMITTED),
    DemoApplication(DEMO_ENTERPRISE_2, PROVINCIAL_ORG, 0, Status.ACCEPTED),
    DemoApplication(DEMO_ENTERPRISE, NOMINATION_ORG, 0, Status.RETURNED),
    DemoApplication(DEMO_ENTERPRISE_2, STANDARDS, -1, Status.REFUSED),
    DemoApplication(DEMO_ENTERPRISE, CQA_ORG, 0, Status.UNDER_REVIEW),
    DemoApplication(DEMO_INDIVIDUAL, CQA_IND, 0, Status.PROPOSED),
    DemoApplication(DEMO_ENTERPRISE, PROVINCIAL_ORG, 0, Status.REJECTION_PROPOSED),
    DemoApplication(DEMO_ENTERPRISE_2, NOMINATION_ORG, 0, Status.REJECTED),
    DemoApplication(DEMO_ENTERPRISE, PROVINCIAL_ORG, -1, Status.APPROVED),
    DemoApplication(DEMO_ENTERPRISE, CQA_ORG, -1, Status.ANNOUNCED),
    DemoApplication(DEMO_ENTERPRISE_2, PROVINCIAL_ORG, -1, Status.FINAL),
    DemoApplication(DEMO_ENTERPRISE, BENCHMARK, 0, Status.HANDLED),
    DemoApplication(DEMO_INDIVIDUAL, CQA_IND, -1, Status.PAID),
    DemoApplication(DEMO_ENTERPRISE, NOMINATION_ORG, -1, Status.PAYMENT_FAILED),
    DemoApplication(DEMO_ENTERPRISE_2, BENCHMARK, 0, Status.WITHDRAWN),
    DemoApplication(DEMO_ENTERPRISE_2, STANDARDS, 1, Status.LAPSED),
    # After payment: a failed payment cancelled, and recoveries (追回) partly and fully refunded. No ban
    # from applying: the demo applicants keep applying in the demo.
    DemoApplication(DEMO_ENTERPRISE_2, CQA_ORG, 0, Status.PAYMENT_CANCELLED),
    DemoApplication(DEMO_ENTERPRISE_2, CQA_ORG, -1, Status.RECOVERED),
    DemoApplication(DEMO_INDIVIDUAL, CQA_IND, 1, Status.RECOVERING),
]
PAID_PATH = ("submit", "accept", "review", "propose", "approve", "announce_ended", "finalise", "pay")
# Each state's path from submission: the steps after `submit`, in order.
PATHS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: ("submit",),
    Status.ACCEPTED: ("submit", "accept"),
    Status.RETURNED: ("submit", "return"),
    Status.REFUSED: ("submit", "refuse"),
    Status.UNDER_REVIEW: ("submit", "accept", "review"),
    Status.PROPOSED: ("submit", "accept", "review", "propose"),
    Status.REJECTION_PROPOSED: ("submit", "accept", "review", "reject"),
    Status.REJECTED: ("submit", "accept", "review", "reject", "confirm_rejection"),
    Status.APPROVED: ("submit", "accept", "review", "propose", "approve"),
    Status.ANNOUNCED: ("submit", "accept", "review", "propose", "approve", "announce"),
    Status.FINAL: ("submit", "accept", "review", "propose", "approve", "announce_ended", "finalise"),
    Status.PAID: ("submit", "accept", "review", "propose", "approve", "announce_ended", "finalise", "pay"),
    Status.PAYMENT_FAILED: ("submit", "accept", "review", "propose", "approve", "announce_ended", "finalise", "fail"),
    Status.PAYMENT_CANCELLED: (*PAID_PATH[:-1], "fail", "cancel"),
    Status.RECOVERING: (*PAID_PATH, "recover", "refund_part"),
    Status.RECOVERED: (*PAID_PATH, "recover", "refund_full"),
    Status.HANDLED: ("submit", "accept", "handle"),
    Status.WITHDRAWN: ("submit", "withdraw"),
    Status.LAPSED: ("submit", "return", "lapse"),
}

# A one-page PDF: the documents the demo enterprises "uploaded".
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
    b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
SAMPLE_VALUES = {
    "summary": "本企业获得相应奖项或完成相应工作，现依据政策申报。",
    "certificate_number": "ZGZLJ-2025-012",
    "award_date": "2025-09-16",
    "contact_name": "王经理",
    "contact_phone": "0755-26880000",
    "number": "ISO 23456:2025",
    "title": "Smart manufacturing — Quality data exchange",
    # Inside the demo call's reference period (demo/calls.py: last July to this June).
    "published_on": f"{dt.date.today().year - 1}-09-30",
    "investment_period": "2025-01 至 2025-12",
}


def ensure_demo_officials() -> list[DemoAccount]:
    """The demo officials (created once; an existing account is left as it is)."""
    accounts = []
    for username, role, code, display_name in DEMO_OFFICIALS:
        department = Department.objects.get(code=code)
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "official_role": role, "department": department},
        )
        if created:
            user.set_password(DEMO_OFFICIAL_PASSWORD)
            user.save(update_fields=["password"])
        accounts.append(DemoAccount(username, DEMO_OFFICIAL_PASSWORD, role, display_name, department=department.name))
    return accounts


def _sample(spec: dict[str, Any]) -> Any:
    if spec["key"] in SAMPLE_VALUES:
        return SAMPLE_VALUES[spec["key"]]
    kind = spec["type"]
    if kind == "rows":
        return [{sub["key"]: _sample(sub) for sub in spec["fields"]} for _n in range(max(spec.get("min_rows", 1), 1))]
    if kind == "choice":
        return spec["options"][0]["value"]
    if kind == "money":
        return "1000000" if spec.get("required") else ""
    if kind == "integer":
        return "1"
    if kind == "date":
        return "2025-06-30"
    return "示例" if spec.get("required") else ""


# Each demo claim is a different certificate or standard: the same one is funded only once.
_CLAIM_SERIAL = itertools.count(12)


def _answers(incentive: Incentive) -> dict[str, dict[str, Any]]:
    serial = next(_CLAIM_SERIAL)
    answers = {
        section.key: {spec["key"]: _sample(spec) for spec in section.fields}
        for section in form_definitions.sections(incentive)
    }
    for section in answers.values():
        if "certificate_number" in section:
            section["certificate_number"] = f"ZGZLJ-2025-{serial:03d}"
        for value in section.values():
            for row in value if isinstance(value, list) else []:
                if isinstance(row, dict) and "number" in row:
                    row["number"] = f"ISO {23400 + serial}:2025"
    return answers


def _draft(user: User, incentive: Incentive, year: int, *, complete: bool) -> Application:
    application = application_create(actor=user, incentive=incentive, fiscal_year=year)
    answers = _answers(incentive)
    for section_key, section_answers in answers.items():
        application = application_save_section(
            actor=user, application=application, section_key=section_key, answers=section_answers
        )
        if not complete:
            break  # a draft half done: the first section only
    if complete:
        for required in incentive.required_documents.filter(is_mandatory=True):
            _document_add(
                actor=user,
                application=application,
                upload=SimpleUploadedFile("材料.pdf", DEMO_PDF, content_type="application/pdf"),
                required_document=required,
            )
    return Application.objects.get(pk=application.pk)


def _budget(finance: User, incentive: Incentive, year: int) -> None:
    from budgets.models import Budget
    from budgets.services import budget_set

    if not Budget.objects.filter(incentive=incentive, fiscal_year=year).exists():
        budget_set(actor=finance, incentive=incentive, fiscal_year=year, allocation=Decimal("50000000"))


def _step(step: str, application: Application, people: dict[str, User]) -> Application:
    applicant, handler, approver, finance = (people[k] for k in ("applicant", "handler", "approver", "finance"))
    if step == "submit":
        return application_submit(actor=applicant, application=application, credit_commitment=True)
    if step == "withdraw":
        return application_withdraw(actor=applicant, application=application, reason="企业决定暂不申报。")
    if step == "accept":
        return review.application_accept(actor=handler, application=application)
    if step == "return":
        return review.application_return(
            actor=handler, application=application, missing="请补充加盖公章的获奖证书复印件及表彰决定文件。"
        )
    if step == "refuse":
        return review.application_refuse(
            actor=handler, application=application, reasons="申报的标准尚未正式发布，不属于本措施支持范围。"
        )
    if step == "review":
        return review.application_start_review(actor=handler, application=application)
    if step == "handle":
        return review.application_handle(actor=handler, application=application, note="已纳入省级质量标杆培育名单。")
    if step == "propose":
        return review.application_propose(
            actor=handler, application=application, support=True, reasons="材料齐全，符合第17条支持条件。"
        )
    if step == "reject":
        return review.application_propose(
            actor=handler, application=application, support=False, reasons="获奖证书与申报主体名称不一致。"
        )
    if step == "confirm_rejection":
        return review.application_confirm_rejection(actor=approver, application=application)
    if step == "approve":
        _budget(finance, application.incentive, application.fiscal_year)
        return review.application_approve(actor=approver, application=application)
    if step == "lapse":
        # The supplement deadline is working days ahead; the demo moves it into the past (test set-up,
        # not a transition) so the beat's own function lapses it now, with its notice.
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Application.objects.filter(pk=application.pk).update(supplement_deadline=yesterday)
        review.applications_lapse_overdue()
        return Application.objects.get(pk=application.pk)
    if step in ("announce", "announce_ended"):
        from announcements.services import announcement_publish

        # A period that has already ended is published back-dated, so it can become final now.
        back = dt.timedelta(days=45) if step == "announce_ended" else dt.timedelta(0)
        announcement_publish(
            actor=handler,
            department=application.incentive.handling_department,
            applications=[application],
            title=f"{application.incentive.name}拟支持名单公示（{application.fiscal_year}年度）",
            today=timezone.localdate() - back,
        )
        return Application.objects.get(pk=application.pk)
    if step == "finalise":
        from announcements.models import AnnouncementEntry
        from announcements.services import awards_finalise_due

        entry = AnnouncementEntry.objects.select_related("announcement").get(award__application=application)
        awards_finalise_due(announcement=entry.announcement)
        return Application.objects.get(pk=application.pk)
    if step in ("pay", "fail"):
        return _disburse(application, people["finance"], paid=step == "pay")
    if step == "cancel":
        from disbursement.models import Payment
        from disbursement.services import payment_cancel

        failed = Payment.objects.get(award__application=application, status=Payment.Status.FAILED)
        payment_cancel(actor=finance, payment=failed, reason="收款单位账户已注销，经核实不再拨付。")
        return Application.objects.get(pk=application.pk)
    if step == "recover":
        from recovery.services import recovery_decide

        recovery_decide(
            actor=approver,
            application=application,
            amount=application.proposed_amount,
            reasons="经核查，获奖证书与申报主体不一致，资金拨付依据不足，依规追回。",
        )
        return Application.objects.get(pk=application.pk)
    if step in ("refund_part", "refund_full"):
        from recovery.models import Recovery
        from recovery.services import refund_record

        recovery = Recovery.objects.get(application=application)
        amount = recovery.outstanding if step == "refund_full" else (recovery.outstanding / 2).quantize(Decimal("0.01"))
        refund_record(
            actor=finance,
            recovery=recovery,
            amount=amount,
            received_on=timezone.localdate(),
            bank_reference=f"ZH-REFUND-{recovery.pk:04d}",
        )
        return Application.objects.get(pk=application.pk)
    raise ValueError(step)


def _disburse(application: Application, finance: User, *, paid: bool) -> Application:
    """A real batch for this award (its incentive has no other final award in the demo), approved
    by the second finance officer, and the bank's result recorded: paid, or failed and to retry."""
    from disbursement.models import Payment
    from disbursement.results import BankResult, payment_result_record
    from disbursement.services import batch_approve, batch_build

    built = batch_build(actor=finance, incentive=application.incentive)
    batch_approve(actor=User.objects.get(username="demo-finance2"), batch=built.batch)
    payment = Payment.objects.get(batch=built.batch, award__application=application)
    result = (
        BankResult(status=Payment.Status.PAID, paid_on=timezone.localdate(), bank_reference="ICBC-DEMO-0001")
        if paid
        else BankResult(status=Payment.Status.FAILED, failure_reason="户名与账号不符，银行退票。")
    )
    payment_result_record(actor=finance, payment_id=payment.pk, result=result)
    return Application.objects.get(pk=application.pk)


def ensure_demo_applications() -> list[Application]:
    """The demo applications, one per state (creates only those missing); returns all of them."""
    ensure_demo_accounts()
    ensure_demo_officials()
    users = {u.username: u for u in User.objects.filter(username__in=[*APPLICANT_USERS.values(), "demo-finance"])}
    officials = {u.username: u for u in User.objects.filter(username__startswith="demo-").exclude(official_role="")}
    this_year = timezone.localdate().year
    made = []
    for spec in DEMO_APPLICATIONS:
        applicant_user = users[APPLICANT_USERS[spec.applicant]]
        assert applicant_user.applicant_id is not None, "the demo's applicant users are seeded with their applicant"
        incentive = Incentive.objects.select_related("handling_department").get(code=spec.incentive)
        year = this_year + spec.year_offset
        existing = Application.objects.filter(
            applicant_id=applicant_user.applicant_id, incentive=incentive, fiscal_year=year
        ).first()
        if existing is not None:
            made.append(existing)
            continue
        code = incentive.handling_department.code
        people = {
            "applicant": applicant_user,
            "handler": officials[f"demo-handler-{code}"],
            "approver": officials[f"demo-approver-{code}"],
            "finance": users["demo-finance"],
        }
        with transaction.atomic():
            application = _draft(applicant_user, incentive, year, complete=spec.status != Status.DRAFT)
            for step in PATHS[spec.status]:
                application = _step(step, application, people)
        made.append(application)
    return made
