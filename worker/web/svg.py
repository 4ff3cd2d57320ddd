"""Small server-rendered SVG charts: horizontal bars, stacked or grouped, no JavaScript.

Bars run horizontally because the categories are department names, often
twenty Chinese characters long: a label column reads better than slanted
ticks. Every piece of text (issuer names come from portals) is cleaned of
control characters and XML-escaped here, so the result can be inlined into a
page as is. Each chart has a <title> (and each bar its own, the tooltip a
screen reader reads); the page puts a table with the same numbers under it.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from worker.safe_text import clean

FONT = 12               # px
ROW = 22                # height of one bar (or one group's bar)
GAP = 8                 # space between categories
PLOT_W = 420            # width of the plotting area
MAX_LABEL = 44          # label column, in half-width characters (longer names are cut with …)
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def text(value: object) -> str:
    """Text for an SVG element: no controls, nothing XML would refuse, escaped."""
    return escape(_NOT_XML.sub("", clean(value)))


def attr(value: object) -> str:
    """A quoted attribute value (quotes included)."""
    return quoteattr(_NOT_XML.sub("", clean(value)).replace("\n", " "))


def width_of(label: str) -> int:
    """Display width in half-width characters (a CJK character counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)


def shorten(label: str, limit: int = MAX_LABEL) -> str:
    if width_of(label) <= limit:
        return label
    out, w = "", 0
    for ch in label:
        w += width_of(ch)
        if w > limit - 1:
            break
        out += ch
    return out + "…"


def nice_max(value: float) -> float:
    """An axis end at or above `value`: 1, 2 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1.0
    p = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * p >= value:
            return float(m * p)
    return float(10 * p)


def fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


@dataclass
class Series:
    """One colour of the chart: a severity (stacked) or a year (grouped); values per category, None = no bar."""

    name: str
    color: str
    values: list[float | None]


def _frame(title: str, desc: str, width: int, height: int, body: list[str], chart_id: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}"'
            f' viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-t {chart_id}-d"'
            f' font-size="{FONT}" font-family="sans-serif">'
            f'<title id="{chart_id}-t">{text(title)}</title><desc id="{chart_id}-d">{text(desc)}</desc>'
            + "".join(body) + "</svg>")


def _axis(x0: int, y: int, top: int, vmax: float, unit: str) -> list[str]:
    """Ticks and grid lines at 0, ¼, ½, ¾ and the end of the axis, with the unit after the last one."""
    out = []
    for i in range(5):
        v = vmax * i / 4
        x = x0 + PLOT_W * i / 4
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{y}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{y + 14}" text-anchor="middle">{text(fmt(v))}</text>')
    out.append(f'<text class="unit" x="{x0 + PLOT_W}" y="{y + 28}" text-anchor="end">{text(unit)}</text>')
    return out


def _legend(series: list[Series], x: int, y: int) -> list[str]:
    out = []
    for s in series:
        out.append(f'<rect x="{x}" y="{y - 10}" width="10" height="10" fill={attr(s.color)}/>'
                   f'<text x="{x + 14}" y="{y}">{text(s.name)}</text>')
        x += 24 + 7 * width_of(s.name)
    return out


def bars(title: str, desc: str, categories: list[str], series: list[Series], *, stacked: bool,
         unit: str = "", reference: float | None = None, reference_label: str = "",
         chart_id: str = "chart") -> str:
    """A horizontal bar chart as SVG text: one row per category; the series stacked in one bar, or
    side by side (grouped) one bar each; an optional reference line (100% of the budget)."""
    label_w = 12 + 7 * max([width_of(shorten(c)) for c in categories] + [4])
    x0, top = label_w, 36
    per_cat = ROW if stacked else ROW * max(1, len(series))
    y_end = top + len(categories) * (per_cat + GAP)
    totals = []
    for i in range(len(categories)):
        vals = [s.values[i] or 0.0 for s in series]
        totals.append(sum(vals) if stacked else max(vals, default=0.0))
    vmax = nice_max(max(totals + [reference or 0.0, 1.0]))
    scale = PLOT_W / vmax
    body = _legend(series, x0, 13) + _axis(x0, y_end, top, vmax, unit)
    for i, cat in enumerate(categories):
        y = top + i * (per_cat + GAP) + GAP // 2
        body.append(f'<text class="label" x="{x0 - 6}" y="{y + per_cat / 2 + 4:.1f}" text-anchor="end">'
                    f'<title>{text(cat)}</title>{text(shorten(cat))}</text>')
        x = float(x0)
        for k, s in enumerate(series):
            v = s.values[i]
            if v is None or v <= 0:
                continue
            w = max(v * scale, 1.0)
            by = y if stacked else y + k * ROW
            tip = f"{cat} · {s.name}: {fmt(v)}{unit if unit == '%' else ''}"
            body.append(f'<rect x="{x:.1f}" y="{by}" width="{w:.1f}" height="{ROW - 4}" fill={attr(s.color)}>'
                        f'<title>{text(tip)}</title></rect>')
            if not stacked:
                body.append(f'<text class="value" x="{x + w + 3:.1f}" y="{by + ROW / 2 + 2:.1f}">'
                            f'{text(fmt(v))}</text>')
            if stacked:
                x += w
        if stacked and totals[i]:
            body.append(f'<text class="value" x="{x + 3:.1f}" y="{y + ROW / 2 + 2:.1f}">{text(fmt(totals[i]))}</text>')
    if reference is not None:
        rx = x0 + reference * scale
        body.append(f'<line class="reference" x1="{rx:.1f}" y1="{top - 4}" x2="{rx:.1f}" y2="{y_end}"'
                    f' stroke="#333" stroke-dasharray="4 3"><title>{text(reference_label)}</title></line>')
        body.append(f'<text x="{rx + 3:.1f}" y="{top - 6}">{text(reference_label)}</text>')
    width = x0 + PLOT_W + 60
    return _frame(title, desc, width, y_end + 34, body, chart_id)
