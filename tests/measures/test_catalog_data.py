"""The catalog in the database against the policy text, read here on its own.

The policy file is parsed with this module's own regular expressions (never through
measures.catalog_loader), so a mistake in the loader or in catalog.yaml cannot hide itself:
titles, full texts, chapters and responsible departments must match the published words, and
every amount, threshold and target the text states is written out below and checked both
against the text and against the database.
"""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from measures.models import (
    AmountParameter,
    Chapter,
    Department,
    EligibilityCriterion,
    Incentive,
    Measure,
    MeasureDepartment,
    RequiredDocument,
    Target,
)
from measures.vocabulary import EnterpriseSize, GuangdongCity, Qualification

pytestmark = pytest.mark.usefixtures("db")

POLICY_PATH = Path(__file__).resolve().parents[2] / "measures" / "data" / "guangdong-quality-brand-31-measures.zh.txt"
RAW = POLICY_PATH.read_text(encoding="utf-8")

CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
CHAPTER_RE = re.compile(r"^([一二三四五])、(\S.*)$")
MEASURE_RE = re.compile(r"^(\d{1,2})．(\S.*)$")
CLAUSE_RE = re.compile(r"（责任单位：([^（）]+)）$")
MONEY_RE = re.compile(r"(\d+(?:\.\d+)?)(万|亿)元")


def _parse() -> tuple[dict[int, str], dict[int, tuple[int, str]]]:
    chapters: dict[int, str] = {}
    measures: dict[int, tuple[int, str]] = {}
    current = 0
    for line in (raw_line.strip() for raw_line in RAW.splitlines()):
        if match := CHAPTER_RE.match(line):
            current = CHINESE_DIGITS[match.group(1)]
            chapters[current] = match.group(2)
        elif (match := MEASURE_RE.match(line)) and current:
            measures[int(match.group(1))] = (current, match.group(2))
    return chapters, measures


CHAPTERS, PARAGRAPHS = _parse()


def paragraph(number: int) -> str:
    return PARAGRAPHS[number][1]


def responsible(number: int) -> list[str]:
    """The （责任单位：…） clause as a list of names, with 按职责分工负责 / 负责 / 等 removed."""
    match = CLAUSE_RE.search(paragraph(number))
    assert match, f"measure {number} has no 责任单位 clause"
    clause = match.group(1)
    for suffix in ("按职责分工负责", "负责"):
        if clause.endswith(suffix):
            clause = clause[: -len(suffix)]
            break
    names = [name.strip() for name in clause.split("、")]
    return [name.removesuffix("等") for name in names]


ALL_NAMED = sorted({name for number in PARAGRAPHS for name in responsible(number)})


def yuan(phrase: str) -> Decimal:
    """'300万元' → 3000000, '1亿元' → 100000000."""
    match = MONEY_RE.fullmatch(phrase)
    assert match, phrase
    return Decimal(match.group(1)) * (Decimal(10_000) if match.group(2) == "万" else Decimal(100_000_000))


def count_in(phrase: str) -> int:
    """'4万家企业' → 40000, '约1000名' → 1000, '500项以上' → 500."""
    match = re.search(r"(\d+)(万?)", phrase)
    assert match, phrase
    return int(match.group(1)) * (10_000 if match.group(2) else 1)


# ── the document's structure ─────────────────────────────────────────────────────────────────


def test_the_text_itself_parses_into_31_measures_in_5_chapters():
    assert sorted(CHAPTERS) == [1, 2, 3, 4, 5]
    assert sorted(PARAGRAPHS) == list(range(1, 32))


def test_chapters_match_the_text():
    assert list(Chapter.objects.order_by("number").values_list("number", "title")) == sorted(CHAPTERS.items())


def test_exactly_31_measures_numbered_1_to_31():
    assert list(Measure.objects.order_by("number").values_list("number", flat=True)) == list(range(1, 32))


@pytest.mark.parametrize("number", sorted(PARAGRAPHS))
def test_measure_title_text_and_chapter(number):
    measure = Measure.objects.select_related("chapter").get(number=number)
    chapter_number, text = PARAGRAPHS[number]
    assert measure.chapter.number == chapter_number
    assert measure.title == text.split("。", 1)[0]
    assert measure.text == text
    assert f"{number}．{measure.text}" in RAW


# ── responsible departments ──────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("number", sorted(PARAGRAPHS))
def test_measure_departments_in_the_policy_order(number):
    rows = list(
        MeasureDepartment.objects.filter(measure__number=number).order_by("position").select_related("department")
    )
    assert [row.department.name for row in rows] == responsible(number)
    assert [row.position for row in rows] == list(range(1, len(rows) + 1))
    assert [row.is_lead for row in rows] == [True] + [False] * (len(rows) - 1)


@pytest.mark.parametrize("name", ALL_NAMED)
def test_every_named_department_exists_exactly_once(name):
    assert Department.objects.filter(name=name).count() == 1


def test_no_department_the_text_does_not_name():
    assert sorted(Department.objects.values_list("name", flat=True)) == ALL_NAMED


def test_generic_industry_department():
    assert list(Department.objects.filter(is_generic=True).values_list("name", flat=True)) == ["省有关行业主管部门"]


def test_department_codes_are_short_slugs():
    for code in Department.objects.values_list("code", flat=True):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert len(code) <= 20, code


# ── amounts and thresholds ───────────────────────────────────────────────────────────────────

# Every figure the policy states: (incentive, parameter, value, measure, the words in the text).
STATED_AMOUNTS = [
    ("m17-china-quality-award-org", "amount", Decimal("3000000"), 17, "300万元"),
    ("m17-china-quality-award-ind", "amount", Decimal("1000000"), 17, "100万元"),
    ("m17-china-quality-award-nomination-org", "amount", Decimal("500000"), 17, "50万元"),
    ("m17-china-quality-award-nomination-ind", "amount", Decimal("500000"), 17, "50万元"),
    ("m17-provincial-quality-award-org", "amount", Decimal("2000000"), 17, "200万元"),
    ("m17-provincial-quality-award-ind", "amount", Decimal("2000000"), 17, "200万元"),
    ("m15-international-standard-lead", "unit_cap", Decimal("500000"), 15, "50万元"),
    ("m11-yuepinrong-quality-loan", "cap", Decimal("100000000"), 11, "1亿元"),
]

# Thresholds the policy states as conditions: (incentive, rule, params, measure, the words).
STATED_THRESHOLDS = [
    ("m9-merger-filing-green-channel", "parties_total_cn_above", {"amount": "2000000000"}, 9, "20亿元"),
    ("m9-merger-filing-green-channel", "parties_total_world_above", {"amount": "10000000000"}, 9, "100亿元"),
    ("m9-merger-filing-green-channel", "parties_revenue_cn_above", {"amount": "400000000", "count": 2}, 9, "4亿元"),
]

# Support the policy names without a figure: the parameter exists and is empty (set by the department).
UNSTATED_AMOUNTS = [
    ("m3-national-single-champion", "amount"),
    ("m3-little-giant", "amount"),
    ("m3-small-micro-upscaling", "amount"),
    ("m5-dual-carbon-research-project", "cap"),
    ("m7-cloud-platform-cost-share", "rate"),
    ("m7-cloud-platform-cost-share", "cap"),
    ("m12-ip-pledge-financing", "cap"),
    ("m13-quality-digitalisation-subsidy", "rate"),
    ("m13-quality-digitalisation-subsidy", "cap"),
    ("m14-gd-standardisation-award-org", "cap"),
    ("m14-gd-standardisation-award-ind", "cap"),
    ("m19-demonstration-zone-subsidy", "cap"),
]

REQUIRED_KEYS = {
    Incentive.Kind.FIXED_GRANT: {"amount"},
    Incentive.Kind.PER_UNIT_GRANT: {"unit_cap"},
    Incentive.Kind.COST_SHARE_GRANT: {"rate", "cap"},
    Incentive.Kind.DISCRETIONARY_GRANT: {"cap"},
    Incentive.Kind.FINANCING: {"cap"},
    Incentive.Kind.TAX_FEE: set(),
    Incentive.Kind.FAST_TRACK: set(),
    Incentive.Kind.RECOGNITION: set(),
}


@pytest.mark.parametrize(("code", "key", "value", "measure", "words"), STATED_AMOUNTS)
def test_stated_amount(code, key, value, measure, words):
    assert words in paragraph(measure)
    assert yuan(words) == value
    incentive = Incentive.objects.get(code=code)
    assert incentive.measure.number == measure
    assert AmountParameter.objects.get(incentive=incentive, key=key).value == value


@pytest.mark.parametrize(("code", "rule", "params", "measure", "words"), STATED_THRESHOLDS)
def test_stated_threshold(code, rule, params, measure, words):
    assert words in paragraph(measure)
    assert yuan(words) == Decimal(params["amount"])
    # The policy's own figure: in force from the policy's start (a later national change has its own row).
    criterion = EligibilityCriterion.objects.get(incentive__code=code, rule=rule, valid_from__isnull=True)
    assert Decimal(criterion.params["amount"]) == Decimal(params["amount"])
    assert criterion.params.get("count") == params.get("count")


def test_merger_green_channel_turnover_alternatives():
    """Measure 9: the parties' combined turnover (营业额合计: China > 2bn OR world > 10bn) AND at
    least two parties each > 400m in China."""
    assert "至少两个经营者" in paragraph(9) and "营业额合计" in paragraph(9)
    criteria = {
        c.rule: c for c in EligibilityCriterion.objects.filter(incentive__code="m9-merger-filing-green-channel")
    }
    assert set(criteria) == {"parties_total_cn_above", "parties_total_world_above", "parties_revenue_cn_above"}
    group = criteria["parties_total_cn_above"].alternative_group
    assert group
    assert criteria["parties_total_world_above"].alternative_group == group
    assert criteria["parties_revenue_cn_above"].alternative_group == ""
    assert Incentive.objects.get(code="m9-merger-filing-green-channel").kind == Incentive.Kind.FAST_TRACK


def test_every_money_figure_in_the_text_is_accounted_for():
    stated = {(measure, words) for *_, measure, words in STATED_AMOUNTS + STATED_THRESHOLDS}
    in_text = {(number, match.group(0)) for number in PARAGRAPHS for match in MONEY_RE.finditer(paragraph(number))}
    assert in_text == stated


def test_no_figure_the_policy_does_not_state():
    stated = {(code, key) for code, key, *_ in STATED_AMOUNTS}
    with_value = set(AmountParameter.objects.filter(value__isnull=False).values_list("incentive__code", "key"))
    assert with_value == stated


@pytest.mark.parametrize(("code", "key"), UNSTATED_AMOUNTS)
def test_support_without_a_figure_has_an_empty_parameter(code, key):
    assert AmountParameter.objects.get(incentive__code=code, key=key).value is None


def test_every_incentive_has_exactly_the_parameter_keys_of_its_kind():
    for incentive in Incentive.objects.prefetch_related("amount_parameters"):
        keys = {p.key for p in incentive.amount_parameters.all()}
        assert keys == REQUIRED_KEYS[incentive.kind], incentive.code


def test_rates_are_shares():
    for value in AmountParameter.objects.filter(key="rate", value__isnull=False).values_list("value", flat=True):
        assert Decimal(0) <= value <= Decimal(1)


def test_measure_17_awards_and_applicant_types():
    expected = {
        "m17-china-quality-award-org": ("organisation", "china_quality_award"),
        "m17-china-quality-award-ind": ("individual", "china_quality_award"),
        "m17-china-quality-award-nomination-org": ("organisation", "china_quality_award_nomination"),
        "m17-china-quality-award-nomination-ind": ("individual", "china_quality_award_nomination"),
        "m17-provincial-quality-award-org": ("organisation", "provincial_quality_award"),
        "m17-provincial-quality-award-ind": ("individual", "provincial_quality_award"),
    }
    for code, (applicant_type, qualification) in expected.items():
        incentive = Incentive.objects.get(code=code)
        assert incentive.kind == Incentive.Kind.FIXED_GRANT
        assert incentive.applicant_type == applicant_type
        qualification_criteria = incentive.criteria.filter(rule="qualification_any")
        assert [c.params["qualifications"] for c in qualification_criteria] == [[qualification]]


def test_international_standard_grant_is_per_standard_led():
    incentive = Incentive.objects.get(code="m15-international-standard-lead")
    assert incentive.kind == Incentive.Kind.PER_UNIT_GRANT
    assert incentive.unit == "项国际标准"
    assert incentive.unit_en


def test_yuepinrong_loan_eligibility():
    assert "粤品融" in paragraph(11)
    incentive = Incentive.objects.get(code="m11-yuepinrong-quality-loan")
    assert incentive.kind == Incentive.Kind.FINANCING
    criterion = incentive.criteria.get(rule="qualification_any")
    assert set(criterion.params["qualifications"]) == {
        "national_single_champion",
        "little_giant",
        "provincial_quality_award",
    }


def test_high_tech_permit_commitment_is_limited_to_high_tech_divisions():
    assert "告知承诺制" in paragraph(21)
    incentive = Incentive.objects.get(code="m21-permit-notification-commitment")
    assert incentive.kind == Incentive.Kind.FAST_TRACK
    divisions = incentive.criteria.get(rule="industry_in").params["divisions"]
    assert {"27", "37", "39", "40"} <= set(divisions)


# ── targets ──────────────────────────────────────────────────────────────────────────────────

# (measure, the words in the text, quantity, deadline)
STATED_TARGETS = [
    (1, "20个省级重点产业集群", 20, None),
    (1, "20个重点园区", 20, None),
    (5, "20个战略新兴产业集群", 20, None),
    (5, "100个项目", 100, None),
    (10, "4万家企业", 40000, dt.date(2025, 12, 31)),
    (15, "500项以上", 500, None),
    (28, "10个左右", 10, None),
    (28, "300名左右", 300, None),
    (28, "约1000名", 1000, None),
]


def expected_qualifier(words: str) -> str:
    if "以上" in words:
        return "at_least"
    if "左右" in words or words.startswith("约"):
        return "about"
    return "exact"


@pytest.mark.parametrize(("measure", "words", "quantity", "deadline"), STATED_TARGETS)
def test_stated_target(measure, words, quantity, deadline):
    assert words in paragraph(measure)
    assert count_in(words) == quantity
    matching = Target.objects.filter(measure__number=measure, quantity=quantity)
    assert matching.count() == sum(1 for m, _, q, _ in STATED_TARGETS if (m, q) == (measure, quantity))
    assert {t.qualifier for t in matching} == {expected_qualifier(words)}
    assert {t.deadline for t in matching} == {deadline}


def test_fourteenth_five_year_plan_deadline():
    assert "“十四五”期间推动4万家企业" in paragraph(10)


def test_every_target_belongs_to_a_stated_figure():
    stated = sorted((m, q) for m, _, q, _ in STATED_TARGETS)
    assert sorted(Target.objects.values_list("measure__number", "quantity")) == stated


def test_target_departments_are_responsible_for_the_measure():
    for target in Target.objects.select_related("measure", "department"):
        assert target.department.name in responsible(target.measure.number), target.code


# ── incentives: shape, English and criteria ──────────────────────────────────────────────────

KNOWN_RULES = {
    "qualification_any",
    "size_in",
    "city_in",
    "industry_in",
    "revenue_cn_above",
    "revenue_world_above",
    "parties_revenue_cn_above",
    "parties_total_cn_above",
    "parties_total_world_above",
    "declaration",
}


def test_incentive_count_and_codes():
    incentives = list(Incentive.objects.select_related("measure"))
    assert 35 <= len(incentives) <= 50
    for incentive in incentives:
        assert incentive.code.startswith(f"m{incentive.measure.number}-"), incentive.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", incentive.code), incentive.code


def test_handling_department_is_responsible_for_the_measure():
    for incentive in Incentive.objects.select_related("measure", "handling_department"):
        assert incentive.handling_department.name in responsible(incentive.measure.number), incentive.code


def test_per_unit_grants_name_their_unit():
    for incentive in Incentive.objects.filter(kind=Incentive.Kind.PER_UNIT_GRANT):
        assert incentive.unit, incentive.code
        assert incentive.unit_en, incentive.code


def test_every_incentive_lists_one_to_three_documents():
    for incentive in Incentive.objects.prefetch_related("required_documents"):
        documents = list(incentive.required_documents.all())
        assert 1 <= len(documents) <= 3, incentive.code
        assert any(d.is_mandatory for d in documents), incentive.code


def test_english_everywhere():
    for incentive in Incentive.objects.all():
        assert incentive.name_en.strip(), incentive.code
        assert incentive.description.strip(), incentive.code
        assert incentive.description_en.strip(), incentive.code
    for measure in Measure.objects.all():
        assert measure.title_en.strip(), measure.number
        assert measure.summary_en.strip(), measure.number
    for department in Department.objects.all():
        assert department.name_en.strip(), department.code
    for chapter in Chapter.objects.all():
        assert chapter.title_en.strip(), chapter.number
    for target in Target.objects.all():
        assert target.description_en.strip(), target.code
        assert target.unit_en.strip(), target.code
    assert not RequiredDocument.objects.filter(name_en="").exists()
    assert not AmountParameter.objects.filter(note_en="").exists()


def test_criteria_use_known_rules_and_codes():
    qualifications = set(Qualification.values)
    sizes = set(EnterpriseSize.values)
    cities = set(GuangdongCity.values)
    for criterion in EligibilityCriterion.objects.select_related("incentive"):
        where = f"{criterion.incentive.code} #{criterion.position}"
        params = criterion.params
        assert criterion.rule in KNOWN_RULES, where
        if criterion.rule == "qualification_any":
            assert params["qualifications"], where
            assert set(params["qualifications"]) <= qualifications, where
        elif criterion.rule == "size_in":
            assert params["sizes"], where
            assert set(params["sizes"]) <= sizes, where
        elif criterion.rule == "city_in":
            assert params["cities"], where
            assert set(params["cities"]) <= cities, where
        elif criterion.rule == "industry_in":
            assert params["divisions"], where
            for division in params["divisions"]:
                assert isinstance(division, str), where
                assert re.fullmatch(r"\d{2}", division), where
                assert 13 <= int(division) <= 43, where
        elif criterion.rule in {
            "revenue_cn_above",
            "revenue_world_above",
            "parties_revenue_cn_above",
            "parties_total_cn_above",
            "parties_total_world_above",
        }:
            assert isinstance(params["amount"], str), where
            assert Decimal(params["amount"]) > 0, where
            if criterion.rule == "parties_revenue_cn_above":
                assert isinstance(params["count"], int), where
                assert params["count"] >= 1, where
        else:  # declaration
            assert criterion.text.strip(), where
            assert criterion.text_en.strip(), where


def test_alternative_groups_have_at_least_two_members():
    groups: dict[tuple[int, str], int] = {}
    for incentive_id, group in EligibilityCriterion.objects.exclude(alternative_group="").values_list(
        "incentive_id", "alternative_group"
    ):
        groups[(incentive_id, group)] = groups.get((incentive_id, group), 0) + 1
    assert all(count >= 2 for count in groups.values()), groups


def test_amount_parameters_start_on_the_catalog_date():
    """The draft leaves the day blank; every figure is in force from the catalog's start date."""
    starts = set(AmountParameter.objects.values_list("valid_from", flat=True))
    assert starts == {dt.date(2023, 1, 1)}
    assert not AmountParameter.objects.filter(valid_to__isnull=False).exists()
