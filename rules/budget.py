"""Spending that must stay within its budget and does not (budget_exceeded).

三公经费 (因公出国(境)费, 公务接待费, 公务用车购置及运行维护费) and 机关运行经费
are capped by their budgets: an outturn above its stated budget, a stated
增加 against the 年初预算, or a completion rate above 100% is reported.
"""
from __future__ import annotations

import re

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r, said
from rules.registry import detector, family
from worker.facts import Claim, ParsedReport
from worker.parse.lang import CAPPED_SPENDING

family("budget", doc=__doc__)


@detector("budget.capped_spending", "budget_exceeded", severity="high when over by ≥ 10%, else medium")
def capped(report: ParsedReport, opts: dict) -> list[Finding]:
    """三公经费, its items and 机关运行经费 whose outturn exceeds the budget the
    report compares it with."""
    out = []
    for c in report.of(Claim):
        if c.section not in ("sangong", "admin") and not CAPPED_SPENDING.search(c.quote.text[:60]):
            continue
        if "年初预算" not in c.quote.text and "预算" not in c.quote.text:
            continue
        over = None
        if c.type == "difference" and c.numerator is not None and c.base is not None:
            if c.numerator.value > c.base.value + tol.half(c.numerator) + tol.half(c.base) + 1e-9:
                over = (c.numerator, c.base)
            elif c.delta is not None and c.delta.value > 0 and c.numerator.value > c.base.value and \
                    abs(c.numerator.value - c.base.value - c.delta.value) <= tol.unit(c.delta) + 1e-9:
                # 支出2.05万元,预算为2万元,差值为0.05万元: the printed difference
                # pins the budget the rounding left open.
                over = (c.numerator, c.base)
        elif c.type == "completion" and c.stated.value > 100 + tol.unit(c.stated) and "预算" in c.base_name:
            over = (c.numerator, c.base)
        elif c.type == "growth" and c.direction > 0 and c.numerator is not None and c.delta is not None \
                and c.delta.value > 0 and re.search(r"(?:比|较).{0,12}预算", c.quote.text):
            over = (c.numerator, None)      # 比年初预算增加X万元: over by X
        if over is None:
            continue
        spent, budget = over
        ratio = None
        if spent is not None and budget is not None and budget.value > 0:
            ratio = spent.value / budget.value - 1
        elif spent is not None and c.delta is not None and spent.value > c.delta.value:
            ratio = c.delta.value / (spent.value - c.delta.value)
        elif c.type == "completion":
            ratio = c.stated.value / 100 - 1       # 完成预算的114%: over by 14%
        sev = "high" if ratio is not None and ratio >= 0.1 else "medium"
        subject = re.sub(r"^\d+[.、]|^[一二三四五六七八九十]+、", "", c.quote.text[:30]).split(",")[0]
        title = f"超预算支出:{subject}" + (f" 决算{printed(spent)},预算{printed(budget)}" if budget is not None else "")
        message = (f"报告称“{said(c.quote.text)}”。“三公”经费和机关运行经费须控制在预算以内,"
                   f"超出预算需有调整批复,建议核查超支原因和审批手续。")
        over_by = (spent.value - budget.value) if spent is not None and budget is not None else (
            c.delta.value if c.delta is not None else None)
        evidence = {"executed": num(spent), "budget": num(budget), "stated": num(c.stated), "over_by": r(over_by, 4)}
        out.append(Finding("budget_exceeded", "budget.capped_spending", sev, title, message,
                           {k: v for k, v in evidence.items() if v is not None},
                           ("capped", num(spent), num(budget)), [q(c.quote)]))
    return out
