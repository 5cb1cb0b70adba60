"""What can I claim: verdicts, one reason per criterion, estimates, order; page and API; queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from applications.matching import matches_for
from measures.eligibility import Outcome
from tests.factories import PASSWORD, EnterpriseUserFactory, IndividualUserFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def by_code(applicant, *, own_type_only: bool = False):
    return {m.incentive.code: m for m in matches_for(applicant, on=timezone.localdate(), own_type_only=own_type_only)}


def test_a_china_quality_award_winner_is_eligible_for_three_million_first() -> None:
    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    found = matches_for(user.applicant, on=timezone.localdate())
    award = next(m for m in found if m.incentive.code == "m17-china-quality-award-org")
    assert award.eligible is True
    assert award.estimate.amount == Decimal("3000000.00")
    assert [r.outcome for r in award.verdict.reasons] == [Outcome.MET] * len(award.verdict.reasons)
    eligible_money = [m.estimate.estimate for m in found if m.eligible is True and m.incentive.pays_money]
    assert eligible_money == sorted(eligible_money, reverse=True)
    ranks = [{True: 0, None: 1, False: 2}[m.eligible] for m in found]
    assert ranks == sorted(ranks)


def test_without_the_award_the_same_incentive_is_not_eligible_and_says_why() -> None:
    user = EnterpriseUserFactory()
    award = by_code(user.applicant)["m17-china-quality-award-org"]
    assert award.eligible is False
    assert Outcome.NOT_MET in [r.outcome for r in award.verdict.reasons]


def test_an_individual_is_not_eligible_for_organisation_incentives() -> None:
    person = IndividualUserFactory()
    QualificationFactory(applicant=person.applicant, qualification="china_quality_award", year=2025)
    matches = by_code(person.applicant)
    assert matches["m17-china-quality-award-ind"].eligible is True
    assert matches["m17-china-quality-award-ind"].estimate.amount == Decimal("1000000.00")
    org = matches["m17-china-quality-award-org"]
    assert org.eligible is False
    assert org.verdict.reasons[0].outcome == Outcome.NOT_MET


def test_the_merger_green_channel_is_not_judged_on_the_applicants_own_turnover() -> None:
    """Measure 9 means the parties' turnovers, which the claim lists (tests/applications/
    test_merger_parties.py): on the profile alone the verdict stays "more information needed"."""
    user = EnterpriseUserFactory()
    applicant = user.applicant
    assert by_code(applicant)["m9-merger-filing-green-channel"].eligible is None
    applicant.revenue_cn = Decimal("2500000000")
    applicant.revenue_world = Decimal("20000000000")
    applicant.save()
    merger = by_code(applicant)["m9-merger-filing-green-channel"]
    assert merger.eligible is None
    assert {r.outcome for r in merger.verdict.reasons[1:]} == {Outcome.UNKNOWN}
    applicant.revenue_cn = Decimal("100000000")
    applicant.revenue_world = Decimal("200000000")
    applicant.save()
    assert by_code(applicant)["m9-merger-filing-green-channel"].eligible is None


def test_the_quality_loan_needs_a_little_giant_and_a_declaration_the_department_checks() -> None:
    user = EnterpriseUserFactory()
    assert by_code(user.applicant)["m11-yuepinrong-quality-loan"].eligible is False
    QualificationFactory(applicant=user.applicant, qualification="little_giant", year=2024)
    loan = by_code(user.applicant)["m11-yuepinrong-quality-loan"]
    # 实施卓越绩效管理 is declared in the application and checked by the department.
    assert loan.eligible is None
    assert [r.outcome for r in loan.verdict.reasons] == [Outcome.MET, Outcome.MET, Outcome.UNKNOWN]
    assert loan.estimate.amount == Decimal("100000000.00") and not loan.estimate.pays_money


def test_matches_page_in_both_languages_links_to_the_form(client: Client) -> None:
    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    html = client.get("/me/matches/").content.decode()
    assert "3,000,000.00" in html
    assert "/applications/start/m17-china-quality-award-org/" in html
    assert "符合" in html
    english = client.get("/me/matches/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You appear eligible" in english and "met" in english


def test_matches_api(client: Client) -> None:
    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    api = APIClient()
    assert api.get("/api/v1/me/matches/").status_code == 401
    api.force_authenticate(user)
    body = api.get("/api/v1/me/matches/", HTTP_ACCEPT_LANGUAGE="en").json()
    first = body[0]
    assert first["incentive"] == "m17-china-quality-award-org"
    assert first["eligible"] is True and first["estimated_amount"] == "3000000.00"
    assert {r["outcome"] for r in first["reasons"]} == {"met"}
    assert any(m["eligible"] is None for m in body) and any(m["eligible"] is False for m in body)


@pytest.mark.parametrize("url", ["/me/matches/", "/api/v1/me/matches/", "/me/"])
def test_matching_and_dashboard_queries_do_not_grow(client: Client, url: str) -> None:
    user = EnterpriseUserFactory()
    client.login(request=HttpRequest(), username=user.username, password=PASSWORD)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for year in range(2015, 2021):
        QualificationFactory(applicant=user.applicant, qualification="little_giant", year=year)
    from applications.models import Application
    from measures.models import Incentive

    for incentive in Incentive.objects.filter(applicant_type="organisation")[:6]:
        Application.objects.create(applicant=user.applicant, incentive=incentive, fiscal_year=2026, created_by=user)
    assert count() == before


def test_dashboard_shows_applications_next_steps_completeness_and_notifications(client: Client) -> None:
    from accounts.services import notification_send
    from applications.models import Application
    from measures.models import Incentive

    user = EnterpriseUserFactory()
    Application.objects.create(
        applicant=user.applicant,
        incentive=Incentive.objects.get(code="m17-china-quality-award-org"),
        fiscal_year=2026,
        created_by=user,
    )
    notification_send(user=user, subject="欢迎使用", body="您的账户已开通。")
    client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    html = client.get("/me/").content.decode()
    assert "中国质量奖" in html
    assert "草稿" in html
    assert "欢迎使用" in html
    assert "%" in html


def test_officials_without_an_applicant_get_404_on_applicant_pages(client: Client) -> None:
    from accounts.models import User

    User.objects.create_user("official", password=PASSWORD)
    client.login(request=HttpRequest(), username="official", password=PASSWORD)
    assert client.get("/me/").status_code == 404
    assert client.get("/me/matches/").status_code == 404


def _measure_numbers(found) -> list[int]:
    return [m.incentive.measure.number for m in found]


def test_the_order_is_verdict_then_money_first_by_value_then_measure_number_as_a_number() -> None:
    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    QualificationFactory(applicant=user.applicant, qualification="little_giant", year=2024)
    found = matches_for(user.applicant, on=timezone.localdate())
    for verdict in (True, None, False):
        group = [m for m in found if m.eligible is verdict]
        money = [m.incentive.pays_money for m in group]
        assert money == sorted(money, reverse=True), verdict  # money first
        for pays in (True, False):
            same = [m for m in group if m.incentive.pays_money is pays]
            keys = [(-m.estimate.estimate, m.incentive.measure.number, m.incentive.position) for m in same]
            assert keys == sorted(keys), (verdict, pays)
    # Incentives of equal value sort by measure number as a number: 2 before 19 before 21.
    unknown_other = [m for m in found if m.eligible is None and not m.incentive.pays_money and not m.estimate.estimate]
    numbers = _measure_numbers(unknown_other)
    assert numbers == sorted(numbers) and numbers != sorted(numbers, key=str), numbers


def test_an_enterprise_is_not_shown_awards_for_individuals_nor_a_person_enterprise_incentives(page_client) -> None:
    enterprise, person = EnterpriseUserFactory(), IndividualUserFactory()
    assert {m.incentive.applicant_type for m in matches_for(enterprise.applicant, on=timezone.localdate())} == {
        "organisation"
    }
    assert {m.incentive.applicant_type for m in matches_for(person.applicant, on=timezone.localdate())} == {
        "individual"
    }
    html = page_client(enterprise).get("/me/matches/").content.decode()
    assert "match-m17-china-quality-award-org" in html and "match-m17-china-quality-award-ind" not in html
    html = page_client(person).get("/me/matches/").content.decode()
    assert "match-m17-china-quality-award-ind" in html and "match-m17-china-quality-award-org" not in html
    api = APIClient()
    api.force_authenticate(enterprise)
    assert "m17-china-quality-award-ind" not in {m["incentive"] for m in api.get("/api/v1/me/matches/").json()}


def test_the_page_folds_groups_and_filters_by_verdict_and_kind(page_client) -> None:
    import re

    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    client = page_client(user)
    html = client.get("/me/matches/").content.decode()
    assert '<details class="match-group match-group-eligible" id="group-eligible" open>' in html
    assert '<details class="match-group match-group-not_eligible" id="group-not_eligible">' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    order = re.findall(r'id="match-(m(\d+)-[a-z0-9-]+)"', html)
    assert order[0][0] == "m17-china-quality-award-org"
    eligible_only = client.get("/me/matches/?verdict=eligible").content.decode()
    assert "group-unknown" not in eligible_only and "match-m17-china-quality-award-org" in eligible_only
    money_only = client.get("/me/matches/?kind=money").content.decode()
    assert "match-m11-yuepinrong-quality-loan" not in money_only and "match-m17-china-quality-award-org" in money_only
    other_only = client.get("/me/matches/?kind=other").content.decode()
    assert "match-m11-yuepinrong-quality-loan" in other_only and "match-m17-china-quality-award-org" not in other_only
    assert client.get("/me/matches/?verdict=nonsense&kind=<b>").status_code == 200


def test_a_criterion_naming_a_level_or_years_uses_them() -> None:
    """Measure 3 rewards national 'little giants' (国家级): a provincial title does not count. A
    criterion naming years counts only qualifications obtained in them."""
    from measures.models import EligibilityCriterion

    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="little_giant", level="provincial", year=2024)
    assert by_code(user.applicant)["m3-little-giant"].eligible is False
    QualificationFactory(applicant=user.applicant, qualification="little_giant", level="national", year=2019)
    assert by_code(user.applicant)["m3-little-giant"].eligible is True
    criterion = EligibilityCriterion.objects.get(incentive__code="m3-little-giant", rule="qualification_any")
    criterion.params = {**criterion.params, "year_from": 2023}
    criterion.save()
    little_giant = by_code(user.applicant)["m3-little-giant"]
    assert little_giant.eligible is False  # national but 2019; the 2024 one is provincial
    assert "2023" in little_giant.verdict.reasons[1].criterion
    QualificationFactory(applicant=user.applicant, qualification="little_giant", level="national", year=2025)
    assert by_code(user.applicant)["m3-little-giant"].eligible is True
    criterion.params = {**criterion.params, "year_from": None, "within_years": 1}
    criterion.save()
    today = timezone.localdate()
    expected = today.year - 2025 <= 1
    assert by_code(user.applicant)["m3-little-giant"].eligible is expected


def test_a_criterion_out_of_force_is_not_applied() -> None:
    import datetime as dt

    from measures.models import EligibilityCriterion, Incentive

    user = EnterpriseUserFactory()
    QualificationFactory(applicant=user.applicant, qualification="china_quality_award", year=2025)
    incentive = Incentive.objects.get(code="m17-china-quality-award-org")
    EligibilityCriterion.objects.create(
        incentive=incentive, position=9, rule="size_in", params={"sizes": ["large"]}, valid_to=dt.date(2020, 12, 31)
    )
    assert by_code(user.applicant)["m17-china-quality-award-org"].eligible is True  # medium, but out of force
    EligibilityCriterion.objects.create(
        incentive=incentive, position=10, rule="size_in", params={"sizes": ["large"]}, valid_from=dt.date(2021, 1, 1)
    )
    assert by_code(user.applicant)["m17-china-quality-award-org"].eligible is False
