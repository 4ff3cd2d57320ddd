"""The web inbox on a PostgreSQL store: the plans of its queries, and milliseconds per page.

    python bench/web_inbox_pg.py [--alerts 10000] [--runs 7] [--url postgresql://…] [--locale C.UTF-8]

Starts a throwaway PostgreSQL server (tests/pgserver.py) unless --url names an
empty database, builds in it the generated database of bench/web_inbox.py
(the same rows: the schema of `Store`, then the alerts inserted with the
search trigger on), runs ANALYZE (autovacuum's job on a real server), then
prints EXPLAIN of every query one inbox request makes (recorded from
worker/web/inbox_sql.view and alerts/search) for a few cases, and the
timings of bench/web_inbox.py's cases through `audit-worker serve`.

--locale: the database's LC_CTYPE. Under C (initdb's here) pg_trgm takes
Chinese characters for separators and cannot index Chinese words; under a
UTF-8 locale it can.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import web_inbox  # noqa: E402

PLAN_CASES = [("inbox", {}, ""), ("two facets", {"severity": "high", "year": "2023", "status": "open"}, ""),
              ("search, 4 Chinese characters", {"status": "open"}, "档案数字化"),
              ("search, ASCII", {"status": "open"}, "PDF"), ("search, 2 characters", {"status": "open"}, "资金")]


class Recorder:
    """A connection that notes every SELECT it is given (to EXPLAIN them afterwards)."""

    def __init__(self, conn):
        self._conn = conn
        self.seen: list[tuple[str, list]] = []

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, sql, params=()):
        if sql.lstrip().upper().startswith("SELECT"):
            self.seen.append((sql, list(params or [])))
        return self._conn.execute(sql, params)

    def cursor(self):
        return self


def explain(url: str) -> None:
    from alerts import search_pg
    from worker.db.pgconn import PgConnection
    from worker.web import inbox_sql

    conn = PgConnection(url, read_only=True)
    try:
        for name, values, q in PLAN_CASES:
            rec = Recorder(conn)
            inbox_sql.view(rec, values, q, 1, 50)
            print(f"\n### {name}: {values} q={q!r}\n")
            if q:
                args = {"like": search_pg._ilike(q), "folded": q}
                plan = [r[0] for r in conn.raw.execute("EXPLAIN ANALYZE " + search_pg._MATCH, args)]
                print("search:\n    " + "\n    ".join(plan))
            for sql, params in rec.seen:
                if "FROM silences" in sql or "max(id)" in sql:
                    continue
                plan = [r[0] for r in conn.execute("EXPLAIN ANALYZE " + sql, params)]
                scans = sorted(set(re.findall(r"((?:Index Only |Index |Bitmap Index |Bitmap Heap |Seq )Scan"
                                              r"(?: Backward)?(?: using \w+)? on \w+)", "\n".join(plan))))
                total = next((p for p in plan if p.startswith("Execution Time")), "")
                print(f"- {sql[:90]}…\n    {'; '.join(scans)}; {total}")
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alerts", type=int, default=10_000)
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--issuers", type=int, default=300)
    ap.add_argument("--regions", type=int, default=30)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--url", help="an empty PostgreSQL database (default: a throwaway server)")
    ap.add_argument("--locale", default="C", help="LC_CTYPE of the database made on the throwaway server")
    ap.add_argument("--no-serve", action="store_true", help="the plans only")
    args = ap.parse_args()
    srv = None
    url = args.url
    if url is None:
        from tests.pgserver import PgServer

        srv = PgServer().start()
        srv._admin.execute(f"CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8'"
                           f" LC_COLLATE '{args.locale}' LC_CTYPE '{args.locale}'")
        url = srv.url("bench")
    try:
        t = time.perf_counter()
        web_inbox.generate(url, args)
        web_inbox._add_user(url)
        from worker.db.pgconn import PgConnection

        conn = PgConnection(url)
        conn.execute("VACUUM ANALYZE")      # autovacuum's work on a real server (index-only scans need it)
        issuer = conn.execute("SELECT r.issuer FROM alerts a JOIN reports r ON r.id = a.report_id"
                              " GROUP BY r.issuer ORDER BY count(*) DESC, r.issuer LIMIT 1").fetchone()[0]
        conn.close()
        print(f"built: {args.alerts:,} alerts in {time.perf_counter() - t:.1f} s (LC_CTYPE {args.locale})")
        explain(url)
        if args.no_serve:
            return
        cases = [(n, u if u is not None else f"/?issuer={issuer}") for n, u in web_inbox.CASES]
        load = Path("/proc/loadavg").read_text().split()[:3]
        results = web_inbox.serve(url, args.runs, cases)
        print(f"\n{args.alerts:,} alerts on PostgreSQL; {args.runs} runs per case; load before: {' '.join(load)}")
        print("\n| case | URL | median ms | min ms | max ms | alerts matching | digest |")
        print("|---|---|---:|---:|---:|---:|---|")
        for r in results:
            print(f"| {r['case']} | `{r['url']}` | {r['median']:.0f} | {r['min']:.0f} | {r['max']:.0f} | "
                  f"{'—' if r['total'] is None else format(r['total'], ',')} | {r['digest']} |")
    finally:
        if srv is not None:
            srv.stop()


if __name__ == "__main__":
    main()
