"""Loads the policy catalog into the database: the policy text plus curated data.

Full texts, chapter titles, the preamble and the closing provisions are read from the policy
itself (measures/data/*.zh.txt) so they stay exactly as published; everything the text does
not state in a structured way (English, departments' codes, incentives, amounts, criteria,
targets) comes from measures/data/catalog.yaml.

Loading only adds what is missing, so it is safe to run on every migrate and never
overwrites an administrator's edits. A new amount parameter added to the YAML (say, next
year's cap with a later `valid_from`) is added beside the earlier one.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .models import (
    AmountParameter,
    Chapter,
    Department,
    EligibilityCriterion,
    Incentive,
    Measure,
    MeasureDepartment,
    PolicyDocument,
    RequiredDocument,
    Target,
)

CATALOG_YAML = Path(__file__).resolve().parent / "data" / "catalog.yaml"

CHAPTER_LINE = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
MEASURE_LINE = re.compile(r"^(\d+)．(.+)$")
CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class PolicyText:
    title: str
    preamble: str
    chapters: dict[int, str]
    # measure number → (chapter number, full paragraph after "N．")
    measures: dict[int, tuple[int, str]]
    closing: str


def parse_policy_text(raw: str) -> PolicyText:
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    title_lines: list[str] = []
    preamble: list[str] = []
    closing: list[str] = []
    chapters: dict[int, str] = {}
    measures: dict[int, tuple[int, str]] = {}
    chapter = 0
    for line in lines:
        if chapter_match := CHAPTER_LINE.match(line):
            chapter = CHINESE_NUMERALS[chapter_match.group(1)]
            chapters[chapter] = chapter_match.group(2)
        elif (measure_match := MEASURE_LINE.match(line)) and chapter:
            measures[int(measure_match.group(1))] = (chapter, measure_match.group(2))
        elif not chapter:
            # Title lines come first (the title and "（征求意见稿）"); the preamble is prose.
            (title_lines if not line.endswith("。") else preamble).append(line)
        else:
            closing.append(line)
    title = "".join(t for t in title_lines if not t.startswith("（"))
    return PolicyText(title, "\n".join(preamble), chapters, measures, "\n".join(closing))


def read_policy_text() -> PolicyText:
    return parse_policy_text(Path(settings.POLICY_TEXT_PATH).read_text(encoding="utf-8"))


def read_catalog_data() -> dict[str, Any]:
    with CATALOG_YAML.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@transaction.atomic
def load_catalog(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Adds whatever part of the catalog is missing; returns how many rows of each kind it added."""
    text = read_policy_text()
    data = read_catalog_data()
    added: dict[str, int] = {}
    doc_data = data["document"]
    params_from = dt.date.fromisoformat(str(doc_data["parameters_valid_from"]))

    document, created = PolicyDocument.objects.using(using).get_or_create(
        code=doc_data["code"],
        defaults={
            "title": text.title,
            "title_en": doc_data["title_en"],
            "issuer": doc_data["issuer"],
            "issuer_en": doc_data["issuer_en"],
            "status": doc_data.get("status", PolicyDocument.Status.DRAFT),
            "validity_years": doc_data.get("validity_years", 3),
            "preamble": text.preamble,
            "closing_text": text.closing,
            "credit_commitment": doc_data.get("credit_commitment", ""),
            "credit_commitment_en": doc_data.get("credit_commitment_en", ""),
        },
    )
    added["documents"] = int(created)
    if not created and not document.credit_commitment and doc_data.get("credit_commitment"):
        # A catalog loaded before commitments existed: the text is missing, so it is added.
        document.credit_commitment = doc_data["credit_commitment"]
        document.credit_commitment_en = doc_data.get("credit_commitment_en", "")
        document.save(using=using, update_fields=["credit_commitment", "credit_commitment_en"])

    existing = set(Department.objects.using(using).values_list("code", flat=True))
    new_departments = [
        Department(
            code=d["code"],
            name=d["name"],
            full_name=d.get("full_name", ""),
            name_en=d["name_en"],
            is_generic=d.get("generic", False),
        )
        for d in data["departments"]
        if d["code"] not in existing
    ]
    Department.objects.using(using).bulk_create(new_departments)
    added["departments"] = len(new_departments)
    departments = {d.code: d for d in Department.objects.using(using).all()}
    for d in data["departments"]:
        # A catalog loaded before full names existed: an empty full name is filled, an edited one kept.
        department = departments[d["code"]]
        if not department.full_name and d.get("full_name"):
            department.full_name = d["full_name"]
            department.save(using=using, update_fields=["full_name"])

    existing_chapters = set(document.chapters.using(using).values_list("number", flat=True))
    new_chapters = [
        Chapter(document=document, number=number, title=title, title_en=data["chapters"][number]["title_en"])
        for number, title in text.chapters.items()
        if number not in existing_chapters
    ]
    Chapter.objects.using(using).bulk_create(new_chapters)
    added["chapters"] = len(new_chapters)
    chapters = {c.number: c for c in document.chapters.using(using).all()}

    existing_measures = set(Measure.objects.using(using).values_list("number", flat=True))
    new_measures, new_responsibilities = [], []
    for number, (chapter_number, paragraph) in text.measures.items():
        if number in existing_measures:
            continue
        curated = data["measures"][number]
        measure = Measure(
            chapter=chapters[chapter_number],
            number=number,
            title=curated["title"],
            title_en=curated["title_en"],
            summary_en=curated["summary_en"],
            text=paragraph,
        )
        new_measures.append(measure)
        new_responsibilities += [
            MeasureDepartment(measure=measure, department=departments[code], position=position)
            for position, code in enumerate(curated["departments"], start=1)
        ]
    Measure.objects.using(using).bulk_create(new_measures)
    MeasureDepartment.objects.using(using).bulk_create(new_responsibilities)
    added["measures"] = len(new_measures)
    measures = {m.number: m for m in Measure.objects.using(using).all()}

    added.update(_load_incentives(using, data["incentives"], measures, departments, params_from))

    existing_targets = set(Target.objects.using(using).values_list("code", flat=True))
    new_targets = [
        Target(
            code=t["code"],
            measure=measures[t["measure"]],
            department=departments[t["department"]],
            description=t["description"],
            description_en=t["description_en"],
            quantity=t["quantity"],
            unit=t["unit"],
            unit_en=t["unit_en"],
            qualifier=t.get("qualifier", "exact"),
            deadline=t.get("deadline"),
        )
        for t in data["targets"]
        if t["code"] not in existing_targets
    ]
    Target.objects.using(using).bulk_create(new_targets)
    added["targets"] = len(new_targets)
    return added


def _load_incentives(
    using: str,
    entries: list[dict[str, Any]],
    measures: dict[int, Measure],
    departments: dict[str, Department],
    params_from: dt.date,
) -> dict[str, int]:
    incentives = {i.code: i for i in Incentive.objects.using(using).all()}
    new_incentives = []
    positions: dict[int, int] = {}
    for entry in entries:
        position = positions[entry["measure"]] = positions.get(entry["measure"], 0) + 1
        if entry["code"] in incentives:
            continue
        incentive = Incentive(
            code=entry["code"],
            measure=measures[entry["measure"]],
            position=position,
            name=entry["name"],
            name_en=entry["name_en"],
            description=entry.get("description", ""),
            description_en=entry.get("description_en", ""),
            kind=entry["kind"],
            applicant_type=entry.get("applicant_type", "organisation"),
            handling_department=departments[entry["department"]],
            unit=entry.get("unit", ""),
            unit_en=entry.get("unit_en", ""),
            application_form=entry.get("form", {}),
            # Once only: the catalog's claim key, else the certificate number for awards.
            claim_key=entry.get("claim_key", "claim.certificate_number" if entry["kind"] == "fixed_grant" else ""),
            claim_key_repeats_yearly=entry.get("claim_key_repeats_yearly", False),
            credit_commitment=entry.get("credit_commitment", ""),
            credit_commitment_en=entry.get("credit_commitment_en", ""),
        )
        new_incentives.append(incentive)
        incentives[incentive.code] = incentive
    Incentive.objects.using(using).bulk_create(new_incentives)
    fresh = {i.code for i in new_incentives}

    existing_parameters = set(AmountParameter.objects.using(using).values_list("incentive__code", "key", "valid_from"))
    parameters, criteria, documents = [], [], []
    for entry in entries:
        incentive = incentives[entry["code"]]
        for amount in entry.get("amounts", []):
            valid_from = dt.date.fromisoformat(str(amount.get("valid_from", params_from)))
            if (incentive.code, amount["key"], valid_from) in existing_parameters:
                continue
            parameters.append(
                AmountParameter(
                    incentive=incentive,
                    key=amount["key"],
                    value=_decimal(amount.get("value")),
                    valid_from=valid_from,
                    valid_to=amount.get("valid_to"),
                    note=amount.get("note", ""),
                    note_en=amount.get("note_en", ""),
                )
            )
        if incentive.code not in fresh:
            continue  # criteria and documents of an existing incentive belong to the administrator now
        criteria += [
            EligibilityCriterion(
                incentive=incentive,
                position=position,
                rule=c["rule"],
                params=c.get("params", {}),
                alternative_group=c.get("group", ""),
                text=c.get("text", ""),
                text_en=c.get("text_en", ""),
                valid_from=c.get("valid_from"),
                valid_to=c.get("valid_to"),
            )
            for position, c in enumerate(entry.get("criteria", []), start=1)
        ]
        documents += [
            RequiredDocument(
                incentive=incentive,
                position=position,
                name=d["name"],
                name_en=d["name_en"],
                is_mandatory=d.get("mandatory", True),
            )
            for position, d in enumerate(entry.get("documents", []), start=1)
        ]
    AmountParameter.objects.using(using).bulk_create(parameters)
    EligibilityCriterion.objects.using(using).bulk_create(criteria)
    RequiredDocument.objects.using(using).bulk_create(documents)
    return {
        "incentives": len(new_incentives),
        "amount_parameters": len(parameters),
        "criteria": len(criteria),
        "documents": len(documents),
    }


def load_catalog_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # After `migrate measures zero` the tables are gone: nothing to load into.
    if PolicyDocument._meta.db_table in connections[using].introspection.table_names():
        load_catalog(using=using)
