"""A table as a grid of cell texts: merged cells resolved, cells classified.

Readers give tables in several shapes (grids with merged cells marked by
`span_from`, flattened rows that lost their empty cells); this module gives
the recognizer one view: `Grid.text(r, c)`, and for each cell whether it is a
figure, a classification code or words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from worker.numbers import Num
from worker.parse.cellnums import cell_number, is_cell_number
from worker.parse.tables import Cell, Table

ZERO_MARKS = {"-", "—", "－", "/", "——", "--", "－－", "–", "―"}
CODE_RE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_SPACES = re.compile(r"\s+")


@dataclass
class Grid:
    table: Table
    width: int

    @classmethod
    def of(cls, table: Table) -> "Grid":
        return cls(table, max((len(r) for r in table.rows), default=0))

    def cell(self, r: int, c: int) -> Cell | None:
        if not 0 <= r < len(self.table.rows) or c < 0:
            return None
        row = self.table.rows[r]
        return row[c] if c < len(row) else None

    def text(self, r: int, c: int) -> str:
        """The cell's text, or the text of the merged cell covering it."""
        cell = self.cell(r, c)
        if cell is None:
            return ""
        if not cell.text and cell.span_from is not None:
            sr, sc = cell.span_from
            origin = self.cell(sr, sc)
            return origin.text if origin is not None else ""
        return cell.text

    def own_text(self, r: int, c: int) -> str:
        cell = self.cell(r, c)
        return cell.text if cell is not None else ""


def key(text: str) -> str:
    return _SPACES.sub("", text)


def figure(cell: Cell) -> Num | None:
    """The number a cell holds (a zero mark such as '-' is 0); None for words."""
    t = key(cell.text)
    if not t:
        return None
    if t in ZERO_MARKS:
        return Num(value=0.0, unit="", kind="number", precision=2, raw=cell.text.strip(),
                   start=cell.start, end=cell.end)
    n = cell_number(cell.text, cell.start)
    if n is None and " " in cell.text.strip():
        return None
    return n


def is_code(text: str) -> bool:
    return bool(CODE_RE.match(key(text)))


def is_figure_text(text: str) -> bool:
    t = key(text)
    if not t:
        return False
    if t in ZERO_MARKS:
        return True
    return is_cell_number(t)
