"""Where a report's PDF text stands on its pages, and the boxes of a quote.

While a PDF is extracted (worker/extract/pdf.py) each narrative line and each
line inside a table cell is recorded with its page, its [start, end) offsets
in the report's original text (`reports.original_text`, or `text` when
normalizing changed nothing: the offsets the quotes of alerts give) and its
box in PDF points from the top left of the page's crop box. One row a line,
not a character, keeps the table small (a 100-page report: a few thousand
rows); a re-parse replaces a report's rows, a failure clears them.

A quote covering part of a line is boxed by interpolating x along the line,
each character weighted by its width class (a Chinese character or a
full-width sign one em, anything else about half): exact for a line of
Chinese, within a character or two for mixed lines. Good enough to point an
auditor's eye at a figure; not a typesetting measurement.
"""
from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

DDL = """
CREATE TABLE IF NOT EXISTS text_boxes (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    part INTEGER NOT NULL,
    page INTEGER NOT NULL,
    text_start INTEGER NOT NULL,
    text_end INTEGER NOT NULL,
    x0 REAL NOT NULL, top REAL NOT NULL, x1 REAL NOT NULL, bottom REAL NOT NULL,
    page_width REAL NOT NULL, page_height REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS text_boxes_report ON text_boxes(report_id, text_start);
"""

_COLS = "part, page, text_start, text_end, x0, top, x1, bottom, page_width, page_height"


@dataclass(frozen=True)
class Box:
    """A piece of text on a page: `part` is the document (its place among the
    report's documents, by id), coordinates in points from the top left."""

    part: int
    page: int
    start: int
    end: int
    x0: float
    top: float
    x1: float
    bottom: float
    width: float        # the page's
    height: float


def save(conn: sqlite3.Connection, report_id: int, boxes: Iterable[tuple]) -> None:
    """Replace a report's boxes: (part, page, start, end, x0, top, x1, bottom, width, height) each."""
    delete(conn, report_id)
    conn.executemany(f"INSERT INTO text_boxes (report_id, {_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     ((report_id, *b) for b in boxes))


def delete(conn: sqlite3.Connection, report_id: int) -> None:
    conn.execute("DELETE FROM text_boxes WHERE report_id = ?", (report_id,))


def lines(conn: sqlite3.Connection, report_id: int, start: int, end: int) -> list[Box]:
    """The stored lines overlapping [start, end) of the report's original text."""
    try:
        rows = conn.execute(f"SELECT {_COLS} FROM text_boxes WHERE report_id = ? AND text_start < ?"
                            " AND text_end > ? ORDER BY text_start", (report_id, end, start)).fetchall()
    except sqlite3.OperationalError:        # a database made before the table: nothing recorded
        return []
    return [Box(*r) for r in rows]


def _weight(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def quote_boxes(found: Iterable[Box], start: int, end: int, text: str | None = None,
                page: int | None = None) -> list[Box]:
    """The boxes of the quote at [start, end) of the original `text`: each line
    it touches, cut to the quoted characters (x interpolated along the line by
    the characters' widths; uniformly without the text). Only `page`'s, if given."""
    out = []
    for b in found:
        s, e = max(start, b.start), min(end, b.end)
        if e <= s or (page is not None and b.page != page):
            continue
        if (s, e) == (b.start, b.end):
            out.append(b)
            continue
        if text is not None and b.end <= len(text):
            w = [_weight(ch) for ch in text[b.start:b.end]]
        else:
            w = [1.0] * (b.end - b.start)
        total = sum(w) or 1.0
        span = b.x1 - b.x0
        left = b.x0 + span * sum(w[:s - b.start]) / total
        right = b.x0 + span * sum(w[:e - b.start]) / total
        out.append(replace(b, start=s, end=e, x0=round(left, 1), x1=round(right, 1)))
    return out


def for_quote(conn: sqlite3.Connection, report_id: int, start: int, end: int, text: str | None = None,
              page: int | None = None) -> list[Box]:
    """The boxes of a quote of a report (see quote_boxes)."""
    return quote_boxes(lines(conn, report_id, start, end), start, end, text, page)
