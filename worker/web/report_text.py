"""The report's narrative as segments of text to show, with claims and quotes marked (pure).

The page never builds HTML from portal text: `segments` cuts the original
text into plain pieces, each with what it is (a kind: "claim", "figure",
"quote", several joined by a space, or "table" for a table left out), a title
and a link; the template prints them with autoescape.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_CHARS = 200_000


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str                 # claim | figure | quote
    title: str = ""
    href: str = ""


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = ""            # "" plain; else the kinds of the spans over it, or "table"
    title: str = ""
    href: str = ""


_ORDER = {"quote": 0, "claim": 1, "figure": 2}


def segments(text: str, spans: list[Span], tables: list[tuple[int, int, str, str]] = (),
             limit: int = MAX_CHARS) -> tuple[list[Segment], bool]:
    """The text up to `limit` characters as segments, and whether it was cut.

    `tables` are (start, end, title, href) spans left out of the narrative:
    each becomes one "table" segment naming the table and linking to it."""
    n = min(len(text), limit)
    cut = len(text) > limit
    tabs = sorted((max(0, s), min(n, e), title, href) for s, e, title, href in tables if s < e and s < n)
    marks = sorted((s for s in spans if s.start < s.end and s.start < n), key=lambda s: (s.start, s.end))
    bounds = {0, n}
    for s in marks:
        bounds.update((max(0, s.start), min(n, s.end)))
    for s, e, _, _ in tabs:
        bounds.update((s, e))
    points = sorted(b for b in bounds if 0 <= b <= n)
    out: list[Segment] = []
    active: list[Span] = []
    i = ti = 0
    for a, b in zip(points, points[1:]):
        while ti < len(tabs) and tabs[ti][1] <= a:
            ti += 1
        if ti < len(tabs) and tabs[ti][0] <= a:
            s, e, title, href = tabs[ti]
            if a == s:
                out.append(Segment(title, "table", title, href))
            continue
        while i < len(marks) and marks[i].start <= a:
            active.append(marks[i])
            i += 1
        active = [s for s in active if s.end > a]
        seg = _segment(text[a:b], active)
        if out and (out[-1].kind, out[-1].title, out[-1].href) == (seg.kind, seg.title, seg.href) and seg.kind != "table":
            out[-1] = Segment(out[-1].text + seg.text, seg.kind, seg.title, seg.href)
        else:
            out.append(seg)
    return out, cut


def _segment(piece: str, over: list[Span]) -> Segment:
    if not over:
        return Segment(piece)
    over = sorted(over, key=lambda s: (_ORDER.get(s.kind, 9), s.start))
    kinds = " ".join(dict.fromkeys(s.kind for s in over))
    titles = "\n".join(dict.fromkeys(s.title for s in over if s.title))
    href = next((s.href for s in over if s.href), "")
    return Segment(piece, kinds, titles, href)
