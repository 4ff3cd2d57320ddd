"""The operator's view: runs, sources, the outbox, open alerts, the heartbeat."""
from __future__ import annotations

import json
import time
from pathlib import Path


def collect(app) -> dict:
    c = app.store.conn
    runs = [dict(r) for r in c.execute(
        "SELECT run_id, command, started_at, finished_at, status, counts FROM runs ORDER BY id DESC LIMIT 5")]
    for r in runs:
        r["counts"] = json.loads(r["counts"]) if r["counts"] else {}
    sources = [dict(r) for r in c.execute("SELECT * FROM source_state ORDER BY name")]
    outbox = {r["status"]: r["n"] for r in c.execute("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")}
    failed = [dict(r) for r in c.execute(
        "SELECT d.id, d.channel, d.kind, d.attempts, d.last_error, d.alert_id FROM deliveries d"
        " WHERE d.status = 'failed' ORDER BY d.id DESC LIMIT 20")]
    retrying = [dict(r) for r in c.execute(
        "SELECT channel, COUNT(*) AS n, MAX(attempts) AS attempts, MAX(last_error) AS last_error,"
        " MIN(next_attempt_at) AS next_attempt_at FROM deliveries WHERE status = 'pending' AND attempts > 0"
        " GROUP BY channel")]
    severity = {r["severity"]: r["n"] for r in c.execute(
        "SELECT severity, COUNT(*) AS n FROM alerts WHERE status = 'open' GROUP BY severity")}
    reports = {r["status"]: r["n"] for r in c.execute("SELECT status, COUNT(*) AS n FROM reports GROUP BY status")}
    hb = heartbeat_state(app)
    return {"runs": runs, "sources": sources, "outbox": outbox, "failed_deliveries": failed,
            "retrying": retrying, "open_alerts": severity, "reports": reports, "heartbeat": hb,
            "healthy": hb.get("healthy", True) and not any(s.get("consecutive_failures", 0) for s in sources
                                                           if s.get("consecutive_failures", 0) >= app.cfg.section("alerts")["source_failure_threshold"])}


def heartbeat_path(app) -> Path:
    configured = app.cfg.section("schedule")["heartbeat_file"]
    if configured:
        return app.cfg.resolve(configured)
    return Path(app.store.path + ".heartbeat")


def heartbeat_state(app) -> dict:
    """The daemon's heartbeat: stale when older than twice the poll interval."""
    from worker.scheduler import poll_interval_seconds

    path = heartbeat_path(app)
    if not path.exists():
        return {"file": str(path), "present": False, "healthy": True}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    age = time.time() - path.stat().st_mtime
    interval = poll_interval_seconds(app.cfg)
    limit = 2 * interval if interval else None
    return {"file": str(path), "present": True, "age_seconds": round(age, 1), "limit_seconds": limit,
            "pid": data.get("pid"), "healthy": limit is None or age <= limit}
