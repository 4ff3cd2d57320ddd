"""Moving an installation: `audit-worker db copy` of an SQLite database to PostgreSQL.

    python bench/db_copy.py SRC.db [--runs 3] [--admin-url postgresql://…/postgres]
    python bench/db_copy.py --make DIR [--runs 3]      # builds DIR/c10k.db first (10,000 reports)

Each run copies SRC.db into a new, empty PostgreSQL database with the real
CLI in a fresh process (`python -m worker.cli db copy --from SRC --to URL`)
and reports the wall time of the command (interpreter start, opening both
stores and making the target's schema included), the copy's own time and
rows/s as the command prints them, and the command's peak memory (its rows
are streamed: the peak must not follow the database's size).

The server: a throwaway cluster (tests/pgserver.py) with durable settings
(fsync, synchronous_commit and full_page_writes on: a real server's), unless
--admin-url names a database of an existing server whose role may CREATE
DATABASE. --make DIR makes the source as bench/RESULTS.md's issue 16 section
made the 10k databases: 1,000 generated reports backfilled, cloned 10 times
(bench/clone_db.py), then `detect` (alerts, features and model state).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on", "shared_buffers": "'128MB'"}


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "worker.cli", *map(str, args)]


def make(d: Path) -> Path:
    """DIR/c10k.db: 10,000 reports, as the issue 16 re-run bench made them."""
    d.mkdir(parents=True, exist_ok=True)
    out = d / "c10k.db"
    if out.exists():
        return out
    corpus, k1 = d / "corpus", d / "k1.db"
    steps = [[sys.executable, str(ROOT / "bench/generate.py"), corpus, "--issuers", "100", "--years", "2016-2025",
              "--seed", "11"],
             _cli("--db", k1, "backfill", corpus),
             [sys.executable, str(ROOT / "bench/clone_db.py"), k1, out, "--times", "10"],
             _cli("--db", out, "detect")]
    for s in steps:
        subprocess.run(list(map(str, s)), check=True, env=_env(), cwd=d, stdout=subprocess.DEVNULL)
    return out


def one(src: Path, url: str) -> dict:
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *_cli("db", "copy", "--from", src, "--to", url)],
                       capture_output=True, text=True, env=_env())
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"db copy failed ({p.returncode}):\n{p.stdout}\n{p.stderr[-3000:]}")
    m = re.search(r"(\d+) tables, (\d+) rows copied .* in ([\d.]+) s", p.stdout)
    assert m, p.stdout
    return {"wall": wall, "copy": float(m.group(3)), "rows": int(m.group(2)), "tables": int(m.group(1)),
            "peak_mb": int(p.stderr.strip().splitlines()[-1]) / 1024, "counts": p.stdout}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, nargs="?")
    ap.add_argument("--make", type=Path, help="build DIR/c10k.db (10,000 reports) and copy it")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--admin-url", help="an existing server (a database its role can CREATE DATABASE from)")
    a = ap.parse_args()
    if (a.src is None) == (a.make is None):
        ap.error("give SRC.db or --make DIR")
    src = a.src or make(a.make)
    sys.path.insert(0, str(ROOT / "tests"))
    srv = None
    if a.admin_url:
        import psycopg

        admin = psycopg.connect(a.admin_url, autocommit=True)

        def create(name: str) -> str:
            admin.execute(f'CREATE DATABASE "{name}"')
            return re.sub(r"(postgresql://[^/]*/)[^?]*", rf"\g<1>{name}", a.admin_url)

        def drop(name: str) -> None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    else:
        from pgserver import PgServer

        srv = PgServer(settings=DURABLE).start()
        create, drop = srv.create_database, srv.drop_database
    try:
        runs = []
        for i in range(a.runs):
            name = f"aw_bench_copy_{os.getpid()}_{i}"
            url = create(name)
            try:
                runs.append(one(src, url))
            finally:
                drop(name)
            r = runs[-1]
            print(f"run {i + 1}: {r['wall']:.1f} s wall, copy {r['copy']:.1f} s, {r['rows']:,} rows "
                  f"({r['rows'] / r['copy']:,.0f} rows/s), peak {r['peak_mb']:.0f} MB", flush=True)
    finally:
        if srv is not None:
            srv.stop()
    print(runs[-1]["counts"])
    wall = statistics.median(r["wall"] for r in runs)
    cp = statistics.median(r["copy"] for r in runs)
    rows = runs[-1]["rows"]
    print(f"{src} ({src.stat().st_size / 1e6:.0f} MB, {rows:,} rows in {runs[-1]['tables']} tables): "
          f"median of {len(runs)}: {wall:.1f} s wall, copy {cp:.1f} s ({rows / cp:,.0f} rows/s), "
          f"peak {max(r['peak_mb'] for r in runs):.0f} MB; load {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
