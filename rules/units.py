"""Values whose printed unit cannot be right (unit_error).

A part printed in 元 among 万元 figures, when reading it as 万元 makes the
parts add up to their total (项目支出1749.94元 beside 基本支出528.23万元 in a
total of 2278.17万元), is a unit slip: the reader is told a figure ten
thousand times too small. A 执行率(%) column holding ratios (0.975 where
97.5% is meant) is reported once per table; a row whose rate, so read, is
low is left to execution_rate, whose alert states the slip as well (one
printed figure, one alert).
"""
from __future__ import annotations

import re
from collections import defaultdict

from rules import tolerance as tol
from rules import execution_rate
from rules.base import Finding, num, printed, q, r
from rules.registry import detector, family
from worker.facts import FundingRow, ParsedReport, PartSet

family("unit", doc=__doc__, reads=("execution_rate",))


@detector("unit.yuan_for_wan", "unit_error", severity="medium")
def yuan_for_wan(report: ParsedReport, opts: dict) -> list[Finding]:
    """A figure printed in 元 that must be 万元: read as 万元 it makes the parts
    add up to their total; read as 元 they do not."""
    out = []
    for ps in report.of(PartSet):
        if ps.measure != "money" or ps.total.unit == "元":
            continue
        for i, (name, n) in enumerate(ps.parts):
            if n.unit != "元":
                continue
            others = [tol.interval(p) for j, (_, p) in enumerate(ps.parts) if j != i]
            as_wan = (n.printed - 0.5 * 10 ** -n.precision, n.printed + 0.5 * 10 ** -n.precision)
            if not tol.consistent(ps.total, tol.add(*others, as_wan)):
                continue
            if tol.consistent(ps.total, tol.add(*others, tol.interval(n))):
                continue
            digits = re.sub(r"[^\d.,-]", "", n.raw)
            title = f"单位错误:{name}{digits}元应为{digits}万元"
            message = (f"“{ps.name}”{printed(ps.total)}由" + "、".join(f"{a}{printed(b)}" for a, b in ps.parts)
                       + f"组成。按“元”计,分项合计与总数相差约{tol.fmt(ps.total.value - sum(p.value for _, p in ps.parts), 2)}万元;"
                       f"把{name}读作{digits}万元,分项正好合计{printed(ps.total)}。报告把“万元”误写为“元”,数额被缩小一万倍。")
            evidence = {"value": n.printed, "printed_unit": "元", "expected_unit": "万元", "total": num(ps.total),
                        "parts": [{"name": a, "value": b.printed if b.unit == "元" else num(b), "unit": b.unit or "万元"}
                                  for a, b in ps.parts]}
            out.append(Finding("unit_error", "unit.yuan_for_wan", "medium", title, message, evidence,
                               ("yuan_for_wan", r(n.printed, 2)), [q(ps.quote)]))
    return out


@detector("unit.ratio_for_percent", "unit_error", severity="low")
def ratio_for_percent(report: ParsedReport, opts: dict) -> list[Finding]:
    """A rate column headed (%) that holds ratios: 0.975 where 97.5% is meant,
    confirmed by the row's own budget and spending."""
    by_table = defaultdict(list)
    for f in report.of(FundingRow):
        s = f.stated_rate
        budget = f.budget or f.initial_budget
        if s is None or s.kind != "ratio_or_percent" or s.value == 0 or s.value > 1.5 or f.executed is None \
                or budget is None or budget.value <= 0:
            continue
        iv = tol.ratio_pct(tol.interval(f.executed), tol.interval(budget))
        u = 10 ** -s.precision * 100
        if iv is not None and iv[0] - u <= s.value * 100 <= iv[1] + u and not tol.consistent(s, iv):
            by_table[(f.owner, f.rate_header)].append(f)
    xopts = opts.get("execution_rate") or {"enabled": False}
    out = []
    for (owner, header), rows in by_table.items():
        # 59.36% beside 0.975: the column mixes the two (else it is ratios throughout).
        mixed = any(f.owner == owner and f.rate_header == header and f.stated_rate is not None
                    and f.stated_rate.value > 1.5 for f in report.of(FundingRow))
        if any(f.owner_kind == "department" for f in rows):
            # The department's form: its 部门名称 cell may hold a placeholder; the issuer is the department.
            owner = report.meta.issuer.strip()
        rows = [f for f in rows if not execution_rate.alerts_on(report, f, xopts)]
        if not rows:
            continue
        vals = [f.stated_rate for f in rows]
        v0 = vals[0]
        where = f"{owner}“{header}”列" if owner else f"“{header}”列"
        title = f"单位错误:{where}填的是比值({'、'.join(v.raw.strip() for v in vals)}),不是百分数"
        message = (f"表头为“{header}”,但" + "、".join(f"“{f.label}”行填{f.stated_rate.raw.strip()}" for f in rows)
                   + f",按该行预算和支出计算,{'这些数' if len(rows) > 1 else '该数'}是比值"
                   f"(如{v0.raw.strip()}即{tol.fmt(v0.value * 100, 4)}%)。"
                   + ("同一列中百分数与比值混用," if mixed else "") + "读者可能误读为不到1%。")
        evidence = {"header": header, "values": [num(v) for v in vals],
                    "percent": [r(v.value * 100, 1) for v in vals]}
        out.append(Finding("unit_error", "unit.ratio_for_percent", "low", title, message, evidence,
                           ("ratio_for_percent", owner, tuple(num(v) for v in vals)), [q(f.quote) for f in rows]))
    return out
