"""A large database from a smaller one, by SQL: every stored report copied
`times` times, each copy under other keys and issuers (`<issuer>·<k>`), so
peers, previous years and the population grow as with more departments.

    python bench/clone_db.py SRC.db DST.db --times 10

Ingesting 100,000 reports takes hours; detection re-runs only need them
stored. Everything that belongs to a report (any table with a `report_id`
column, found by schema, so it follows schema changes) is copied with ids
shifted; alerts, deliveries, features and model state are not (the first
detection run makes them).
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from pathlib import Path

SKIP = {"alerts", "report_features", "model_state"}


def _columns(conn, table: str) -> list[tuple[str, int]]:
    return [(r[1], r[5]) for r in conn.execute(f"PRAGMA table_info('{table}')")]


def clone(src: Path, dst: Path, times: int) -> int:
    s = sqlite3.connect(str(src))
    s.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    for old in dst.parent.glob(dst.name + "*"):
        old.unlink()
    shutil.copy(src, dst)
    conn = sqlite3.connect(str(dst), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    for t in ("alert_events", "alert_verdicts", "delivery_recipients", "deliveries", "alert_text", "alerts",
              "report_features", "model_state"):
        conn.execute(f"DELETE FROM {t}")
    conn.execute("UPDATE reports SET risk_score = NULL, risk_features = NULL")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    owned = [t for t in tables if t not in SKIP and any(c == "report_id" for c, _ in _columns(conn, t))]
    # Integer primary keys other tables point at (facts.id ← numbers.fact_id) move with their rows.
    shift_of = {t: conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0] for t in owned + ["reports"]
                if any(c == "id" and pk for c, pk in _columns(conn, t))}
    fks = {t: {r[3]: r[2] for r in conn.execute(f"PRAGMA foreign_key_list('{t}')")} for t in owned + ["reports"]}
    n = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    conn.execute("BEGIN")
    for k in range(1, times):
        for t in ["reports"] + owned:
            cols = [c for c, _ in _columns(conn, t)]
            exprs = []
            for c in cols:
                target = "reports" if c == "report_id" else fks[t].get(c) or (t if c == "id" and t in shift_of else None)
                if target in shift_of:
                    exprs.append(f'"{c}" + {k * shift_of[target]}')
                elif t == "reports" and c == "key":
                    exprs.append(f"key || '#{k}'")
                elif t == "reports" and c == "issuer":
                    exprs.append(f"issuer || '·{k}'")
                else:
                    exprs.append(f'"{c}"')
            names = ", ".join(f'"{c}"' for c in cols)
            conn.execute(f"INSERT INTO {t} ({names}) SELECT {', '.join(exprs)} FROM {t} WHERE"
                         f" {'id' if t == 'reports' else 'report_id'} <= {shift_of['reports']}")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return n * times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--times", type=int, required=True)
    args = ap.parse_args()
    t = time.perf_counter()
    n = clone(args.src, args.dst, args.times)
    print(f"{n} reports in {args.dst} ({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
