"""Parsing throughput of several `audit-worker daemon` processes sharing a PostgreSQL store.

    python bench/pg_workers.py [--issuers 20] [--sources 16] [--workers 1,2,4] [--runs 3]

A portal on 127.0.0.1 serves a generated corpus (bench/generate.py: issuers × 10 years, text
and HTML) through `--sources` list pages (workers lease sources, so more sources than workers
lets each take a share). For each worker count, N daemons start against a fresh database of a
throwaway PostgreSQL server (tests/pgserver.py) and run until every report is parsed; then one
daemon on an SQLite file for reference. Reports/s = reports parsed after the first one / time
from the first to the last (the daemons' start-up is left out). Daemons keep the default
per-document sandbox (a parser process per report). Median of `--runs`; prints the load.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from servers import Portal  # noqa: E402
from workerkit import generate, serve, start_daemon, write_config  # noqa: E402

from worker.storage import Store  # noqa: E402


def parsed(db: str) -> int:
    try:
        s = Store(db)
    except Exception:  # noqa: BLE001 - the first daemon is still making the schema
        return 0
    try:
        # Settled: parsed, or failed (a parse over its time limit is retried by the next poll, an hour
        # away here; the run says how many failed rather than wait for it).
        return s.conn.execute("SELECT COUNT(*) FROM reports WHERE status IN ('parsed', 'failed')").fetchone()[0]
    finally:
        s.close()


def one_run(tmp: Path, db: str, specs: list[dict], workers: int, total: int, tag: str) -> float:
    procs = []
    for n in range(workers):
        cfg = write_config(tmp / f"{tag}-w{n}.toml", db, specs, poll="1h", n=n)
        procs.append(start_daemon(cfg, tmp / f"{tag}-w{n}.log"))
    try:
        first = None
        deadline = time.monotonic() + 1800
        while True:
            got = parsed(db)
            if got and first is None:
                first = (time.monotonic(), got)
            if got >= total:
                end = time.monotonic()
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit(f"{tag}: stopped at {got}/{total} reports; see {tmp}/{tag}-w*.log")
            time.sleep(0.1)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=60)
            except Exception:  # noqa: BLE001
                os.killpg(p.pid, signal.SIGKILL)
    t0, n0 = first
    return (total - n0) / max(end - t0, 1e-6)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issuers", type=int, default=20, help="reports = issuers × 10 years")
    ap.add_argument("--sources", type=int, default=16)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from tests.pgserver import PgServer

    with tempfile.TemporaryDirectory(prefix="pg-workers-") as t, Portal() as portal, PgServer() as srv:
        tmp = Path(t)
        files = generate(tmp / "corpus", args.issuers)
        specs = serve(portal, files, args.sources)
        print(f"{len(files)} reports, {args.sources} sources; load before: {open('/proc/loadavg').read().strip()}")
        plans = [("postgresql", int(w)) for w in args.workers.split(",")] + [("sqlite", 1)]
        for kind, workers in plans:
            rates = []
            for r in range(args.runs):
                tag = f"{kind}{workers}-{r}"
                db = srv.create_database(f"bench_{workers}_{r}") if kind == "postgresql" else str(tmp / f"{tag}.db")
                rates.append(one_run(tmp, db, specs, workers, len(files), tag))
            print(f"{kind:10} workers={workers}: {statistics.median(rates):6.1f} reports/s (median of {args.runs}: "
                  f"{', '.join(f'{x:.1f}' for x in rates)}); load {open('/proc/loadavg').read().split()[0]}",
                  flush=True)


if __name__ == "__main__":
    main()
