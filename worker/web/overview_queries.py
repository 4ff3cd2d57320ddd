"""The SQL of the overview page: pure functions over an open SQLite connection.

Alert counts per issuer and year, the execution rate per issuer and year (the
`execution_rates` view of worker/schema_views.py), the statistical models'
risk ranking (reports.risk_score, written by models/engine.py) and each
rule's record with the auditors' verdicts (alerts/verdicts.py). Nothing here
writes."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from alerts.verdicts import counts_by_rule
from worker.web.queries import SEVERITY_RANK, STATE

SEVERITIES = ("high", "medium", "low", "info")
# Which row of execution_rates stands for an issuer's year in the chart: the rate the report states
# itself, then the tables' total expense, then the summed 类 lines (docs/schema.md: compare bases).
BASIS_ORDER = ("stated", "ledger", "line_items")
RISK_LIMIT = 50


@dataclass
class Scope:
    """The overview's filters (GET parameters `year` and `region`); empty means all."""

    year: int | None = None
    region: str = ""

    @classmethod
    def from_params(cls, params) -> "Scope":
        y = str(params.get("year", "")).strip()
        return cls(int(y) if y.isdigit() else None, str(params.get("region", "")).strip())

    def sql(self, alias: str = "r") -> tuple[str, list]:
        where, args = [], []
        if self.year is not None:
            where.append(f"{alias}.year = ?")
            args.append(self.year)
        if self.region:
            where.append(f"{alias}.region = ?")
            args.append(self.region)
        return "".join(f" AND {w}" for w in where), args


def choices(conn: sqlite3.Connection) -> dict[str, list]:
    """The years and regions there are reports of (the filter's options)."""
    return {"year": [r[0] for r in conn.execute(
                "SELECT DISTINCT year FROM reports WHERE year IS NOT NULL ORDER BY year DESC")],
            "region": [r[0] for r in conn.execute(
                "SELECT DISTINCT region FROM reports WHERE region IS NOT NULL AND region != '' ORDER BY region")]}


def alert_counts(conn: sqlite3.Connection, scope: Scope) -> list[dict]:
    """Per issuer and year: alerts by severity and in all. Audit findings that stand (not withdrawn,
    not operator alerts), whatever an auditor did with them; most alerts first."""
    where, args = scope.sql()
    out: dict[tuple, dict] = {}
    for issuer, year, sev, n in conn.execute(
            "SELECT r.issuer, r.year, a.severity, count(*) FROM alerts a JOIN reports r ON r.id = a.report_id"
            f" WHERE a.kind != 'source_failure' AND a.status != 'withdrawn'{where}"
            " GROUP BY r.issuer, r.year, a.severity", args):
        row = out.setdefault((issuer or "", year), {"issuer": issuer or "", "year": year, "total": 0,
                                                    **{s: 0 for s in SEVERITIES}})
        row[sev] = row.get(sev, 0) + n
        row["total"] += n
    return sorted(out.values(), key=lambda r: (-r["total"], r["issuer"], -(r["year"] or 0)))


def _rate(row: sqlite3.Row) -> float | None:
    """The report's own rate when it states one, else outturn against the adjusted (full-year) budget.
    A rate of the initial budget alone is not an execution rate (rules/execution_rate.py)."""
    return row["stated_rate_pct"] if row["stated_rate_pct"] is not None else row["rate_of_adjusted_pct"]


def execution_rates(conn: sqlite3.Connection, scope: Scope) -> tuple[list[dict], list[dict]]:
    """(headline, every row): one rate per issuer and year (by BASIS_ORDER, then the lowest report id),
    and every row of the view in scope for the table, the headline ones marked `chosen`."""
    where, args = scope.sql()
    rows = [dict(r) | {"rate": _rate(r)} for r in conn.execute(
        "SELECT e.*, r.region FROM execution_rates e JOIN reports r ON r.id = e.report_id"
        f" WHERE 1 = 1{where} ORDER BY e.issuer, e.year, e.report_id", args)]
    best: dict[tuple, dict] = {}
    for row in rows:
        row["chosen"] = False
        if row["rate"] is None or row["basis"] not in BASIS_ORDER:
            continue
        key = (row["issuer"] or "", row["year"])
        rank = (BASIS_ORDER.index(row["basis"]), row["report_id"])
        if key not in best or rank < best[key]["_rank"]:
            best[key] = row | {"_rank": rank}
    for b in best.values():
        for row in rows:
            if row["report_id"] == b["report_id"] and row["basis"] == b["basis"] and row["item"] == b["item"]:
                row["chosen"] = True
                break
    headline = sorted(({k: v for k, v in b.items() if k != "_rank"} for b in best.values()),
                      key=lambda r: (r["issuer"] or "", r["year"] or 0))
    return headline, rows


def risk_ranking(conn: sqlite3.Connection, scope: Scope, limit: int = RISK_LIMIT) -> list[dict]:
    """Reports the statistical models single out: by risk score (IsolationForest, models/isolation.py),
    highest first; reports without a score but with a model's alert follow, most such alerts first.
    Each with its score's leading features and its models' alerts (the reasons)."""
    where, args = scope.sql()
    models = "a.rule LIKE 'models.%' AND a.status != 'withdrawn'"
    rows = [dict(r) for r in conn.execute(
        "SELECT r.id, r.title, r.issuer, r.region, r.year, r.risk_score, r.risk_features,"
        f" (SELECT count(*) FROM alerts a WHERE a.report_id = r.id AND {models}) AS n_model_alerts"
        f" FROM reports r WHERE (r.risk_score IS NOT NULL OR EXISTS (SELECT 1 FROM alerts a"
        f" WHERE a.report_id = r.id AND {models})){where}"
        " ORDER BY r.risk_score IS NULL, r.risk_score DESC, n_model_alerts DESC, r.id LIMIT ?", args + [limit])]
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
        try:
            feats = json.loads(row.pop("risk_features") or "[]")
        except ValueError:
            feats = []
        row["features"] = [f for f in feats if isinstance(f, dict)] if isinstance(feats, list) else []
        row["alerts"] = [dict(a) for a in conn.execute(
            f"SELECT a.id, a.rule, a.severity, a.title FROM alerts a WHERE a.report_id = ? AND {models}"
            f" ORDER BY {SEVERITY_RANK} DESC, a.id", (row["id"],))]
    return rows


def rule_trust(conn: sqlite3.Connection) -> list[dict]:
    """Per rule: alerts raised (ever, withdrawn included), open now, and the latest verdict of each alert
    counted (confirmed, false alarm); `confirmed_share` = confirmed / judged, None before any verdict."""
    verdicts = counts_by_rule(conn)
    out = {r["rule"]: dict(r) for r in conn.execute(
        f"SELECT a.rule, count(*) AS raised, sum(({STATE}) = 'open') AS open FROM alerts a"
        " WHERE a.kind != 'source_failure' GROUP BY a.rule")}
    for rule in verdicts:
        out.setdefault(rule, {"rule": rule, "raised": 0, "open": 0})
    for rule, row in out.items():
        v = verdicts.get(rule, {})
        row["confirmed"], row["false_alarm"] = v.get("confirmed", 0), v.get("false_alarm", 0)
        judged = row["confirmed"] + row["false_alarm"]
        row["judged"] = judged
        row["confirmed_share"] = row["confirmed"] / judged if judged else None
    return sorted(out.values(), key=lambda r: r["rule"])
