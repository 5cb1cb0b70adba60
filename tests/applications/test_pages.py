"""Applying through the pages: start, task list, sections (rows too), documents, check, submit,
confirmation, for a fixed grant, a per-unit grant and a cost-share grant; drafts that keep
what was typed; the unique open application; the list page."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from applications.models import Application, Status
from applications.services import application_submit, application_withdraw
from measures.models import AmountParameter, Incentive

from .helpers import COST_SHARE, FIXED, PDF, PER_UNIT, answers_for, complete_draft, standard, upload

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def html(response) -> str:
    return response.content.decode()


def start(client: Client, code: str, year: int = YEAR) -> Application:
    response = client.post(reverse("applications:start", args=[code]), {"fiscal_year": year})
    assert response.status_code == 302, html(response)
    application = Application.objects.latest("pk")
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    return application


def post_section(client: Client, application: Application, section: str, data: dict, **extra: str):
    return client.post(reverse("applications:section", args=[application.pk, section]), {**data, **extra})


def rows_post(key: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {f"{key}-TOTAL_FORMS": str(len(rows)), f"{key}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data |= {f"{key}-{index}-{name}": value for name, value in row.items()}
    return data


def upload_all_documents(client: Client, application: Application) -> None:
    for required in application.incentive.required_documents.filter(is_mandatory=True):
        response = client.post(
            reverse("applications:documents", args=[application.pk]),
            {"kind": str(required.pk), "file": upload("evidence.pdf", PDF)},
        )
        assert response.status_code == 302, html(response)


def submit(client: Client, application: Application) -> Application:
    response = client.post(reverse("applications:submit", args=[application.pk]), {"credit_commitment": "yes"})
    assert response.status_code == 302, html(response)
    application.refresh_from_db()
    assert response["Location"] == reverse("applications:confirmation", args=[application.reference])
    return application


# ── three kinds, end to end ─────────────────────────────────────────────────────────────────


def test_fixed_grant_start_task_list_sections_documents_check_submit_confirmation(
    enterprise_user, page_client, django_capture_on_commit_callbacks
) -> None:
    client = page_client(enterprise_user)
    page = html(client.get(reverse("applications:start", args=[FIXED])))
    assert "Quality work grant for organisations winning the China Quality Award" in page
    assert f'value="{YEAR}" id="id_fiscal_year_0" checked' in page or re.search(rf'value="{YEAR}"[^>]*checked', page)

    application = start(client, FIXED)
    assert application.status == Status.DRAFT and application.fiscal_year == YEAR

    tasks = html(client.get(reverse("applications:detail", args=[application.pk])))
    assert "Your claim" in tasks and "Contact" in tasks
    assert tasks.count("Not started") == 3  # two sections and the documents
    assert "You have completed 0 of 3 tasks." in tasks

    answers = answers_for(FIXED)
    response = post_section(client, application, "claim", answers["claim"])
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    response = post_section(client, application, "contact", answers["contact"])
    assert response.status_code == 302
    upload_all_documents(client, application)
    tasks = html(client.get(reverse("applications:detail", args=[application.pk])))
    assert tasks.count("Completed") == 3 and "You have completed 3 of 3 tasks." in tasks

    check = html(client.get(reverse("applications:check", args=[application.pk])))
    assert "CQA-2025-001" in check and "2025-09-16" in check
    assert "3,000,000.00" in check and "Fixed grant: 3,000,000.00 CNY." in check
    assert reverse("applications:section", args=[application.pk, "claim"]) + "?return=check" in check
    assert f'action="{reverse("applications:submit", args=[application.pk])}"' in check

    with django_capture_on_commit_callbacks(execute=True):
        application = submit(client, application)
    assert re.fullmatch(rf"QB-{YEAR}-17-\d{{6}}", application.reference)
    assert application.status == Status.SUBMITTED and application.submitted_at is not None
    assert application.estimated_amount == Decimal("3000000.00")
    assert "Fixed grant: 3,000,000.00 CNY." in application.amount_trace["en"]
    assert any("3,000,000.00" in line for line in application.amount_trace["zh"])
    notification = Notification.objects.get(user=enterprise_user)
    assert application.reference in notification.subject
    assert notification.link == reverse("applications:detail", args=[application.reference])

    confirmation = html(client.get(reverse("applications:confirmation", args=[application.reference])))
    assert "Application submitted" in confirmation
    assert f'<strong class="app-panel-reference">{application.reference}</strong>' in confirmation

    detail = html(client.get(reverse("applications:detail", args=[application.reference])))
    assert "Submitted" in detail and "The department checks that the application is complete." in detail
    assert "Fixed grant: 3,000,000.00 CNY." in detail
    assert "CQA-2025-001" in detail and "evidence.pdf" in detail
    assert "Draft started" in detail and "Document added" in detail
    assert reverse("applications:withdraw", args=[application.reference]) in detail


def test_per_unit_grant_rows_add_another_row_and_amount_is_rows_times_500000(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    application = start(client, PER_UNIT)
    url = reverse("applications:section", args=[application.pk, "claim"])

    page = html(client.get(url))
    assert 'name="standards-TOTAL_FORMS" value="1"' in page  # one empty row to start with
    assert 'name="add_row" value="standards"' in page
    assert 'for="id_standards-0-number"' in page and 'for="id_standards-0-published_on"' in page

    # "Add another row" saves what was typed and shows one more empty row (no JavaScript).
    first = standard(1)
    response = client.post(url, {"summary": "主导国际标准", **rows_post("standards", [first]), "add_row": "standards"})
    assert response.status_code == 200
    page = html(response)
    assert 'name="standards-TOTAL_FORMS" value="2"' in page
    assert f'value="{first["number"]}"' in page and 'id="id_standards-1-number"' in page
    assert "There is a problem" not in page  # adding a row is not a validation error
    application.refresh_from_db()
    assert application.data["claim"]["standards"] == [first]

    rows = [first, standard(2), standard(3)]
    blank = dict.fromkeys(first, "")
    response = client.post(url, {"summary": "主导国际标准", **rows_post("standards", [*rows, blank])})
    assert response.status_code == 302, html(response)
    application.refresh_from_db()
    assert application.data["claim"]["standards"] == rows  # the empty spare row is not kept

    post_section(client, application, "contact", answers_for(PER_UNIT)["contact"])
    upload_all_documents(client, application)
    check = html(client.get(reverse("applications:check", args=[application.pk])))
    assert "1,500,000.00" in check and "3 × at most 500,000.00 CNY = at most 1,500,000.00 CNY." in check
    application = submit(client, application)
    assert application.reference.startswith(f"QB-{YEAR}-15-")
    assert application.estimated_amount == Decimal("1500000.00")


def test_cost_share_without_a_rate_is_set_by_the_department(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    application = start(client, COST_SHARE)
    answers = answers_for(COST_SHARE)
    assert post_section(client, application, "claim", answers["claim"]).status_code == 302
    assert post_section(client, application, "contact", answers["contact"]).status_code == 302
    upload_all_documents(client, application)
    check = html(client.get(reverse("applications:check", args=[application.pk])))
    assert "Amount set by the department" in check
    assert "the amount is set by the department" in check
    application = submit(client, application)
    assert application.reference.startswith(f"QB-{YEAR}-13-")
    assert application.estimated_amount is None
    assert any("set by the department" in line for line in application.amount_trace["en"])
    detail = html(client.get(reverse("applications:detail", args=[application.reference])))
    assert "Amount set by the department" in detail


@pytest.mark.parametrize(
    ("investment", "expected"), [("1200000", Decimal("360000.00")), ("3000000", Decimal("500000.00"))]
)
def test_cost_share_with_a_rate_and_cap_set_by_an_administrator(
    enterprise_user, page_client, investment: str, expected: Decimal
) -> None:
    AmountParameter.objects.filter(incentive__code=COST_SHARE, key="rate").update(value=Decimal("0.3"))
    AmountParameter.objects.filter(incentive__code=COST_SHARE, key="cap").update(value=Decimal("500000"))
    client = page_client(enterprise_user)
    application = complete_draft(enterprise_user, COST_SHARE, investment=investment)
    check = html(client.get(reverse("applications:check", args=[application.pk])))
    assert f"{expected:,.2f}" in check and "× 30%" in check
    application = submit(client, application)
    assert application.estimated_amount == expected
    if expected == Decimal("500000.00"):
        assert "Capped at 500,000.00 CNY." in application.amount_trace["en"]


# ── drafts keep what was typed ──────────────────────────────────────────────────────────────


def test_an_invalid_money_value_is_saved_as_typed_and_shown_again_with_an_error_summary(
    enterprise_user, page_client
) -> None:
    AmountParameter.objects.filter(incentive__code=COST_SHARE, key="rate").update(value=Decimal("0.3"))
    client = page_client(enterprise_user)
    application = start(client, COST_SHARE)
    response = post_section(
        client, application, "claim", {"summary": "质量管理系统", "investment": "约12万元", "investment_period": ""}
    )
    assert response.status_code == 200
    page = html(response)
    application.refresh_from_db()
    assert application.data["claim"] == {"summary": "质量管理系统", "investment": "约12万元", "investment_period": ""}
    assert 'class="error-summary"' in page and "There is a problem" in page
    assert 'href="#id_investment"' in page and 'href="#id_investment_period"' in page
    assert 'value="约12万元"' in page and "质量管理系统" in page
    assert 'aria-invalid="true"' in page and 'id="id_investment_error"' in page
    assert 'inputmode="decimal"' in page  # a text input: a number input would drop "约12万元"
    assert "<title>Error:" in page

    # The task list says "in progress"; coming back shows the same errors and the typed values.
    assert "In progress" in html(client.get(reverse("applications:detail", args=[application.pk])))
    again = html(client.get(reverse("applications:section", args=[application.pk, "claim"])))
    assert 'value="约12万元"' in again and 'href="#id_investment"' in again
    # The check page links each problem to where it is fixed, and the live estimate does not break.
    check = client.get(reverse("applications:check", args=[application.pk]))
    assert check.status_code == 200
    submitted = client.post(reverse("applications:submit", args=[application.pk]), {"credit_commitment": "yes"})
    assert submitted.status_code == 400
    page = html(submitted)
    assert "The application is not complete yet." in page
    assert reverse("applications:section", args=[application.pk, "claim"]) + "?return=check#id_investment" in page
    assert reverse("applications:documents", args=[application.pk]) in page
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.reference is None


def test_amounts_written_as_people_write_them_are_kept_as_the_figure_they_mean(enterprise_user, page_client) -> None:
    """ "1,000,000", "12万" and full-width digits are amounts, not "输入一个数字。": stored as the
    plain figure (which the amount engine and every export parse) and shown back that way."""
    client = page_client(enterprise_user)
    application = start(client, COST_SHARE)
    for typed, stored in (("1,000,000", "1000000.00"), ("12万", "120000.00"), ("１２００００", "120000.00")):
        response = post_section(
            client, application, "claim", {"summary": "质量管理系统", "investment": typed, "investment_period": "2025"}
        )
        application.refresh_from_db()
        assert application.data["claim"]["investment"] == stored, (typed, response.status_code)
        assert 'href="#id_investment"' not in html(
            client.get(reverse("applications:section", args=[application.pk, "claim"]))
        )


def test_save_and_come_back_later_keeps_an_incomplete_section(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    application = start(client, FIXED)
    response = post_section(client, application, "claim", {"summary": "草稿"}, later="1")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.data["claim"]["summary"] == "草稿"


def test_change_link_returns_to_check_your_answers(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    application = complete_draft(enterprise_user, FIXED)
    url = reverse("applications:section", args=[application.pk, "contact"]) + "?return=check"
    assert "Save and return to check your answers" in html(client.get(url))
    response = client.post(url, {"contact_name": "赵六", "contact_phone": "13800000000"})
    assert response["Location"] == reverse("applications:check", args=[application.pk])


def test_a_post_after_the_session_expired_is_kept_and_saved_after_signing_in(enterprise_user) -> None:
    from tests.factories import PASSWORD

    application = complete_draft(enterprise_user, FIXED)
    url = reverse("applications:section", args=[application.pk, "contact"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the session has expired: nobody is signed in
    response = client.post(url, {"contact_name": "打字的人", "contact_phone": "13911112222"})
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("login")) and "next=" in login_url
    application.refresh_from_db()
    assert application.data["contact"]["contact_name"] == "王五"  # not saved by an anonymous request

    signed_in = client.post(login_url, {"username": enterprise_user.username, "password": PASSWORD, "next": url})
    assert signed_in.status_code == 302 and signed_in["Location"] == url
    page = html(client.get(url))
    assert "We kept what you typed and saved it now." in page
    assert 'value="打字的人"' in page
    application.refresh_from_db()
    assert application.data["contact"] == {"contact_name": "打字的人", "contact_phone": "13911112222"}
    # Only once: reloading shows the saved answers without the notice.
    assert "We kept what you typed" not in html(client.get(url))


def test_a_section_of_another_form_is_404_and_sections_of_a_submitted_application_are_closed(
    enterprise_user, page_client
) -> None:
    client = page_client(enterprise_user)
    application = complete_draft(enterprise_user, FIXED)
    assert client.get(reverse("applications:section", args=[application.pk, "nonsense"])).status_code == 404
    application = application_submit(actor=enterprise_user, application=application, credit_commitment=True)
    response = client.post(
        reverse("applications:section", args=[application.reference, "contact"]), {"contact_name": "x"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.data["contact"]["contact_name"] == "王五"


# ── one open application per incentive and year ─────────────────────────────────────────────


def test_a_second_start_shows_a_friendly_message_linking_the_open_one(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    first = start(client, FIXED)
    page = html(client.get(reverse("applications:start", args=[FIXED])))
    assert "You already have an open application for this incentive" in page
    response = client.post(reverse("applications:start", args=[FIXED]), {"fiscal_year": YEAR})
    assert response.status_code == 409
    page = html(response)
    assert "You already have an open application for this incentive in" in page
    assert reverse("applications:detail", args=[first.pk]) in page
    assert Application.objects.filter(applicant=enterprise_user.applicant).count() == 1
    # Another fiscal year is another application.
    assert start(client, FIXED, YEAR - 1).fiscal_year == YEAR - 1


def test_after_withdrawal_a_new_application_is_allowed(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    first = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    application_withdraw(actor=enterprise_user, application=first, reason="")
    second = start(client, FIXED)
    assert second.pk != first.pk and second.status == Status.DRAFT


def test_an_incentive_for_another_applicant_type_explains_itself(individual_user, page_client) -> None:
    client = page_client(individual_user)
    response = client.post(reverse("applications:start", args=[FIXED]), {"fiscal_year": YEAR})
    assert response.status_code == 400
    assert "This incentive is for applicants of the type" in html(response)
    assert not Application.objects.exists()


def test_an_official_without_an_applicant_cannot_start_and_no_500(official, page_client) -> None:
    response = page_client(official).post(reverse("applications:start", args=[FIXED]), {"fiscal_year": YEAR})
    assert response.status_code == 400
    assert "Only an enterprise or individual account can apply." in html(response)


def test_start_refuses_a_fiscal_year_out_of_range_and_an_unknown_incentive(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    response = client.post(reverse("applications:start", args=[FIXED]), {"fiscal_year": YEAR + 5})
    assert response.status_code == 400
    assert 'href="#id_fiscal_year_0"' in html(response)
    assert client.get(reverse("applications:start", args=["no-such-incentive"])).status_code == 404


def test_an_inactive_incentive_is_not_open(enterprise_user, page_client) -> None:
    Incentive.objects.filter(code=FIXED).update(is_active=False)
    response = page_client(enterprise_user).post(reverse("applications:start", args=[FIXED]), {"fiscal_year": YEAR})
    assert response.status_code == 400
    assert "This incentive is not open for applications." in html(response)


# ── the list and sign-in ────────────────────────────────────────────────────────────────────


def test_the_list_shows_status_reference_and_next_step(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    submitted = application_submit(
        actor=enterprise_user, application=complete_draft(enterprise_user, FIXED), credit_commitment=True
    )
    draft = complete_draft(enterprise_user, PER_UNIT)
    page = html(client.get(reverse("applications:list")))
    assert submitted.reference in page and "Not submitted yet" in page
    assert "Submitted" in page and "Draft" in page
    assert "Complete the sections and documents, then submit." in page
    assert reverse("applications:detail", args=[draft.pk]) in page
    assert "Funding for leading the drafting or revision of international standards" in page


@pytest.mark.parametrize(
    "name", ["list", "detail", "section", "documents", "document", "check", "confirmation", "withdraw", "start"]
)
def test_every_page_requires_signing_in(enterprise_user, name: str) -> None:
    application = complete_draft(enterprise_user, FIXED)
    document = application.documents.first()
    args = {
        "list": [],
        "start": [FIXED],
        "section": [application.pk, "claim"],
        "document": [application.pk, document.pk],
    }.get(name, [application.pk])
    response = Client().get(reverse(f"applications:{name}", args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_submit_only_accepts_post(enterprise_user, page_client) -> None:
    application = complete_draft(enterprise_user, FIXED)
    assert page_client(enterprise_user).get(reverse("applications:submit", args=[application.pk])).status_code == 405


def test_pages_in_chinese_by_default(enterprise_user) -> None:
    client = Client()
    client.force_login(enterprise_user)
    application = complete_draft(enterprise_user, FIXED)
    page = html(client.get(reverse("applications:detail", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert '<html lang="zh-Hans">' in page and "申报内容" in page


def test_a_problem_in_a_row_names_the_row_and_the_field(enterprise_user, page_client) -> None:
    client = page_client(enterprise_user)
    application = start(client, PER_UNIT)
    row = {**standard(1), "title": "", "published_on": "not a date"}
    response = post_section(client, application, "claim", {"summary": "说明", **rows_post("standards", [row])})
    assert response.status_code == 200
    page = html(response)
    assert '<a href="#id_standards-0-title">Row 1, Title: This field is required.</a>' in page
    assert 'href="#id_standards-0-published_on">Row 1, Publication date: Enter a valid date.' in page
    application.refresh_from_db()
    assert application.data["claim"]["standards"] == [row]


def test_money_answers_are_shown_with_thousands_separators(enterprise_user, page_client) -> None:
    application = complete_draft(enterprise_user, COST_SHARE, investment="1200000")
    page = html(page_client(enterprise_user).get(reverse("applications:check", args=[application.pk])))
    assert "1,200,000.00" in page
