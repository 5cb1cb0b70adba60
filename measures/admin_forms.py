"""The catalog's admin forms: an eligibility criterion's parameters, an incentive's review checklist
and its application form, edited without typing JSON (the criterion and the checklist) or with the
JSON checked against its format, problem by problem (the application form).

The parameters are stored exactly as measures.eligibility reads them: lists of vocabulary codes,
amounts as plain decimal strings ("2000000000"), the number of parties as an integer.
"""

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.money import MoneyField

from .form_schema import application_form_problems
from .models import EligibilityCriterion, Incentive
from .vocabulary import EnterpriseSize, GuangdongCity, IndustryDivision, Qualification, QualificationLevel

Rule = EligibilityCriterion.Rule

# Rule → the parameters it reads (form field name = key in `params`). A rule not listed here
# (a declaration, or a rule added later) keeps its parameters in the JSON box, checked as JSON.
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    Rule.QUALIFICATION_ANY: ("qualifications", "levels", "year_from", "year_to", "within_years"),
    Rule.SIZE_IN: ("sizes",),
    Rule.CITY_IN: ("cities",),
    Rule.INDUSTRY_IN: ("divisions",),
    Rule.REVENUE_CN_ABOVE: ("amount",),
    Rule.REVENUE_WORLD_ABOVE: ("amount",),
    Rule.PARTIES_REVENUE_CN_ABOVE: ("amount", "count"),
    Rule.PARTIES_TOTAL_CN_ABOVE: ("amount",),
    Rule.PARTIES_TOTAL_WORLD_ABOVE: ("amount",),
}
# Limits a rule may have: stored only when given.
OPTIONAL = {"levels", "year_from", "year_to", "within_years"}
PARAMETER_FIELDS = (
    "qualifications",
    "levels",
    "year_from",
    "year_to",
    "within_years",
    "sizes",
    "cities",
    "divisions",
    "amount",
    "count",
)
VOCABULARY: dict[str, type[models.TextChoices]] = {
    "qualifications": Qualification,
    "levels": QualificationLevel,
    "sizes": EnterpriseSize,
    "cities": GuangdongCity,
    "divisions": IndustryDivision,
}
MISSING = {
    "qualifications": gettext_lazy("Tick at least one qualification: the rule “%(rule)s” needs it."),
    "sizes": gettext_lazy("Tick at least one enterprise size: the rule “%(rule)s” needs it."),
    "cities": gettext_lazy("Tick at least one city: the rule “%(rule)s” needs it."),
    "divisions": gettext_lazy("Tick at least one industry division: the rule “%(rule)s” needs it."),
    "amount": gettext_lazy("Enter the amount in yuan: the rule “%(rule)s” needs it."),
    "count": gettext_lazy("Enter how many parties: the rule “%(rule)s” needs it."),
}


def plain_amount(amount: Decimal) -> str:
    """2000000000.00 → "2000000000", 1.50 → "1.5": as the catalog writes its thresholds."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return f"{amount.normalize():f}"


class PrettyJSONField(forms.JSONField):
    """JSON shown indented with Chinese as it is, and a broken document reported with its place."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 12, "cols": 100, "class": "json-editor"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if self.disabled or value in self.empty_values:
            return super().to_python(value)
        try:
            return json.loads(value)
        except json.JSONDecodeError as broken:
            raise forms.ValidationError(
                _("This is not valid JSON: line %(line)s, column %(column)s (%(problem)s).")
                % {"line": broken.lineno, "column": broken.colno, "problem": broken.msg},
                code="invalid",
            ) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class CriterionForm(forms.ModelForm):
    """A criterion with a proper field per parameter of its rule; the JSON box only for other rules."""

    qualifications = forms.MultipleChoiceField(
        label=gettext_lazy("qualifications"), required=False, widget=forms.CheckboxSelectMultiple
    )
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("only at these levels"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: any level."),
    )
    year_from = forms.IntegerField(
        label=gettext_lazy("obtained in or after (year)"), required=False, min_value=1949, max_value=2100
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("obtained in or before (year)"), required=False, min_value=1949, max_value=2100
    )
    within_years = forms.IntegerField(
        label=gettext_lazy("obtained within the last … years"), required=False, min_value=1, max_value=100
    )
    sizes = forms.MultipleChoiceField(
        label=gettext_lazy("enterprise sizes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    cities = forms.MultipleChoiceField(
        label=gettext_lazy("cities"), required=False, widget=forms.CheckboxSelectMultiple
    )
    divisions = forms.MultipleChoiceField(
        label=gettext_lazy("industry divisions (GB/T 4754)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    amount = MoneyField(
        label=gettext_lazy("revenue threshold (CNY)"),
        required=False,
        help_text=gettext_lazy("Revenue must be above this amount, e.g. 2000000000 or 200000万."),
    )
    count = forms.IntegerField(
        label=gettext_lazy("number of parties"),
        required=False,
        min_value=2,
        max_value=100,
        initial=2,
        help_text=gettext_lazy("How many parties to the merger must each be above the threshold."),
    )
    params = PrettyJSONField(
        label=gettext_lazy("other parameters (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "class": "json-editor"}),
        help_text=gettext_lazy(
            "Only for a rule without its own fields above (a declaration needs none): an object, e.g. {}."
        ),
    )

    class Meta:
        model = EligibilityCriterion
        fields = [
            "position",
            "rule",
            "alternative_group",
            "valid_from",
            "valid_to",
            *PARAMETER_FIELDS,
            "params",
            "text",
            "text_en",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored: dict[str, Any] = dict(self.instance.params or {}) if isinstance(self.instance.params, dict) else {}
        for name, vocabulary in VOCABULARY.items():
            choices = list(vocabulary.choices)
            # A code the vocabulary no longer has stays visible (and ticked), never silently dropped.
            known = {code for code, _label in choices}
            unknown = [code for code in stored.get(name, []) or [] if isinstance(code, str) and code not in known]
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [*choices, *((code, code) for code in unknown)]
        managed = RULE_PARAMETERS.get(self.instance.rule, ()) if self.instance.pk else ()
        for name in managed:
            if name in stored:
                value = stored[name]
                self.initial[name] = Decimal(str(value)) if name == "amount" else value
        # The JSON box holds what no field above holds: everything for an unlisted rule.
        self.initial["params"] = {k: v for k, v in stored.items() if k not in managed}
        self.fields["rule"].widget.attrs.update(
            {"class": "criterion-rule", "data-parameters": json.dumps({str(k): v for k, v in RULE_PARAMETERS.items()})}
        )
        for name in VOCABULARY:
            self.fields[name].widget.attrs["class"] = "criterion-choices"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        rule = cleaned.get("rule")
        if not rule:
            return cleaned
        other = cleaned.get("params")
        if other is None:
            other = {}
        if not isinstance(other, dict):
            self.add_error("params", _("The other parameters must be a JSON object {…}, or left empty."))
            return cleaned
        managed = RULE_PARAMETERS.get(rule, ())
        params: dict[str, Any] = {}
        for name in managed:
            value = cleaned.get(name)
            if value in (None, "", []):
                if name not in self.errors and name not in OPTIONAL:
                    self.add_error(name, str(MISSING[name]) % {"rule": Rule(rule).label})
                continue
            if name == "amount":
                if value <= 0:
                    self.add_error(name, _("The amount must be above zero."))
                    continue
                params[name] = plain_amount(value)
            else:
                params[name] = value
        if params.get("year_from") and params.get("year_to") and params["year_from"] > params["year_to"]:
            self.add_error("year_to", _("The last year comes before the first."))
        clash = sorted(set(other) & set(PARAMETER_FIELDS))
        if managed and clash:
            self.add_error(
                "params",
                _("Set %(keys)s with the fields above, not in the JSON box.") % {"keys": "、".join(clash)},
            )
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The criterion cannot end before it starts."))
        if rule == Rule.DECLARATION and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Write the condition the applicant declares."))
        if self.errors:
            # Nothing of a refused criterion reaches its instance: the page still describes it as stored.
            cleaned.pop("rule", None)
            cleaned.pop("params", None)
        else:
            cleaned["params"] = {**other, **params}
        return cleaned


def _checklist_lines(checklist: Any) -> tuple[str, str]:
    """The stored checklist as two texts, one item per line: Chinese and English."""
    chinese, english = [], []
    for item in checklist if isinstance(checklist, list) else []:
        if isinstance(item, dict):
            chinese.append(str(item.get("text") or item.get("zh") or item.get("label") or ""))
            english.append(str(item.get("text_en") or item.get("en") or item.get("label_en") or ""))
        else:
            chinese.append(str(item))
            english.append("")
    while english and not english[-1]:
        english.pop()
    return "\n".join(chinese), "\n".join(english)


# The words of the application form's editor (static/admin-portal/form-editor.js).
EDITOR_WORDS = {
    "json": gettext_lazy("Switch between fields and JSON"),
    "section": gettext_lazy("Section"),
    "key": gettext_lazy("key (letters, digits, _)"),
    "title": gettext_lazy("title (Chinese)"),
    "title_en": gettext_lazy("title (English)"),
    "type": gettext_lazy("type"),
    "label": gettext_lazy("label (Chinese)"),
    "label_en": gettext_lazy("label (English)"),
    "help": gettext_lazy("help (Chinese)"),
    "help_en": gettext_lazy("help (English)"),
    "required": gettext_lazy("required"),
    "options": gettext_lazy("Options"),
    "value": gettext_lazy("value"),
    "add_option": gettext_lazy("Add an option"),
    "row_fields": gettext_lazy("Fields of each row"),
    "min_rows": gettext_lazy("at least … rows"),
    "max_rows": gettext_lazy("at most … rows"),
    "add_field": gettext_lazy("Add a field"),
    "up": gettext_lazy("Move up"),
    "remove": gettext_lazy("Remove"),
    "remove_section": gettext_lazy("Remove the section"),
    "add_section": gettext_lazy("Add a section"),
    "claim": gettext_lazy("Answers the amount engine reads"),
    "units": gettext_lazy("number of units"),
    "eligible_spending": gettext_lazy("eligible spending"),
    "requested": gettext_lazy("amount requested"),
    "default_form": gettext_lazy("This incentive uses the default form for its kind."),
    "own_form": gettext_lazy("Write its own form"),
    "default_again": gettext_lazy("Use the default form again"),
}

FIELD_TYPE_NAMES = {
    "text": gettext_lazy("short text"),
    "textarea": gettext_lazy("long text"),
    "integer": gettext_lazy("whole number"),
    "money": gettext_lazy("amount in CNY"),
    "date": gettext_lazy("date"),
    "choice": gettext_lazy("choice from a list"),
    "rows": gettext_lazy("list of rows"),
}


class IncentiveForm(forms.ModelForm):
    """The review checklist as lines of text; the application form as checked, indented JSON."""

    checklist = forms.CharField(
        label=gettext_lazy("review checklist (Chinese, one item per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=gettext_lazy("What the reviewing official checks and ticks, one item per line."),
    )
    checklist_en = forms.CharField(
        label=gettext_lazy("review checklist (English, line by line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=gettext_lazy("The English of each Chinese line, on the same line number; may be left empty."),
    )
    application_form = PrettyJSONField(
        label=gettext_lazy("application form"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "class": "json-editor", "spellcheck": "false"}),
    )

    class Meta:
        model = Incentive
        # Every other field as the admin lists them (fields would hide the model's own from it).
        exclude = ["review_checklist"]  # noqa: DJ006

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        words: dict[str, Any] = {key: str(text) for key, text in EDITOR_WORDS.items()}
        words["types"] = {
            key: _("%(name)s (%(key)s)") % {"name": text, "key": key} for key, text in FIELD_TYPE_NAMES.items()
        }
        self.fields["application_form"].widget.attrs["data-editor-words"] = json.dumps(words, ensure_ascii=False)
        chinese, english = _checklist_lines(self.instance.review_checklist)
        self.initial.setdefault("checklist", chinese)
        self.initial.setdefault("checklist_en", english)

    def clean_application_form(self) -> Any:
        form = self.cleaned_data.get("application_form")
        if form is None:
            return {}
        problems = application_form_problems(form)
        if problems:
            raise forms.ValidationError(problems, code="format")
        return form

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        chinese = [line.strip() for line in (cleaned.get("checklist") or "").splitlines()]
        english = [line.strip() for line in (cleaned.get("checklist_en") or "").splitlines()]
        while english and not english[-1]:
            english.pop()
        if len(english) > len(chinese):
            english_only = [n for n in range(len(chinese), len(english)) if english[n]]
            if english_only:
                self.add_error(
                    "checklist_en",
                    _("Line %(n)s has English but no Chinese item.") % {"n": english_only[0] + 1},
                )
                return cleaned
        items = []
        for index, text in enumerate(chinese):
            text_en = english[index] if index < len(english) else ""
            if not text:
                if text_en:
                    self.add_error("checklist_en", _("Line %(n)s has English but no Chinese item.") % {"n": index + 1})
                continue
            items.append({"text": text, "text_en": text_en})
        self.checklist_items = items
        return cleaned

    def save(self, commit: bool = True) -> Incentive:
        self.instance.review_checklist = self.checklist_items
        incentive: Incentive = super().save(commit=commit)
        return incentive
