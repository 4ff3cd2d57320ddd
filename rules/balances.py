"""Balance identities of the 决算 stated in the text (total_mismatch).

The 收入支出决算总表 balances by construction: 收入总计 (本年收入 + 上年结转结余
+ 使用非财政拨款结余) and 支出总计 (本年支出 + 结余分配 + 年末结转和结余) are one
figure printed twice. A 情况说明 that gives them as two different amounts
(收、支总计各是A,B万元) states at least one of them wrongly. Checked with the
rounding rule of rules/tolerance.py.
"""
from __future__ import annotations

import re

from rules import tolerance as tol
from rules.base import Finding, num, printed, q
from rules.evidence import severity
from rules.registry import detector, family
from worker.facts import Amount, GrandTotals, ParsedReport

family("balances", doc=__doc__)

# Reports whose 收支总表 balances by construction (a hospital's 收支结余 table does not).
_BALANCED = re.compile(r"决算|预算")


@detector("balances.grand_totals", "total_mismatch", severity="by the gap: high from 5%, medium from 0.5%, low below")
def grand_totals(report: ParsedReport, opts: dict) -> list[Finding]:
    """收入总计 and 支出总计 stated in the 情况说明 as two different amounts, in a
    部门/单位决算 (or 预算), where the 收入支出总表 makes them one figure."""
    if not _BALANCED.search(report.meta.report_type or ""):
        return []
    out = []
    amounts = report.of(Amount)
    for g in report.of(GrandTotals):
        if tol.consistent(g.income, tol.interval(g.expense)) or tol.consistent(g.expense, tol.interval(g.income)):
            continue
        gap = g.income.value - g.expense.value
        title = f"收入总计与支出总计不等:{printed(g.income)} ≠ {printed(g.expense)}"
        message = (f"报告称{g.name}分别为{printed(g.income)}和{printed(g.expense)}。收入支出决算总表中"
                   f"收入总计(本年收入+上年结转结余+使用非财政拨款结余)与支出总计(本年支出+结余分配+"
                   f"年末结转和结余)必然相等,两者相差{abs(gap):,.2f}万元,至少有一个数字有误。")
        evidence = {"stated": num(g.income), "computed": num(g.expense),
                    "income_total": num(g.income), "expense_total": num(g.expense),
                    "difference": round(gap, 4), "identity": "收入总计 = 支出总计"}
        # The year's own totals, when the text gives them: a 总计 equal to its
        # 本年 合计 tells which side left out the carry-over.
        for key, pat in (("income_this_year", r"^本年收入合计$"), ("expense_this_year", r"^本年支出合计$")):
            hits = [a for a in amounts if re.search(pat, a.name)]
            if hits:
                evidence[key] = num(hits[0].num)
        out.append(Finding("total_mismatch", "balances.grand_totals", severity(g.income.value, g.expense.value),
                           title, message, evidence, ("grandtotals", num(g.income), num(g.expense)), [q(g.quote)],
                           anchor=(g.income.start, g.income.end)))
    return out
