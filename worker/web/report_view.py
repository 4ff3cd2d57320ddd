"""Everything the report page shows, assembled from the database (read only).

The tables as grids with the cells of failed checks marked (report_grid), the
relations checked now (report_checks), the narrative with its claims and the
alerts' quotes marked (report_text), and the issuer's other years side by
side. SQL lives in report_queries; this module only puts the pieces together.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Callable

from rules.explain import FITS, MISMATCH, explain
from rules.taxonomy import Taxonomy, default as taxonomy
from worker import fact_rows
from worker.facts import Claim
from worker.quotes import QuoteSource
from worker.web import queries, report_checks, report_grid, report_queries as rq, report_text
from worker.web.report_grid import Mark

Labels = Callable[..., str]


def alert_href(alert_id: int) -> str:
    return f"/alerts/{alert_id}"


def concept_name(tax: Taxonomy, concept: str, dims: str | dict) -> str:
    """收入, 支出(财政拨款), …: the taxonomy's names, not the report's wording."""
    c = tax.concepts.get(concept)
    name = c.name if c is not None else concept
    d = json.loads(dims) if isinstance(dims, str) else dims
    if not isinstance(d, dict) or not d:
        return name
    parts = [tax.dim_name(k, v) if k in tax.dims else str(v) for k, v in sorted(d.items())]
    return f"{name}({'、'.join(parts)})"


def figure_about(tax: Taxonomy, L: Labels, f: dict) -> str:
    what = concept_name(tax, f["concept"], f["dims"] or "{}")
    measure = L(f"measure.{f['measure']}") if f.get("measure") else ""
    period = L("period.prior") if f.get("period") == "prior" else ""
    unit = f.get("value_unit") or ("万元" if f.get("kind") == "money" else "")
    value = f"{f['value']:,.6g}{unit}" if isinstance(f.get("value"), (int, float)) else ""
    return " · ".join(x for x in (what, period + measure, value) if x)


@dataclass
class OtherYears:
    columns: list[dict] = field(default_factory=list)          # reports, by year (this one included)
    rows: list[tuple[str, list[dict | None]]] = field(default_factory=list)   # (label, figure per column)


def other_years(conn: sqlite3.Connection, r: dict, tax: Taxonomy) -> OtherYears:
    others = rq.other_reports(conn, r)
    if not others:
        return OtherYears()
    cols = sorted([{**r, "this": True}] + [{**o, "this": False} for o in others],
                  key=lambda c: (c["year"] is None, c["year"] or 0, c["id"]))
    figures = rq.totals(conn, [c["id"] for c in cols])
    out = OtherYears(columns=cols)
    for concept, dims in rq.MAIN_TOTALS:
        key = (concept, json.dumps(dims, ensure_ascii=False, sort_keys=True))
        cells = [figures[c["id"]].get(key) for c in cols]
        if any(cells):
            out.rows.append((concept_name(tax, concept, dims), cells))
    return out


def _claim_title(L: Labels, verdict) -> str:
    c: Claim = verdict.claim
    what = L(f"claim.{c.type}") + (f"「{c.subject}」" if c.subject else "")
    judged = {FITS: L("claim.fits"), MISMATCH: L("claim.mismatch")}.get(verdict.verdict,
                                                                       L("claim.unjudged", why=verdict.why))
    return f"{what}: {c.stated.raw.strip()} · {judged}"


def narrative_spans(conn: sqlite3.Connection, report_id: int, src: QuoteSource, quotes: list[dict],
                    tax: Taxonomy, L: Labels) -> list[report_text.Span]:
    """Claims (stated ratios and changes, with the verdict of rules.explain),
    the figures the reader placed on the taxonomy, and the alerts' quotes,
    as spans of the original text."""
    spans: list[report_text.Span] = []
    try:
        facts = fact_rows.load(conn, report_id, src.text, ("claim",))
    except (ValueError, KeyError, TypeError, IndexError):
        facts = []              # facts stored by another version: shown unmarked
    for v in explain([f for f in facts if isinstance(f, Claim)]):
        at = src.to_original(v.claim.stated.start, v.claim.stated.end) if v.claim.stated.end > v.claim.stated.start else None
        if at:
            spans.append(report_text.Span(at[0], at[1], "claim", _claim_title(L, v)))
    for f in rq.text_figures(conn, report_id):
        at = src.to_original(f["raw_start"], f["raw_end"])
        if at:
            spans.append(report_text.Span(at[0], at[1], "figure", figure_about(tax, L, f)))
    for q in quotes:
        spans.append(report_text.Span(q["start"], q["end"], "quote", f"#{q['alert_id']} {q['title']}",
                                      alert_href(q["alert_id"])))
    return spans


@dataclass
class ReportPage:
    r: dict
    alerts: list[dict]
    grids: list[report_grid.Grid]
    checked: report_checks.Checked
    across: list                      # relations of no single table (the narrative, several tables)
    segments: list[report_text.Segment]
    text_cut: bool
    text_len: int
    years: OtherYears


def page(conn: sqlite3.Connection, report_id: int, L: Labels) -> ReportPage | None:
    r = queries.report(conn, report_id)
    if r is None:
        return None
    tax = taxonomy()
    row = rq.texts(conn, report_id)
    text = row["text"] or ""
    src = QuoteSource(text, row["original_text"] or text, [], report_id)
    original = src.original

    def to_original(s: int, e: int):
        at = src.to_original(s, e)
        return at if at and 0 <= at[0] <= at[1] <= len(original) else None

    tables = rq.report_tables(conn, report_id)
    quotes = [q for q in rq.quote_spans(conn, report_id) if 0 <= q["start"] < q["end"] <= len(original)]
    grids = [report_grid.build(t, text, original, to_original, lambda f: figure_about(tax, L, f),
                               tax.tables[t["type"]].name if t["type"] in tax.tables else "") for t in tables]
    report_grid.mark_alerts(grids, quotes, alert_href)
    checked = report_checks.check(conn, report_id, text)
    cells = report_grid.cell_by_seq(grids)
    for rel in checked.failed:
        for seq in rel.seqs:
            if seq in cells:
                cells[seq].failed.append(Mark(L("report.failed_now", name=rel.name)))
    for g in grids:
        g.relations = sorted(checked.of_table(g.idx), key=lambda x: x.ok)
    known = {g.idx for g in grids}
    across = sorted([x for x in checked.relations if x.table not in known], key=lambda x: x.ok)
    gaps = []
    for t in tables:
        at = to_original(t["table_start"], t["table_end"]) if t["table_start"] is not None and t["table_end"] else None
        if at:
            gaps.append((at[0], at[1], L("report.table_here", title=t["title"] or t["type"] or f"#{t['idx']}"),
                         f"#t{t['idx']}"))
    segs, cut = report_text.segments(original, narrative_spans(conn, report_id, src, quotes, tax, L), gaps)
    return ReportPage(r=r, alerts=rq.report_alerts(conn, report_id), grids=grids, checked=checked, across=across,
                      segments=segs, text_cut=cut, text_len=len(original), years=other_years(conn, r, tax))
