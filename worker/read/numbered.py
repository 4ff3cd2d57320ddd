"""Tables flattened one cell a line whose columns are numbered by a 栏次 row.

Statistical 决算 tables (财决, 国卫财 …) print a row `栏次 | 1 | 2 | … | N`
under a header of two or three levels. Flattened one cell a line
(`cell |`, an empty cell as a lone `|`), the row boundaries and the merged
header cells are lost, but the 栏次 row still fixes the grid:

* column k of every body row stands at a fixed distance from the cell `k`
  of the 栏次 row: index(`1`) + (k - 1) + r·P, where P is the row period
  (label cells + N figures + padding). P is the one period under which
  every following row has its figures in the figure block and its labels
  (code, name, 合计) in the gap between blocks; when no or several periods
  fit, the table is not read;
* the header's leaf columns, left to right, are numbered 1..N. The header
  rows are rebuilt as a tree by the template's grammar: a group's sub-columns
  start with its total (合计 / 小计) and belong to the group they break down
  (基本支出结转 … to a 结转和结余 / 结余 group, 其中:…收入 to a 收入 group).
  Every tree that fits the grammar and gives N leaves is kept: a column
  whose number differs between readings is reported with all its numbers,
  and a check must hold under each of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from worker.numbers import Num
from worker.parse.cellnums import cell_number, is_cell_number
from worker.parse.tables import Cell

_CELL_LINE = re.compile(r"(?m)^[ \t]*(?:([^|\s][^\n]*?)[ \t]*\|[ \t]*|\|[ \t]*)$")
_TOTAL = re.compile(r"^(?:合计|小计|总计)$")
_LABEL = re.compile(r"^(?:项目|科目|类款项|类|款|项|行次|栏次|.{0,10}(?:科目编码|科目名称|名称|编码))$")
_UNIT = re.compile(r"单位[::]\s*(万元|元|千元)")
_LANCI = re.compile(r"栏\s+次")     # a 栏次 cell spaced out (its key has no spaces)
MAX_PAD = 6


@dataclass
class NumberedTable:
    cells: list[Cell]            # the table's cells, blanks included, in order
    n: int                       # columns numbered by the 栏次 row
    first: int                   # index of the cell `1` of the 栏次 row
    period: int                  # cells per row
    header: list[list[Cell]]     # header rows (their non-empty cells), top first
    unit: str

    def block(self, r: int) -> list[Cell]:
        """Figure cells of body row r (1 = the row after the 栏次 row)."""
        s = self.first + r * self.period
        return self.cells[s:s + self.n]

    def labels(self, r: int) -> list[Cell]:
        """Non-empty cells between body row r's figures and the row before."""
        s = self.first + (r - 1) * self.period + self.n
        return [c for c in self.cells[s:self.first + r * self.period] if c.key]

    def rows(self) -> int:
        return (len(self.cells) - self.first) // self.period


def cell_runs(text: str) -> list[list[Cell]]:
    """Runs of consecutive `cell |` / `|` lines: one table's cells each."""
    runs: list[list[Cell]] = []
    cur: list[Cell] = []
    last_end = -1
    for m in _CELL_LINE.finditer(text):
        if cur and text[last_end:m.start()].strip():
            runs.append(cur)
            cur = []
        s, e = (m.start(1), m.end(1)) if m.group(1) else (m.start(), m.start())
        cur.append(Cell(text[s:e], s, e))
        last_end = m.end()
    if cur:
        runs.append(cur)
    return [r for r in runs if len(r) >= 20]


def _is_figure(c: Cell) -> bool:
    k = c.key
    return not k or k in ("-", "—", "--") or is_cell_number(k)


def _numbered_row(cells: list[Cell]) -> tuple[int, int] | None:
    """(index of `1`, N) of the 栏次 row: 栏次 then 1, 2, …, N."""
    for i, c in enumerate(cells):
        if c.key != "栏次":
            continue
        n = 0
        while i + 1 + n < len(cells) and cells[i + 1 + n].key == str(n + 1):
            n += 1
        if n >= 3:
            return i + 1, n
    return None


def _fits(cells: list[Cell], first: int, n: int, p: int) -> int:
    """Body rows that fit period p: figures in the block, a label in the gap."""
    rows = 0
    r = 1
    while first + r * p + n <= len(cells):
        gap = cells[first + (r - 1) * p + n: first + r * p]
        block = cells[first + r * p: first + r * p + n]
        if not any(c.key and not _is_figure(c) for c in gap) or not all(_is_figure(c) for c in block):
            break
        rows += 1
        r += 1
    return rows


def read(text: str) -> list[NumberedTable]:
    """The 栏次-numbered tables of a text, where their grid is certain."""
    out = []
    if "栏次" not in text and not _LANCI.search(text):
        return out          # no 栏次 row, no table: most reports, not worth cutting into cells
    for cells in cell_runs(text):
        hit = _numbered_row(cells)
        if hit is None:
            continue
        first, n = hit
        fits = {p: _fits(cells, first, n, p) for p in range(n + 1, n + MAX_PAD + 1)}
        best = max(fits.values())
        # every row to the end of the table (its last padding aside), under one period only
        good = [p for p, k in fits.items() if k == best and best >= 1
                and len(cells) - (first + best * p + n) <= p - n]
        if len(good) != 1:
            continue
        p = good[0]
        unit_i = max((i for i, c in enumerate(cells[:first]) if _UNIT.search(c.key)), default=None)
        if unit_i is None:
            continue
        stub = first - (p - n)           # where the 栏次 row's own cells begin
        while stub < first - 1 and cells[stub].key != "栏次" and not _LABEL.match(cells[stub].key):
            stub += 1
        header = _header_rows(cells[unit_i + 1:stub])
        if not header:
            continue
        out.append(NumberedTable(cells, n, first, p, header, _UNIT.search(cells[unit_i].key).group(1)))
    return out


def _header_rows(cells: list[Cell]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    cur: list[Cell] = []
    for c in cells + [Cell("", 0, 0)]:
        if c.key:
            cur.append(c)
        elif cur:
            rows.append(cur)
            cur = []
    return rows


# -- the header as a tree --------------------------------------------------------

def family(name: str) -> str | None:
    """What a header word measures, by its last word: 收入, 支出 or a balance."""
    k = re.sub(r"^其中[::]?", "", name)
    if k.endswith("收入"):
        return "收入"
    if k.endswith("支出"):
        return "支出"
    if re.search(r"(?:结余|结转)$", k):
        return "结余"
    return None


def _segments(row: list[str]) -> list[tuple[int, int]] | None:
    """A header row cut where each group's sub-columns start (at its total)."""
    if not row or not _TOTAL.match(row[0]):
        return None
    starts = [i for i, k in enumerate(row) if _TOTAL.match(k)] + [len(row)]
    return list(zip(starts, starts[1:]))


def _compatible(parent: str, seg: list[str]) -> bool:
    fams = {family(k) for k in seg if not _TOTAL.match(k)} - {None}
    return not fams or family(parent) in fams


def _assignments(parents: list[str], row: list[str], segs: list[tuple[int, int]]):
    """Ways to give each segment (in order) a distinct parent (in order)."""
    cand = [i for i, k in enumerate(parents) if not _TOTAL.match(k)]

    def go(si: int, pi: int):
        if si == len(segs):
            yield ()
            return
        a, b = segs[si]
        for j in cand:
            if j >= pi and _compatible(parents[j], row[a:b]):
                for rest in go(si + 1, j + 1):
                    yield ((j, segs[si]),) + rest
    yield from go(0, 0)


def readings(header: list[list[str]], n: int, limit: int = 5000) -> list[dict[str, list[int]]]:
    """Every tree of the header that fits the grammar and has n leaves: for
    each, the columns (1-based) under each top-row word, its total first."""
    rows = [[k for k in row if not _LABEL.match(k)] for row in header]
    rows = [r for r in rows if r]
    if not rows:
        return []
    segs = [_segments(r) for r in rows[1:]]
    if any(s is None for s in segs):
        return []
    out: list[dict[str, list[int]]] = []

    def children_maps(level: int):
        """Assignments for levels level..end: list of dicts (level, idx) -> (a, b)."""
        if level >= len(rows) - 1:
            yield {}
            return
        for asg in _assignments(rows[level], rows[level + 1], segs[level]):
            here = {(level, j): seg for j, seg in asg}
            for deeper in children_maps(level + 1):
                yield {**here, **deeper}

    for tried, kids in enumerate(children_maps(0)):
        if tried >= limit:
            return []            # too many trees to try: the columns are not certain
        cols: dict[str, list[int]] = {}

        @lru_cache(None)
        def width(level: int, i: int) -> int:
            seg = kids.get((level, i))
            return 1 if seg is None else sum(width(level + 1, c) for c in range(*seg))

        if sum(width(0, i) for i in range(len(rows[0]))) != n:
            continue
        col = 1
        for i, k in enumerate(rows[0]):
            w = width(0, i)
            cols.setdefault(k, list(range(col, col + w)))
            col += w
        out.append(cols)
    return out


def figure(c: Cell) -> Num | None:
    return cell_number(c.text, c.start) if c.key else None
