"""The catalog's structured editor in the admin (measures/admin_forms.py): an incentive's criteria,
review checklist and application form are edited through the admin's change page as an
administrator would, and what is saved is what measures.eligibility and the applications app read."""

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import lxml.html
import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from applications.form_definitions import definition_for
from measures.eligibility import ApplicantFacts, Outcome, QualificationHeld, judge, judge_criterion
from measures.form_schema import application_form_problems
from measures.models import EligibilityCriterion, Incentive
from tests.test_security_headers import inline_problems

pytestmark = pytest.mark.django_db

GREEN_CHANNEL = "m9-merger-filing-green-channel"
NATIONAL_CHAMPION = "m3-national-single-champion"
IP_ASSISTANCE = "m2-sme-ip-rights-assistance"


@pytest.fixture
def admin_client() -> Client:
    """The administrator in the admin, in English (the messages' Chinese comes with the catalogue of
    translations); tests/conftest.py finishes the sign-in with the second factor."""
    User.objects.create_superuser("root", password="x-Admin-2026")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(request=HttpRequest(), username="root", password="x-Admin-2026")
    return client


def current(incentive: Incentive, rule: str) -> EligibilityCriterion:
    """The incentive's criterion of that rule in force today (measure 9's changed in 2024)."""
    return next(c for c in incentive.criteria.filter(rule=rule) if c.in_force_on(dt.date.today()))


def change_url(incentive: Incentive) -> str:
    return reverse("admin:measures_incentive_change", args=[incentive.pk])


def form_values(html: str) -> dict[str, Any]:
    """What the browser would post from the change form as it is shown (lists for repeated names)."""
    form = lxml.html.fromstring(html).get_element_by_id("incentive_form")
    data: dict[str, Any] = {}
    textareas = {t.name for t in form.xpath(".//textarea")}
    for name, value in form.form_values():
        if name in textareas:  # a browser drops the newline that follows <textarea>
            value = value.removeprefix("\n")
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    data.pop("_saveasnew", None)
    data.pop("_addanother", None)
    data.pop("_continue", None)
    return data


def criterion_prefix(html: str, criterion: EligibilityCriterion) -> str:
    data = form_values(html)
    for name, value in data.items():
        if name.startswith("criteria-") and name.endswith("-id") and value == str(criterion.pk):
            return name.removesuffix("-id")
    raise AssertionError(f"criterion {criterion.pk} not on the page")


def test_the_change_page_shows_fields_for_the_parameters_not_json(admin_client: Client) -> None:
    incentive = Incentive.objects.get(code=GREEN_CHANNEL)
    response = admin_client.get(change_url(incentive))
    assert response.status_code == 200
    html = response.content.decode()
    page = lxml.html.fromstring(html)
    first = criterion_prefix(html, current(incentive, "parties_total_cn_above"))
    # The threshold in its own money field, filled with the stored amount; the JSON box is empty.
    assert page.get_element_by_id(f"id_{first}-amount").get("value") == "4000000000.00"
    assert page.get_element_by_id(f"id_{first}-params").text_content().strip() == "{}"
    # Vocabularies as checkboxes, the checklist as lines, the rule table for the script.
    assert page.xpath(f"//input[@type='checkbox'][@name='{first}-qualifications']")
    assert len(page.xpath(f"//input[@type='checkbox'][@name='{first}-cities']")) == 21
    assert page.get_element_by_id("id_checklist").tag == "textarea"
    assert "review_checklist" not in form_values(html)
    assert "qualification_any" in page.get_element_by_id(f"id_{first}-rule").get("data-parameters")
    assert '<script src="/static/admin-portal/criterion-params.js"' in html
    assert inline_problems(html)[0] == []  # nothing the CSP would block


@pytest.mark.parametrize("code", [GREEN_CHANNEL, NATIONAL_CHAMPION, IP_ASSISTANCE])
def test_a_criterion_saved_unchanged_keeps_its_params_and_its_verdicts(admin_client: Client, code: str) -> None:
    incentive = Incentive.objects.get(code=code)
    before = {c.pk: c.params for c in incentive.criteria.all()}
    facts = ApplicantFacts(
        applicant_type="organisation",
        qualifications=frozenset({"little_giant"}),
        held=(QualificationHeld("national_single_champion", 2023, "provincial"),),
        parties_revenue_cn=(Decimal("3000000000"), Decimal("300000000")),
        parties_revenue_world=(Decimal("3000000000"),),
    )
    verdicts_before = [judge_criterion(c, facts) for c in incentive.criteria.all()]
    html = admin_client.get(change_url(incentive)).content.decode()
    response = admin_client.post(change_url(incentive), form_values(html))
    assert response.status_code == 302, response.content.decode()[:3000]
    after = {c.pk: c.params for c in incentive.criteria.all()}
    assert after == before
    if code == GREEN_CHANNEL:
        assert after[current(incentive, "parties_revenue_cn_above").pk] == {"amount": "800000000", "count": 2}
    if code == NATIONAL_CHAMPION:
        assert next(iter(after.values()))["levels"] == ["national"]
    assert [judge_criterion(c, facts) for c in incentive.criteria.all()] == verdicts_before


def test_editing_a_threshold_and_a_list_through_the_admin_stores_what_eligibility_reads(
    admin_client: Client,
) -> None:
    incentive = Incentive.objects.get(code=GREEN_CHANNEL)
    criterion = current(incentive, "parties_total_cn_above")
    html = admin_client.get(change_url(incentive)).content.decode()
    data = form_values(html)
    prefix = criterion_prefix(html, criterion)
    data[f"{prefix}-amount"] = "150000万"  # as people write it
    response = admin_client.post(change_url(incentive), data)
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.params == {"amount": "1500000000"}
    facts = ApplicantFacts(applicant_type="organisation", parties_revenue_cn=(Decimal("1000000000"), Decimal("6e8")))
    assert judge_criterion(criterion, facts) == Outcome.MET

    other = Incentive.objects.get(code=IP_ASSISTANCE)
    qualification = other.criteria.get(rule="qualification_any")
    html = admin_client.get(change_url(other)).content.decode()
    data = form_values(html)
    prefix = criterion_prefix(html, qualification)
    data[f"{prefix}-qualifications"] = ["little_giant", "high_tech_enterprise"]
    assert admin_client.post(change_url(other), data).status_code == 302
    qualification.refresh_from_db()
    assert qualification.params == {"qualifications": ["little_giant", "high_tech_enterprise"]}
    holder = ApplicantFacts(applicant_type="organisation", qualifications=frozenset({"high_tech_enterprise"}))
    assert judge(other, holder).eligible is True

    # A level and years: stored as measures.eligibility reads them, and then used.
    data[f"{prefix}-levels"] = ["national"]
    data[f"{prefix}-year_from"] = "2020"
    assert admin_client.post(change_url(other), data).status_code == 302
    qualification.refresh_from_db()
    assert qualification.params == {
        "qualifications": ["little_giant", "high_tech_enterprise"],
        "levels": ["national"],
        "year_from": 2020,
    }
    assert judge(other, holder).eligible is False  # a bare code, no level or year
    recent = ApplicantFacts(applicant_type="organisation", held=(QualificationHeld("little_giant", 2022, "national"),))
    assert judge(other, recent).eligible is True


def test_a_new_criterion_added_in_the_admin_is_judged_like_a_catalog_one(admin_client: Client) -> None:
    incentive = Incentive.objects.get(code=IP_ASSISTANCE)
    html = admin_client.get(change_url(incentive)).content.decode()
    data = form_values(html)
    index = int(data["criteria-TOTAL_FORMS"])
    data["criteria-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"criteria-{index}-position": "9",
            f"criteria-{index}-rule": "city_in",
            f"criteria-{index}-cities": ["foshan", "shenzhen"],
            f"criteria-{index}-count": "2",
            f"criteria-{index}-params": "",
            f"criteria-{index}-incentive": str(incentive.pk),
        }
    )
    assert admin_client.post(change_url(incentive), data).status_code == 302
    added = incentive.criteria.get(position=9)
    assert (added.rule, added.params) == ("city_in", {"cities": ["foshan", "shenzhen"]})
    facts = ApplicantFacts(applicant_type="organisation", city="guangzhou")
    assert judge_criterion(added, facts) == Outcome.NOT_MET


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "", "Enter the amount in yuan"),
        ("amount", "lots", "Write the amount in yuan"),
        ("amount", "0", "above zero"),
        ("valid_to", "2020-01-01", "cannot end before it starts"),
        ("params", '{"amount": "5"}', "with the fields above"),
        ("params", "{broken", "not valid JSON: line 1, column 2"),
    ],
)
def test_a_bad_parameter_is_refused_with_a_clear_error_and_changes_nothing(
    admin_client: Client, field: str, value: str, message: str
) -> None:
    incentive = Incentive.objects.get(code=GREEN_CHANNEL)
    criterion = current(incentive, "parties_total_cn_above")
    html = admin_client.get(change_url(incentive)).content.decode()
    data = form_values(html)
    prefix = criterion_prefix(html, criterion)
    data[f"{prefix}-{field}"] = value
    data["name"] = "改了名字"
    response = admin_client.post(change_url(incentive), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    incentive.refresh_from_db()
    criterion.refresh_from_db()
    assert incentive.name != "改了名字"
    assert criterion.params == {"amount": "4000000000"}
    assert criterion.valid_to is None


def test_a_rule_without_its_parameter_is_refused_in_chinese_by_default(admin_client: Client) -> None:
    incentive = Incentive.objects.get(code=IP_ASSISTANCE)
    qualification = incentive.criteria.get(rule="qualification_any")
    html = admin_client.get(change_url(incentive)).content.decode()
    data = form_values(html)
    prefix = criterion_prefix(html, qualification)
    data.pop(f"{prefix}-qualifications")
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    zh.cookies = admin_client.cookies
    response = zh.post(change_url(incentive), data)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content.decode())
    errors = page.xpath(f"//div[@id='{prefix}']//div[contains(@class, 'field-qualifications')]//ul[@class='errorlist']")
    assert errors, "the missing qualifications are reported at their field"
    assert "具有所列资质之一" in errors[0].text_content()  # the rule named in the page's language
    qualification.refresh_from_db()
    assert qualification.params == {"qualifications": ["specialised_sme", "little_giant"]}


def test_the_checklist_is_edited_as_lines_and_stored_as_items(admin_client: Client) -> None:
    incentive = Incentive.objects.get(code=IP_ASSISTANCE)
    incentive.review_checklist = [{"text": "证书真实有效", "text_en": "The certificate is genuine"}, "名称一致"]
    incentive.save()
    html = admin_client.get(change_url(incentive)).content.decode()
    data = form_values(html)
    assert data["checklist"].splitlines() == ["证书真实有效", "名称一致"]
    assert data["checklist_en"].splitlines() == ["The certificate is genuine"]
    data["checklist"] = "证书真实有效\n名称一致\n\n材料齐全\n"
    data["checklist_en"] = "The certificate is genuine\nSame name\n\nDocuments complete"
    assert admin_client.post(change_url(incentive), data).status_code == 302
    incentive.refresh_from_db()
    assert incentive.review_checklist == [
        {"text": "证书真实有效", "text_en": "The certificate is genuine"},
        {"text": "名称一致", "text_en": "Same name"},
        {"text": "材料齐全", "text_en": "Documents complete"},
    ]

    data["checklist_en"] = "a\nb\nc\nd\ne"
    response = admin_client.post(change_url(incentive), data)
    assert response.status_code == 200
    assert "Line 5 has English but no Chinese item." in response.content.decode()
    incentive.refresh_from_db()
    assert len(incentive.review_checklist) == 3


def test_the_application_form_is_checked_problem_by_problem(admin_client: Client) -> None:
    incentive = Incentive.objects.get(code=IP_ASSISTANCE)
    html = admin_client.get(change_url(incentive)).content.decode()
    data = form_values(html)
    data["application_form"] = (
        '{"sections": [{"key": "claim", "title": "申报", "fields": ['
        '{"key": "amount", "type": "mony", "label": "金额"},'
        '{"key": "kind", "type": "choice", "label": "类别", "requried": true}]}],'
        ' "claim": {"requested": "claim.nothing"}}'
    )
    response = admin_client.post(change_url(incentive), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "section 1 → field 1 → “type”: “mony” is not one of" in text
    assert "section 1 → field 2: “requried” is not part of the format" in text
    incentive.refresh_from_db()
    assert incentive.application_form == {}

    good = {
        "sections": [
            {
                "key": "claim",
                "title": "申报内容",
                "fields": [{"key": "requested_amount", "type": "money", "label": "申请金额", "required": True}],
            }
        ],
        "claim": {"requested": "claim.requested_amount"},
    }
    data["application_form"] = json.dumps(good, ensure_ascii=False, indent=2)
    assert admin_client.post(change_url(incentive), data).status_code == 302
    incentive.refresh_from_db()
    assert incentive.application_form == good
    assert definition_for(incentive) == good
    html = admin_client.get(change_url(incentive)).content.decode()
    assert '"title": "申报内容"' in html.replace("&quot;", '"')  # indented, Chinese as it is


def test_the_schema_accepts_every_form_the_applications_app_builds_and_the_catalog_holds() -> None:
    for incentive in Incentive.objects.all():
        assert application_form_problems(incentive.application_form) == [], incentive.code
        assert application_form_problems(definition_for(incentive)) == [], incentive.code


def test_the_schema_catches_what_it_cannot_express() -> None:
    form = {
        "sections": [
            {"key": "a", "title": "A", "fields": [{"key": "x", "type": "choice", "label": "X"}]},
            {"key": "a", "title": "B", "fields": [{"key": "y", "type": "rows", "label": "Y"}]},
        ],
        "claim": {"units": "b.y"},
    }
    problems = application_form_problems(form)
    assert len(problems) == 4, problems
