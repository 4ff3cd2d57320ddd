"""The operator's view: runs, sources, the outbox, open alerts, the heartbeat."""
from __future__ import annotations

import json
import time
from pathlib import Path


def collect(app) -> dict:
    """Everything `status` shows, with `healthy` and the `problems` that make it unhealthy."""
    import sqlite3

    ok, detail = app.store.quick_check()
    data: dict = {"database": {"path": app.store.path, "ok": ok, "detail": detail}, "runs": [], "sources": [],
                  "outbox": {}, "failed_deliveries": [], "failed_by_channel": [], "retrying": [], "open_alerts": {}, "reports": {},
                  "heartbeat": heartbeat_state(app)}
    problems = [] if ok else [f"database fails PRAGMA quick_check: {detail}"]
    try:
        data.update(_tables(app.store.conn))
    except sqlite3.DatabaseError as e:
        if ok:
            raise                       # not a damaged file: the CLI reports it as a database fault
        problems.append(f"database unreadable: {e}")
    problems += _problems(app, data)
    data["problems"] = problems
    data["healthy"] = not problems
    return data


def _tables(c) -> dict:
    runs = [dict(r) for r in c.execute(
        "SELECT run_id, command, started_at, finished_at, status, counts, error FROM runs ORDER BY id DESC LIMIT 5")]
    for r in runs:
        r["counts"] = json.loads(r["counts"]) if r["counts"] else {}
    # Runs that died or failed since the last one that finished well: a crash, a full disk.
    last_ok = c.execute("SELECT COALESCE(MAX(id), 0) FROM runs WHERE status = 'ok'").fetchone()[0]
    bad_runs = [dict(r) for r in c.execute(
        "SELECT run_id, command, started_at, status, error FROM runs WHERE status IN ('died', 'failed') AND id > ?"
        " ORDER BY id DESC LIMIT 5", (last_ok,))]
    sources = [dict(r) for r in c.execute("SELECT * FROM source_state ORDER BY name")]
    outbox = {r["status"]: r["n"] for r in c.execute("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")}
    failed = [dict(r) for r in c.execute(
        "SELECT d.id, d.channel, d.kind, d.attempts, d.last_error, d.alert_id FROM deliveries d"
        " WHERE d.status = 'failed' ORDER BY d.id DESC LIMIT 20")]
    retrying = [dict(r) for r in c.execute(
        "SELECT channel, COUNT(*) AS n, MAX(attempts) AS attempts, MAX(last_error) AS last_error,"
        " MIN(next_attempt_at) AS next_attempt_at FROM deliveries WHERE status = 'pending' AND attempts > 0"
        " GROUP BY channel")]
    failed_by_channel = [dict(r) for r in c.execute(
        "SELECT d.channel, COUNT(*) AS n, (SELECT last_error FROM deliveries e WHERE e.channel = d.channel"
        " AND e.status = 'failed' ORDER BY e.id DESC LIMIT 1) AS last_error FROM deliveries d"
        " WHERE d.status = 'failed' GROUP BY d.channel ORDER BY d.channel")]
    severity = {r["severity"]: r["n"] for r in c.execute(
        "SELECT severity, COUNT(*) AS n FROM alerts WHERE status = 'open' GROUP BY severity")}
    reports = {r["status"]: r["n"] for r in c.execute("SELECT status, COUNT(*) AS n FROM reports GROUP BY status")}
    return {"runs": runs, "bad_runs": bad_runs, "sources": sources, "outbox": outbox, "failed_deliveries": failed,
            "failed_by_channel": failed_by_channel, "retrying": retrying, "open_alerts": severity, "reports": reports}


def _problems(app, d: dict) -> list[str]:
    out = []
    hb = d["heartbeat"]
    if not hb.get("healthy", True):
        out.append(f"daemon heartbeat is {hb['age_seconds']} s old (limit {hb['limit_seconds']} s)")
    for r in d.get("bad_runs", []):
        out.append(f"run {r['run_id']} ({r['command']}, started {r['started_at']}) {r['status']}: "
                   f"{r['error'] or 'no reason recorded'}")
    from alerts.outbox import targets

    configured = targets(app.cfg)
    for ch in d.get("failed_by_channel", []):
        if ch["channel"] in configured:
            out.append(f"{ch['n']} deliveries failed on channel {ch['channel']} (last error: {ch['last_error']}); "
                       f"fix the channel, then `audit-worker deliver --retry-failed --channel {ch['channel']}`")
        else:
            out.append(f"{ch['n']} deliveries failed on channel {ch['channel']}, which is no longer in the config "
                       f"(last error: {ch['last_error']})")
    after = app.cfg.section("alerts")["unhealthy_after_attempts"]
    for r in d.get("retrying", []):
        if (r["attempts"] or 0) >= after:       # still retrying, but already failing for a while: say so now
            out.append(f"{r['n']} deliveries on channel {r['channel']} are still being retried after "
                       f"{r['attempts']} failed attempts (last error: {r['last_error']}; next attempt "
                       f"{r['next_attempt_at']}); they fail for good after [alerts] max_attempts")
    threshold = app.cfg.section("alerts")["source_failure_threshold"]
    for s in d["sources"]:
        if s.get("consecutive_failures", 0) >= threshold:
            out.append(f"source {s['name']} failed {s['consecutive_failures']} polls in a row")
    return out


def heartbeat_path(app) -> Path:
    configured = app.cfg.section("schedule")["heartbeat_file"]
    if configured:
        return app.cfg.resolve(configured)
    if app.store.is_postgres:       # no file beside a server's database: one beside the config, named after it
        import re
        from urllib.parse import urlsplit

        name = urlsplit(app.store.path).path.strip("/") or "postgresql"
        return app.cfg.resolve(re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".heartbeat")
    return Path(app.store.path + ".heartbeat")


def heartbeat_state(app) -> dict:
    """The daemon's heartbeat.

    `state`: "running" (fresh), "stale" (older than twice the poll interval:
    the daemon died or hangs; unhealthy), "stopped" (it stopped cleanly on
    SIGTERM/SIGINT and said so in its last heartbeat, at `stopped_at`: not a
    fault), or "none" (no daemon has run with this database)."""
    from worker.scheduler import poll_interval_seconds

    path = heartbeat_path(app)
    if not path.exists():
        return {"file": str(path), "present": False, "healthy": True, "state": "none"}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    age = time.time() - path.stat().st_mtime
    interval = poll_interval_seconds(app.cfg)
    limit = 2 * interval if interval else None
    out = {"file": str(path), "present": True, "age_seconds": round(age, 1), "limit_seconds": limit,
           "pid": data.get("pid")}
    stopped = data.get("stopped")
    if isinstance(stopped, (int, float)) and not isinstance(stopped, bool):
        return {**out, "state": "stopped", "healthy": True, "stopped_at": _iso(stopped)}
    fresh = limit is None or age <= limit
    return {**out, "state": "running" if fresh else "stale", "healthy": fresh}


def _iso(ts: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ts, timezone.utc).replace(microsecond=0).isoformat()
