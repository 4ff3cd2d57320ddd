"""The standard tables' arithmetic, and one figure in two places
(total_mismatch, text_table_conflict).

The relations come from the taxonomy (rules/taxonomy/data): every member of a
dimension equals the sum of its children printed beside it (合计 = Σ 类,
类 = Σ 款, 本年支出合计 = 基本支出 + 项目支出 + …, 人员经费 = 301 + 303, 三公 合计 =
出国 + 车 + 接待), the identities (总计 = 本年收入合计 + 使用非财政拨款结余 +
年初结转和结余, 年末 = 年初 + 收入 − 支出), and the same concept in the same
context carries one value wherever it is printed (表一 本年支出合计 = 表三 合计行).
A figure that breaks two or more relations is reported once, as that figure;
a relation that fails alone is reported as it is.
"""
from __future__ import annotations

from rules import evidence as ev
from rules.base import Finding, r
from rules.registry import detector, family
from rules.relations import Problem
from worker.facts import ParsedReport

family("ledger", doc=__doc__, max_alerts=40)


def _worst(findings: list[Finding], limit: int) -> list[Finding]:
    """At most `limit` alerts a report: the largest gaps first (a table whose
    every figure fails is one problem to look at, not hundreds of alerts)."""
    if len(findings) <= limit:
        return findings
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    return sorted(findings, key=lambda f: (order[f.severity], -abs(f.evidence.get("stated", 0) -
                                                                    f.evidence.get("computed", 0))))[:limit]


def _part_name(rd, total, f) -> str:
    """A part as the reader sees it beside its total: its column in the same row, else its row."""
    if f.where == "table" and total.where == "table" and f.table == total.table and f.row == total.row:
        return f.header.split("/")[-1]
    if f.where == "table" and f.table != total.table:
        return ev.table_name(rd, f) + f.label.strip()
    return f.label.strip() or f.header.split("/")[-1]


def _parts_text(rd, c) -> str:
    total = rd.facts[c.total]
    text = ""
    for k, (sgn, j) in enumerate(c.parts[:8]):
        item = f"{_part_name(rd, total, rd.facts[j])}{ev.amount(rd.facts[j])}"
        text += (("− " if sgn < 0 else "") + item) if k == 0 else (" − " if sgn < 0 else " + ") + item
    return text + (" + …" if len(c.parts) > 8 else "")


def _relation_lines(rd, p: Problem) -> list[dict]:
    out = []
    for c in p.checks:
        total = rd.facts[c.total]
        if c.kind == "equal":
            other = rd.facts[c.parts[0][1]]
            out.append({"relation": "同一数字", "stated": r(total.num.value, 6), "computed": r(other.num.value, 6),
                        "other": ev.where(rd, other)})
        else:
            out.append({"relation": c.name, "stated": r(total.num.value, 6), "computed": r((c.computed[0] + c.computed[1]) / 2, 6),
                        "total": ev.where(rd, total),
                        "parts": [r(rd.facts[j].num.value * s, 6) for s, j in c.parts][:40]})
    return out


def _finding(report: ParsedReport, rd, p: Problem, kind: str, rule: str) -> Finding:
    first = p.checks[0]
    culprit = rd.facts[p.culprit] if p.culprit >= 0 else rd.facts[first.total]
    implied = p.implied if p.implied is not None else (first.computed[0] + first.computed[1]) / 2
    lines = _relation_lines(rd, p)
    quotes = ev.quotes(report, culprit)
    for c in p.checks:
        for i in c.facts:
            if i != p.culprit and len(quotes) < 8 and (c.kind == "equal" or i == c.total or p.culprit < 0):
                for q in ev.quotes(report, rd.facts[i]):
                    if q not in quotes:
                        quotes.append(q)
    what = ev.where(rd, culprit)
    if kind == "total_mismatch":
        if p.culprit >= 0:
            title = f"{what}印为{ev.amount(culprit)},按勾稽关系应为{ev.wan(implied)}"
        else:   # one relation: which of its figures is wrong cannot be told
            title = f"{what}印为{ev.amount(culprit)},与{first.name.split(' = ')[-1][:30]}之和{ev.wan(implied)}不符"
        parts = ";".join(f"{c.name.split(' = ')[0]} = {_parts_text(rd, c)} = {ev.wan((c.computed[0] + c.computed[1]) / 2)}"
                         if c.kind != "equal" else f"{ev.where(rd, rd.facts[c.parts[0][1]])}为{ev.amount(rd.facts[c.parts[0][1]])}"
                         for c in p.checks[:6])
        message = (f"{what}印为{ev.amount(culprit)}。按部门决算报表的勾稽关系核对:{parts}。"
                   f"该数与相关数字不符,合计或明细有误(差额{ev.wan(abs(culprit.num.value - implied))})。")
    else:
        other = rd.facts[first.parts[0][1]] if first.kind == "equal" else None
        if culprit.where == "text" and other is not None:
            title = f"情况说明所述“{culprit.label or '该项'}”{ev.amount(culprit)}与{ev.where(rd, other)}{ev.amount(other)}不一致"
        elif other is not None:
            title = f"同一数字两处不一致:{ev.where(rd, culprit)}{ev.amount(culprit)},{ev.where(rd, other)}{ev.amount(other)}"
        else:
            title = f"{what}与报表不一致"
        message = (f"{what}为{ev.amount(culprit)},而"
                   + "、".join(f"{x['other']}为{ev.wan(x['computed'])}" for x in lines if x["relation"] == "同一数字")
                   + "。同一口径的数字应当相同,请核对哪一处有误。")
    evidence = {"stated": r(culprit.num.value, 6), "computed": r(implied, 6), **ev.fact_evidence(rd, culprit),
                "relations": lines}
    if first.kind in ("sum", "identity"):
        evidence["total"] = r(rd.facts[first.total].num.value, 6)
        evidence["parts"] = [r(rd.facts[j].num.value * s, 6) for s, j in first.parts][:40]
    return Finding(kind, rule, ev.severity(culprit.num.value, implied), title, message, evidence,
                   ("ledger", ev.fact_key(rd, culprit), tuple(sorted(c.name for c in p.checks))), quotes,
                   anchor=(culprit.num.start, culprit.num.end) if culprit.where == "text" else None)


@detector("ledger.sum", "total_mismatch", severity="by the gap: high ≥ 5 %, medium ≥ 0.5 %, else low")
def sums(report: ParsedReport, opts: dict) -> list[Finding]:
    """A figure of the standard tables that does not equal the sum of the
    figures it totals (or the identity it closes), within the rounding of the
    printed figures. When one figure breaks several relations (its row, its
    column, the same figure in another table), the alert names that figure."""
    rd = ev.reading(report)
    if rd is None:
        return []
    return _worst([_finding(report, rd, p, "total_mismatch", "ledger.sum") for p in ev.problems(report)
                   if p.kind == "sum"], opts["max_alerts"])


@detector("ledger.same_figure", "text_table_conflict", severity="by the gap: high ≥ 5 %, medium ≥ 0.5 %, else low")
def same_figure(report: ParsedReport, opts: dict) -> list[Finding]:
    """One figure printed with different values: in two standard tables (表一
    本年支出合计 and 表三 合计行), or in the 情况说明 and the table it explains.
    Figures rounded coarser in the text (6.2万元 for 6.20) are compared at the
    coarser precision."""
    rd = ev.reading(report)
    if rd is None:
        return []
    return _worst([_finding(report, rd, p, "text_table_conflict", "ledger.same_figure")
                   for p in ev.problems(report) if p.kind in ("equal", "text")], opts["max_alerts"])
