"""A choice field's label for a record, as `get_<field>_display()` gives it, from a table made once
per model, field and language. Django's method rebuilds the field's choices as a dict, hashing each
lazy label (a translation each) on every call: for a city, 21 translations a row, a third of the
review queue page's rendering (issue 10)."""

import functools
from typing import Any

from django.db import models
from django.utils.translation import get_language


@functools.cache
def _labels(model: type[models.Model], field_name: str, language: str | None) -> dict[Any, str]:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}  # type: ignore[union-attr]


def choice_label(record: models.Model, field_name: str) -> Any:
    """The label of the record's value in the current language; the value itself when it is not a
    choice (as Django's method does)."""
    value = getattr(record, field_name)
    return _labels(type(record)._meta.concrete_model, field_name, get_language()).get(value, value)
