"""Turning what people typed into clean values or field errors in their language: shared by
registration and the profile services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# What a profile edit may change; the identifiers and the registered name are not among them.
APPLICANT_EDITABLE = (
    "city",
    "district",
    "industry",
    "size",
    "contact_person",
    "contact_phone",
    "revenue_year",
    "revenue_cn",
    "revenue_world",
    "employer_uscc",
)


USER_EDITABLE = ("display_name", "email")


def invalid(field: str, message: Any, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def clean_choice(field: str, value: str, choices: type[models.TextChoices], *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise invalid(field, _("This field is required."), "required")
        return ""
    if value not in choices.values:
        raise invalid(field, _("Choose one of the listed options."), "invalid_choice")
    return value
