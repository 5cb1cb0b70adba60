"""Forms as data: sections bind stored answers, keep what was typed, and give the engine its figures."""

from decimal import Decimal

import pytest
from django.utils import timezone

from applications import form_definitions as fd
from measures.amounts import compute_amount
from measures.models import Incentive

pytestmark = pytest.mark.django_db

STANDARD = {"number": "ISO 12345:2025", "title": "智能制造 术语", "organisation": "iso", "published_on": "2025-05-01"}


def test_measure_15_form_counts_each_standard_led_as_a_unit() -> None:
    incentive = Incentive.objects.get(code="m15-international-standard-lead")
    answers = {
        "claim": {
            "summary": "主导两项国际标准",
            "standards": [STANDARD, {**STANDARD, "number": "IEC 6"}],
            "requested_amount": "",
        }
    }
    assert fd.validate_answers(incentive, {**answers, "contact": {"contact_name": "王", "contact_phone": "1"}}) == {}
    claim = fd.claim_from_answers(incentive, answers)
    assert claim.units == 2 and claim.requested is None
    result = compute_amount(incentive, on=timezone.localdate(), claim=claim)
    assert result.amount == Decimal("1000000.00")


def test_a_section_with_a_bad_value_reports_it_and_keeps_the_typed_text() -> None:
    incentive = Incentive.objects.get(code="m15-international-standard-lead")
    section = fd.sections(incentive)[0]
    posted = {
        "summary": "说明",
        "requested_amount": "五十万",
        **fd.rows_as_formset_data("standards", [{**STANDARD, "published_on": "not a date"}]),
    }
    result = fd.bind_section(section, None, posted=posted)
    assert not result.is_valid()
    raw = result.raw()
    assert raw["requested_amount"] == "五十万"
    assert raw["standards"][0]["published_on"] == "not a date"
    ids = [field_id for field_id, _message in result.errors()]
    assert "id_requested_amount" in ids and "id_standards-0-published_on" in ids


def test_default_forms_exist_for_every_kind_and_unfilled_answers_are_incomplete() -> None:
    for incentive in Incentive.objects.all():
        sections = fd.sections(incentive)
        assert sections, incentive.code
        problems = fd.validate_answers(incentive, {})
        assert set(problems) == {s.key for s in sections}


def test_cost_share_claim_reads_the_spending() -> None:
    incentive = Incentive.objects.get(code="m13-quality-digitalisation-subsidy")
    claim = fd.claim_from_answers(incentive, {"claim": {"investment": "1200000.50"}})
    assert claim.eligible_spending == Decimal("1200000.50")
