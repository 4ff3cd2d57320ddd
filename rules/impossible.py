"""Values that cannot be true (impossible_value).

A satisfaction, pass or coverage rate above 100%; a share of a whole above
100%; a year-end balance (结转和结余) below zero; a calendar date that does
not exist (2月30日, 13月).
"""
from __future__ import annotations

import re

from rules.base import Finding, num, printed, q
from rules.registry import detector, family
from worker.facts import Amount, Claim, Indicator, ParsedReport
from worker.parse import lang

family("impossible", doc=__doc__)

_BOUNDED = re.compile(r"满意度|满意率|合格率|达标率|覆盖率|完成率|知晓率|及时率|准确率|到位率|占比|比例|参与度|通过率|办结率|回访率")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")


@detector("impossible.over_100", "impossible_value", severity="high")
def over_100(report: ParsedReport, opts: dict) -> list[Finding]:
    """A rate bounded by 100% (satisfaction, pass, coverage, a share of a whole)
    stated above 100%."""
    out = []
    for ind in report.of(Indicator):
        a = ind.actual
        if a is None or a.kind != "percent" or ind.actual_is_share or not _BOUNDED.search(ind.name):
            continue
        if a.value > 100.0:
            out.append(Finding(
                "impossible_value", "impossible.over_100", "high",
                f"不可能的数值:{ind.name}实际完成值{printed(a)},超过100%",
                f"“{ind.name}”是以100%为上限的比率,报告填报的实际完成值为{printed(a)},不可能成立,需核实真实数值。",
                {"indicator": ind.name, "actual": num(a), "limit": 100}, ("over100", ind.name, num(a)), [q(ind.quote)]))
    for c in report.of(Claim):
        if c.type == "share" and c.stated.value > 100.0 + 1e-9 and c.base_role in ("named", "structural"):
            out.append(Finding(
                "impossible_value", "impossible.over_100", "high",
                f"不可能的数值:{c.subject}占比{printed(c.stated)},超过100%",
                f"部分占整体的比例不可能超过100%,报告称{c.subject}占{c.base_name or '总额'}的{printed(c.stated)}。",
                {"stated": num(c.stated), "limit": 100}, ("share100", num(c.stated), num(c.numerator)), [q(c.quote)]))
    return out


@detector("impossible.negative_balance", "impossible_value", severity="high")
def negative_balance(report: ParsedReport, opts: dict) -> list[Finding]:
    """A year-end balance (年末结转和结余, 结余) stated as a negative amount."""
    out = []
    for a in report.of(Amount):
        if a.num.value < 0 and re.search(r"结转|结余", a.name):
            out.append(Finding(
                "impossible_value", "impossible.negative_balance", "high",
                f"不可能的数值:{a.name}为负数({printed(a.num)})",
                f"结转和结余是年末尚未使用的资金,不可能为负数;报告称“{a.name}”为{printed(a.num)}。",
                {"name": a.name, "value": num(a.num)}, ("negbal", a.name, num(a.num)), [q(a.quote)]))
    return out


@detector("impossible.date", "impossible_value", severity="medium")
def bad_date(report: ParsedReport, opts: dict) -> list[Finding]:
    """A calendar date that does not exist (13月, 2月30日) in an indicator or a
    stated figure's sentence."""
    import calendar

    out = []
    seen = set()
    texts = [(i.actual_raw + " " + i.target_raw, i.quote) for i in report.of(Indicator)]
    texts += [(c.quote.text, c.quote) for c in report.of(Claim)]
    for text, quote in texts:
        for m in _DATE.finditer(text):
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
            bad = not (1 <= mo <= 12) or d < 1 or (1 <= mo <= 12 and d > calendar.monthrange(y, mo)[1])
            if bad and m.group(0) not in seen:
                seen.add(m.group(0))
                out.append(Finding(
                    "impossible_value", "impossible.date", "medium", f"不存在的日期:{m.group(0)}",
                    f"报告中的日期“{m.group(0)}”在日历上不存在,相关时限或数据的真实性需核实。",
                    {"date": m.group(0)}, ("date", m.group(0)), [q(quote)]))
    return out


__all__ = ["lang"]
