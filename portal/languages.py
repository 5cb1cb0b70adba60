"""The language a page, an API answer or a document is in: decided here for every app.

Chinese (zh-hans) is the portal's language; English is complete. Data that carries both (a
measure's text, an amount's trace) is picked with these helpers, never by comparing language
codes inline.
"""

from typing import Any

from django.utils.translation import get_language, pgettext


def is_english() -> bool:
    """Whether the current request (or task) speaks English; everything else is Chinese."""
    return (get_language() or "").startswith("en")


def pick(chinese: Any, english: Any) -> Any:
    """The English value in English when there is one; otherwise the Chinese."""
    return english if is_english() and english else chinese


def trace_lines(trace: dict[str, Any] | None) -> list[str]:
    """An amount's plain-language trace, stored in both languages ({"zh": [...], "en": [...]}),
    in the current language."""
    return (trace or {}).get("en" if is_english() else "zh") or []


def labelled(label: Any, text: Any) -> str:
    """ "Label: text" with the language's own colon (Chinese: full-width "：", no space)."""
    return pgettext("a label and its text", "%(label)s: %(text)s") % {"label": label, "text": text}
