"""What a call for applications (calls app) asks of an application: the window for submitting, and
the reference period the claim's facts must fall in, read from the form's date answers.

The date answer checked is the call's `reference_date_field` ("section.field" or
"section.rows[].field", e.g. measure 15's "claim.standards[].published_on"), or else the form's only
date field; a form with several dates and no named one is not checked.
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from calls.models import Call
from measures.models import Incentive

from . import form_definitions


def date_fields(incentive: Incentive) -> dict[str, dict[str, Any]]:
    """Path → field spec of every date field of the incentive's form."""
    found: dict[str, dict[str, Any]] = {}
    for section in form_definitions.sections(incentive):
        for spec in section.fields:
            if spec["type"] == "date":
                found[f"{section.key}.{spec['key']}"] = spec
            elif spec["type"] == "rows":
                for sub in spec["fields"]:
                    if sub["type"] == "date":
                        found[f"{section.key}.{spec['key']}[].{sub['key']}"] = sub
    return found


def reference_field(call: Call, incentive: Incentive) -> tuple[str, dict[str, Any]] | None:
    fields = date_fields(incentive)
    if call.reference_date_field:
        spec = fields.get(call.reference_date_field)
        return (call.reference_date_field, spec) if spec is not None else None
    if len(fields) == 1:
        return next(iter(fields.items()))
    return None


def _as_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None  # not a date yet: the form's own validation says so


def reference_period_problems(application: Any, call: Call | None) -> dict[str, list[tuple[str, str]]]:
    """Section key → (field id, message) for each date answer outside the call's reference period."""
    if call is None or (call.reference_from is None and call.reference_to is None):
        return {}
    found = reference_field(call, application.incentive)
    if found is None:
        return {}
    path, spec = found
    section, _dot, rest = path.partition(".")
    answers = application.data.get(section) or {}
    period = {
        "from": call.reference_from.isoformat() if call.reference_from else "…",
        "to": call.reference_to.isoformat() if call.reference_to else "…",
    }
    label = form_definitions.localized(spec, "label")

    def outside(value: Any) -> str | None:
        day = _as_date(value)
        if day is None or call.in_reference_period(day):
            return None
        return _(
            "%(label)s: %(date)s is outside this call's reference period (%(from)s to %(to)s): "
            "only what falls in that period can be claimed in this call."
        ) % {"label": label, "date": day.isoformat(), **period}

    problems: list[tuple[str, str]] = []
    if "[]." in rest:
        rows_field, _marker, field = rest.partition("[].")
        rows = answers.get(rows_field) or []
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            message = outside(row.get(field)) if isinstance(row, dict) else None
            if message:
                problems.append(
                    (f"id_{rows_field}-{index}-{field}", _("Row %(n)s: %(m)s") % {"n": index + 1, "m": message})
                )
    else:
        message = outside(answers.get(rest))
        if message:
            problems.append((f"id_{rest}", message))
    return {section: problems} if problems else {}
