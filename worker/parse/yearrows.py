"""Tables that print two years and the change between them.

A comparison table (三公经费 by year, 收支 by year) prints a row per year and
a row of changes: ``2015年 | 2840 | 90 …``, ``2016年 | 2364 | 12 …``,
``2016年比2015年增减% | -16.77 | -86.62 …``. Column by column the change
follows from the two years, whatever the columns are, so the relation needs
no header: only rows of the same length. Flattened one cell a line, such a
table arrives as a single run of cells; rows are recovered as a label cell
followed by its figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from worker.facts import Claim, Quote
from worker.numbers import Num
from worker.parse.cellnums import cell_number
from worker.parse.tables import Cell, Table

_YEAR = re.compile(r"^(?P<y>(?:19|20)\d{2})年(?:度)?(?:决算|预算)?(?:数)?(?:[((]万元[))])?$")
_PCT = re.compile(r"(?:增减|增长|变动|同比|比上年|较上年).*?(?:%|率|幅度|百分比)|(?:增减|增长|变动)(?:率|幅度)")
_NAMED = re.compile(r"(?P<a>(?:19|20)\d{2})年.*?(?:比|较|与).*?(?P<b>(?:19|20)\d{2})年")


@dataclass
class _Row:
    label: Cell
    cells: list[Cell]
    nums: list[Num]


def _rows(table: Table) -> list[_Row]:
    """Label-led runs of figures, across the table's rows as printed."""
    out: list[_Row] = []
    cur: _Row | None = None
    for row in table.rows:
        for c in row:
            t = c.text.strip()
            if not t:
                continue
            n = cell_number(t, c.start)
            if n is None or _YEAR.match(t):
                cur = _Row(c, [], [])
                out.append(cur)
            elif cur is not None:
                cur.cells.append(c)
                cur.nums.append(n)
    return out


def _two_years(table: Table) -> bool:
    """Whether two cells of the table are labels of different years: what
    year_changes needs before anything else (cheap: most tables have none)."""
    seen: set[str] = set()
    for row in table.rows:
        for c in row:
            if "年" in c.text and (m := _YEAR.match(c.key)):
                seen.add(m.group("y"))
                if len(seen) >= 2:
                    return True
    return False


def year_changes(tables: list[Table]) -> list[Claim]:
    """Growth claims (stated, current year, prior year) for every column of a
    table that prints two years and a row of percentage changes."""
    out: list[Claim] = []
    for t in tables:
        if not _two_years(t):
            continue        # no two year rows: nothing to compare (and no figure worth parsing)
        rows = _rows(t)
        years = {}
        for r in rows:
            m = _YEAR.match(r.label.key)
            if m and len(r.nums) >= 2:
                years[int(m.group("y"))] = r
        if len(years) < 2:
            continue
        for r in rows:
            if not _PCT.search(r.label.key) or not r.nums:
                continue
            named = _NAMED.search(r.label.key)
            if named:
                cur, base = years.get(int(named.group("a"))), years.get(int(named.group("b")))
            else:
                ys = sorted(years)
                cur, base = years[ys[-1]], years[ys[-2]]
            if cur is None or base is None or not (len(r.nums) == len(cur.nums) == len(base.nums)):
                continue    # rows that do not line up are not guessed at
            out += _column_claims(r, cur, base)
    return out


def _column_claims(pct: _Row, cur: _Row, base: _Row) -> list[Claim]:
    out = []
    for j, stated in enumerate(pct.nums):
        c, b = cur.nums[j], base.nums[j]
        if b.value <= 0 or c.value < 0:
            continue
        stated = stated if stated.unit else Num(value=stated.value, unit="%", kind="percent",
                                                precision=stated.precision, raw=stated.raw,
                                                start=stated.start, end=stated.end)
        cells = [pct.label, base.label, base.cells[j], cur.label, cur.cells[j], pct.cells[j]]
        quote = Quote(" | ".join(x.text.strip() for x in cells), min(x.start for x in cells),
                      max(x.end for x in cells))
        out.append(Claim(type="growth", stated=stated, quote=quote,
                         subject=f"{cur.label.text.strip()}比{base.label.text.strip()}(第{j + 1}列)",
                         numerator=c, base=b, direction=1 if stated.value >= 0 else -1, section="other"))
    return out
