"""Profile completeness and the facts eligibility rules judge."""

from decimal import Decimal

import pytest
from django.http import Http404

from accounts.models import User
from accounts.selectors import applicant_facts, applicant_of, profile_completeness
from tests.factories import ApplicantFactory, BankAccountFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def test_completeness_of_an_empty_enterprise_lists_everything_missing() -> None:
    applicant = ApplicantFactory(city="", industry="", size="", contact_person="")
    percent, missing = profile_completeness(applicant)
    assert percent == 0
    assert missing == [
        "City",
        "Industry",
        "Enterprise size",
        "Contact person",
        "Last year's revenue",
        "At least one qualification",
        "Bank account for payments",
    ]


def test_completeness_of_a_full_enterprise_is_100() -> None:
    applicant = ApplicantFactory(revenue_cn=Decimal("1"), revenue_world=Decimal("0"))
    QualificationFactory(applicant=applicant)
    BankAccountFactory(applicant=applicant)
    assert profile_completeness(applicant) == (100, [])


def test_an_individual_needs_no_enterprise_facts() -> None:
    applicant = ApplicantFactory(individual=True, city="shenzhen", contact_person="")
    percent, missing = profile_completeness(applicant)
    assert missing == ["Contact person", "At least one qualification", "Bank account for payments"]
    assert percent == 25


def test_completeness_takes_two_queries_at_most(django_assert_max_num_queries: object) -> None:
    applicant = ApplicantFactory()
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        profile_completeness(applicant)


def test_facts_carry_qualification_codes_and_none_for_blanks() -> None:
    applicant = ApplicantFactory(size="", city="shenzhen", industry="39", revenue_cn=Decimal("900000000.00"))
    QualificationFactory(applicant=applicant, qualification="little_giant", year=2023)
    QualificationFactory(applicant=applicant, qualification="little_giant", year=2020)
    QualificationFactory(applicant=applicant, qualification="china_quality_award", year=2025)
    facts = applicant_facts(applicant)
    assert facts.applicant_type == "organisation"
    assert facts.qualifications == frozenset({"little_giant", "china_quality_award"})
    assert (facts.size, facts.city, facts.industry_division) == (None, "shenzhen", "39")
    assert facts.revenue_cn == Decimal("900000000.00") and facts.revenue_world is None


def test_facts_of_an_individual() -> None:
    facts = applicant_facts(ApplicantFactory(individual=True))
    assert facts.applicant_type == "individual" and facts.qualifications == frozenset()


def test_applicant_of_raises_404_for_users_without_applicant() -> None:
    official = User.objects.create_user("official")
    with pytest.raises(Http404):
        applicant_of(official)
