"""Amounts as people write them (portal/money.py) and as the API takes them (portal/api.AmountField)."""

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework import serializers

from applications.review_forms import ProposeForm
from portal.api import AmountField
from portal.money import amount_as_typed


@pytest.mark.parametrize(
    ("typed", "understood"),
    [
        ("600000", "600000.00"),
        ("600,000", "600000.00"),
        ("600000.5", "600000.50"),
        ("60万", "600000.00"),
        ("60万元", "600000.00"),
        ("0.5万", "5000.00"),
        ("１２３，４５６", "123456.00"),  # full-width, as a Chinese input method types it
        ("  500000 元 ", "500000.00"),
    ],
)
def test_forms_understand_how_people_write_amounts(typed: str, understood: str) -> None:
    assert amount_as_typed(typed) == Decimal(understood)


@pytest.mark.parametrize("typed", ["1e9", "NaN", "Infinity", "-5", "五十万", "60万万", "1.001", "0x10"])
def test_forms_refuse_what_is_not_an_amount_and_say_how_to_write_it(typed: str) -> None:
    with translation.override("en"), pytest.raises(ValueError, match=r"600000|fen"):
        amount_as_typed(typed)


def test_the_propose_form_shows_what_it_understood() -> None:
    form = ProposeForm(data={"amount": "50万", "reasons": "符合", "override_reason": "x", "version": "1"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("500000.00")
    assert form["amount"].value() is not None and form.fields["amount"].prepare_value(Decimal("500000")) == "500000.00"


class _Amount(serializers.Serializer):
    amount = AmountField()


@pytest.mark.parametrize(
    ("sent", "ok"),
    [
        ("500000.00", True),
        (500000, True),
        (Decimal("500000.5"), True),
        ("1e9", False),
        (Decimal("1E+9"), False),  # what the portal's JSON parser makes of a bare 1e9
        ("NaN", False),
        ("60万", False),
        ("1,000,000", False),
        (True, False),
        (1e9, False),  # a float: its written form is lost, so it is refused
    ],
)
def test_the_api_takes_plain_decimals_only(sent: object, ok: bool) -> None:
    serializer = _Amount(data={"amount": sent})
    assert serializer.is_valid() is ok, serializer.errors
    if not ok:
        assert "plain number" in str(serializer.errors["amount"][0]) or "普通数字" in str(
            serializer.errors["amount"][0]
        )
