"""Alerts in the contract of design.md: JSON lines and CSV."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterator

from worker.safe_text import clean, csv_cell

COLUMNS = ("id", "fingerprint", "kind", "rule", "severity", "source", "report", "title", "message", "evidence",
           "created_at")


def alert_rows(conn, *, include_withdrawn: bool = False, report_id: int | None = None,
               kinds: list[str] | None = None, min_severity: str | None = None,
               since: str | None = None, until: str | None = None, ids: list[int] | None = None,
               operator: bool = False) -> list:
    from rules.base import SEVERITY_ORDER

    where, args = [], []
    if not include_withdrawn:
        where.append("a.status != 'withdrawn'")
    if report_id is not None:
        where.append("a.report_id = ?")
        args.append(report_id)
    if kinds:
        where.append("a.kind IN (%s)" % ",".join("?" for _ in kinds))
        args += kinds
    if min_severity:
        allowed = [s for s, v in SEVERITY_ORDER.items() if v >= SEVERITY_ORDER[min_severity]]
        where.append("a.severity IN (%s)" % ",".join("?" for _ in allowed))
        args += allowed
    if since:
        where.append("a.created_at >= ?")
        args.append(since)
    if until:
        where.append("a.created_at <= ?")
        args.append(until)
    if ids:
        where.append("a.id IN (%s)" % ",".join("?" for _ in ids))
        args += ids
    elif not operator:
        where.append("a.kind != 'source_failure'")     # operator alerts are not audit findings
    sql = ("SELECT a.*, r.title AS report_title, r.issuer, r.year FROM alerts a LEFT JOIN reports r ON r.id = a.report_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id")
    return conn.execute(sql, args).fetchall()


def to_contract(row) -> dict:
    """One alert as design.md's alert contract."""
    return {
        "id": row["id"],
        "fingerprint": row["fingerprint"],
        "kind": row["kind"],
        "rule": row["rule"],
        "severity": row["severity"],
        "source": row["source"],
        "report": {"id": row["report_id"] or None, "title": row["report_title"], "issuer": row["issuer"],
                   "year": row["year"]},
        "title": row["title"],
        "message": row["message"],
        "evidence": json.loads(row["evidence"]),
        "created_at": row["created_at"],
        "status": row["status"],
    }


def jsonl(rows) -> Iterator[str]:
    for row in rows:
        yield json.dumps(to_contract(row), ensure_ascii=False)


def csv_text(rows) -> str:
    """Alerts as CSV; a cell a spreadsheet would run as a formula (a file named
    `=HYPERLINK(…)`) starts with ' instead (OWASP CSV injection); no terminal controls."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS + ("status",))
    for row in rows:
        a = to_contract(row)
        w.writerow([csv_cell(clean(v) if isinstance(v, str) else v) for v in (
            a["id"], a["fingerprint"], a["kind"], a["rule"], a["severity"], a["source"],
            json.dumps(a["report"], ensure_ascii=False), a["title"], a["message"],
            json.dumps(a["evidence"], ensure_ascii=False), a["created_at"], a["status"])])
    return buf.getvalue()
