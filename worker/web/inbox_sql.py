"""The inbox at 100,000 alerts: one page, its total and every facet's counts from two index scans.

The counts per facet value, each under the other filters, and the total come
from one GROUP BY over (kind, rule, severity, status) and one over report_id,
both read from covering indexes (alerts/search.INDEXES); the page walks the
index in the inbox's order. No row of `alerts` or `reports` is read but the
page's own.

An alert's state (queries.STATE) is split so that the scans need no lookup
per row: `key_state` is the state an alert would have without verdicts: it
depends only on indexed columns (status, kind, rule, report_id) and on the
active silences, read once per request and inlined as a condition. Alerts
with a verdict are few; they are read on their own and moved from their
key state to `judged` in the counts (`_judged`). Search narrows every query
to the ids the full-text index finds (alerts/search.matching_ids).

Pure functions over a read-only connection; the results equal the plain SQL
of `queries.STATE` and `queries._where` (tests/test_web_inbox_scale.py checks both).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from alerts import search

ALERT_KEYS = ("severity", "kind", "rule")          # columns of alerts
REPORT_KEYS = ("issuer", "region", "year")         # columns of the alert's report
FACET_ORDER = ("severity", "kind", "rule", "issuer", "region", "year", "status")
RANK = "CASE a.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END"
_NOW = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
_JUDGED = "a.id IN (SELECT alert_id FROM alert_verdicts)"
_LOOKUP_AT_MOST = 2000       # a page of at most this many found alerts: read them by id


def year_arg(value: str) -> int | None:
    """The year filter's value: a number, or NULL (matches no report) for anything else, which
    SQLite would compare as text and PostgreSQL would refuse for an integer column."""
    v = value.strip()
    return int(v) if v.lstrip("-").isascii() and v.lstrip("-").isdigit() else None


@dataclass
class Inbox:
    rows: list[dict]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass
class Silenced:
    """The active silences as SQL conditions (queries._SILENCED with the silences table read once: a
    few comparisons per row instead of a subquery). `by_kind_rule` reads only kind and rule, so a
    GROUP BY on them evaluates it once per group; `by_report` reads the report."""

    by_kind_rule: str = "FALSE"      # booleans, not 0/1: PostgreSQL's OR and sum take no integers
    kind_rule_args: list = field(default_factory=list)
    by_report: str = "FALSE"
    report_args: list = field(default_factory=list)

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> "Silenced":
        terms: list[str] = []
        args: list = []
        reports: list = []
        for matcher, value in conn.execute(f"SELECT matcher, value FROM silences WHERE expired_at IS NULL"
                                           f" AND (until IS NULL OR until > {_NOW}) ORDER BY id"):
            if matcher == "rule":
                terms.append("a.rule = ? OR a.rule LIKE ? || '.%'")
                args += [value, value]
            elif matcher == "kind":
                terms.append("a.kind = ?")
                args.append(value)
            elif matcher == "report":
                reports.append(value)
        out = cls()
        if terms:
            out.by_kind_rule = "coalesce(" + " OR ".join(f"({t})" for t in terms) + ", FALSE)"
            out.kind_rule_args = args
        if reports:
            out.by_report = f"coalesce(CAST(a.report_id AS TEXT) IN ({', '.join('?' for _ in reports)}), FALSE)"
            out.report_args = reports
        return out

    def any(self) -> tuple[str, list]:
        """Silenced by any active silence: the whole condition for one row."""
        return f"({self.by_kind_rule} OR {self.by_report})", [*self.kind_rule_args, *self.report_args]


def key_state(status: str, silenced: bool) -> str:
    """An alert's state if it had no verdict (queries.STATE without its `judged` branch)."""
    if status in ("withdrawn", "acked"):
        return status
    return "silenced" if silenced else status


@dataclass
class _Query:
    """One request's filters as SQL pieces (the silences and the search read once)."""

    values: dict[str, str]
    silenced: Silenced
    found: list[int] | None          # the alerts the search found (None: no search)
    size: int                        # about how many alerts there are (the largest id)

    @classmethod
    def of(cls, conn: sqlite3.Connection, values: dict[str, str], q: str) -> "_Query":
        found = search.matching_ids(conn, q) if q else None
        size = conn.execute("SELECT max(id) FROM alerts").fetchone()[0] or 0
        return cls(dict(values), Silenced.read(conn), found, size)

    def base(self, lookup_at_most: int) -> tuple[list[str], list]:
        """Operator alerts are not findings; and the search's alerts. Found alerts are looked up by id
        when there are at most `lookup_at_most`; more are tested one by one in the scan of an index
        (`+a.id` keeps SQLite from looking up thousands of wide alert rows by id)."""
        if self.found is None:
            return ["a.kind != 'source_failure'"], []
        col = "a.id" if len(self.found) <= lookup_at_most else "+a.id"
        # CAST: json_each's values are text on PostgreSQL, which compares no text with an integer
        return (["a.kind != 'source_failure'", f"{col} IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"],
                [json.dumps(self.found)])

    def base_for_counts(self) -> tuple[list[str], list]:
        # a lookup costs a few times a scanned index entry; counts read every found alert
        return self.base(self.size // 6)

    def base_for_page(self) -> tuple[list[str], list]:
        # a page is found early in the scan of the order index unless the search found few
        return self.base(_LOOKUP_AT_MOST)

    @property
    def status(self) -> str | None:
        return self.values.get("status")

    def key_state(self) -> tuple[str, list]:
        silenced, args = self.silenced.any()
        return (f"CASE WHEN a.status IN ('withdrawn', 'acked') THEN a.status WHEN {silenced} THEN 'silenced'"
                f" ELSE a.status END", args)

    def state(self) -> tuple[str, list]:
        k, args = self.key_state()
        return f"CASE WHEN a.status != 'withdrawn' AND {_JUDGED} THEN 'judged' ELSE {k} END", args

    def report_arg(self, key: str):
        value = self.values[key]
        return year_arg(value) if key == "year" else value

    def reports(self) -> tuple[list[str], list]:
        keys = [k for k in REPORT_KEYS if k in self.values]
        if not keys:
            return [], []
        cond = " AND ".join(f"r.{k} = ?" for k in keys)
        return [f"a.report_id IN (SELECT r.id FROM reports r WHERE {cond})"], [self.report_arg(k) for k in keys]

    def report_matches(self) -> tuple[str, list]:
        """Columns (r.issuer = ?) … for the report filters, to apply them in Python."""
        keys = [k for k in REPORT_KEYS if k in self.values]
        return "".join(f", (r.{k} = ?)" for k in keys), [self.report_arg(k) for k in keys]

    def alerts(self) -> tuple[list[str], list]:
        keys = [k for k in ALERT_KEYS if k in self.values]
        return [f"a.{k} = ?" for k in keys], [self.values[k] for k in keys]


def _judged(conn: sqlite3.Connection, qy: _Query) -> list[dict]:
    """The alerts with a verdict (and not withdrawn: those show as judged) under the search."""
    k, k_args = qy.key_state()
    cols, m_args = qy.report_matches()
    keys = [key for key in REPORT_KEYS if key in qy.values]
    base, base_args = qy.base(0)           # driven by the verdicts: the search tested per alert
    out = []
    for r in conn.execute(
            f"SELECT a.kind, a.rule, a.severity, a.status, a.report_id, {k} AS k, r.issuer, r.region, r.year{cols}"
            f" FROM alerts a LEFT JOIN reports r ON r.id = a.report_id"
            f" WHERE a.status != 'withdrawn' AND {_JUDGED} AND {' AND '.join(base)}",
            [*k_args, *m_args, *base_args]):
        row = dict(zip(("kind", "rule", "severity", "status", "report_id", "k", "issuer", "region", "year"), r))
        row["m"] = dict(zip(keys, r[9:]))
        out.append(row)
    return out


def _groups(conn: sqlite3.Connection, qy: _Query, judged: list[dict]) -> dict[tuple, dict[str, int]]:
    """(severity, kind, rule, status) -> alerts per state, under the search and the report filters."""
    rep, rep_args = qy.reports()
    base, base_args = qy.base_for_counts()
    out: dict[tuple, dict[str, int]] = {}
    sil = qy.silenced
    for kind, rule, sev, status, n, by_report, by_kind_rule in conn.execute(
            f"SELECT a.kind, a.rule, a.severity, a.status, count(*), sum(CASE WHEN {sil.by_report} THEN 1 ELSE 0 END),"
            f" {sil.by_kind_rule}"
            f" FROM alerts a WHERE {' AND '.join(base + rep)} GROUP BY a.kind, a.rule, a.severity, a.status",
            [*sil.report_args, *sil.kind_rule_args, *base_args, *rep_args]):
        ns = n if by_kind_rule else by_report
        states = out.setdefault((sev, kind, rule, status), {})
        for st, m in ((key_state(status, True), ns or 0), (key_state(status, False), n - (ns or 0))):
            if m:
                states[st] = states.get(st, 0) + m
    for j in judged:
        if all(j["m"].values()):
            states = out.setdefault((j["severity"], j["kind"], j["rule"], j["status"]), {})
            states[j["k"]] = states.get(j["k"], 0) - 1
            states["judged"] = states.get("judged", 0) + 1
    return out


def _per_report(conn: sqlite3.Connection, qy: _Query, judged: list[dict]) -> dict:
    """report_id -> [alerts under every filter but the report ones, issuer, region, year, {filter: matches}]."""
    where, args = qy.alerts()
    base, base_args = qy.base_for_counts()
    where = base + where
    args = [*base_args, *args]
    if qy.status:
        k, k_args = qy.key_state()
        where.append(f"({k}) = ?")
        args += [*k_args, qy.status]
    cols, m_args = qy.report_matches()
    keys = [key for key in REPORT_KEYS if key in qy.values]
    out = {}
    for r in conn.execute(
            f"SELECT x.rid, x.n, r.issuer, r.region, r.year{cols} FROM (SELECT a.report_id AS rid, count(*) AS n"
            f" FROM alerts a WHERE {' AND '.join(where)} GROUP BY a.report_id) x LEFT JOIN reports r ON r.id = x.rid",
            [*m_args, *args]):
        out[r[0]] = [r[1], r[2], r[3], r[4], dict(zip(keys, r[5:]))]
    if qy.status:
        # A judged alert was counted by its key state; it counts as judged.
        for j in judged:
            if not all(j[key] == v for key, v in qy.values.items() if key in ALERT_KEYS):
                continue
            delta = (qy.status == "judged") - (j["k"] == qy.status)
            if delta:
                entry = out.setdefault(j["report_id"], [0, j["issuer"], j["region"], j["year"], j["m"]])
                entry[0] += delta
    return out


def _sql_order(v) -> tuple:
    """SQLite's ORDER BY of mixed values: NULL, numbers, text (by UTF-8 bytes), blobs."""
    if v is None:
        return (0, 0)
    if isinstance(v, (int, float)):
        return (1, v)
    if isinstance(v, str):
        return (2, v.encode("utf-8", "surrogatepass"))
    return (3, bytes(v))


def _facets(qy: _Query, groups: dict, per_report: dict) -> tuple[dict, int]:
    counts: dict[str, dict] = {k: {} for k in FACET_ORDER}
    total = 0
    alert_f = {k: v for k, v in qy.values.items() if k in ALERT_KEYS}

    def add(key: str, value, n: int) -> None:
        if n:
            counts[key][value] = counts[key].get(value, 0) + n

    for (sev, kind, rule, _), states in groups.items():
        g = {"severity": sev, "kind": kind, "rule": rule}
        n = states.get(qy.status, 0) if qy.status else sum(states.values())
        for key in ALERT_KEYS:
            if all(g[k] == v for k, v in alert_f.items() if k != key):
                add(key, g[key], n)
        if all(g[k] == v for k, v in alert_f.items()):
            total += n
            for st, m in states.items():
                add("status", st, m)
    for n, issuer, region, year, m in per_report.values():
        values = {"issuer": issuer, "region": region, "year": year}
        for key in REPORT_KEYS:
            if n > 0 and all(ok for k, ok in m.items() if k != key):
                add(key, values[key], n)
    out = {key: [("" if v is None else str(v), n) for v, n in
                 sorted(counts[key].items(), key=lambda item: (-item[1], _sql_order(item[0])))]
           for key in FACET_ORDER}
    return out, total


def _page(conn: sqlite3.Connection, qy: _Query, offset: int, limit: int) -> list[dict]:
    """The alerts at `offset` in the inbox's order, walked on the index that holds that order."""
    where, args = qy.alerts()
    rep, rep_args = qy.reports()
    base, base_args = qy.base_for_page()
    where = base + where + rep
    args = [*base_args, *args, *rep_args]
    state, s_args = qy.state()
    if qy.status:
        where.append(f"({state}) = ?")
        args += [*s_args, qy.status]
    ids = [r[0] for r in conn.execute(f"SELECT a.id FROM alerts a WHERE {' AND '.join(where)}"
                                      f" ORDER BY {RANK} DESC, a.id DESC LIMIT ? OFFSET ?", [*args, limit, offset])]
    if not ids:
        return []
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = {r["id"]: dict(r) for r in cur.execute(
        f"SELECT a.id, a.severity, a.kind, a.rule, a.title, a.created_at, a.report_id, r.issuer, r.region, r.year,"
        f" r.title AS report_title, {state} AS state FROM alerts a LEFT JOIN reports r ON r.id = a.report_id"
        f" WHERE a.id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))", [*s_args, json.dumps(ids)])}
    return [rows[i] for i in ids]


def view(conn: sqlite3.Connection, values: dict[str, str], q: str = "", page: int = 1, page_size: int = 50,
         rows: bool = True, facets: bool = True) -> Inbox:
    """A page of the inbox (most severe, newest first), the number of all alerts under the filters,
    and for each filter its values with how many alerts each would give (the other filters applied)."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")        # one snapshot for all the queries: a verdict given meanwhile counts in all or none
    try:
        qy = _Query.of(conn, values, q)
        judged = _judged(conn, qy)
        groups = _groups(conn, qy, judged)
        counts, total = _facets(qy, groups, _per_report(conn, qy, judged) if facets else {})
        offset = (max(page, 1) - 1) * page_size
        listed = _page(conn, qy, offset, page_size) if rows and offset < total else []
    finally:
        if own:
            conn.execute("COMMIT")
    return Inbox(listed, total, counts if facets else {})
