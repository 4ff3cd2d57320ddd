"""A generated corpus backfilled once (session), and the alerts of a database
as a comparable snapshot: what a detection re-run must leave the same."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dbkit import connect

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "rerun_golden.json"
# 25 departments × 8 years: enough peers per (year, level) and reports for the forest.
CORPUS_ARGS = ["--issuers", "25", "--years", "2018-2025", "--seed", "16"]


def generate(out: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(out), *CORPUS_ARGS], check=True,
                   capture_output=True)
    return out


def snapshot(db: Path | str) -> dict:
    """Every alert (report file name, rule, kind, severity, status, title, message,
    evidence), sorted, and every report's risk score, by file name; fingerprints
    aside, as they hash the report's key, its absolute path (see `fingerprints`)."""
    conn = connect(db)       # an SQLite file or a PostgreSQL URL
    try:
        alerts = sorted([Path(r["key"]).name, r["rule"], r["kind"], r["severity"], r["status"], r["title"],
                         r["message"], json.loads(r["evidence"])]
                        for r in conn.execute("SELECT a.*, r.key FROM alerts a JOIN reports r ON r.id = a.report_id"))
        risk = {Path(r["key"]).name: [None if r["risk_score"] is None else round(r["risk_score"], 9),
                                      json.loads(r["risk_features"] or "null")]
                for r in conn.execute("SELECT key, risk_score, risk_features FROM reports WHERE status = 'parsed'")}
    finally:
        conn.close()
    return {"alerts": alerts, "risk": risk}


def fingerprints(db: Path | str) -> dict:
    """fingerprint → (status, title) of every alert."""
    conn = connect(db)
    try:
        return {fp: (status, title) for fp, status, title in conn.execute("SELECT fingerprint, status, title FROM alerts")}
    finally:
        conn.close()


if __name__ == "__main__":
    # Regenerate the golden file (only when detection is meant to change):
    #   python tests/rerunkit.py  → backfills the corpus into a temporary database and re-runs detection
    import tempfile

    sys.path.insert(0, str(ROOT))
    from alerts.engine import run_detectors
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    tmp = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    corpus = generate(tmp / "corpus")
    app = App(Config(path=None, data={}), Store(tmp / "g.db"))
    app.backfill([corpus])
    backfilled = snapshot(tmp / "g.db")
    run_detectors(app, app.store.report_ids())
    rerun = snapshot(tmp / "g.db")
    GOLDEN.write_text(json.dumps({"backfill": backfilled, "rerun": rerun}, ensure_ascii=False, indent=0,
                                 sort_keys=True))
    print(len(backfilled["alerts"]), "alerts after the backfill,", len(rerun["alerts"]), "after the re-run",
          tmp)
