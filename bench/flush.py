"""Flush an outbox of N alerts to a webhook receiver on 127.0.0.1.

    python bench/flush.py [--alerts 10000] [--mode each|batch|both]

The outbox is filled through the real path: the example reports are parsed,
their detectors' findings stored under N/len(findings) report copies with
`queue="each"` (one delivery per alert). The receiver (tests/servers.py:
HTTP/1.1 keep-alive, threads) records every request; after the timed flush
every signature is verified and every delivery id counted. Prints the
flush time, alerts per second, requests, and any signature failure, missing
or duplicate delivery. `each` posts one request per alert; `batch` posts
envelopes of `batch_max` alerts.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from servers import Receiver  # noqa: E402

SECRET = "bench-secret"


def fill(app, n: int) -> int:
    """Store n alerts (seed findings under report copies), queued for delivery."""
    from alerts.engine import evaluate, store_findings
    from worker.ingest import file_item, prepare

    found = []
    for p in sorted((ROOT / "examples" / "reports").glob("*.txt")):
        report = prepare(file_item(p, app.limits)[2], app.limits).parsed
        fs = evaluate(report, app.cfg.rules)
        if fs:
            found.append((p.name, report, fs))
    per_copy = sum(len(fs) for _, _, fs in found)
    copies = -(-n // per_copy)
    stored = 0
    for k in range(copies):
        with app.store.tx() as conn:
            for name, report, fs in found:
                if stored >= n:
                    break
                fs = fs[: n - stored]
                rid = app.store.upsert_report_row(conn, f"bench://{k}/{name}", f"bench://{k}/{name}",
                                                  status="parsed", issuer=report.meta.issuer, year=report.meta.year,
                                                  title=report.meta.title, text=report.text)
                row = conn.execute("SELECT * FROM reports WHERE id = ?", (rid,)).fetchone()
                store_findings(app, conn, row, fs, [], "each")
                stored += len(fs)
    return stored


def run(n: int, mode: str) -> dict:
    from alerts.outbox import flush
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    from alerts.channels.webhook import verify

    os.environ["AUDIT_BENCH_SECRET"] = SECRET
    with Receiver(keep_alive=True) as rx, tempfile.TemporaryDirectory() as tmp:
        hook = {"type": "webhook", "url": rx.url, "secret_env": "AUDIT_BENCH_SECRET", "allow_private": True,
                "batch": mode == "batch", "batch_max": 500}
        app = App(Config(path=None, data={"channels": {"hook": hook}}), Store(Path(tmp) / "flush.db"))
        t0 = time.perf_counter()
        stored = fill(app, n)
        t1 = time.perf_counter()
        res = flush(app)
        t2 = time.perf_counter()
        queued = app.store.conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
        unsent = app.store.conn.execute("SELECT COUNT(*) FROM deliveries WHERE status != 'sent'").fetchone()[0]
        app.store.close()
        bad = sum(1 for q in rx.requests if not verify(SECRET.encode(), q["headers"], q["body"], max_age=3600))
        ids = [i for env in rx.accepted() for i in env["delivery_ids"]]
        return {"mode": mode, "alerts": stored, "queued": queued, "fill_s": t1 - t0, "flush_s": t2 - t1,
                "sent": res.sent, "requests": len(rx.requests), "received": len(ids),
                "duplicates": len(ids) - len(set(ids)), "unsent": unsent, "bad_signatures": bad,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--alerts", type=int, default=10000)
    ap.add_argument("--mode", choices=("each", "batch", "both"), default="both")
    args = ap.parse_args()
    modes = ("each", "batch") if args.mode == "both" else (args.mode,)
    print(f"{'mode':<6} {'alerts':>7} {'fill s':>7} {'flush s':>8} {'alerts/s':>9} {'requests':>9} "
          f"{'received':>9} {'dupes':>6} {'unsent':>7} {'bad sig':>8} {'peak MB':>8}")
    for mode in modes:
        r = run(args.alerts, mode)
        print(f"{r['mode']:<6} {r['alerts']:7d} {r['fill_s']:7.1f} {r['flush_s']:8.2f} "
              f"{r['alerts'] / r['flush_s']:9.0f} {r['requests']:9d} {r['received']:9d} {r['duplicates']:6d} "
              f"{r['unsent']:7d} {r['bad_signatures']:8d} {r['rss_mb']:8.0f}")


if __name__ == "__main__":
    main()
