"""The SQL of the report page: pure functions over an open SQLite connection.

Offsets: ledger, numbers and doc_tables offsets are into `reports.text` (the
normalized text); alert quotes are into the original (`original_text`, or
`text` when nothing was normalized). worker/web/report_view.py maps one onto
the other with worker.quotes.QuoteSource. Nothing here writes.
"""
from __future__ import annotations

import json
import sqlite3

from worker.web.queries import FROM, ORDER, STATE

# The report's main totals, compared across years: (concept, dims) of the
# taxonomy (rules/taxonomy/data/concepts.toml), never the printed wording.
MAIN_TOTALS: tuple[tuple[str, dict[str, str]], ...] = (
    ("income", {}), ("expense", {}),
    ("income", {"fund": "fiscal"}), ("expense", {"fund": "fiscal"}), ("expense", {"fund": "gpb"}),
    ("expense", {"type": "basic"}), ("expense", {"type": "project"}),
    ("carry_end", {}), ("sangong", {}),
)


def texts(conn: sqlite3.Connection, report_id: int) -> sqlite3.Row | None:
    """The report's normalized text and its original (id, text, original_text)."""
    return conn.execute("SELECT id, text, original_text FROM reports WHERE id = ?", (report_id,)).fetchone()


def report_tables(conn: sqlite3.Connection, report_id: int) -> list[dict]:
    """The tables read from a report, each with its figures (report_figures and
    the printed figure's offsets from the ledger) in reading order."""
    tables = {r["idx"]: {**dict(r), "figures": []} for r in conn.execute(
        "SELECT idx, type, title, unit, kind, page, page_end, n_rows, n_cols, status, table_start, table_end"
        " FROM doc_tables WHERE report_id = ? ORDER BY idx", (report_id,))}
    for f in conn.execute(
            "SELECT f.seq, f.table_idx, f.row, f.col, f.row_label, f.column_header, f.raw, f.value, f.value_unit,"
            " f.page, f.concept, f.dims, f.measure, f.period, l.raw_start, l.raw_end, l.blank"
            " FROM report_figures f JOIN ledger l ON l.report_id = f.report_id AND l.seq = f.seq"
            " WHERE f.report_id = ? AND f.found_in = 'table' ORDER BY f.table_idx, f.row, f.col, f.seq",
            (report_id,)):
        if f["table_idx"] in tables:
            tables[f["table_idx"]]["figures"].append(dict(f))
    return list(tables.values())


def report_alerts(conn: sqlite3.Connection, report_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute(
        f"SELECT a.id, a.severity, a.kind, a.rule, a.title, a.created_at, r.issuer, r.year, {STATE} AS state"
        f" {FROM} WHERE a.report_id = ? ORDER BY {ORDER}", (report_id,))]


def quote_spans(conn: sqlite3.Connection, report_id: int) -> list[dict]:
    """Every located quote in this report's original text of an alert that
    still stands (withdrawn alerts are no longer found): its alert, offsets, title."""
    return [dict(r) for r in conn.execute(
        "SELECT q.alert_id, q.n, q.quote_start AS start, q.quote_end AS end, a.title, a.severity, a.rule"
        " FROM alert_quotes q JOIN alerts a ON a.id = q.alert_id"
        " WHERE q.report_id = ? AND a.status != 'withdrawn'"
        " AND q.quote_start IS NOT NULL AND q.quote_end > q.quote_start ORDER BY q.alert_id, q.n", (report_id,))]


def text_figures(conn: sqlite3.Connection, report_id: int) -> list[dict]:
    """The figures the reader placed on the taxonomy from the narrative (ledger rows found in the text)."""
    return [dict(r) for r in conn.execute(
        "SELECT seq, concept, dims, measure, period, value, raw, kind, unit, label, raw_start, raw_end"
        " FROM ledger WHERE report_id = ? AND found_in = 'text' AND raw_end > raw_start ORDER BY seq",
        (report_id,))]


def other_reports(conn: sqlite3.Connection, r: dict) -> list[dict]:
    """The same issuer's other reports (same region), by year."""
    if not r.get("issuer"):
        return []
    return [dict(x) for x in conn.execute(
        "SELECT id, title, year, report_type, status FROM reports WHERE issuer = ? AND COALESCE(region, '') = ?"
        " AND id != ? AND duplicate_of IS NULL ORDER BY year, id", (r["issuer"], r.get("region") or "", r["id"]))]


def totals(conn: sqlite3.Connection, report_ids: list[int],
           keys: tuple[tuple[str, dict[str, str]], ...] = MAIN_TOTALS) -> dict[int, dict[tuple, dict]]:
    """report id → (concept, dims JSON) → the figure (final, current year): a
    table's figure before the narrative's, the first printed."""
    if not report_ids:
        return {}
    wanted = {(c, json.dumps(d, ensure_ascii=False, sort_keys=True)) for c, d in keys}
    concepts = sorted({c for c, _ in keys})
    marks = ",".join("?" * len(report_ids))
    cmarks = ",".join("?" * len(concepts))
    out: dict[int, dict[tuple, dict]] = {rid: {} for rid in report_ids}
    for row in conn.execute(
            f"SELECT report_id, concept, dims, value, raw, kind, found_in, table_idx, page FROM ledger"
            f" WHERE report_id IN ({marks}) AND concept IN ({cmarks}) AND measure = 'final'"
            f" AND period = 'current' AND blank = 0 ORDER BY report_id, found_in != 'table', seq",
            [*report_ids, *concepts]):
        k = (row["concept"], row["dims"])
        if k in wanted and k not in out[row["report_id"]]:
            out[row["report_id"]][k] = dict(row)
    return out
