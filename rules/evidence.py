"""Ledger facts as an auditor reads them: where they stand, what they are,
and the exact source text to quote.

Shared by the ledger detectors so every alert names a figure the same way:
《表名》(第 n 页)“行”·“列” for a table cell, the sentence for the 情况说明.
"""
from __future__ import annotations

from rules.base import r
from rules.relations import Check, check_all, localize
from rules.taxonomy import default as taxonomy
from worker.facts import ParsedReport
from worker.ledger import LFact, Reading


def reading(report: ParsedReport) -> Reading | None:
    rd = getattr(report, "reading", None)
    return rd if isinstance(rd, Reading) else None


def checks(report: ParsedReport) -> list[Check]:
    """Every relation of the report's ledger, checked (computed once per report)."""
    cached = getattr(report, "_ledger_checks", None)
    if cached is None:
        rd = reading(report)
        cached = check_all(rd, taxonomy()) if rd is not None and not rd.blank_form else []
        report._ledger_checks = cached
    return cached


def problems(report: ParsedReport):
    cached = getattr(report, "_ledger_problems", None)
    if cached is None:
        rd = reading(report)
        cached = localize(checks(report), rd.facts) if rd is not None else []
        report._ledger_problems = cached
    return cached


def corrections(report: ParsedReport) -> dict[int, float]:
    """Table figures found wrong by the tables' own relations, with the value
    those relations agree on: another reading of the figure for the checks
    that use it (a rate computed on a wrong 小计 is not a second error)."""
    rd = reading(report)
    if rd is None:
        return {}
    return {p.culprit: p.implied for p in problems(report)
            if p.kind == "sum" and p.culprit >= 0 and p.implied is not None and rd.facts[p.culprit].where == "table"}


def table_name(rd: Reading, f: LFact) -> str:
    if f.where != "table" or f.table < 0 or f.table >= len(rd.tables):
        return "情况说明"
    t = rd.tables[f.table]
    return f"《{t.title or t.type}》"


def where(rd: Reading, f: LFact) -> str:
    """《收入支出决算总表》第5页“一、一般公共服务支出”·“决算数”, or 情况说明第15页."""
    page = f"第{f.page}页" if f.page else ""
    if f.where == "table":
        col = f.header.split("/")[-1] if f.header else ""
        label = f"“{f.label.strip()}”" if f.label.strip() else ""
        return f"{table_name(rd, f)}{page}{label}" + (f"“{col}”列" if col else "")
    return f"情况说明{page}“{f.label or f.quote.text[:20]}”"


def amount(f: LFact) -> str:
    """The figure as printed, with the table's unit when the cell has none."""
    if f.blank:
        return "空白(0)"
    raw = "".join(f.num.raw.split())
    if f.num.unit:
        return raw
    unit = {1.0: "万元", 1e-4: "元", 0.1: "千元", 1e4: "亿元"}.get(round(f.num.scale, 6), "")
    return raw + unit


def wan(x: float) -> str:
    return f"{x:,.2f}万元"


def quotes(report: ParsedReport, f: LFact) -> list[tuple[str, int, int]]:
    """Exact source text: the row label and the cell (tables), or the clause (text)."""
    out = []
    if f.where == "table" and 0 <= f.label_start < f.label_end:
        out.append((report.text[f.label_start:f.label_end], f.label_start, f.label_end))
    if f.quote.text and f.quote.end > f.quote.start:
        out.append((f.quote.text, f.quote.start, f.quote.end))
    return out


def fact_evidence(rd: Reading, f: LFact) -> dict:
    ev = {"where": where(rd, f), "value": r(f.num.value, 6)}
    if f.page:
        ev["page"] = f.page
    if f.where == "table":
        ev["table"] = rd.tables[f.table].title or rd.tables[f.table].type
        ev["row"] = f.label
        ev["column"] = f.header
    return ev


def fact_key(rd: Reading, f: LFact) -> tuple:
    """What identifies a figure across re-runs: its table and its concept and context."""
    t = rd.tables[f.table].type if f.where == "table" and 0 <= f.table < len(rd.tables) else "text"
    return (t, f.where, f.concept, f.dims, f.measure, f.period, f.label if f.where == "table" else f.section)


def severity(stated: float, computed: float) -> str:
    gap = abs(stated - computed)
    rel = gap / max(abs(stated), abs(computed), 1e-9)
    return "high" if rel >= 0.05 else "medium" if rel >= 0.005 else "low"
