"""The officials' pages: the queue (filters, sort, counts, claim and assign, accepting several at
once) and the application page (answers, documents viewed inline and recorded, the applicant's
profile masked until shown on purpose, the amount's trace, checklist, internal comments, history,
notices, and only the actions the workflow allows, each with its form)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Applicant, BankAccount
from applications import review
from applications.models import Application, Notice, Status
from applications.services import application_submit
from audit.models import AuditEvent
from measures.models import Incentive
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import BankAccountFactory, EnterpriseUserFactory, IndividualUserFactory, QualificationFactory

from .conftest import fund, submit_new

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _listed(html: str) -> list[str]:
    return re.findall(r'class="app-reference">(QB-[0-9-]+)<', html)


# ── the queue ────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def queue(handler):
    """Four applications of miit's incentives in three states, from two cities, one overdue."""
    shenzhen = EnterpriseUserFactory(applicant__city="shenzhen", applicant__size="small")
    a = submit_new()
    b = submit_new(shenzhen)
    c = review.application_accept(actor=handler, application=submit_new())
    Application.objects.filter(pk=c.pk).update(stage_due_on=dt.date(2020, 3, 2))  # overdue
    d = review.application_return(actor=handler, application=submit_new(), missing="x")
    return {"a": a, "b": b, "c": Application.objects.get(pk=c.pk), "d": d}


def test_the_queue_lists_deadline_first_with_counts_and_overdue_flags(queue, handler, page_client) -> None:
    html = _html(page_client(handler).get(reverse("review:queue")))
    listed = _listed(html)
    # Deadline first: overdue c, then a and b (acceptance due in 5 working days from submission),
    # then d (its supplement deadline, 10 working days).
    assert listed == [queue[k].reference for k in ("c", "a", "b", "d")]
    assert html.count("review-overdue-tag") == 1
    assert re.search(r"Submitted <span class=\"review-count\">2</span>", html)
    assert re.search(r"Accepted <span class=\"review-count\">1</span>", html)
    assert re.search(r"Returned for supplement <span class=\"review-count\">1</span>", html)
    # Open states are counted; "All" is not (a department's closed applications run to millions).
    assert re.search(r"All</a>", html) and "4 open applications under these filters" in html


def test_a_closed_applications_old_due_date_neither_sorts_nor_shows(queue, handler, page_client) -> None:
    closed = review.application_handle(
        actor=handler,
        application=review.application_accept(actor=handler, application=submit_new(code="m20-guangdong-famous-brand")),
    )
    Application.objects.filter(pk=closed.pk).update(stage_due_on=dt.date(2019, 1, 1))
    html = _html(page_client(handler).get(reverse("review:queue")))
    assert _listed(html)[:2] == [queue["c"].reference, queue["a"].reference]
    assert "2019-01-01" not in html
    assert html.count("review-overdue-tag") == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=submitted", ["a", "b"]),
        ("city=shenzhen", ["b"]),
        ("size=small", ["b"]),
        ("overdue=on", ["c"]),
        ("mine=on", ["c"]),  # accepting assigns; returning does not
        ("measure=17", ["c", "a", "b", "d"]),
        ("measure=15", []),
        (f"incentive={FIXED}", ["c", "a", "b", "d"]),
        ("incentive=m20-guangdong-famous-brand", []),
        ("sort=-submitted", ["d", "c", "b", "a"]),
        ("sort=submitted&status=submitted", ["a", "b"]),
        ("status=nonsense&measure=x", ["c", "a", "b", "d"]),  # invalid filters are left out
    ],
)
def test_the_queue_filters(queue, handler, page_client, query: str, expected: list[str]) -> None:
    html = _html(page_client(handler).get(f"{reverse('review:queue')}?{query}"))
    assert _listed(html) == [queue[k].reference for k in expected]


def test_the_status_tabs_keep_the_other_filters(queue, handler, page_client) -> None:
    html = _html(page_client(handler).get(f"{reverse('review:queue')}?city=guangzhou&status=accepted"))
    assert 'href="?city=guangzhou&amp;status=submitted"' in html
    assert 'href="?city=guangzhou" ' in html or 'href="?city=guangzhou">' in html
    assert 'aria-current="page"' in html


def test_the_queue_is_paginated(handler, page_client) -> None:
    for _n in range(26):
        submit_new()
    client = page_client(handler)
    first = _html(client.get(reverse("review:queue")))
    assert len(_listed(first)) == 25
    assert "Previous page" not in first
    following = re.search(r'href="(\?cursor=[^"]+)" rel="next"', first)
    assert following is not None
    second = _html(client.get(reverse("review:queue") + following.group(1).replace("&amp;", "&")))
    assert len(_listed(second)) == 1 and "Next page" not in second
    assert set(_listed(second)).isdisjoint(_listed(first))
    back = re.search(r'href="(\?cursor=[^"]+)" rel="prev"', second)
    assert back is not None
    assert _listed(_html(client.get(reverse("review:queue") + back.group(1).replace("&amp;", "&")))) == _listed(first)
    # An edited cursor starts again from the first page rather than failing.
    assert (
        client.get(reverse("review:queue") + "?cursor=nonsense&city=guangzhou")["Location"] == "/review/?city=guangzhou"
    )


def test_claim_and_assign_from_the_queue(queue, handler, handler2, approver, page_client) -> None:
    client = page_client(handler)
    html = _html(client.get(reverse("review:queue")))
    assert html.count("Assign to me") == 3  # a, b and d (c is already the handler's)
    url = reverse("review:assign", args=[queue["a"].reference])
    response = client.post(url, {"handler": handler.pk, "next": "/review/?status=submitted"})
    assert response.status_code == 302 and response["Location"] == "/review/?status=submitted"
    assert Application.objects.get(pk=queue["a"].pk).assigned_to == handler
    client.post(url, {"handler": handler2.pk})
    assert Application.objects.get(pk=queue["a"].pk).assigned_to == handler2
    assert AuditEvent.objects.filter(action="application.assign", object_id=str(queue["a"].pk)).count() == 2
    # Not to an approver, not to a foreign site.
    response = client.post(url, {"handler": approver.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("review:application", args=[queue["a"].reference])
    assert Application.objects.get(pk=queue["a"].pk).assigned_to == handler2
    # Approvers see the queue but neither claim nor accept in bulk.
    approver_html = _html(page_client(approver).get(reverse("review:queue")))
    assert "Assign to me" not in approver_html and 'name="references"' not in approver_html


def test_accept_several_at_once_shows_each_result(queue, handler, page_client) -> None:
    client = page_client(handler)
    html = _html(client.get(reverse("review:queue")))
    assert html.count('name="references"') == 2  # only the submitted ones
    response = client.post(
        reverse("review:accept_many"),
        {"references": [queue["a"].reference, queue["b"].reference, queue["c"].reference, "QB-2026-17-999999"]},
    )
    html = _html(response)
    assert Application.objects.get(pk=queue["a"].pk).status == Status.ACCEPTED
    assert Application.objects.get(pk=queue["b"].pk).status == Status.ACCEPTED
    assert "2 accepted, 2 not accepted" in html
    assert "is not possible while the application is “Accepted”" in html  # c was accepted already
    assert "Not found in your queue." in html


def test_accepting_nothing_says_so(handler, page_client) -> None:
    client = page_client(handler)
    response = client.post(reverse("review:accept_many"), {})
    assert response.status_code == 302
    assert "Select at least one" in _html(client.get(response["Location"]))


# ── the application page ─────────────────────────────────────────────────────────────────────


def test_the_page_shows_answers_documents_profile_trace_and_history(handler, page_client) -> None:
    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    BankAccountFactory(applicant=user.applicant, account_number="6222020200112233445")
    application = submit_new(user)
    html = _html(page_client(handler).get(reverse("review:application", args=[application.reference])))
    assert "Award or recognition certificate number" in html and "CQA-2025-001" in html  # labelled answers
    assert "王五" in html  # the contact section
    document = application.documents.first()
    assert reverse("review:document", args=[application.reference, document.pk]) in html
    assert user.applicant.uscc in html
    assert "China Quality Award" in html  # the qualification
    assert "***************3445" in html and "6222020200112233445" not in html  # masked
    assert "3,000,000.00" in html  # the engine's amount, with its trace
    assert 'class="trace"' in html
    assert "Submitted" in html and "Draft started" in html  # the full history
    assert 'id="action-accept"' in html and 'id="action-return"' in html and 'id="action-refuse"' in html
    assert 'id="action-approve"' not in html and 'id="action-propose"' not in html


def test_viewing_a_document_streams_it_inline_and_records_it(handler, submitted, page_client) -> None:
    document = submitted.documents.first()
    response = page_client(handler).get(reverse("review:document", args=[submitted.reference, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="document.view")
    assert (event.actor, event.object_id, event.after) == (handler, str(submitted.pk), {"document": document.pk})
    assert not event.visible_to_applicant
    html = _html(page_client(handler).get(reverse("review:application", args=[submitted.reference])))
    assert "Document viewed by an official" in html
    # The document of another application is a 404, even with a valid id.
    other = submit_new()
    response = page_client(handler).get(reverse("review:document", args=[other.reference, document.pk]))
    assert response.status_code == 404


def test_the_full_resident_id_is_shown_once_on_purpose_and_recorded(handler, page_client) -> None:
    person = IndividualUserFactory()
    application = application_submit(
        actor=person, application=complete_draft(person, "m17-china-quality-award-ind"), credit_commitment=True
    )
    resident_id = Applicant.objects.get(pk=person.applicant_id).resident_id
    client = page_client(handler)
    url = reverse("review:application", args=[application.reference])
    html = _html(client.get(url))
    assert resident_id not in html
    assert resident_id[:6] + "********" + resident_id[-4:] in html
    assert "Show the full ID" in html
    response = client.post(reverse("review:reveal", args=[application.reference]), {"what": "resident_id"})
    assert resident_id in _html(response)
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="personal_data.view")
    assert (event.actor, event.after, event.visible_to_applicant) == (handler, {"field": "resident_id"}, False)
    assert resident_id not in _html(client.get(url))  # once: masked again on the next visit
    # Nothing to show: no bank account yet.
    assert (
        client.post(reverse("review:reveal", args=[application.reference]), {"what": "bank_account"}).status_code == 404
    )
    assert client.get(reverse("review:reveal", args=[application.reference])).status_code == 405


def test_the_full_bank_account_number_is_shown_on_purpose_and_recorded(handler, page_client) -> None:
    user = EnterpriseUserFactory()
    BankAccount.objects.create(
        applicant=user.applicant, account_name=user.applicant.name, bank_name="工行", account_number="6222000011112222"
    )
    application = submit_new(user)
    response = page_client(handler).post(
        reverse("review:reveal", args=[application.reference]), {"what": "bank_account"}
    )
    assert "6222000011112222" in _html(response)
    assert AuditEvent.objects.get(action="personal_data.view").after == {"field": "bank_account"}


def test_the_checklist_is_ticked_and_recorded(handler, approver, submitted, page_client) -> None:
    Incentive.objects.filter(pk=submitted.incentive_id).update(
        review_checklist=[{"text": "证书真实有效", "text_en": "The certificate is genuine"}, "名称一致"]
    )
    client = page_client(handler)
    html = _html(client.get(reverse("review:application", args=[submitted.reference])))
    assert "The certificate is genuine" in html and "名称一致" in html
    response = client.post(reverse("review:checklist", args=[submitted.reference]), {"item_0": "on"})
    assert response.status_code == 302
    assert Application.objects.get(pk=submitted.pk).checklist == {"0": True, "1": False}
    assert AuditEvent.objects.filter(action="application.checklist").count() == 1
    # An approver reads the checklist but does not tick it.
    approver_html = _html(page_client(approver).get(reverse("review:application", args=[submitted.reference])))
    assert "✓ The certificate is genuine" in approver_html
    assert 'action="/review/' + submitted.reference + '/checklist/"' not in approver_html


def test_internal_comments_stay_internal(handler, approver, submitted, enterprise_user, page_client) -> None:
    client = page_client(handler)
    response = client.post(reverse("review:comment", args=[submitted.reference]), {"text": "证书编号待核实"})
    assert response.status_code == 302
    page_client(approver).post(reverse("review:comment", args=[submitted.reference]), {"text": "同意"})
    html = _html(client.get(reverse("review:application", args=[submitted.reference])))
    assert "证书编号待核实" in html and "同意" in html
    empty = client.post(reverse("review:comment", args=[submitted.reference]), {"text": "  "})
    assert empty.status_code == 400 and "The comment is empty." in empty.content.decode()
    # The applicant sees neither the comments nor their events.
    applicant_html = _html(page_client(enterprise_user).get(reverse("applications:detail", args=[submitted.reference])))
    assert "证书编号待核实" not in applicant_html and "同意" not in applicant_html
    history = page_client(enterprise_user).get(f"/api/v1/applications/{submitted.reference}/history/").json()
    assert "application.comment" not in str(history)


def test_accept_from_the_page(handler, submitted, page_client) -> None:
    client = page_client(handler)
    url = reverse("review:act", args=[submitted.reference, "accept"])
    response = client.post(url, {"accept-version": submitted.version})
    assert response.status_code == 302
    accepted = Application.objects.get(pk=submitted.pk)
    assert accepted.status == Status.ACCEPTED and accepted.assigned_to == handler
    html = _html(client.get(response["Location"]))
    assert f"is accepted. The review is due by {accepted.stage_due_on:%Y-%m-%d}." in html
    assert 'id="action-review"' in html
    assert 'id="action-accept"' not in html and 'id="action-handle"' not in html


def test_return_needs_the_missing_items_and_shows_the_deadline(handler, submitted, page_client) -> None:
    client = page_client(handler)
    url = reverse("review:act", args=[submitted.reference, "return"])
    empty = client.post(url, {"return-version": submitted.version, "return-missing": " "})
    assert empty.status_code == 400
    html = empty.content.decode()
    assert "There is a problem" in html and 'href="#id_return-missing"' in html
    assert "Say what the applicant must supply." in html
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    response = client.post(url, {"return-version": submitted.version, "return-missing": "获奖证书原件扫描件"})
    returned = Application.objects.get(pk=submitted.pk)
    assert returned.status == Status.RETURNED and returned.supplement_request == "获奖证书原件扫描件"
    html = _html(client.get(response["Location"]))
    assert f"must answer by {returned.supplement_deadline:%Y-%m-%d}." in html
    assert "获奖证书原件扫描件" in html


def test_a_stale_version_is_refused_with_who_changed_it(handler, handler2, submitted, page_client) -> None:
    seen = submitted.version
    review.comment_add(actor=handler2, application=submitted, text="x")  # a comment changes no version
    review.application_assign(actor=handler2, application=submitted, handler=handler2)  # nor an assignment
    Application.objects.filter(pk=submitted.pk).update(version=seen + 1)  # someone else's save
    response = page_client(handler).post(
        reverse("review:act", args=[submitted.reference, "refuse"]),
        {"refuse-version": seen, "refuse-reasons": "资格不符"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "was changed by award-handler-2 since you opened it" in html
    assert "Reload the application" in html
    assert "资格不符" in html  # what was typed is kept
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_an_action_the_state_does_not_allow_is_a_clear_409(handler, submitted, page_client) -> None:
    response = page_client(handler).post(
        reverse("review:act", args=[submitted.reference, "review"]), {"review-version": submitted.version}
    )
    assert response.status_code == 409
    assert "“Start review” is not possible while the application is “Submitted”." in response.content.decode()
    assert page_client(handler).post(reverse("review:act", args=[submitted.reference, "nonsense"])).status_code == 404


def _under_review(handler, user=None) -> Application:
    accepted = review.application_accept(actor=handler, application=submit_new(user))
    return review.application_start_review(actor=handler, application=accepted)


def test_propose_defaults_to_the_engines_amount_and_a_change_needs_a_reason(handler, page_client) -> None:
    application = _under_review(handler)
    client = page_client(handler)
    html = _html(client.get(reverse("review:application", args=[application.reference])))
    assert 'name="propose-amount" value="3000000.00"' in html
    assert "Computed by the amount engine: 3,000,000.00 CNY." in html
    url = reverse("review:act", args=[application.reference, "propose"])
    changed = client.post(url, {"propose-version": application.version, "propose-amount": "2500000"})
    assert changed.status_code == 400
    assert "Give the reason for changing the computed amount of 3,000,000.00 CNY." in changed.content.decode()
    over = client.post(
        url, {"propose-version": application.version, "propose-amount": "3500000", "propose-override_reason": "x"}
    )
    assert over.status_code == 400 and "may not exceed the cap of 3,000,000.00 CNY" in over.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW
    done = client.post(
        url,
        {
            "propose-version": application.version,
            "propose-amount": "2500000",
            "propose-override_reason": "部分材料未能证明",
            "propose-reasons": "符合条件",
        },
    )
    assert done.status_code == 302
    proposed = Application.objects.get(pk=application.pk)
    assert (proposed.status, proposed.proposed_amount, proposed.proposed_by) == (
        Status.PROPOSED,
        Decimal("2500000.00"),
        handler,
    )
    assert proposed.amount_override_reason == "部分材料未能证明"
    assert "Support with 2,500,000.00 CNY is proposed" in _html(client.get(done["Location"]))


def test_not_supporting_needs_reasons(handler, page_client) -> None:
    application = _under_review(handler)
    client = page_client(handler)
    url = reverse("review:act", args=[application.reference, "reject"])
    assert client.post(url, {"reject-version": application.version}).status_code == 400
    response = client.post(url, {"reject-version": application.version, "reject-reasons": "证书不符"})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Status.REJECTION_PROPOSED


def test_not_supporting_is_signed_by_an_approver_on_the_page(
    handler, approver, page_client, django_capture_on_commit_callbacks
) -> None:
    proposed = review.application_propose(
        actor=handler, application=_under_review(handler), support=False, reasons="证书不符"
    )
    assert not proposed.notices.exists()  # only a proposal: the applicant is not told yet
    # The handler who proposed it is not offered the sign-off.
    assert "confirm_rejection" not in _html(
        page_client(handler).get(reverse("review:application", args=[proposed.reference]))
    )
    client = page_client(approver)
    html = _html(client.get(reverse("review:application", args=[proposed.reference])))
    assert reverse("review:act", args=[proposed.reference, "confirm_rejection"]) in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review:act", args=[proposed.reference, "confirm_rejection"]),
            {"confirm_rejection-version": proposed.version},
        )
    assert response.status_code == 302
    decided = Application.objects.get(pk=proposed.pk)
    assert decided.status == Status.REJECTED and decided.decided_by == approver
    assert decided.notices.get().kind == Notice.Kind.DECISION_REJECT


def test_the_approver_approves_or_sends_back(handler, approver, page_client) -> None:
    fund()
    first = review.application_propose(actor=handler, application=_under_review(handler), support=True, reasons="ok")
    client = page_client(approver)
    html = _html(client.get(reverse("review:application", args=[first.reference])))
    assert 'id="action-approve"' in html and 'id="action-send_back"' in html
    assert 'id="action-review"' not in html
    back = client.post(
        reverse("review:act", args=[first.reference, "send_back"]),
        {"send_back-version": first.version, "send_back-reason": "金额需复核"},
    )
    assert back.status_code == 302
    assert Application.objects.get(pk=first.pk).status == Status.UNDER_REVIEW
    second = review.application_propose(actor=handler, application=_under_review(handler), support=True, reasons="ok")
    done = client.post(reverse("review:act", args=[second.reference, "approve"]), {"approve-version": second.version})
    assert done.status_code == 302
    approved = Application.objects.get(pk=second.pk)
    assert (approved.status, approved.decided_by) == (Status.APPROVED, approver)


def test_a_non_monetary_application_is_handled(handler, page_client) -> None:
    application = review.application_accept(actor=handler, application=submit_new(code="m20-guangdong-famous-brand"))
    client = page_client(handler)
    html = _html(client.get(reverse("review:application", args=[application.reference])))
    assert 'id="action-handle"' in html and 'id="action-review"' not in html
    response = client.post(
        reverse("review:act", args=[application.reference, "handle"]),
        {"handle-version": application.version, "handle-note": "已纳入培育名单"},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Status.HANDLED


def test_notices_are_listed_with_their_pdf_link(handler, submitted, page_client) -> None:
    notice = Notice.objects.create(
        application=submitted,
        kind=Notice.Kind.ACCEPTANCE,
        event_sequence=1,
        number="粤质品〔2026〕TEST-SL",
        verification_code="TESTCODE01",
        department_name="省工业和信息化厅",
        essentials={},
        issued_at=timezone.now(),
    )
    html = _html(page_client(handler).get(reverse("review:application", args=[submitted.reference])))
    assert "粤质品〔2026〕TEST-SL" in html
    assert reverse("verify:notice_pdf", args=[notice.pk]) in html


def test_pages_are_in_english_and_chinese(handler, submitted, page_client) -> None:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(handler)
    html = client.get(reverse("review:queue")).content.decode()
    assert 'lang="zh-Hans"' in html
    assert _listed(html) == [submitted.reference]
