"""The SQL of the web view: pure functions over an open SQLite connection.

They read the views of worker/schema_views.py (alert_details, alert_quotes,
report_figures) so the web shows what `alerts show`, the exports and Datasette
show. Nothing here writes.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from alerts import search
from worker.web import inbox_sql

# The order an auditor works through the inbox: most severe, then newest (ids grow with time).
SEVERITY_RANK = ("CASE a.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END")
ORDER = f"{SEVERITY_RANK} DESC, a.id DESC"

# An open alert covered by an active silence is shown as `silenced` (alerts.manage.state, in SQL).
_SILENCED = ("EXISTS (SELECT 1 FROM silences s WHERE s.expired_at IS NULL"
             " AND (s.until IS NULL OR s.until > strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))"
             " AND ((s.matcher = 'rule' AND (a.rule = s.value OR a.rule LIKE s.value || '.%'))"
             " OR (s.matcher = 'kind' AND a.kind = s.value)"
             " OR (s.matcher = 'report' AND CAST(a.report_id AS TEXT) = s.value)))")
# An alert with a verdict is `judged`, whatever else happened to it (but withdrawn stays withdrawn).
_JUDGED = "EXISTS (SELECT 1 FROM alert_verdicts v WHERE v.alert_id = a.id)"
STATE = (f"CASE WHEN a.status = 'withdrawn' THEN a.status WHEN {_JUDGED} THEN 'judged'"
         f" WHEN a.status = 'acked' THEN a.status WHEN {_SILENCED} THEN 'silenced' ELSE a.status END")

STATUSES = ("open", "acked", "silenced", "withdrawn", "judged")
# Filters as GET parameters → the SQL expression they compare with.
FACETS: dict[str, str] = {
    "severity": "a.severity", "kind": "a.kind", "rule": "a.rule", "issuer": "r.issuer",
    "region": "r.region", "year": "r.year", "status": f"({STATE})",
}
FROM = "FROM alerts a LEFT JOIN reports r ON r.id = a.report_id"


@dataclass
class Filters:
    """The inbox's filters; an empty value means no filter. `status` is open by default (the inbox)."""

    values: dict[str, str] = field(default_factory=dict)
    q: str = ""

    @classmethod
    def from_params(cls, params) -> "Filters":
        values = {k: str(params.get(k, "")).strip() for k in FACETS}
        if "status" not in params:
            values["status"] = "open"
        elif values["status"] == "all":
            values["status"] = ""
        return cls({k: v for k, v in values.items() if v}, str(params.get("q", "")).strip())


def _where(f: Filters, skip: str | None = None) -> tuple[str, list]:
    """The filters as plain SQL over FROM (the specification of the inbox; `inbox_sql` computes the same faster)."""
    # Operator alerts (a source failing) are not audit findings (as in alerts/export.alert_rows).
    where, args = ["a.kind != 'source_failure'"], []
    for key, value in f.values.items():
        if key == skip:
            continue
        where.append(f"{FACETS[key]} = ?")
        args.append(inbox_sql.year_arg(value) if key == "year" else value)
    if f.q:
        where.append("(a.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM alert_quotes q"
                     " WHERE q.alert_id = a.id AND q.quote LIKE ? ESCAPE '\\'))")
        args += [search.like_pattern(f.q)] * 2
    return " WHERE " + " AND ".join(where), args


def inbox_page(conn: sqlite3.Connection, f: Filters, page: int = 1,
               page_size: int = 50) -> tuple[list[dict], int, dict[str, list[tuple[str, int]]]]:
    """`inbox` and `counts` at once (they share their scans): rows, total, facets."""
    res = inbox_sql.view(conn, f.values, f.q, page, page_size)
    return res.rows, res.total, res.facets


def inbox(conn: sqlite3.Connection, f: Filters, page: int = 1, page_size: int = 50) -> tuple[list[dict], int]:
    """One page of alerts under the filters (most severe, newest first) and the number of all that match."""
    res = inbox_sql.view(conn, f.values, f.q, page, page_size, facets=False)
    return res.rows, res.total


def matching(conn: sqlite3.Connection, f: Filters, limit: int) -> sqlite3.Cursor:
    """The inbox's alerts under the filters, in its order, at most `limit`: every column of alerts,
    the report's, and the state the inbox shows (`state`) — the rows of an export (alerts.export).

    The search is the inbox's (alerts/search.py, through the FTS index), not `_where`'s LIKE over every quote."""
    where, args = _where(Filters(f.values))
    if f.q:
        where += " AND a.id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        args.append(search.as_json(search.matching_ids(conn, f.q)))
    return conn.execute(f"SELECT a.*, r.title AS report_title, r.issuer, r.region, r.year, {STATE} AS state"
                        f" {FROM}{where} ORDER BY {ORDER} LIMIT ?", args + [limit])


def counts(conn: sqlite3.Connection, f: Filters) -> dict[str, list[tuple[str, int]]]:
    """For each filter, its values and how many alerts each would give (the other filters applied)."""
    return inbox_sql.view(conn, f.values, f.q, rows=False).facets


def alert(conn: sqlite3.Connection, alert_id: int) -> dict | None:
    row = conn.execute(f"SELECT d.*, a.evidence, a.source, ({STATE}) AS state FROM alert_details d"
                       f" JOIN alerts a ON a.id = d.alert_id WHERE d.alert_id = ?", (alert_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    try:
        out["evidence"] = json.loads(row["evidence"])
    except ValueError:
        out["evidence"] = {}
    return out


def _original(conn: sqlite3.Connection, report_id, cache: dict) -> str | None:
    if report_id not in cache:
        r = conn.execute("SELECT COALESCE(original_text, text) FROM reports WHERE id = ?", (report_id,)).fetchone()
        cache[report_id] = r[0] if r is not None else None
    return cache[report_id]


def quotes_in_context(conn: sqlite3.Connection, alert_id: int, context: int = 200) -> list[dict]:
    """Each quote of an alert with the report's original text around it: before, quote, after.

    `before + quote + after` is a slice of the report's original text when the
    quote has offsets there (quotes of alerts stored by older versions may not:
    then only the quote is given)."""
    texts: dict = {}
    out = []
    for q in conn.execute("SELECT * FROM alert_quotes WHERE alert_id = ? ORDER BY n", (alert_id,)).fetchall():
        item = {"n": q["n"], "quote": q["quote"] or "", "normalized": q["normalized"], "page": q["page"],
                "report_id": q["report_id"], "before": "", "after": "", "in_text": False}
        s, e = q["quote_start"], q["quote_end"]
        original = _original(conn, q["report_id"], texts) if q["report_id"] is not None else None
        if original is not None and isinstance(s, int) and isinstance(e, int) and 0 <= s <= e <= len(original):
            item.update(before=original[max(0, s - context):s], quote=original[s:e],
                        after=original[e:e + context], in_text=True, cut_before=s > context,
                        cut_after=e + context < len(original))
        out.append(item)
    return out


def deliveries(conn: sqlite3.Connection, alert_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT channel, kind, status, attempts, sent_at, last_error FROM deliveries WHERE alert_id = ?"
        " ORDER BY id", (alert_id,))]


def report(conn: sqlite3.Connection, report_id: int) -> dict | None:
    row = conn.execute("SELECT id, title, issuer, region, year, report_type, status, source, published_at,"
                       " published_from, published_quote, approved_at, approved_quote"
                       " FROM reports WHERE id = ?", (report_id,)).fetchone()
    return dict(row) if row is not None else None


# The report page's queries are in worker/web/report_queries.py.
