"""Backfill N generated reports end to end (ingest and detect, no delivery);
then re-run detection only.

    python bench/scale.py --n 1000 [--n 10000] [--html-share 0.5] [--jobs N] [--keep DIR]
    python bench/scale.py --rerun-only DB [--rerun-only DB2 ...] [--jobs N] [--runs 2]

Prints, for each N: reports per second, database size (write-ahead log
checkpointed) beside the input's (the reports' bytes) and their ratio, the time of a
detection-only re-run over all stored reports (facts read back from the
database, rules and models re-run: `detect --full`) and of the incremental
re-run `detect` does by default (reports unchanged since their check
skipped), the floor (bench/floor.py: the least any reader must do, on the
same files with as many rows, one core) and the product's share of it, and
peak resident memory: of the main
process after the backfill and after the re-run, and of the largest parser
process. Each N runs in a fresh process so its peaks are its own.

--rerun-only times detection re-runs alone on kept databases (`--keep`, or
made larger by bench/clone_db.py), each in a fresh process: the first run
on a cloned database also makes its features and alerts; the next ones are
re-runs of a database already detected. It reports the main process's peak
resident memory (forked readers are counted apart).
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(n: int, jobs: int | None, keep: Path | None) -> dict:
    from alerts.engine import run_detectors
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    tmp = Path(tempfile.mkdtemp())
    corpus = tmp / "corpus"
    issuers = min(1000, max(50, n // 10))
    years = max(1, round(n / issuers))
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(corpus), "--issuers", str(issuers),
                    "--years", f"{2025 - years + 1}-2025", "--seed", "11"], check=True, capture_output=True)
    files = len(list(corpus.glob("*.*"))) - 1
    # The input: the reports' bytes (labels.jsonl is the generator's answer key, not input).
    input_bytes = sum(f.stat().st_size for f in corpus.iterdir() if f.suffix in (".txt", ".html"))
    db = (keep or tmp) / f"scale{n}.db"
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    app = App(Config(path=None, data={}), Store(db))
    t0 = time.perf_counter()
    summary = app.backfill([corpus], jobs=jobs)
    t1 = time.perf_counter()
    rss_backfill = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Detection only: every stored report's facts read back, rules and models re-run
    # (--full: the stamps of the backfill's checks ignored) ...
    res = run_detectors(app, app.store.report_ids(), full=True)
    t2 = time.perf_counter()
    # ... and as `detect` runs by default: reports unchanged since their check skipped.
    inc = run_detectors(app, app.store.report_ids())
    t3 = time.perf_counter()
    facts = app.store.conn.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    numbers = app.store.conn.execute("SELECT COUNT(*) FROM numbers").fetchone()[0]
    # The floor on the same files with as many rows, in this process, after the product (bench/floor.py).
    from bench.floor import floor
    low = floor(corpus, facts, numbers)
    # The database as it rests: the write-ahead log folded in (it is a few MB of pages
    # already counted once in the file, or about to be).
    app.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(f.stat().st_size for f in db.parent.glob(db.name + "*"))
    alerts = app.store.conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    app.store.close()
    if keep is None:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"n": files, "seconds": t1 - t0, "rate": files / (t1 - t0), "ingested": summary.counts["ingested"],
            "alerts": alerts, "detect_seconds": t2 - t1, "detect_unchanged": res.unchanged,
            "incremental_seconds": t3 - t2, "incremental_skipped": inc.skipped,
            "floor_rate": low["rate"], "facts": facts, "numbers": numbers,
            "db_mb": size / 1e6, "input_mb": input_bytes / 1e6, "rss_backfill_mb": rss_backfill,
            "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def rerun(db: Path, jobs: int | None, runs: int, full: bool = True) -> dict:
    from alerts.engine import run_detectors
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    app = App(Config(path=None, data={}), Store(db))
    ids = app.store.report_ids()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        res = run_detectors(app, ids, jobs=jobs, full=full)
        times.append(time.perf_counter() - t)
    alerts = app.store.conn.execute("SELECT COUNT(*) FROM alerts WHERE status = 'open'").fetchone()[0]
    app.store.close()
    return {"n": len(ids), "times": times, "alerts": alerts, "new": res.new, "unchanged": res.unchanged,
            "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def rerun_only(dbs: list[Path], jobs: int | None, runs: int) -> None:
    print(f"{'reports':>8} {'re-run s (each run)':>24} {'open alerts':>12} {'peak MB main':>13} {'peak MB reader':>15}")
    for db in dbs:
        out = subprocess.run([sys.executable, __file__, "--one-rerun", str(db), str(runs)] +
                             (["--jobs", str(jobs)] if jobs else []), capture_output=True, text=True)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(out.returncode)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['n']:8d} {' '.join(f'{t:.1f}' for t in r['times']):>24} {r['alerts']:12d} "
              f"{r['rss_main_mb']:13.0f} {r['rss_children_mb']:15.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, action="append", help="corpus sizes (repeatable; default 1000 and 10000)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="keep the databases in this folder")
    ap.add_argument("--rerun-only", type=Path, action="append", help="time re-runs on this kept database")
    ap.add_argument("--runs", type=int, default=2, help="re-runs per database (--rerun-only)")
    args = ap.parse_args()
    if args.rerun_only:
        rerun_only(args.rerun_only, args.jobs, args.runs)
        return
    sizes = args.n or [1000, 10000]
    results = []
    for n in sizes:
        # Each size in a fresh process, so peak memory is its own.
        out = subprocess.run([sys.executable, __file__, "--one", str(n)] + (["--jobs", str(args.jobs)] if args.jobs
                                                                         else []) +
                             (["--keep", str(args.keep)] if args.keep else []),
                             capture_output=True, text=True)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            raise SystemExit(out.returncode)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'reports':>8} {'seconds':>8} {'reports/s':>10} {'floor/s':>8} {'share':>6} {'alerts':>7} "
          f"{'re-run s':>9} {'incr. s':>8} {'db MB':>7} {'input MB':>9} {'db/input':>9} {'peak MB backfill':>17} "
          f"{'peak MB re-run':>15} {'peak MB parser':>15}")
    for r in results:
        print(f"{r['n']:8d} {r['seconds']:8.1f} {r['rate']:10.1f} {r['floor_rate']:8.0f} "
              f"{r['rate'] / r['floor_rate']:6.0%} {r['alerts']:7d} {r['detect_seconds']:9.1f} "
              f"{r['incremental_seconds']:8.1f} {r['db_mb']:7.1f} {r['input_mb']:9.1f} "
              f"{r['db_mb'] / r['input_mb']:8.1f}× {r['rss_backfill_mb']:17.0f} {r['rss_main_mb']:15.0f} "
              f"{r['rss_worker_mb']:15.0f}")
    print("floor/s: bench/floor.py on the same files with as many fact and number rows, one core; share: the "
          "product's rate over it. re-run s: detect --full; incr. s: detect (unchanged reports skipped).")
    if len(results) >= 2:
        a, b = results[0], results[-1]
        print(f"time ratio {b['n']}/{a['n']} reports: {b['seconds'] / a['seconds']:.2f}× "
              f"(linear would be {b['n'] / a['n']:.0f}×)")


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--one-rerun":
        jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else None
        print(json.dumps(rerun(Path(sys.argv[2]), jobs, int(sys.argv[3]))))
    elif len(sys.argv) > 2 and sys.argv[1] == "--one":
        jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else None
        keep = Path(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else None
        print(json.dumps(run(int(sys.argv[2]), jobs, keep)))
    else:
        main()
