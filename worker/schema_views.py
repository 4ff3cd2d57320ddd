"""The views analysts and auditors query (docs/schema.md describes each one).

Views are derived, so they are made again whenever their definitions change:
the SQL of all of them is hashed into `meta.views_sha`, and a database whose
hash differs (new, upgraded, or made by another version) gets them dropped
and created afresh in the opening transaction. A view a person made under
another name is left alone.
"""
from __future__ import annotations

import hashlib
import sqlite3

# The unit a normalized value is in.
_FIGURE_UNIT = ("CASE {k} WHEN 'money' THEN '万元' WHEN 'percent' THEN '%' "
                "ELSE NULLIF({u}, '') END")

VIEWS: dict[str, str] = {
    # A fact as one row, its strings read from `fact_strings` (fact_rows
    # holds their ids: each distinct name or JSON is stored once).
    "facts": """
SELECT f.report_id, f.seq, f.kind, COALESCE(n.value, '') AS name, f.quote_start, f.quote_end, d.value AS data
FROM fact_rows f LEFT JOIN fact_strings n ON n.id = f.name_id LEFT JOIN fact_strings d ON d.id = f.data_id""",

    "ledger_facts": """
SELECT l.report_id, r.issuer, r.year, r.source, l.seq, l.concept, l.dims, l.measure, l.period,
       l.value AS value_wanyuan, l.raw, l.unit, l.found_in, t.type AS table_type, t.title AS table_title,
       l.label, l.header, l.page, l.blank, l.section
FROM ledger l JOIN reports r ON r.id = l.report_id
LEFT JOIN doc_tables t ON t.report_id = l.report_id AND t.idx = l.table_idx""",

    # One row per quote of an alert. evidence.quotes holds quote objects (the
    # exact original text, its offsets in reports.original_text, the page for
    # PDFs, the other report for a quote from last year's); alerts stored by
    # earlier versions had evidence.quote (a string or a list) and .locations.
    "alert_quotes": """
SELECT a.id AS alert_id, CAST(q.key AS INTEGER) AS n,
       CASE q.type WHEN 'object' THEN json_extract(q.value, '$.text') ELSE q.value END AS quote,
       CASE q.type WHEN 'object' THEN json_extract(q.value, '$.normalized') END AS normalized,
       CAST(CASE q.type WHEN 'object' THEN json_extract(q.value, '$.page') END AS INTEGER) AS page,
       CAST(CASE q.type WHEN 'object' THEN json_extract(q.value, '$.start') END AS INTEGER) AS quote_start,
       CAST(CASE q.type WHEN 'object' THEN json_extract(q.value, '$.end') END AS INTEGER) AS quote_end,
       COALESCE(CAST(CASE q.type WHEN 'object' THEN json_extract(q.value, '$.report') END AS INTEGER), a.report_id) AS report_id
FROM alerts a, json_each(CASE WHEN json_valid(a.evidence) THEN a.evidence ELSE '{}' END, '$.quotes') q
UNION ALL
SELECT a.id AS alert_id, COALESCE(CAST(q.key AS INTEGER), 0) AS n,
       CASE q.type WHEN 'object' THEN COALESCE(json_extract(q.value, '$.text'), json_extract(q.value, '$.quote'))
                   ELSE q.value END AS quote,
       NULL AS normalized,
       CAST(COALESCE(json_extract(a.evidence, '$.locations[' || COALESCE(CAST(q.key AS INTEGER), 0) || '].page'),
                CASE q.type WHEN 'object' THEN json_extract(q.value, '$.page') END,
                CASE WHEN COALESCE(CAST(q.key AS INTEGER), 0) = 0 THEN json_extract(a.evidence, '$.page') END)
            AS INTEGER) AS page,
       CAST(json_extract(a.evidence, '$.locations[' || COALESCE(CAST(q.key AS INTEGER), 0) || '].start') AS INTEGER)
         AS quote_start,
       CAST(json_extract(a.evidence, '$.locations[' || COALESCE(CAST(q.key AS INTEGER), 0) || '].end') AS INTEGER)
         AS quote_end,
       a.report_id
FROM alerts a, json_each(CASE WHEN json_valid(a.evidence) THEN a.evidence ELSE '{}' END, '$.quote') q
WHERE json_extract(a.evidence, '$.quotes') IS NULL""",

    "alert_details": """
SELECT a.id AS alert_id, a.status, a.severity,
       CASE a.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END AS severity_rank,
       a.kind, a.rule, a.title, a.message,
       a.report_id, r.title AS report_title, r.issuer, r.region, r.year, r.report_type,
       COALESCE((SELECT d.url FROM documents d WHERE d.report_id = a.report_id AND d.role = 'main'
                 ORDER BY d.id LIMIT 1), r.source, a.source) AS source_url,
       (SELECT group_concat(x.quote, '\n') FROM
          (SELECT q.quote FROM alert_quotes q WHERE q.alert_id = a.id ORDER BY q.n) x) AS quote,
       (SELECT q.page FROM alert_quotes q WHERE q.alert_id = a.id AND q.page IS NOT NULL
        ORDER BY q.n LIMIT 1) AS page,
       (SELECT count(*) FROM alert_quotes q WHERE q.alert_id = a.id) AS quotes,
       a.created_at, a.updated_at, a.last_seen_at, a.withdrawn_at, a.acked_by, a.acked_at, a.ack_comment,
       a.fingerprint
FROM alerts a LEFT JOIN reports r ON r.id = a.report_id""",

    "report_figures": f"""
SELECT l.report_id, r.title AS report_title, r.issuer, r.year, l.seq,
       l.found_in, l.table_idx, t.type AS table_type, t.title AS table_title, l.page,
       l.row, l.col, l.label AS row_label, l.header AS column_header,
       l.concept, l.dims, l.measure, l.period,
       l.value, {_FIGURE_UNIT.format(k='l.kind', u='l.unit')} AS value_unit, l.raw, l.unit AS printed_unit, l.kind,
       substr(r.text, l.quote_start + 1, l.quote_end - l.quote_start) AS quote, l.quote_start, l.quote_end
FROM ledger l JOIN reports r ON r.id = l.report_id
LEFT JOIN doc_tables t ON t.report_id = l.report_id AND t.idx = l.table_idx""",

    # One row per number of a fact: `numbers` keeps the printed text only
    # where it is not the report text between the number's offsets.
    "fact_figures": f"""
SELECT f.report_id, r.issuer, r.year, f.seq AS fact_seq, f.kind AS fact_kind, f.name AS fact_name,
       n.field, n.value, {_FIGURE_UNIT.format(k='n.kind', u='n.unit')} AS value_unit,
       COALESCE(n.raw_if_differs, substr(r.text, n.raw_start + 1, n.raw_end - n.raw_start)) AS raw,
       n.unit AS printed_unit, n.kind, n.precision, n.raw_start, n.raw_end,
       substr(r.text, f.quote_start + 1, f.quote_end - f.quote_start) AS quote, f.quote_start, f.quote_end
FROM numbers n JOIN facts f ON f.report_id = n.report_id AND f.seq = n.seq JOIN reports r ON r.id = f.report_id""",

    # Department-level execution, from three places a report states it; each
    # row names its basis, so an auditor sees where a rate comes from.
    "execution_rates": """
WITH stated AS (
  SELECT f.report_id, 'stated' AS basis, f.name AS item,
         CASE WHEN json_extract(f.data, '$.rate_base') = 'initial' THEN b.value END AS budget_initial,
         CASE WHEN COALESCE(json_extract(f.data, '$.rate_base'), 'budget') != 'initial' THEN b.value END
           AS budget_adjusted,
         e.value AS outturn, s.value AS stated_rate, f.quote_start, f.quote_end
  FROM (SELECT f.* FROM facts f WHERE f.kind = 'execution'
          AND f.seq = (SELECT min(g.seq) FROM facts g WHERE g.report_id = f.report_id AND g.kind = 'execution'
                       AND g.name IS f.name)) f
  LEFT JOIN numbers b ON b.report_id = f.report_id AND b.seq = f.seq AND b.field = 'budget'
  LEFT JOIN numbers e ON e.report_id = f.report_id AND e.seq = f.seq AND e.field = 'executed'
  LEFT JOIN numbers s ON s.report_id = f.report_id AND s.seq = f.seq AND s.field = 'stated_rate'
),
lines AS (
  SELECT f.report_id, 'line_items' AS basis, '类级功能科目合计(' || count(*) || '项)' AS item,
         CASE WHEN count(ib.value) = count(*) THEN round(sum(ib.value), 6) END AS budget_initial,
         CASE WHEN count(ab.value) = count(*) THEN round(sum(ab.value), 6) END AS budget_adjusted,
         round(sum(fi.value), 6) AS outturn, CAST(NULL AS REAL) AS stated_rate,
         CAST(NULL AS INTEGER) AS quote_start, CAST(NULL AS INTEGER) AS quote_end
  FROM facts f
  JOIN numbers fi ON fi.report_id = f.report_id AND fi.seq = f.seq AND fi.field = 'final'
  LEFT JOIN numbers ib ON ib.report_id = f.report_id AND ib.seq = f.seq AND ib.field = 'initial_budget'
  LEFT JOIN numbers ab ON ab.report_id = f.report_id AND ab.seq = f.seq AND ab.field = 'budget'
  WHERE f.kind = 'line_item' AND json_extract(f.data, '$.level') = '类'
    AND f.seq = (SELECT min(g.seq) FROM facts g WHERE g.report_id = f.report_id AND g.kind = 'line_item'
                 AND g.name IS f.name AND json_extract(g.data, '$.level') = '类')
  GROUP BY f.report_id
),
totals AS (
  SELECT l.report_id, 'ledger' AS basis, l.label AS item,
         (SELECT x.value FROM ledger x WHERE x.report_id = l.report_id AND x.concept = 'expense'
            AND x.dims = l.dims AND x.period = l.period AND x.measure = 'budget_initial'
          ORDER BY x.seq LIMIT 1) AS budget_initial,
         (SELECT x.value FROM ledger x WHERE x.report_id = l.report_id AND x.concept = 'expense'
            AND x.dims = l.dims AND x.period = l.period AND x.measure IN ('budget_adjusted', 'budget')
          ORDER BY x.measure = 'budget', x.seq LIMIT 1) AS budget_adjusted,
         l.value AS outturn, CAST(NULL AS REAL) AS stated_rate, l.quote_start, l.quote_end
  FROM ledger l
  WHERE l.concept = 'expense' AND l.measure = 'final' AND l.period = 'current'
    AND l.dims IN ('{}', '{"fund": "gpb"}')
    AND l.seq = (SELECT min(y.seq) FROM ledger y WHERE y.report_id = l.report_id AND y.concept = 'expense'
                 AND y.measure = 'final' AND y.period = 'current' AND y.dims = l.dims)
)
SELECT r.issuer, r.year, x.report_id, r.report_type, x.basis, x.item,
       x.budget_initial AS budget_initial_wanyuan, x.budget_adjusted AS budget_adjusted_wanyuan,
       x.outturn AS outturn_wanyuan,
       round(100.0 * x.outturn / NULLIF(x.budget_adjusted, 0), 2) AS rate_of_adjusted_pct,
       round(100.0 * x.outturn / NULLIF(x.budget_initial, 0), 2) AS rate_of_initial_pct,
       x.stated_rate AS stated_rate_pct,
       substr(r.text, x.quote_start + 1, x.quote_end - x.quote_start) AS quote
FROM (SELECT * FROM stated UNION ALL SELECT * FROM lines UNION ALL SELECT * FROM totals) x
JOIN reports r ON r.id = x.report_id
WHERE r.status = 'parsed'
  AND (x.budget_initial IS NOT NULL OR x.budget_adjusted IS NOT NULL OR x.stated_rate IS NOT NULL)""",
}


def table_view(table_id: str) -> str:
    """One view per standard table of the taxonomy: its figures with their report."""
    return f"SELECT * FROM ledger_facts WHERE table_type = '{table_id}'"


def wanted(table_ids: list[str]) -> dict[str, str]:
    """Every view name -> its SELECT, in creation order (a view after those it reads)."""
    out = dict(VIEWS)
    for tid in sorted(table_ids):
        out[f"ledger_{tid}"] = table_view(tid)
    return out


def is_ours(name: str) -> bool:
    return name in VIEWS or name.startswith("ledger_")


def ensure(conn: sqlite3.Connection, table_ids: list[str]) -> bool:
    """Create the views, or make them again when their definitions changed.
    Runs inside the caller's transaction; True when anything was (re)made."""
    views = wanted(table_ids)
    sha = hashlib.sha256("\n;\n".join(f"{k}\n{v}" for k, v in views.items()).encode()).hexdigest()[:16]
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    row = conn.execute("SELECT value FROM meta WHERE key = 'views_sha'").fetchone()
    if row and row[0] == sha and set(views) <= have:
        return False
    # Dependents before what they read (PostgreSQL refuses to drop a view another one reads;
    # `views` lists each after the views it reads).
    for name in sorted(have - set(views)) + [n for n in reversed(views) if n in have]:
        if is_ours(name):
            conn.execute(f'DROP VIEW "{name}"')
    for name, sql in views.items():
        conn.execute(f'CREATE VIEW "{name}" AS {sql.strip()}')
    conn.execute("INSERT INTO meta(key, value) VALUES ('views_sha', ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (sha,))
    return True
