"""A recognized table as a grid of rows × columns (pure).

The grid has the table's n_rows × n_cols (doc_tables) and every figure the
reader placed at its (row, col) (report_figures). The other cells (row
labels, column headers, figures the reader did not map) are taken from the
table's text when it is laid out one row a line with cells between "|" (the
canonical text of extracted grids, worker.parse.tables.render_grid), or
as the reader's parser of "|" tables finds them (pipe_tables), and that
layout agrees with the reader: as many lines and cells as rows and columns,
and each figure inside its own cell. Otherwise the row labels and column
headers the reader gave the figures are shown beside the grid.

Offsets of figures and cells are into the normalized text; `Mapper` puts
them on the original text, where alert quotes point.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from worker.parse.tables import pipe_tables
from worker.read.grid import is_figure_text

MAX_ROWS = 1000          # a table this long is shown cut (a hostile or broken file may claim any size)
MAX_COLS = 60

Mapper = Callable[[int, int], "tuple[int, int] | None"]


@dataclass
class Mark:
    """Why a cell is marked: an alert whose quote holds it, or a relation found failing now."""

    title: str
    href: str = ""
    alert_id: int | None = None


@dataclass
class Cell:
    text: str = ""
    num: bool = False                 # a figure: right-aligned
    seq: int | None = None            # the ledger figure at this cell
    about: str = ""                   # what the reader took it for (concept, measure, value)
    span: tuple[int, int] | None = None   # original offsets of the printed figure (or the cell)
    alerts: list[Mark] = field(default_factory=list)
    failed: list[Mark] = field(default_factory=list)

    @property
    def marked(self) -> bool:
        return bool(self.alerts or self.failed)

    @property
    def title(self) -> str:
        return "\n".join([self.about] * bool(self.about) + [m.title for m in self.alerts + self.failed])

    @property
    def href(self) -> str:
        return next((m.href for m in self.alerts + self.failed if m.href), "")


@dataclass
class Grid:
    idx: int
    type: str
    type_name: str
    title: str
    unit: str
    page: int | None
    page_end: int | None
    status: str
    n_rows: int
    n_cols: int
    rows: list[list[Cell]]
    from_text: bool                   # cells other than figures come from the table's text
    row_labels: list[str] = field(default_factory=list)   # when not from the text: the reader's labels
    col_headers: list[str] = field(default_factory=list)
    cut: bool = False
    relations: list = field(default_factory=list)          # filled by the page (report_checks)

    @property
    def marked(self) -> int:
        return sum(c.marked for r in self.rows for c in r)


_SEP = re.compile(r"\|")


def text_layout(text: str, start: int | None, end: int | None, n_rows: int, n_cols: int
                ) -> list[list[tuple[int, int]]] | None:
    """The cells of a table printed one row a line, "|" between cells, as
    (start, end) spans of `text` (spaces trimmed); None when the text has
    another number of rows or more cells a row than the reader found."""
    if start is None or end is None or not (0 <= start < end <= len(text)) or n_rows <= 0:
        return None
    rows: list[list[tuple[int, int]]] = []
    pos = start
    for line in text[start:end].split("\n"):
        lo, hi = pos, pos + len(line)
        pos = hi + 1
        if not line.strip():
            continue
        cells, s = [], lo
        for m in _SEP.finditer(text, lo, hi):
            cells.append(_trim(text, s, m.start()))
            s = m.end()
        cells.append(_trim(text, s, hi))
        if len(cells) > 1 and cells[-1][0] == cells[-1][1]:
            cells.pop()          # the rule after the last cell
        if len(cells) > n_cols:
            return None
        rows.append(cells + [(hi, hi)] * (n_cols - len(cells)))
    return rows if len(rows) == n_rows else None


def pipe_layout(text: str, start: int | None, end: int | None, n_rows: int, n_cols: int
                ) -> list[list[tuple[int, int]]] | None:
    """The cells as the reader's own parser of "|" tables finds them in the
    table's text (tables printed one cell a line, "|" closing each)."""
    if start is None or end is None or not (0 <= start < end <= len(text)) or n_rows <= 0:
        return None
    found = pipe_tables(text[start:end])
    if len(found) != 1 or len(found[0].rows) != n_rows or any(len(r) > n_cols for r in found[0].rows):
        return None
    return [[(start + c.start, start + c.end) for c in r] + [(start + found[0].end,) * 2] * (n_cols - len(r))
            for r in found[0].rows]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\u3000":
        s += 1
    while e > s and text[e - 1] in " \t\u3000":
        e -= 1
    return s, e


def _fits(layout: list[list[tuple[int, int]]], figures: list[dict]) -> bool:
    for f in figures:
        r, c, rs, re_ = f["row"], f["col"], f["raw_start"], f["raw_end"]
        if r is None or c is None or rs is None or re_ is None or not (0 <= r < len(layout) and 0 <= c < len(layout[r])):
            return False
        s, e = layout[r][c]
        if not (s <= rs <= re_ <= e):
            return False
    return True


def build(t: dict, text: str, original: str, to_original: Mapper, about: Callable[[dict], str],
          type_name: str = "") -> Grid:
    """The grid of one table of report_queries.report_tables."""
    n_rows, n_cols = max(0, t["n_rows"] or 0), max(0, t["n_cols"] or 0)
    for f in t["figures"]:          # a reader's figure outside its table's size still gets its cell
        n_rows, n_cols = max(n_rows, (f["row"] or 0) + 1), max(n_cols, (f["col"] or 0) + 1)
    shown_rows, shown_cols = min(n_rows, MAX_ROWS), min(n_cols, MAX_COLS)
    g = Grid(idx=t["idx"], type=t["type"] or "", type_name=type_name, title=t["title"] or "", unit=t["unit"] or "",
             page=t["page"], page_end=t["page_end"], status=t["status"] or "", n_rows=n_rows, n_cols=n_cols,
             rows=[[Cell() for _ in range(shown_cols)] for _ in range(shown_rows)], from_text=False,
             cut=(shown_rows, shown_cols) != (n_rows, n_cols))
    layout = next((lay for lay in (f(text, t.get("table_start"), t.get("table_end"), n_rows, n_cols)
                                   for f in (text_layout, pipe_layout)) if lay is not None and _fits(lay, t["figures"])),
                  None)
    if layout is not None:
        g.from_text = True
        for r in range(shown_rows):
            for c in range(shown_cols):
                s, e = layout[r][c]
                cell = g.rows[r][c]
                at = to_original(s, e) if e > s else None
                cell.text = original[at[0]:at[1]] if at else text[s:e]
                cell.num = is_figure_text(text[s:e])
                cell.span = at if cell.num else None
    else:
        g.row_labels = [""] * shown_rows
        g.col_headers = [""] * shown_cols
    for f in t["figures"]:
        r, c = f["row"], f["col"]
        if r is None or c is None or not (0 <= r < shown_rows and 0 <= c < shown_cols):
            continue
        cell = g.rows[r][c]
        cell.num, cell.seq, cell.about = True, f["seq"], about(f)
        if not g.from_text:
            cell.text = f["raw"] or ""
            g.row_labels[r] = g.row_labels[r] or (f["row_label"] or "")
            g.col_headers[c] = g.col_headers[c] or (f["column_header"] or "")
        if f["raw_end"] is not None and f["raw_start"] is not None and f["raw_end"] > f["raw_start"]:
            cell.span = to_original(f["raw_start"], f["raw_end"])
    return g


def mark_alerts(grids: list[Grid], quotes: list[dict], href: Callable[[int], str]) -> None:
    """Mark each figure cell that lies inside an alert's quote (original offsets)."""
    spans = sorted(((q["start"], q["end"], q) for q in quotes), key=lambda x: (x[0], x[1]))
    for g in grids:
        for row in g.rows:
            for cell in row:
                if not cell.num or cell.span is None:
                    continue
                s, e = cell.span
                seen = {m.alert_id for m in cell.alerts}
                for qs, qe, q in spans:
                    if qs > s:
                        break
                    if e <= qe and q["alert_id"] not in seen:
                        seen.add(q["alert_id"])
                        cell.alerts.append(Mark(f"#{q['alert_id']} {q['title']}", href(q["alert_id"]), q["alert_id"]))


def cell_by_seq(grids: list[Grid]) -> dict[int, Cell]:
    return {c.seq: c for g in grids for r in g.rows for c in r if c.seq is not None}
