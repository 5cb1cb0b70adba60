"""What the pages' forms share."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: each field's messages on that field when the form
    has it, the rest (and a message without a field) on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DateBox(forms.DateInput):
    """The browser's date box. Its value is always written YYYY-MM-DD: the Chinese date format
    (2026/12/05) is not a value a date box can show, so it would come up empty and lose the date."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
