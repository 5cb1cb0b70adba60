from decimal import Decimal

from django import template

from measures.amounts import money
from measures.models import Bilingual

register = template.Library()


@register.filter
def localized(obj: Bilingual, field: str) -> str:
    """`{{ measure|localized:"title" }}`: the English column for English readers, if filled."""
    return obj.localized(field)


@register.filter
def cny(value: Decimal | None) -> str:
    """12,345.00 — money as the policy writes it, with thousands separators."""
    return "" if value is None else money(value)
