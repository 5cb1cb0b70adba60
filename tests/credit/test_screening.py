"""The four screening points (信用审查): a listed enterprise is refused at submission, at approval,
when a proactive offer is made (or confirmed) and when a payment batch is built, with the reason
and the list named; the API answers 409 `credit_listed`. Nothing changes when it is refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import OfficialRole
from applications.models import Application, Status
from applications.review import application_approve
from applications.services import CreditListedRefusal, application_submit
from audit.models import AuditEvent
from awards.models import Award
from budgets.services import budget_set
from credit.models import CreditCommitment
from disbursement.models import Payment
from disbursement.services import NothingToPay, batch_build
from portal.models import Sequence
from proactive.list_file import ListFile
from proactive.offers import proactive_offer_confirm
from proactive.services import ProactiveError, proactive_list_import
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import (
    BankAccountFactory,
    CreditListEntryFactory,
    EnterpriseUserFactory,
    IndividualUserFactory,
    OfficialFactory,
    incentive_by_code,
    make_uscc,
)
from tests.support.announcements import proposed_through_services, set_budget
from tests.support.disbursement import final_award, finance

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
SUBMIT = "/api/v1/applications/{key}/submit/"


def listed(applicant, list_name: str = "严重失信主体名单"):
    return CreditListEntryFactory(uscc=applicant.uscc, name=applicant.name, list_name=list_name)


# ── 1. at submission ───────────────────────────────────────────────────────────────────────────


def test_a_listed_enterprise_cannot_submit_and_nothing_changes() -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    entry = listed(user.applicant, "失信被执行人名单")
    events, numbers = AuditEvent.objects.count(), list(Sequence.objects.values_list("series", "last"))
    with pytest.raises(CreditListedRefusal) as refused:
        application_submit(actor=user, application=draft, credit_commitment=True)
    assert refused.value.code == "credit_listed" and refused.value.entry == entry
    assert "“失信被执行人名单”" in refused.value.message and user.applicant.uscc in refused.value.message
    draft.refresh_from_db()
    assert (draft.status, draft.reference, draft.submitted_at) == (Status.DRAFT, None, None)
    assert AuditEvent.objects.count() == events and not CreditCommitment.objects.exists()
    assert list(Sequence.objects.values_list("series", "last")) == numbers  # no reference number taken


def test_an_expired_entry_does_not_refuse(administrator) -> None:
    user = EnterpriseUserFactory()
    CreditListEntryFactory(
        uscc=user.applicant.uscc, listed_on=TODAY - dt.timedelta(days=900), until=TODAY - dt.timedelta(days=1)
    )
    submitted = application_submit(actor=user, application=complete_draft(user, FIXED), credit_commitment=True)
    assert submitted.status == Status.SUBMITTED


def test_individuals_are_not_screened_by_credit_code() -> None:
    person = IndividualUserFactory()
    CreditListEntryFactory(uscc=make_uscc(720001), name=person.applicant.name)  # same name, a company's code
    submitted = application_submit(
        actor=person, application=complete_draft(person, "m17-china-quality-award-ind"), credit_commitment=True
    )
    assert submitted.status == Status.SUBMITTED


def test_the_submit_page_and_the_api_refuse_with_409_naming_the_list(page_client, api_client) -> None:
    user = EnterpriseUserFactory()
    draft = complete_draft(user, FIXED)
    listed(user.applicant)
    page = page_client(user).post(f"/applications/{draft.pk}/submit/", {"credit_commitment": "yes"})
    assert page.status_code == 409
    assert "is on the list “严重失信主体名单”" in page.content.decode()
    response = api_client(user).post(SUBMIT.format(key=draft.pk), {"credit_commitment": True}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "credit_listed" and "严重失信主体名单" in response.json()["detail"]
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


# ── 2. at approval ─────────────────────────────────────────────────────────────────────────────


def test_approval_of_a_listed_enterprise_is_refused(handler, approver, api_client) -> None:
    set_budget("100000000")
    user = EnterpriseUserFactory()
    proposed = proposed_through_services(handler, user=user)
    listed(user.applicant)  # listed while the department reviewed it
    with pytest.raises(CreditListedRefusal):
        application_approve(actor=approver, application=proposed)
    response = api_client(approver).post(f"/api/v1/applications/{proposed.reference}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "credit_listed"
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED and proposed.decided_by is None and not Award.objects.exists()


def test_the_approve_button_on_the_page_answers_409_with_the_reason(handler, approver, page_client) -> None:
    set_budget("100000000")
    user = EnterpriseUserFactory()
    proposed = proposed_through_services(handler, user=user)
    listed(user.applicant)
    response = page_client(approver).post(
        f"/review/{proposed.reference}/actions/approve/", {"approve-version": str(proposed.version)}
    )
    assert response.status_code == 409
    assert "严重失信主体名单" in response.content.decode()
    assert Application.objects.get(pk=proposed.pk).status == Status.PROPOSED


# ── 3. proactive offers ────────────────────────────────────────────────────────────────────────


def champion_import(actor, *rows, dry_run: bool):
    list_file = ListFile.from_rows(
        ["统一社会信用代码", "企业名称", "年度"], [[code, name, YEAR] for code, name in rows]
    )
    return proactive_list_import(
        actor=actor,
        incentive=incentive_by_code("m3-national-single-champion"),
        qualification="national_single_champion",
        year=YEAR,
        list_file=list_file,
        amount=Decimal("500000"),
        title=f"{YEAR}年国家级制造业单项冠军企业名单",
        dry_run=dry_run,
    )


def test_listed_enterprises_get_no_proactive_offer_and_the_preview_says_why(administrator, api_client) -> None:
    clean, dishonest = EnterpriseUserFactory().applicant, EnterpriseUserFactory().applicant
    listed(dishonest)
    rows = [(clean.uscc, clean.name), (dishonest.uscc, dishonest.name)]
    preview = champion_import(administrator, *rows, dry_run=True)
    outcomes = {r.uscc: r.outcome for r in preview.rows}
    assert outcomes == {clean.uscc: "offer", dishonest.uscc: "credit_listed"}
    assert preview.offer_count == 1 and preview.listed_count == 1
    assert "严重失信主体名单" in next(r.listed_reason for r in preview.rows if r.uscc == dishonest.uscc)

    outcome = champion_import(administrator, *rows, dry_run=False)
    assert [a.applicant for a in outcome.offers] == [clean]
    assert not Application.objects.filter(applicant=dishonest).exists()
    row = outcome.award_list.rows.get(uscc=dishonest.uscc)
    assert row.applicant == dishonest and row.application is None
    event = AuditEvent.objects.get(action="proactive_list.import")
    assert event.after["credit_listed"] == [dishonest.uscc]


def test_an_offer_made_before_the_listing_cannot_be_confirmed(administrator, api_client) -> None:
    user = EnterpriseUserFactory()
    BankAccountFactory(applicant=user.applicant)
    budget_set(
        actor=OfficialFactory(role=OfficialRole.FINANCE),
        incentive=incentive_by_code("m3-national-single-champion"),
        fiscal_year=YEAR,
        allocation=Decimal("10000000"),
    )
    offer = champion_import(administrator, (user.applicant.uscc, user.applicant.name), dry_run=False).offers[0]
    listed(user.applicant)
    with pytest.raises(ProactiveError) as refused:
        proactive_offer_confirm(actor=user, application=offer)
    assert refused.value.code == "credit_listed"
    response = api_client(user).post(f"/api/v1/applications/{offer.reference}/confirm-offer/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "credit_listed"
    offer.refresh_from_db()
    assert offer.status == Status.OFFERED and not Award.objects.exists()


# ── 4. the payment batch ───────────────────────────────────────────────────────────────────────


def test_a_listed_payee_is_left_out_of_the_batch_with_the_reason() -> None:
    paid, held = final_award(), final_award()
    listed(held.application.applicant)
    built = batch_build(actor=finance())
    assert list(Payment.objects.values_list("award_id", flat=True)) == [paid.pk]
    [skipped] = built.skipped
    assert skipped.code == "credit_listed" and skipped.application == held.application.reference
    assert "严重失信主体名单" in skipped.reason
    assert AuditEvent.objects.get(action="disbursement.build").after["skipped"] == [held.application.reference]
    # The held award waits: it is still final, and taken by a batch once the listing ends.
    held.refresh_from_db()
    assert held.status == Award.Status.FINAL


def test_a_batch_of_listed_payees_only_is_refused_saying_why(api_client) -> None:
    award = final_award()
    listed(award.application.applicant)
    with pytest.raises(NothingToPay) as nothing:
        batch_build(actor=finance())
    assert [s.code for s in nothing.value.skipped] == ["credit_listed"]
    response = api_client(finance()).post("/api/v1/disbursements/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["skipped"][0]["code"] == "credit_listed" and not Payment.objects.exists()


def test_the_build_page_marks_the_listed_payee(page_client) -> None:
    award = final_award()
    listed(award.application.applicant)
    page = page_client(finance()).get("/finance/batches/new/", {"department": ""}).content.decode()
    assert "On the list “严重失信主体名单”: left out" in page
