"""Application forms as data: each incentive's form is a list of short sections of fields.

An incentive's `application_form` (editable in the admin, loadable from the catalog YAML) looks like

    {"sections": [{"key": "claim", "title": "申报内容", "title_en": "Your claim",
                   "fields": [{"key": "investment", "type": "money", "label": "…", "label_en": "…",
                               "required": true, "help": "…", "help_en": "…"},
                              {"key": "standards", "type": "rows", "min_rows": 1, "max_rows": 20,
                               "label": "…", "fields": [...]}]}],
     "claim": {"units": "claim.standards", "eligible_spending": "claim.investment",
               "requested": "claim.requested_amount"}}

Field types: text, textarea, integer, money, date, choice (with "options"), rows (a repeating
group of the other types). `claim` tells the amount engine which answers are its figures. An
empty definition means the default form for the incentive's kind.

Answers are stored as typed, per section, so a draft never loses anything; they are validated
per section when saved and all together on submission.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from measures.amounts import Claim
from measures.models import Incentive
from portal.forms import DateBox
from portal.languages import is_english, labelled
from portal.money import MoneyField, amount_as_typed

Kind = Incentive.Kind

DESCRIPTION = {
    "key": "summary",
    "type": "textarea",
    "required": True,
    "label": "申报事项简要说明",
    "label_en": "Short description of what you claim",
    "help": "说明申报依据、取得的成果及与本措施的关系（不超过2000字）。",
    "help_en": "What you claim, on what grounds, and how it relates to this measure (up to 2,000 characters).",
}
CONTACT = [
    {
        "key": "contact_name",
        "type": "text",
        "required": True,
        "label": "本次申报联系人",
        "label_en": "Contact for this application",
    },
    {"key": "contact_phone", "type": "text", "required": True, "label": "联系电话", "label_en": "Contact phone"},
]
REQUESTED = {
    "key": "requested_amount",
    "type": "money",
    "required": True,
    "label": "申请金额（元）",
    "label_en": "Amount requested (CNY)",
}

KIND_FIELDS: dict[str, list[dict[str, Any]]] = {
    Kind.FIXED_GRANT: [
        {
            "key": "certificate_number",
            "type": "text",
            "required": True,
            "label": "获奖（认定）证书编号",
            "label_en": "Award or recognition certificate number",
        },
        {
            "key": "award_date",
            "type": "date",
            "required": True,
            "label": "获奖（认定）日期",
            "label_en": "Date of the award or recognition",
        },
    ],
    Kind.PER_UNIT_GRANT: [
        {
            "key": "units",
            "type": "rows",
            "min_rows": 1,
            "max_rows": 20,
            "label": "申报项目清单",
            "label_en": "Items claimed",
            "fields": [
                {"key": "number", "type": "text", "required": True, "label": "编号", "label_en": "Number"},
                {"key": "title", "type": "text", "required": True, "label": "名称", "label_en": "Title"},
            ],
        },
        {
            "key": "requested_amount",
            "type": "money",
            "required": False,
            "label": "申请金额（元，可不填）",
            "label_en": "Amount requested (CNY, optional)",
        },
    ],
    Kind.COST_SHARE_GRANT: [
        {
            "key": "investment",
            "type": "money",
            "required": True,
            "label": "符合条件的投入金额（元）",
            "label_en": "Eligible spending (CNY)",
        },
        {
            "key": "investment_period",
            "type": "text",
            "required": True,
            "label": "投入期间",
            "label_en": "Period of the spending",
        },
    ],
    Kind.DISCRETIONARY_GRANT: [
        REQUESTED,
        {
            "key": "plan",
            "type": "textarea",
            "required": True,
            "label": "建设方案及进展",
            "label_en": "Plan and progress",
        },
    ],
    Kind.FINANCING: [
        {**REQUESTED, "label": "拟融资金额（元）", "label_en": "Financing sought (CNY)"},
        {"key": "bank", "type": "text", "required": False, "label": "意向合作银行", "label_en": "Preferred bank"},
    ],
}
KIND_CLAIM: dict[str, dict[str, str]] = {
    Kind.PER_UNIT_GRANT: {"units": "claim.units", "requested": "claim.requested_amount"},
    Kind.COST_SHARE_GRANT: {"eligible_spending": "claim.investment"},
    Kind.DISCRETIONARY_GRANT: {"requested": "claim.requested_amount"},
    Kind.FINANCING: {"requested": "claim.requested_amount"},
}


def definition_for(incentive: Incentive) -> dict[str, Any]:
    if incentive.application_form:
        stored: dict[str, Any] = incentive.application_form  # JSON: the definition as the admin saved it
        return stored
    sections = [
        {
            "key": "claim",
            "title": "申报内容",
            "title_en": "Your claim",
            "fields": [DESCRIPTION, *KIND_FIELDS.get(incentive.kind, [])],
        },
        {"key": "contact", "title": "联系人", "title_en": "Contact", "fields": CONTACT},
    ]
    return {"sections": sections, "claim": KIND_CLAIM.get(incentive.kind, {})}


def localized(item: dict[str, Any], key: str) -> str:
    text: str = item[f"{key}_en"] if is_english() and item.get(f"{key}_en") else item.get(key, "")
    return text


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: list[dict[str, Any]]


def sections(incentive: Incentive) -> list[Section]:
    return [Section(s["key"], localized(s, "title"), s["fields"]) for s in definition_for(incentive)["sections"]]


def _django_field(spec: dict[str, Any]) -> forms.Field:
    common = {
        "label": localized(spec, "label"),
        "required": spec.get("required", False),
        "help_text": localized(spec, "help"),
    }
    kind = spec["type"]
    if kind == "textarea":
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 5}), **common)
    if kind == "integer":
        return forms.IntegerField(min_value=0, **common)
    if kind == "money":
        return MoneyField(**common)  # "1,000,000", "100万" and full-width digits, as people write them
    if kind == "date":
        return forms.DateField(widget=DateBox(), **common)
    if kind == "choice":
        options = [(o["value"], localized(o, "label")) for o in spec.get("options", [])]
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    return forms.CharField(max_length=200, **common)


def section_form_class(section: Section) -> type[forms.Form]:
    fields = {spec["key"]: _django_field(spec) for spec in section.fields if spec["type"] != "rows"}
    return type(f"{section.key.title()}Form", (forms.Form,), fields)


def rows_formset_class(spec: dict[str, Any]) -> type[forms.BaseFormSet]:
    row_form = type("RowForm", (forms.Form,), {f["key"]: _django_field(f) for f in spec["fields"]})
    return forms.formset_factory(
        row_form,
        extra=0,
        min_num=spec.get("min_rows", 0),
        max_num=spec.get("max_rows", 50),
        validate_min=True,
        validate_max=True,
    )


def rows_as_formset_data(prefix: str, rows: list[dict[str, Any]], spare: int = 0) -> dict[str, Any]:
    """Stored rows back into the POST-like shape a formset binds to."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + spare),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


@dataclass
class SectionResult:
    form: forms.Form
    formsets: dict[str, forms.BaseFormSet]

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return all([valid, *(fs.is_valid() for fs in self.formsets.values())])

    def raw(self) -> dict[str, Any]:
        """What was typed, kept as typed (valid or not), for the draft; an amount written as people
        write it ("1,000,000", "12万") is kept as the plain figure it means, which every reader parses."""
        raw: dict[str, Any] = {
            name: _as_stored(self.form, name, self.form.data.get(name, "")) for name in self.form.fields
        }
        for key, formset in self.formsets.items():
            rows = []
            for row_form in formset.forms:
                row = {
                    name: _as_stored(row_form, name, row_form.data.get(row_form.add_prefix(name), ""))
                    for name in row_form.fields
                }
                if any(str(v).strip() for v in row.values()):
                    rows.append(row)
            raw[key] = rows
        return raw

    def errors(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the error summary."""
        problems = [
            (
                self.form[name].id_for_label if name in self.form.fields else "",
                labelled(self.form.fields[name].label, m) if name in self.form.fields else str(m),
            )
            for name, messages in self.form.errors.items()
            for m in messages
        ]
        for key, formset in self.formsets.items():
            problems += [(f"id_{key}-TOTAL_FORMS", str(m)) for m in formset.non_form_errors()]
            for index, row_errors in enumerate(cast(list[ErrorDict], formset.errors)):  # the stubs: ErrorList
                for name, messages in row_errors.items():
                    problems += [
                        (f"id_{key}-{index}-{name}", _("Row %(n)s: %(m)s") % {"n": index + 1, "m": m}) for m in messages
                    ]
        return problems


PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")


def _as_stored(form: forms.Form, name: str, typed: Any) -> Any:
    if not isinstance(form.fields[name], MoneyField) or not isinstance(typed, str) or PLAIN_DECIMAL.fullmatch(typed):
        return typed
    try:
        amount = amount_as_typed(typed)
    except ValueError:
        return typed  # kept as typed, and reported as a problem
    return typed if amount is None else f"{amount:f}"


def bind_section(section: Section, data: dict[str, Any] | None, *, posted: Any = None) -> SectionResult:
    """Binds a section to POSTed data, or to stored answers (`data`), or leaves it unbound."""
    form_class = section_form_class(section)
    rows_specs = [spec for spec in section.fields if spec["type"] == "rows"]
    if posted is not None:
        form = form_class(posted)
        formsets = {s["key"]: rows_formset_class(s)(posted, prefix=s["key"]) for s in rows_specs}
    elif data is not None:
        form = form_class({k: v for k, v in data.items() if not isinstance(v, list)})
        formsets = {
            s["key"]: rows_formset_class(s)(rows_as_formset_data(s["key"], data.get(s["key"], [])), prefix=s["key"])
            for s in rows_specs
        }
    else:
        form = form_class()
        formsets = {
            s["key"]: rows_formset_class(s)(prefix=s["key"], initial=[{}] * max(1, s.get("min_rows", 0)))
            for s in rows_specs
        }
    return SectionResult(form, formsets)


def validate_answers(incentive: Incentive, answers: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Section key → problems; empty when every section is complete and valid."""
    problems = {}
    for section in sections(incentive):
        result = bind_section(section, answers.get(section.key, {}))
        if not result.is_valid():
            problems[section.key] = result.errors() or [("", str(_("This section is not complete.")))]
    return problems


def section_is_complete(incentive: Incentive, answers: dict[str, Any], section: Section) -> bool:
    return section.key in answers and bind_section(section, answers[section.key]).is_valid()


def claim_from_answers(incentive: Incentive, answers: dict[str, Any]) -> Claim:
    """The figures the amount engine needs, read from valid answers as the definition maps them."""
    mapping = definition_for(incentive).get("claim", {})

    def value(path: str | None) -> Any:
        if not path:
            return None
        section, _dot, field = path.partition(".")
        return answers.get(section, {}).get(field)

    def money(raw: Any) -> Decimal | None:
        return Decimal(str(raw)) if raw not in (None, "") else None

    try:
        units = value(mapping.get("units"))
        if isinstance(units, list):
            units = len(units) or None
        elif units not in (None, ""):
            units = int(units)
        else:
            units = None
        return Claim(
            units=units,
            eligible_spending=money(value(mapping.get("eligible_spending"))),
            requested=money(value(mapping.get("requested"))),
        )
    except (ArithmeticError, ValueError, TypeError):
        # A draft may hold figures as typed ("12万"); until they are valid there is no claim to price.
        return Claim()


def parties_from_answers(
    incentive: Incentive, answers: dict[str, Any]
) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]] | None:
    """Measure 9's parties to the merger as the claim lists them (the definition's claim "parties":
    "section.rows"): each party's turnover in China and worldwide. None when the form asks for no
    parties, or while a turnover is missing or not a valid amount."""
    path = definition_for(incentive).get("claim", {}).get("parties")
    if not path:
        return None
    section, _dot, field = path.partition(".")
    rows = answers.get(section, {}).get(field)
    if not isinstance(rows, list) or not rows:
        return None
    try:
        china = tuple(Decimal(str(row["revenue_cn"])) for row in rows)
        world = tuple(Decimal(str(row["revenue_world"])) for row in rows)
    except (ArithmeticError, ValueError, TypeError, KeyError):
        return None
    if any(not value.is_finite() or value < 0 for value in china + world):
        return None
    return china, world
