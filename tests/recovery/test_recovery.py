"""Recovery (追回) through the services: an approver decides, the applicant is told and gets the
notice, finance records refunds until the amount is back; the rules on amounts, states and roles;
the ban from applying enforced at submission; budgets and reports show what was recovered."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import Notification, OfficialRole
from applications.models import ClaimKey, Notice, Status
from applications.services import ApplicationConflict, application_submit
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEvent
from budgets.models import Budget
from budgets.selectors import budget_totals, budgets_overview
from recovery.models import Recovery, Refund
from recovery.services import NotAllowed, RecoveryError, WrongState, ban_end, recovery_decide, refund_record
from reports.scope import ReportScope
from reports.selectors import budgets_by_incentive, ledger_rows, ledger_totals
from tests.applications.helpers import complete_draft
from tests.notices.conftest import pdffonts, pdftotext
from tests.support.disbursement import final_award
from tests.support.recovery import applicant_user, fresh, paid_award

pytestmark = pytest.mark.django_db

OTHER_INCENTIVE = "m17-provincial-quality-award-org"  # amr too; the banned applicant tries to apply for it


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def decide(approver, award, amount="1000000", *, ban_years=0, reasons="获奖证书与申报主体不一致。") -> Recovery:
    return recovery_decide(
        actor=approver,
        application=fresh(award.application),
        amount=Decimal(amount),
        reasons=reasons,
        ban_years=ban_years,
    )


def refund(officer, recovery, amount, reference, day=None):
    return refund_record(
        actor=officer,
        recovery=Recovery.objects.get(pk=recovery.pk),
        amount=Decimal(amount),
        received_on=day or timezone.localdate(),
        bank_reference=reference,
    )


def test_a_partial_recovery_is_refunded_in_two_parts_then_the_rest_is_recovered(
    approver, finance_officer, django_capture_on_commit_callbacks
) -> None:
    award = paid_award("3000000")
    application = award.application
    notifications = Notification.objects.filter(user__applicant=application.applicant)
    before = notifications.count()

    with django_capture_on_commit_callbacks(execute=True):
        recovery = decide(approver, award, "1000000")

    assert recovery.number == f"ZH-{timezone.localdate().year}-0001"
    assert (recovery.amount, recovery.refunded, recovery.ban_years, recovery.banned_until) == (
        Decimal("1000000.00"),
        Decimal("0"),
        0,
        None,
    )
    assert fresh(application).status == Status.RECOVERING
    event = AuditEvent.objects.get(action="application.recover", object_id=str(application.pk))
    assert event.actor == approver and event.reason == "获奖证书与申报主体不一致。"
    assert event.after["recovery"] == recovery.number and event.after["amount"] == "1000000.00"
    assert event.after["paid"] == "3000000.00" and recovery.event_sequence == event.sequence
    told = notifications.order_by("-pk").first()
    assert notifications.count() == before + 1 and recovery.number in told.body
    assert told.link == f"/recovery/{recovery.number}/"
    notice = Notice.objects.get(application=application, kind=Notice.Kind.RECOVERY)
    assert notice.event_sequence == event.sequence and notice.essentials["amount"] == "1000000.00"

    # Finance records the refunds as the bank shows them: partial ones add up.
    refund(finance_officer, recovery, "400000", "RF-001")
    recovery.refresh_from_db()
    assert recovery.refunded == Decimal("400000.00") and recovery.completed_at is None
    assert fresh(application).status == Status.RECOVERING
    refund_event = AuditEvent.objects.get(action="recovery.refund")
    assert refund_event.after["refunded"] == "400000.00" and refund_event.actor == finance_officer

    with django_capture_on_commit_callbacks(execute=True):
        refund(finance_officer, recovery, "600000", "RF-002")
    recovery.refresh_from_db()
    assert recovery.refunded == recovery.amount and recovery.completed_at is not None
    assert fresh(application).status == Status.RECOVERED
    assert AuditEvent.objects.filter(action="application.recovered", object_id=str(application.pk)).count() == 1
    assert "refunded in full" in notifications.order_by("-pk").first().body

    # What remains of the award may be recovered later: at most 2,000,000 now.
    with pytest.raises(RecoveryError) as too_much:
        decide(approver, award, "2000000.01")
    assert too_much.value.field == "amount"
    assert "At most 2,000,000.00 CNY" in too_much.value.message
    second = decide(approver, award, "2000000")
    assert second.number.endswith("-0002") and fresh(application).status == Status.RECOVERING
    # The claim stays funded: money recovered is not a claim freed for another applicant.
    assert not ClaimKey.objects.filter(application=application, funded=False).exists()


def test_a_refund_above_what_is_outstanding_is_refused_and_changes_nothing(approver, finance_officer) -> None:
    award = paid_award("3000000")
    recovery = decide(approver, award, "1000000")
    refund(finance_officer, recovery, "999999.99", "RF-1")
    events = AuditEvent.objects.count()

    with pytest.raises(RecoveryError) as over:
        refund(finance_officer, recovery, "0.02", "RF-2")
    assert over.value.field == "amount" and "At most 0.01 CNY remains" in over.value.message
    with pytest.raises(RecoveryError) as twice:
        refund(finance_officer, recovery, "0.01", "RF-1")  # the same bank transfer again
    assert twice.value.field == "bank_reference"
    for amount, day, field in (
        ("0", None, "amount"),
        ("-1", None, "amount"),
        ("0.01", timezone.localdate() + dt.timedelta(days=1), "received_on"),
        ("0.01", timezone.localdate() - dt.timedelta(days=400), "received_on"),
    ):
        with pytest.raises(RecoveryError) as refused:
            refund(finance_officer, recovery, amount, "RF-X", day)
        assert refused.value.field == field, (amount, day)

    recovery.refresh_from_db()
    assert recovery.refunded == Decimal("999999.99") and Refund.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert fresh(award.application).status == Status.RECOVERING

    refund(finance_officer, recovery, "0.01", "RF-3")
    with pytest.raises(WrongState):
        refund(finance_officer, recovery, "0.01", "RF-4")
    assert Recovery.objects.get(pk=recovery.pk).refunded == recovery.amount


def test_the_amount_the_reasons_the_ban_and_the_award_are_checked(approver) -> None:
    award = paid_award("3000000")
    for amount, ban, reasons, field in (
        ("0", 0, "理由", "amount"),
        ("-5", 0, "理由", "amount"),
        ("3000000.01", 0, "理由", "amount"),
        ("1", 6, "理由", "ban_years"),
        ("1", -1, "理由", "ban_years"),
        ("1", 0, "  ", "reasons"),
    ):
        with pytest.raises(RecoveryError) as refused:
            decide(approver, award, amount, ban_years=ban, reasons=reasons)
        assert refused.value.field == field, (amount, ban, reasons)
    assert not Recovery.objects.exists()
    assert fresh(award.application).status == Status.PAID
    assert not AuditEvent.objects.filter(action="application.recover").exists()

    unpaid = final_award("1000000")  # final, not paid: nothing to recover
    with pytest.raises(TransitionNotAllowed):
        decide(approver, unpaid, "1")
    assert decide(approver, award, "3000000").amount == Decimal("3000000.00")  # all of it


def test_only_an_approver_of_the_responsible_department_decides_and_only_finance_records_refunds(
    approver, handler, finance_officer, make_official
) -> None:
    award = paid_award("3000000")
    other_approver = make_official(OfficialRole.APPROVER, "miit")
    administrator = make_official(OfficialRole.ADMINISTRATOR, None)
    for official in (handler, finance_officer, other_approver, administrator, applicant_user(award)):
        with pytest.raises(TransitionNotAllowed):
            decide(official, award)
    assert not Recovery.objects.exists() and fresh(award.application).status == Status.PAID

    recovery = decide(approver, award)  # four-eyes is not required: the approver decides alone
    for official in (approver, handler, administrator, applicant_user(award)):
        with pytest.raises(NotAllowed):
            refund(official, recovery, "1", "RF-1")
    assert Recovery.objects.get(pk=recovery.pk).refunded == 0


# ── the ban from applying, at submission ─────────────────────────────────────────────────────


def test_a_banned_applicant_is_refused_at_submission_until_the_ban_ends(approver) -> None:
    award = paid_award("3000000")
    user = applicant_user(award)
    recovery = decide(approver, award, "500000", ban_years=5)
    today = timezone.localdate()
    assert recovery.banned_until == ban_end(today, 5)
    assert recovery.banned_until == today.replace(year=today.year + 5) - dt.timedelta(days=1)
    draft = complete_draft(user, OTHER_INCENTIVE)

    with pytest.raises(ApplicationConflict) as refused:
        application_submit(actor=user, application=draft, credit_commitment=True)

    assert refused.value.code == "applicant_banned"
    assert recovery.banned_until.isoformat() in refused.value.message
    assert recovery.number in refused.value.message and award.application.reference in refused.value.message
    draft.refresh_from_db()
    assert (draft.status, draft.reference) == (Status.DRAFT, None)
    assert not ClaimKey.objects.filter(application=draft).exists()  # the submission rolled back whole

    # The last day of the ban still refuses; the day after, the applicant may apply again.
    Recovery.objects.filter(pk=recovery.pk).update(banned_until=today)
    with pytest.raises(ApplicationConflict):
        application_submit(actor=user, application=draft, credit_commitment=True)
    Recovery.objects.filter(pk=recovery.pk).update(banned_until=today - dt.timedelta(days=1))
    submitted = application_submit(actor=user, application=draft, credit_commitment=True)
    assert submitted.status == Status.SUBMITTED and submitted.reference


def test_a_recovery_without_a_ban_does_not_stop_applying(approver) -> None:
    award = paid_award("3000000")
    user = applicant_user(award)
    decide(approver, award, "500000", ban_years=0)
    assert (
        application_submit(actor=user, application=complete_draft(user, OTHER_INCENTIVE), credit_commitment=True).status
        == Status.SUBMITTED
    )


def test_a_ban_ends_the_day_before_the_anniversary_even_from_29_february() -> None:
    assert ban_end(dt.date(2026, 3, 1), 1) == dt.date(2027, 2, 28)
    assert ban_end(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 27)
    assert ban_end(dt.date(2026, 3, 1), 0) is None


# ── the recovery notice ──────────────────────────────────────────────────────────────────────


def test_the_recovery_notice_states_the_decision_and_is_verifiable(
    approver, client, django_capture_on_commit_callbacks
) -> None:
    award = paid_award("3000000")
    with django_capture_on_commit_callbacks(execute=True):
        recovery = decide(approver, award, "1250000.50", ban_years=3, reasons="虚报获奖材料，骗取财政资金。")
    notice = Notice.objects.get(application=award.application, kind=Notice.Kind.RECOVERY)

    flat = re.sub(r"\s+", "", pdftotext(notice.pdf.path))
    for expected in (
        "追回资金决定通知书",
        award.application.applicant.name,
        award.application.reference,
        recovery.number,
        "人民币1,250,000.50元",
        "壹佰贰拾伍万元伍角",
        "人民币3,000,000.00元",  # what was paid
        "虚报获奖材料，骗取财政资金。",
        "3年内",
        "60日内依法申请行政复议",
    ):
        assert expected in flat, expected
    assert notice.number.endswith(f"{award.application.reference}-ZH")
    assert any(
        re.search(r"Noto|WenQuanYi|WQY|CJK", f["name"], re.I) and f["emb"] == "yes" for f in pdffonts(notice.pdf.path)
    )
    assert notice.essentials["recovery"] == recovery.number and notice.essentials["ban_years"] == 3

    page = client.get(f"/verify/{notice.verification_code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert notice.number in page and award.application.applicant.name in page
    api = client.get(f"/api/v1/verify/{notice.verification_code}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (api["kind"], api["amount"], api["reference"]) == ("recovery", "1250000.50", award.application.reference)


# ── budgets and the ledger ───────────────────────────────────────────────────────────────────


def test_budgets_and_the_ledger_show_what_was_recovered_and_remaining_does_not_grow(approver, finance_officer) -> None:
    award = paid_award("3000000")
    paid_award("1000000")
    budget = Budget.objects.get()
    remaining = budgets_overview().get().remaining_amount
    recovery = decide(approver, award, "1000000")
    refund(finance_officer, recovery, "300000", "RF-1")

    row = budgets_overview().get()
    assert (row.paid, row.recovered_amount, row.remaining_amount) == (
        Decimal("4000000.00"),
        Decimal("300000.00"),
        remaining,  # refunds go back to the treasury, not to the allocation
    )
    totals = budget_totals(budgets_overview(fiscal_year=budget.fiscal_year))
    assert (totals["paid"], totals["recovered"]) == (Decimal("4000000.00"), Decimal("300000.00"))

    scope = ReportScope.of_department(None)
    [by_incentive] = budgets_by_incentive(scope, budget.fiscal_year)
    assert (by_incentive.paid, by_incentive.recovered) == (Decimal("4000000.00"), Decimal("300000.00"))
    rows = {row[8]: row for row in ledger_rows(scope, budget.fiscal_year)}  # by application reference
    assert rows[award.application.reference][-1] == Decimal("300000.00")
    assert sum(row[-1] for row in rows.values()) == Decimal("300000.00")
    assert ledger_totals(scope, budget.fiscal_year)["recovered"] == Decimal("300000.00")
