"""The format of an incentive's application form (`Incentive.application_form`), as a JSON schema,
and the check the admin runs before saving one.

The applications app reads this format (applications/form_definitions.py explains it); the schema
lives here, below applications, so the catalog's admin can check a form without importing it.
tests/measures/test_admin_editor.py holds the two together: every default form the applications app
builds passes this schema.
"""

from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

FIELD_TYPES = ["text", "textarea", "integer", "money", "date", "choice", "rows"]
KEY = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 60}
TEXT = {"type": "string", "maxLength": 500}

OPTION = {
    "type": "object",
    "required": ["value", "label"],
    "additionalProperties": False,
    "properties": {"value": {"type": "string", "minLength": 1, "maxLength": 60}, "label": TEXT, "label_en": TEXT},
}
FIELD_PROPERTIES: dict[str, Any] = {
    "key": KEY,
    "type": {"enum": FIELD_TYPES},
    "label": {"type": "string", "minLength": 1, "maxLength": 500},
    "label_en": TEXT,
    "help": TEXT,
    "help_en": TEXT,
    "required": {"type": "boolean"},
    "options": {"type": "array", "minItems": 1, "items": OPTION},
    "min_rows": {"type": "integer", "minimum": 0, "maximum": 1000},
    "max_rows": {"type": "integer", "minimum": 1, "maximum": 1000},
}
ROW_FIELD = {
    "type": "object",
    "required": ["key", "type", "label"],
    "additionalProperties": False,
    "properties": {**FIELD_PROPERTIES, "type": {"enum": [t for t in FIELD_TYPES if t != "rows"]}},
}
FIELD = {
    "type": "object",
    "required": ["key", "type", "label"],
    "additionalProperties": False,
    "properties": {**FIELD_PROPERTIES, "fields": {"type": "array", "minItems": 1, "items": ROW_FIELD}},
}
SECTION = {
    "type": "object",
    "required": ["key", "title", "fields"],
    "additionalProperties": False,
    "properties": {
        "key": KEY,
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "title_en": TEXT,
        "fields": {"type": "array", "minItems": 1, "items": FIELD},
    },
}
ANSWER_PATH = {"type": "string", "pattern": "^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$"}
APPLICATION_FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Application form of an incentive",
    "type": "object",
    "required": ["sections"],
    "additionalProperties": False,
    "properties": {
        "sections": {"type": "array", "minItems": 1, "items": SECTION},
        # Which answers are the amount engine's figures: "section.field".
        "claim": {"type": "object", "additionalProperties": ANSWER_PATH},
    },
}
VALIDATOR = Draft202012Validator(APPLICATION_FORM_SCHEMA)


def _where(path: Any) -> str:
    """A readable place in the form: 第 1 节 → 第 2 个字段 → type."""
    parts: list[str] = []
    items = list(path)
    for index, step in enumerate(items):
        parent = items[index - 1] if index else None
        if isinstance(step, int):
            if parent == "sections":
                parts.append(_("section %(n)s") % {"n": step + 1})
            elif parent == "fields":
                parts.append(_("field %(n)s") % {"n": step + 1})
            elif parent == "options":
                parts.append(_("option %(n)s") % {"n": step + 1})
            else:
                parts.append(str(step + 1))
        elif step not in ("sections", "fields", "options"):
            parts.append(f"“{step}”")
    return " → ".join(parts) or _("the form")


def _problem(error: SchemaError) -> str:
    """One schema error in the reader's language."""
    kind = error.validator
    instance: Any = error.instance
    schema: Any = error.schema
    expected: Any = error.validator_value
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        return _("“%(key)s” is missing") % {"key": missing}
    if kind == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        return _("“%(key)s” is not part of the format") % {"key": "、".join(extra)}
    if kind == "enum":
        return _("“%(value)s” is not one of: %(allowed)s") % {
            "value": error.instance,
            "allowed": "、".join(str(v) for v in expected),
        }
    if kind == "type":
        words = {
            "object": _("an object {…}"),
            "array": _("a list […]"),
            "string": _("text in quotes"),
            "integer": _("a whole number"),
            "boolean": _("true or false"),
        }
        return _("should be %(type)s") % {"type": words.get(str(error.validator_value), error.validator_value)}
    if kind == "minItems":
        return _("needs at least %(n)s item(s)") % {"n": error.validator_value}
    if kind == "minLength":
        return _("may not be empty")
    if kind == "maxLength":
        return _("is longer than %(n)s characters") % {"n": error.validator_value}
    if kind == "pattern":
        if error.schema is ANSWER_PATH:
            return _("“%(value)s” should be written as section.field") % {"value": error.instance}
        return _("“%(value)s” should be lowercase letters, digits and _, starting with a letter") % {
            "value": error.instance
        }
    if kind in ("minimum", "maximum"):
        return _("%(value)s is out of range") % {"value": error.instance}
    return str(error.message)


def _consistency(form: dict[str, Any]) -> list[str]:
    """What the schema cannot say: unique keys, options for choices, rows with fields, claim paths."""
    problems = []
    seen_sections: set[str] = set()
    answers: set[str] = set()
    for s_index, section in enumerate(form["sections"]):
        where = _("section %(n)s") % {"n": s_index + 1}
        if section["key"] in seen_sections:
            problems.append(_("%(where)s: the key “%(key)s” is used twice") % {"where": where, "key": section["key"]})
        seen_sections.add(section["key"])
        seen_fields: set[str] = set()
        for f_index, field in enumerate(section["fields"]):
            place = f"{where} → " + _("field %(n)s") % {"n": f_index + 1}
            if field["key"] in seen_fields:
                problems.append(_("%(where)s: the key “%(key)s” is used twice") % {"where": place, "key": field["key"]})
            seen_fields.add(field["key"])
            answers.add(f"{section['key']}.{field['key']}")
            if field["type"] == "choice" and not field.get("options"):
                problems.append(_("%(where)s: a choice needs its options") % {"where": place})
            if field["type"] == "rows" and not field.get("fields"):
                problems.append(_("%(where)s: a list of rows needs its fields") % {"where": place})
            if field["type"] != "rows" and "fields" in field:
                problems.append(_("%(where)s: only a list of rows has fields") % {"where": place})
            if field.get("min_rows", 0) > field.get("max_rows", 1000):
                problems.append(_("%(where)s: min_rows is above max_rows") % {"where": place})
    for figure, path in (form.get("claim") or {}).items():
        if path not in answers:
            problems.append(
                _("claim → “%(figure)s”: no field “%(path)s” in the form") % {"figure": figure, "path": path}
            )
    return problems


def application_form_problems(form: Any) -> list[str]:
    """Every problem of an application form definition, one message each; [] when it is valid.

    An empty definition ({}) is valid: the incentive then uses the default form for its kind.
    """
    if form in ({}, None):
        return []
    errors = sorted(VALIDATOR.iter_errors(form), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        return [f"{_where(e.absolute_path)}: {_problem(e)}" for e in errors]
    return _consistency(form)
