"""Rates stated for a zero base (undefined_ratio).

完成年初预算的100% over a 年初预算 of 0, or 增长100% from nothing, is not a
rate: the ratio is undefined and the sentence hides that the spending had no
initial budget at all. A completion worded against the full-year budget
(完成预算资金安排的100%) names a different base and is left alone. Zero out
of zero stated as 100% is only reported when `flag_zero_over_zero` is set.
"""
from __future__ import annotations

import re

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
            out.append(_growth_finding(c))
    return out


_ROLE_WORDS = {"initial": "年初预算", "budget": "预算", "arrangement": "预算安排", "previous": "上年"}
# 比2020年年初预算增加…, 较上年增长…, 与2019年相比减少…: the words naming the base.
_COMPARED_WITH = re.compile(r"(?:比|较|与|同)\s*([^,,。;;:比较]{1,16}?)\s*(?:相比|相较|比较)?\s*[,,]?\s*"
                            r"(?:增加|增长|减少|下降|上升|降低|增|减)")


def _base_words(c: Claim) -> str:
    """What the growth was measured against, as the report names it: the
    base an auditor looks up (年初预算, 上年决算 …), never assumed to be last year."""
    if c.base_name:
        return c.base_name
    m = _COMPARED_WITH.search(c.quote.text)
    if m:
        return m.group(1).strip()
    return _ROLE_WORDS.get(c.base_role, "比较基数")


def _growth_finding(c: Claim) -> Finding:
    base = _base_words(c)
    pct = printed(c.stated).lstrip("-")
    spent = not _zero(c.numerator)
    title = f"{base}为0却称增长{pct}:{c.subject or printed(c.numerator)}"
    up = c.direction >= 0
    change = f",比{base}{'增加' if up else '减少'}{printed(c.delta)}" if c.delta is not None else \
        f",{base}{printed(c.base)}"
    message = (f"报告称{c.subject or ''}{printed(c.numerator)}{change},{'增长' if up else '下降'}{pct}。由此推得"
               f"比较基数({base})为0:以0为基数的增长率没有意义,应直接说明该项支出是新增的。")
    evidence = {"stated": num(c.stated), "current": num(c.numerator), "delta": num(c.delta), "base": 0,
                "base_name": base}
    # medium when money was spent, low for zero over zero (the detector's documented severity)
    return Finding("undefined_ratio", "ratio.zero_base", "medium" if spent else "low", title, message,
                   {k: v for k, v in evidence.items() if v is not None},
                   ("zero_base", "growth", num(c.numerator), num(c.stated)), [q(c.quote)])


__all__ = ["r"]
