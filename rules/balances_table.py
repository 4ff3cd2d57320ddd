"""Year-end balances read from the columns of a statistical 决算 table.

A 收支决算总表 of the 财决 / 国卫财 kind carries the year-end balance as a
column group (年末结转和结余: 合计, 基本支出结转, 项目支出结转和结余 …)
rather than a row. The balance is what is left of the funds at year end; a
negative figure in its 合计 row means a deficit carried as a balance, which
the rules book as 用事业基金弥补收支差额 instead.
"""
from __future__ import annotations

import re

from rules.base import Finding, printed, r
from rules.registry import detector, family
from worker.facts import ParsedReport
from worker.read import numbered

family("balances_table", doc=__doc__)

# The year-end balance, not the year's surplus (收支结余) nor the opening one (上年…).
_YEAR_END = re.compile(r"^(?:年末|期末)?(?:结转和结余|结转结余|结余)$")
_TOTAL_ROW = re.compile(r"^(?:合计|总计)$")


def _tables(report: ParsedReport) -> list:
    cached = getattr(report, "_numbered_tables", None)
    if cached is None:
        cached = numbered.read(report.text)
        report._numbered_tables = cached
    return cached


@detector("balances_table.negative_year_end", "impossible_value", severity="high")
def negative_year_end(report: ParsedReport, opts: dict) -> list[Finding]:
    """A negative figure in the 合计 row under a column group headed 年末结转和结余
    (or 结转和结余 / 结余, never 收支结余) of a table whose columns are numbered by
    a 栏次 row. The column is found from the header only where that is
    certain: every reading of the merged header that gives the 栏次 row's
    number of columns is tried, and the alert is raised only when the 合计 row
    is negative under the group's total column in each of them."""
    out = []
    for t in _tables(report):
        names = [k for k in (c.key for c in t.header[0]) if _YEAR_END.match(k)]
        total_rows = [ri for ri in range(1, t.rows() + 1) if any(_TOTAL_ROW.match(c.key) for c in t.labels(ri))]
        if len(names) != 1 or len(total_rows) != 1:
            continue
        name, ri = names[0], total_rows[0]
        reads = numbered.readings([[c.key for c in row] for row in t.header], t.n)
        if not reads:
            continue
        block = t.block(ri)
        cols = sorted({rd[name][0] for rd in reads if name in rd})
        if not cols:
            continue
        figs = [numbered.figure(block[k - 1]) for k in cols]
        if any(f is None or f.value >= 0 for f in figs):
            continue
        f = figs[0]
        head = next(c for c in t.header[0] if c.key == name)
        label = next(c for c in t.labels(ri) if _TOTAL_ROW.match(c.key))
        cell = block[cols[0] - 1]
        colnos = "或".join(f"第{k}栏" for k in cols)
        title = f"不可能的数值:{name}为负数({printed(f)}{t.unit})"
        message = (f"表中“{label.key}”行“{name}”合计({colnos})为{printed(f)}{t.unit}。结转和结余是年末尚未使用的"
                   f"资金,不可能为负数;当年收支差额应通过“用事业基金弥补收支差额”等处理,需核实。")
        evidence = {"name": name, "row": label.key, "columns": cols, "unit": t.unit,
                    "value": r(f.value), "stated": r(f.value), "computed": r(f.value),
                    "readings": len(reads)}
        quotes = [(cell.text, cell.start, cell.end), (head.text, head.start, head.end),
                  (label.text, label.start, label.end)]
        quotes += [(block[k - 1].text, block[k - 1].start, block[k - 1].end) for k in cols[1:]]
        out.append(Finding("impossible_value", "balances_table.negative_year_end", "high", title, message,
                           evidence, ("negbal", name, r(f.value)), quotes))
    return out
