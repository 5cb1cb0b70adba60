"""The fields of expertise and the score sheets of measures 15 and 17, added after every migrate
(like the catalog, measures/catalog_loader.py, which they follow: the incentives must exist). Only
what is missing is added, so an administrator's edits in the admin are never overwritten."""

from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

FIELDS = [
    ("standardisation", "标准化", "Standardisation"),
    ("quality-management", "质量管理", "Quality management"),
    ("electronics", "电子信息", "Electronics and information technology"),
    ("equipment", "装备制造", "Equipment manufacturing"),
    ("materials", "新材料", "New materials"),
    ("measurement", "计量检测", "Measurement and testing"),
    ("brand", "品牌建设", "Brand building"),
    ("finance", "财务审计", "Finance and audit"),
]

# (Chinese, English, guidance (Chinese), guidance (English), most points, weight)
Criterion = tuple[str, str, str, str, str, str]

STANDARDS_SHEET: list[Criterion] = [
    (
        "主导程度",
        "Leadership of the work",
        "申报单位在标准制修订中的角色（召集人、项目负责人、主要起草单位）及贡献。",
        "The applicant's role in drafting the standard (convenor, project leader, main drafter) and its contribution.",
        "30",
        "1",
    ),
    (
        "技术水平与创新性",
        "Technical level and innovation",
        "标准的技术先进性，与国内外同类标准的比较。",
        "How advanced the standard is, compared with similar national and international standards.",
        "30",
        "1",
    ),
    (
        "产业影响",
        "Impact on the industry",
        "标准对广东产业、出口和产业链的带动作用。",
        "What the standard does for Guangdong's industry, exports and supply chains.",
        "25",
        "1",
    ),
    (
        "材料规范性",
        "Completeness of the material",
        "申报材料是否完整、真实、规范。",
        "Whether the material is complete, genuine and in order.",
        "15",
        "1",
    ),
]

QUALITY_AWARD_SHEET: list[Criterion] = [
    (
        "领导与战略",
        "Leadership and strategy",
        "质量领导力、质量战略及其落实。",
        "Quality leadership, the quality strategy and how it is carried out.",
        "20",
        "1",
    ),
    (
        "质量管理体系与方法",
        "Quality management system and methods",
        "先进质量管理模式、方法的应用与创新。",
        "How advanced quality management models and methods are applied and developed.",
        "25",
        "1",
    ),
    (
        "创新与品牌",
        "Innovation and brand",
        "自主创新能力、品牌影响力与顾客满意。",
        "Own innovation, the brand's reach and customer satisfaction.",
        "25",
        "1",
    ),
    (
        "经营绩效与社会责任",
        "Results and social responsibility",
        "质量效益、行业带动作用、社会责任履行。",
        "Quality-driven results, what it does for its industry, and social responsibility.",
        "30",
        "1",
    ),
]

SHEETS = {
    15: ("国际标准资助项目专家评分表", "Expert score sheet: funding for international standards", STANDARDS_SHEET),
    17: ("质量奖资助项目专家评分表", "Expert score sheet: quality award grants", QUALITY_AWARD_SHEET),
}


def load_expert_seed(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    from measures.models import Incentive

    from .models import ExpertiseField, ScoreCriterion, ScoreSheet

    added = {"fields": 0, "sheets": 0}
    for code, name, name_en in FIELDS:
        _field, created = ExpertiseField.objects.using(using).get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
        added["fields"] += int(created)
    with_sheet = set(ScoreSheet.objects.using(using).values_list("incentive_id", flat=True))
    for number, (title, title_en, criteria) in SHEETS.items():
        for incentive in Incentive.objects.using(using).filter(measure__number=number).exclude(pk__in=with_sheet):
            sheet = ScoreSheet.objects.using(using).create(incentive=incentive, title=title, title_en=title_en)
            ScoreCriterion.objects.using(using).bulk_create(
                ScoreCriterion(
                    sheet=sheet,
                    order=position,
                    name=name,
                    name_en=name_en,
                    guidance=guidance,
                    guidance_en=guidance_en,
                    max_points=Decimal(most),
                    weight=Decimal(weight),
                )
                for position, (name, name_en, guidance, guidance_en, most, weight) in enumerate(criteria, start=1)
            )
            added["sheets"] += 1
    return added


def load_expert_seed_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    from .models import ScoreSheet

    if ScoreSheet._meta.db_table in connections[using].introspection.table_names():
        load_expert_seed(using=using)
