"""Rates stated for a zero base (undefined_ratio).

完成年初预算的100% over a 年初预算 of 0, or 增长100% from nothing, is not a
rate: the ratio is undefined and the sentence hides that the spending had no
initial budget at all. A completion worded against the full-year budget
(完成预算资金安排的100%) names a different base and is left alone. Zero out
of zero stated as 100% is only reported when `flag_zero_over_zero` is set.
"""
from __future__ import annotations

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r
from rules.registry import detector, family
from rules.statements import ledger_accepts
from worker.facts import Claim, ParsedReport

family("ratio", doc=__doc__, flag_zero_over_zero=False)


def _zero(n) -> bool:
    return n is not None and abs(n.value) <= tol.half(n) + 1e-12


@detector("ratio.zero_base", "undefined_ratio", severity="medium when money was spent, low for zero over zero")
def zero_base(report: ParsedReport, opts: dict) -> list[Finding]:
    """A completion rate against an initial budget of zero, or a growth rate
    from a base of zero, stated as a number."""
    out = []
    for c in report.of(Claim):
        if c.type == "completion" and c.base_role == "initial" and c.base is not None and _zero(c.base):
            spent = c.numerator
            if spent is None or c.stated.value == 0:
                continue
            if _zero(spent) and not opts["flag_zero_over_zero"]:
                continue
            sev = "low" if _zero(spent) else "medium"
            title = (f"年初预算为0却称完成年初预算的{printed(c.stated)}:{c.subject or ''}"
                     f"(决算{printed(spent)})")
            message = (f"报告称{c.subject or ''}年初预算{printed(c.base)},决算{printed(spent)},"
                       f"“完成年初预算的{printed(c.stated)}”。以0为分母的完成率没有意义,"
                       f"这句话掩盖了该项支出没有年初预算、全部来自年中追加或调剂的事实,应改述为完成全年预算的比例并说明追加来源。")
            evidence = {"stated": num(c.stated), "base": num(c.base), "executed": num(spent)}
            out.append(Finding("undefined_ratio", "ratio.zero_base", sev, title, message, evidence,
                               ("zero_base", "completion", num(spent), num(c.stated)), [q(c.quote)]))
        elif c.type == "growth" and c.numerator is not None and c.stated.value != 0:
            if ledger_accepts(report, c.stated):
                continue        # the figures of the tables give the rate: its base was not zero
            if c.delta is not None:
                base = c.numerator.value - c.delta.value * (1 if c.direction >= 0 else -1)
                h = tol.half(c.numerator) + tol.half(c.delta)
                if abs(base) > h + 1e-12:
                    continue
            elif c.base is None or not _zero(c.base):
                continue
            title = f"上年基数为0却称增长{printed(c.stated).lstrip('-')}:{c.subject or printed(c.numerator)}"
            message = (f"报告称{c.subject or ''}{printed(c.numerator)},比基数增加{printed(c.delta) if c.delta else ''},"
                       f"增长{printed(c.stated).lstrip('-')}。由此推得比较基数为0,增长率没有意义,应直接说明为新增支出。")
            evidence = {"stated": num(c.stated), "current": num(c.numerator), "delta": num(c.delta), "base": 0}
            out.append(Finding("undefined_ratio", "ratio.zero_base", "low", title, message,
                               {k: v for k, v in evidence.items() if v is not None},
                               ("zero_base", "growth", num(c.numerator), num(c.stated)), [q(c.quote)]))
    return out


__all__ = ["r"]
