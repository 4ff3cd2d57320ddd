"""Quotes as an auditor checks them: the report's own words, where they stand.

Detectors quote the normalized text (simplified characters, ASCII digits and
punctuation) and sometimes show a table row as its cells joined by " | ".
An alert quotes the report as stored instead: each quote is cut from the
original text (`reports.original_text`, or `reports.text` when normalizing
changed nothing) at offsets mapped back through worker.textnorm, with the
normalized form beside it when it differs and the PDF page it stands on.

The alert contract's `evidence.quotes` is a list of

    {"text": exact original slice, "start": s, "end": e,       # offsets into the original
     "normalized": the normalized text there (only if different),
     "page": PDF page (only for PDFs), "page_end": last page (only if it spans pages),
     "report": id of the report quoted (only when not the alert's own report)}

so that `original[start:end] == text` holds for every quote.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from worker.textnorm import Normalized, normalize

log = logging.getLogger("audit_worker.quotes")

_SPACE = " \t\n\r\u3000\xa0"
# Between two cells of one row: white space and column rules only.
_BETWEEN_CELLS = re.compile(r"[\s|｜]*")


@dataclass
class QuoteSource:
    """One report's texts: normalized (what detectors read) and as stored."""

    text: str                          # normalized: the offsets detectors give are into this
    original: str                      # as stored: the offsets alerts give are into this
    pages: list = field(default_factory=list)   # [[normalized offset, page], ..., [end, None]]
    report_id: int | None = None
    _map: Normalized | None = None
    _mapped: bool | None = None
    _starts: list | None = None        # the page starts, for bisection (built once)

    @classmethod
    def from_normalized(cls, norm: Normalized, pages: list | None = None,
                        report_id: int | None = None) -> "QuoteSource":
        src = cls(norm.text, norm.original, list(pages or []), report_id)
        src._map, src._mapped = norm, True
        return src

    @classmethod
    def from_row(cls, conn: sqlite3.Connection | None, row) -> "QuoteSource":
        """From a `reports` row (and its PDF pages, read from `readings`)."""
        text = row["text"] or ""
        keys = row.keys() if hasattr(row, "keys") else ()
        original = (row["original_text"] if "original_text" in keys else None) or text
        return cls(text, original, _pages(conn, row["id"]) if conn is not None else [], row["id"])

    @classmethod
    def load(cls, conn: sqlite3.Connection, report_id: int) -> "QuoteSource | None":
        row = conn.execute("SELECT id, text, original_text FROM reports WHERE id = ?", (report_id,)).fetchone()
        return cls.from_row(conn, row) if row is not None else None

    def _normalized(self) -> Normalized | None:
        """The offset map, rebuilt from the original (only needed when
        normalizing deleted characters, i.e. the lengths differ)."""
        if self._mapped is None:
            norm = normalize(self.original)
            self._mapped = norm.text == self.text
            self._map = norm if self._mapped else None
            if not self._mapped:
                log.warning("quotes: the stored original of report %s no longer normalizes to its text;"
                            " quotes fall back to the normalized text", self.report_id)
        return self._map

    def to_original(self, start: int, end: int) -> tuple[int, int] | None:
        """Original offsets of a normalized span; None when they cannot be known."""
        if len(self.original) == len(self.text):
            return start, end           # no deletions: one character for one
        norm = self._normalized()
        if norm is None:
            return None
        # The end maps through the last character, so that a deleted pinyin
        # artefact just after the quote is not part of it.
        return norm.to_original(start), norm.to_original(end - 1) + 1

    def page_at(self, offset: int) -> int | None:
        if not self.pages:
            return None
        if self._starts is None:
            self._starts = [p[0] for p in self.pages]
        i = bisect_right(self._starts, offset)
        return self.pages[i - 1][1] if i else None


def _pages(conn: sqlite3.Connection, report_id: int) -> list:
    import json

    try:
        row = conn.execute("SELECT pages FROM readings WHERE report_id = ?", (report_id,)).fetchone()
    except sqlite3.OperationalError:     # a database without the ledger tables: no pages known
        return []
    return json.loads(row[0] or "[]") if row is not None and row[0] else []


# -- from a detector's quote to spans of the normalized text --------------------

def spans(shown: str, start: int, end: int, text: str) -> list[tuple[int, int]]:
    """The spans of `text` a detector's quote stands for.

    `shown` is what the detector quoted, at [start, end) of the normalized
    text: usually exactly that slice; a table row shown as cells joined by
    " | " becomes the row's own span when its cells stand together (one cell
    a line, or side by side), else one span per run of adjacent cells; a
    quote without offsets is looked up in the text."""
    n = len(text)
    if not (0 <= start < end <= n):
        i = text.find(shown) if shown else -1
        return [(i, i + len(shown))] if i >= 0 else []
    if text[start:end] == shown:
        return [_trim(text, start, end)]
    if " | " in shown:
        found = _cells(shown, start, end, text)
        if found:
            cells, in_order = found
            # Cells gathered from several rows are quoted one by one even when
            # a line break is all that parts two of them.
            return _runs(cells, text) if in_order else cells
    if shown:
        # The detector's words near its offsets (a quote narrowed or widened).
        lo, hi = max(0, start - len(shown)), min(n, end + len(shown))
        i = text.find(shown.strip(_SPACE), lo, hi) if shown.strip(_SPACE) else -1
        if i >= 0:
            return [(i, i + len(shown.strip(_SPACE)))]
    return [_trim(text, start, end)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    return start, end


def _cells(shown: str, start: int, end: int, text: str) -> tuple[list[tuple[int, int]], bool] | None:
    """Each non-empty cell of a " | "-joined row, found in [start, end): in
    order when they are printed in order (True), else each on its own (cells
    gathered from several rows of a table; False), sorted by position."""
    parts = [p for p in (x.strip(_SPACE + "|") for x in shown.split(" | ")) if p]
    if not parts:
        return None
    out = []
    pos = start
    for part in parts:
        at = _find_cell(text, part, pos, end)
        if at < 0:
            break
        out.append((at, at + len(part)))
        pos = at + len(part)
    else:
        return out, True
    out = []
    for part in parts:
        at = _find_cell(text, part, start, end)
        if at < 0:
            return None
        out.append((at, at + len(part)))
    return sorted(set(out)), False


def _find_cell(text: str, part: str, pos: int, end: int) -> int:
    """The first occurrence standing as a cell (not inside a longer figure or word)."""
    first = -1
    i = text.find(part, pos, end)
    while i >= 0:
        if first < 0:
            first = i
        before = text[i - 1] if i > 0 else "\n"
        after = text[i + len(part)] if i + len(part) < len(text) else "\n"
        if (before in _SPACE or before in "|｜") and (after in _SPACE or after in "|｜"):
            return i
        i = text.find(part, i + 1, end)
    return first


def _runs(cells: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Adjacent cells (only white space and column rules between them) make one span."""
    out = [cells[0]]
    for s, e in cells[1:]:
        ps, pe = out[-1]
        if s <= pe or _BETWEEN_CELLS.fullmatch(text, pe, s):
            out[-1] = (ps, max(pe, e))
        else:
            out.append((s, e))
    return out


# -- the contract ------------------------------------------------------------------

def quote_objects(quotes: Iterable[tuple], source: QuoteSource | None,
                  other: Callable[[int], "QuoteSource | None"] | None = None) -> list[dict]:
    """The contract's quote objects for a finding's quotes: (text, start, end)
    into the normalized text of its report, or (text, start, end, report_id)
    for a quote of another report (a previous year's, say).

    Without a source (a finding never stored), the detector's quotes are
    given as they are, in normalized offsets."""
    out: list[dict] = []
    seen = set()
    cache: dict[int, QuoteSource | None] = {}
    for q in quotes:
        shown, start, end = q[0], q[1], q[2]
        rid = q[3] if len(q) > 3 else None
        src = source
        if rid is not None and (source is None or rid != source.report_id):
            if rid not in cache:
                cache[rid] = other(rid) if other is not None else None
            src = cache[rid]
        if src is None:
            if shown and (shown, start, end, rid) not in seen:
                seen.add((shown, start, end, rid))
                out.append(_plain(shown, start, end, rid))
            continue
        for s, e in spans(shown, start, end, src.text):
            if e <= s or (s, e, rid) in seen:
                continue
            seen.add((s, e, rid))
            obj = _object(src, s, e)
            if obj is not None:
                if rid is not None and (source is None or rid != source.report_id):
                    obj["report"] = rid
                out.append(obj)
    return out


def _plain(shown: str, start: int, end: int, rid: int | None) -> dict:
    obj: dict = {"text": shown, "start": start, "end": end}
    if rid is not None:
        obj["report"] = rid
    return obj


def _object(src: QuoteSource, s: int, e: int) -> dict | None:
    at = src.to_original(s, e)
    normalized = src.text[s:e]
    if at is None:
        return {"text": normalized, "start": None, "end": None, "normalized": normalized}
    os_, oe = at
    obj: dict = {"text": src.original[os_:oe], "start": os_, "end": oe}
    if normalized != obj["text"]:
        obj["normalized"] = normalized
    page, last = src.page_at(s), src.page_at(max(s, e - 1))
    if page is not None:
        obj["page"] = page
        if last is not None and last != page:
            obj["page_end"] = last
    return obj


# -- reading alerts (new and earlier shapes) -----------------------------------------

# The evidence keys that hold quotes: `quotes` (the contract), and `quote` and
# `locations` of alerts stored by earlier versions. Shown apart from the rest.
QUOTE_KEYS = ("quotes", "quote", "locations")

def of(evidence: dict) -> list[dict]:
    """An alert's quote objects; alerts stored before the contract had
    `quote` (a string or a list) and `locations`."""
    qs = evidence.get("quotes")
    if isinstance(qs, list):
        return [q if isinstance(q, dict) else {"text": str(q)} for q in qs]
    old = evidence.get("quote", [])
    items = [old] if isinstance(old, (str, dict)) else list(old or [])
    locs = evidence.get("locations") or []
    out = []
    for i, item in enumerate(items):
        obj = dict(item) if isinstance(item, dict) else {"text": str(item)}
        if i < len(locs) and isinstance(locs[i], dict):
            obj.update({k: locs[i].get(k) for k in ("start", "end", "page") if k in locs[i] and k not in obj})
        out.append(obj)
    return out


def pairs(evidence: dict) -> list[tuple[str, int | None]]:
    """An alert's quotes as (exact text, page or None), whatever the stored shape."""
    out = []
    for q in of(evidence):
        page = q.get("page")
        out.append((q.get("text") or q.get("normalized") or "", page if isinstance(page, int) else None))
    return out


def texts(evidence: dict) -> list[str]:
    """The exact quoted texts of an alert, in order."""
    return [q.get("text", "") for q in of(evidence) if q.get("text")]


def label(q: dict) -> str:
    """原文, or 原文(第3页) / 原文(第3-4页), or 上年报告原文."""
    where = ""
    if q.get("page"):
        where = f"第{q['page']}" + (f"-{q['page_end']}" if q.get("page_end") else "") + "页"
    who = "其他报告原文" if q.get("report") else "原文"
    return f"{who}({where})" if where else who
