"""Charts as inline SVG, drawn on the server: the same markup in a page and in a PDF (WeasyPrint).

    bar_chart(title=..., labels=[...], series=[Series(name, values, colour)], track=allocations)
    line_chart(title=..., points=[(date, count), ...], target=quantity)

No JavaScript and no external files: every colour and font is an attribute, so the chart looks the
same without the portal's stylesheet. Each chart has a <title> and <desc> for screen readers and
a <title> per bar (a tooltip with the exact figure); pages show the figures in a table as well.
Everything written into the markup is escaped.
"""

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.languages import is_english

Number = int | float | Decimal


FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, sans-serif"


INK, MUTED, LINE, TRACK = "#1b1f24", "#5b6472", "#b8c0ca", "#e8ebef"


BLUE, GREEN, AMBER, RED = "#0b5cad", "#1e7d32", "#9a6700", "#a4161a"
GREY = "#6f777f"


_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]
    colour: str = BLUE
    # One colour per bar instead of `colour`, when the rows are themselves kinds (paid, failed, …).
    colours: Sequence[str] | None = None

    def colour_of(self, row: int) -> str:
        return self.colours[row] if self.colours else self.colour


def _chinese() -> bool:
    return not is_english()


def compact(value: Number, *, money: bool = False) -> str:
    """A figure short enough for a chart's label: 3,000,000 → 300万 (Chinese) or 3.00M (English)."""
    number = float(value)
    if money and abs(number) >= 10_000:
        if _chinese():
            return f"{number / 10_000:,.1f}万".replace(".0万", "万")
        return f"{number / 1_000_000:,.2f}M"
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.1f}"


def exact(value: Number, *, money: bool = False) -> str:
    return f"{Decimal(value):,.2f}" if money else f"{value:,}"


def _text_width(text: str, size: int = 12) -> int:
    """Roughly how wide a label is drawn: CJK characters are square, Latin ones about half as wide."""
    return math.ceil(sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text))


def _shorten(text: str, width: int) -> str:
    """The label cut to fit `width` pixels, with an ellipsis (the whole label is in its <title>)."""
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _open(title: str, description: str, width: int, height: int) -> tuple[str, list[str]]:
    uid = f"chart-{next(_ids)}"
    kind = "chart chart-small" if width <= 400 else "chart"  # how wide it stays on a phone (portal.css)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}" font-size="12" fill="{INK}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(description)}</desc>',
    ]
    return uid, head


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    track: Sequence[Number] | None = None,
    track_name: str = "",
    money: bool = False,
    width: int = 680,
    label_width: int = 190,
    value_width: int = 150,
) -> SafeString:
    """Horizontal bars, one row per label; several series are stacked. `track`, when given, is
    drawn behind each row as the whole (e.g. the allocation that committed and paid fill)."""
    rows = len(labels)
    legend = len(series) > 1 or track is not None
    top, row_height, bar_height = (28 if legend else 8), 26, 16
    height = top + max(rows, 1) * row_height + 8
    plot = width - label_width - value_width
    totals = [sum((Decimal(str(s.values[i])) for s in series), Decimal(0)) for i in range(rows)]
    ceiling = max([*(Decimal(str(t)) for t in (track or [])), *totals, Decimal(0)])
    description = "; ".join(
        f"{label}: "
        + ", ".join(f"{s.name} {exact(s.values[i], money=money)}" for s in series)
        + (f", {track_name} {exact(track[i], money=money)}" if track is not None else "")
        for i, label in enumerate(labels)
    )
    _uid, out = _open(title, description or _("No data."), width, height)

    def scaled(value: Number) -> float:
        return 0.0 if not ceiling else float(Decimal(str(value)) / ceiling) * plot

    if legend:
        x: float = label_width
        keys = ([(track_name, TRACK)] if track is not None else []) + [(s.name, s.colour) for s in series]
        for name, colour in keys:
            out.append(
                f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}" stroke="{LINE}" stroke-width="0.5"/>'
            )
            out.append(f'<text x="{x + 16}" y="16" fill="{MUTED}">{escape(name)}</text>')
            x += 28 + _text_width(name)
    if not rows:
        out.append(f'<text x="{label_width}" y="{top + 16}" fill="{MUTED}">{escape(_("No data."))}</text>')
    for i, label in enumerate(labels):
        y = top + i * row_height
        bar_y = y + (row_height - bar_height) / 2
        out.append(
            f'<text x="{label_width - 8}" y="{bar_y + 12}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_shorten(label, label_width - 12))}</text>"
        )
        if track is not None:
            out.append(
                f'<rect x="{label_width}" y="{bar_y}" width="{scaled(track[i]):.1f}" height="{bar_height}" '
                f'fill="{TRACK}" stroke="{LINE}" stroke-width="0.5"/>'
            )
        x = float(label_width)
        for s in series:
            w = scaled(s.values[i])
            if w > 0:
                tip = f"{label}: {s.name} {exact(s.values[i], money=money)}"
                out.append(
                    f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_height}" fill="{s.colour_of(i)}">'
                    f"<title>{escape(tip)}</title></rect>"
                )
            x += w
        figure = compact(totals[i], money=money)
        if track is not None:
            figure += f" / {compact(track[i], money=money)}"
        out.append(f'<text x="{label_width + plot + 6}" y="{bar_y + 12}" fill="{MUTED}">{escape(figure)}</text>')
    out.append("</svg>")
    # On a phone the chart keeps a legible size and scrolls sideways in its frame, which the keyboard
    # can reach (tabindex) like any scrollable region.
    return mark_safe('<div class="chart-frame" tabindex="0">' + "".join(out) + "</div>")  # noqa: S308 - every text above is escaped


def line_chart(
    *,
    title: str,
    points: Sequence[tuple[dt.date, Number]],
    target: Number | None = None,
    width: int = 320,
    height: int = 120,
) -> SafeString:
    """A small trend: counts over time, with the target as a dashed line."""
    left, right, top, bottom = 44, 12, 10, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for _d, v in points]
    ceiling = max([*values, float(target or 0), 1.0])
    description = "; ".join(f"{d.isoformat()}: {v}" for d, v in points) or _("No progress recorded yet.")
    if target is not None:
        description += "; " + _("target %(target)s") % {"target": target}
    _uid, out = _open(title, description, width, height)
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{LINE}"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{LINE}"/>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="10" fill="{MUTED}">0</text>'
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="10" fill="{MUTED}">'
        f"{escape(compact(ceiling))}</text>"
    )

    def y_of(value: float) -> float:
        return top + plot_h - value / ceiling * plot_h

    if target is not None:
        ty = y_of(float(target))
        out.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" stroke="{RED}" '
            f'stroke-dasharray="4 3"><title>{escape(_("Target"))} {escape(compact(target))}</title></line>'
        )
    if not points:
        out.append(
            f'<text x="{left + 8}" y="{top + plot_h / 2}" fill="{MUTED}">'
            f"{escape(_('No progress recorded yet.'))}</text>"
        )
        out.append("</svg>")
        return mark_safe("".join(out))  # noqa: S308 - escaped above
    first, last = points[0][0], points[-1][0]
    span = (last - first).days

    def x_of(day: dt.date) -> float:
        return left + (plot_w / 2 if span == 0 else (day - first).days / span * plot_w)

    coords = [(x_of(d), y_of(float(v))) for d, v in points]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for (x, y), (day, value) in zip(coords, points, strict=True):
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUE}">'
            f"<title>{day.isoformat()}: {escape(str(value))}</title></circle>"
        )
    out.append(
        f'<text x="{left}" y="{height - 6}" font-size="10" fill="{MUTED}">{first.isoformat()}</text>'
        + (
            f'<text x="{left + plot_w}" y="{height - 6}" text-anchor="end" font-size="10" fill="{MUTED}">'
            f"{last.isoformat()}</text>"
            if span
            else ""
        )
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - escaped above
