"""Punctuation in the page's language, for what templates join around translated text:
Chinese takes the full-width "：" and "（）", English ": " and " ()".

    {% translate "Amount" %}{% colon %}{{ amount }}
    {{ _("if available")|parenthesised }}

Loaded everywhere (TEMPLATES' builtins), like the i18n tags it sits beside."""

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    return pgettext("punctuation between a label and its text", ": ")


@register.filter
def parenthesised(value: Any) -> SafeString:
    opening = pgettext("punctuation before a parenthetical remark", " (")
    closing = pgettext("punctuation after a parenthetical remark", ")")
    return mark_safe(f"{conditional_escape(opening)}{conditional_escape(value)}{conditional_escape(closing)}")  # noqa: S308 - escaped
