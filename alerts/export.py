"""Alerts in the alert contract (docs/design.md): JSON lines for machines;
CSV and xlsx with one readable column per field for people (Excel)."""
from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterator

from worker import quotes as quoting
from worker.labels import DEFAULT, Labels
from worker.safe_text import clean, csv_cell, strip_userinfo

# The readable columns of CSV and xlsx, in order; headers are labels "x.<column>".
COLUMNS = ("id", "severity", "kind", "rule", "title", "message", "issuer", "region", "year", "report_title",
           "source", "quotes", "stated", "computed", "other", "status", "created_at", "fingerprint")


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
    sql = ("SELECT a.*, r.title AS report_title, r.issuer, r.region, r.year FROM alerts a"
           " LEFT JOIN reports r ON r.id = a.report_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id")
    return conn.execute(sql, args).fetchall()


def by_severity(rows) -> list:
    """Highest severity first, then the newest: the order an auditor works through a list."""
    from rules.base import SEVERITY_ORDER

    newest = sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return sorted(newest, key=lambda r: -SEVERITY_ORDER[r["severity"]])      # stable: newest first within a severity


def to_contract(row) -> dict:
    """One alert as the alert contract (docs/design.md)."""
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


def quotes_text(evidence: dict, L: Labels) -> str:
    """Every quote numbered, after its page when known, one paragraph each: `[1] (第3页) 原文`.

    Quotes are separated by a blank line: a quote may itself span lines, and a
    single newline between quotes would hide where one ends and the next begins.
    Empty lines inside a quote (table cells a line each) are left out, so a
    blank line always means the next quote; the characters are kept as quoted."""
    return "\n\n".join(f"[{i}] " + (f"({L('page', page=p)}) " if p is not None else "")
                       + re.sub(r"\n\s*\n", "\n", t.strip("\n"))
                       for i, (t, p) in enumerate(quoting.pairs(evidence), 1))


# Evidence keys shown in their own columns (the quotes, the two figures), so not again under "other".
SHOWN_APART = (*quoting.QUOTE_KEYS, "stated", "computed")


def _figure(v):
    """A number stays a number (Excel sums it); anything else is compact text."""
    if v is None or isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def readable(row, L: Labels, state: str | None = None) -> dict:
    """One alert as the readable columns (COLUMNS), values as a person reads them; text not yet neutralised."""
    ev = json.loads(row["evidence"])
    other = {k: v for k, v in ev.items() if k not in SHOWN_APART}
    return {
        "id": row["id"], "severity": L.sev(row["severity"]), "kind": row["kind"], "rule": row["rule"],
        "title": row["title"], "message": row["message"], "issuer": row["issuer"], "region": row["region"],
        "year": row["year"], "report_title": row["report_title"], "source": strip_userinfo(row["source"]),
        "quotes": quotes_text(ev, L), "stated": _figure(ev.get("stated")), "computed": _figure(ev.get("computed")),
        "other": "\n".join(f"{k}: {_figure(v)}" for k, v in other.items()),
        "status": L.status(state or row["status"]), "created_at": row["created_at"],
        "fingerprint": row["fingerprint"],
    }


def headers(L: Labels) -> list[str]:
    return [L("x." + c) for c in COLUMNS]


def csv_text(rows, lang: str = DEFAULT, states: dict | None = None) -> str:
    """Alerts as CSV, one readable column per field; a cell a spreadsheet would run as a
    formula (a file named `=HYPERLINK(…)`) starts with ' instead (OWASP CSV injection);
    no terminal controls. `states` maps alert id → open/acked/silenced/withdrawn."""
    return "".join(csv_lines(rows, lang, states))


def csv_lines(rows, lang: str = DEFAULT, states: dict | None = None) -> Iterator[str]:
    """csv_text one record at a time (the header first), for exports too large to hold at once."""
    L = Labels(lang)
    buf = io.StringIO()
    w = csv.writer(buf)

    def line(cells) -> str:
        buf.seek(0)
        buf.truncate()
        w.writerow(cells)
        return buf.getvalue()

    yield line(headers(L))
    for row in rows:
        cells = readable(row, L, (states or {}).get(row["id"]))
        yield line([csv_cell(clean(v)) if isinstance(v, str) else ("" if v is None else v)
                    for v in (cells[c] for c in COLUMNS)])
