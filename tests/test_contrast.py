"""Every coloured tag of the stylesheet is legible: text against its background at least 4.5:1 (WCAG AA)."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parent.parent / "static/css/portal.css").read_text()
VARIABLES = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _colour(value: str) -> str:
    value = value.strip()
    variable = re.fullmatch(r"var\(--([\w-]+)\)", value)
    return VARIABLES[variable.group(1)] if variable else value


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Rules that set both a background and a text colour, e.g. `.tag-status { background: #fff4d6; color: var(--warn); }`.
PAIRS = [
    (selector.strip(), _colour(background), _colour(foreground))
    for selector, background, foreground in re.findall(
        r"([^{}]+)\{[^}]*?background:\s*(#[0-9a-fA-F]{6}|var\(--[\w-]+\))[^}]*?[^-]color:\s*(#[0-9a-fA-F]{6}|var\(--[\w-]+\))",
        CSS,
    )
]


def test_the_stylesheet_has_coloured_tags_to_check() -> None:
    assert any(".tag-status" in selector for selector, _b, _f in PAIRS)
    assert len(PAIRS) >= 10


@pytest.mark.parametrize(("selector", "background", "foreground"), PAIRS, ids=[p[0][:40] for p in PAIRS])
def test_text_contrast_is_at_least_aa(selector: str, background: str, foreground: str) -> None:
    assert contrast(foreground, background) >= 4.5, selector


def test_the_formula_fails_the_old_draft_for_comment_tag() -> None:
    """The 征求意见稿 tag was #9a6700 on #fff4d6: 4.44:1, below AA."""
    assert round(contrast("#9a6700", "#fff4d6"), 2) == 4.44
