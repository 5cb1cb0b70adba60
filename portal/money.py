"""Amounts as people write them in forms: "600000", "600,000", "600000.00", full-width digits,
"60万" and "60万元" all mean 600,000.00 CNY. Exponents (1e9), NaN and anything else are refused
with how to write it. (The API takes plain decimals only: portal.api.AmountField.)"""

import re
import unicodedata
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FEN = Decimal("0.01")
AS_TYPED = re.compile(r"(\d{1,16}(?:\.\d{1,6})?)(万)?元?")


def amount_as_typed(value: Any) -> Decimal | None:
    """The amount in CNY, or None when nothing was typed; ValueError says how to write it."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    text = text.replace(",", "").replace("，", "").replace(" ", "").strip()
    if not text:
        return None
    match = AS_TYPED.fullmatch(text)
    if match is None:
        raise ValueError(
            _("Write the amount in yuan, for example 600000, 600,000 or 60万 (not “%(value)s”).")
            % {"value": str(value)[:40]}
        )
    amount = Decimal(match[1]) * (10_000 if match[2] else 1)
    if amount != amount.quantize(FEN):
        raise ValueError(_("Enter the amount to the fen at most."))
    return amount.quantize(FEN)


class MoneyField(forms.CharField):
    """A form field for amounts as people write them; cleans to a Decimal (or None)."""

    default_error_messages = {"invalid": gettext_lazy("Enter an amount in CNY.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # a Decimal, not a str
        try:
            return amount_as_typed(value)
        except ValueError as refused:
            raise forms.ValidationError(str(refused), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        # Shown back as understood: 60万 becomes 600000.00 once it has been read.
        return f"{value:.2f}" if isinstance(value, Decimal) else value
