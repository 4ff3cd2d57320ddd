"""Operator alerts: a source that keeps failing is itself worth an alert.

They are stored beside audit alerts (kind `source_failure`, report_id NULL) so the
same outbox and channels carry them, and are withdrawn when the source
recovers. Exports of audit alerts leave them out unless asked for.
"""
from __future__ import annotations

import json

from alerts.engine import fingerprint
from worker.storage import now_iso

KIND = "source_failure"


def source_failures(app, states: list[dict], queue: str | None = None) -> int:
    """Raise (or withdraw) operator alerts for polled sources; returns new alerts."""
    from alerts import outbox

    threshold = app.cfg.section("alerts")["source_failure_threshold"]
    new = 0
    for st in states:
        name = st["name"]
        key = ("source", name)
        fp = fingerprint(KIND, f"source:{name}", key)
        if st["consecutive_failures"] < threshold:
            # Nothing to raise: a write only to withdraw a standing alert, and a
            # read (no write lock) says whether there is one (most sources are well).
            if st["consecutive_failures"]:
                continue
            standing = app.store.conn.execute("SELECT status FROM alerts WHERE fingerprint = ?", (fp,)).fetchone()
            if standing is None or standing[0] not in ("open", "acked"):
                continue
        with app.store.tx() as conn:
            row = conn.execute("SELECT id, status FROM alerts WHERE fingerprint = ?", (fp,)).fetchone()
            ts = now_iso()
            if st["consecutive_failures"] >= threshold:
                title = f"数据源连续{st['consecutive_failures']}次抓取失败:{name}"
                message = (f"数据源“{name}”已连续{st['consecutive_failures']}次轮询失败,最近一次错误:{st['last_error']}。"
                           f"最近一次成功:{st['last_ok_at'] or '从未成功'}。在恢复之前,该网站新发布的报告不会被发现。")
                evidence = json.dumps({"source": name, "failures": st["consecutive_failures"],
                                       "last_error": st["last_error"], "last_ok_at": st["last_ok_at"],
                                       "quote": st["last_error"] or ""}, ensure_ascii=False)
                if row is None:
                    cur = conn.execute(
                        "INSERT INTO alerts (fingerprint, kind, rule, severity, report_id, source, title, message,"
                        " evidence, status, created_at, updated_at, last_seen_at)"
                        " VALUES (?, ?, 'operator.source_failure', 'high', NULL, ?, ?, ?, ?, 'open', ?, ?, ?)",
                        (fp, KIND, f"source:{name}", title, message, evidence, ts, ts, ts))
                    conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'raised', ?, ?)",
                                 (cur.lastrowid, ts, st["last_error"]))
                    new += 1
                    if queue:
                        outbox.queue(conn, app.cfg, fp, "firing", run_id=app.run_id)
                else:
                    conn.execute("UPDATE alerts SET title = ?, message = ?, evidence = ?, last_seen_at = ?,"
                                 " status = CASE WHEN status = 'withdrawn' THEN 'open' ELSE status END WHERE id = ?",
                                 (title, message, evidence, ts, row["id"]))
                    if row["status"] == "withdrawn" and queue:
                        outbox.queue(conn, app.cfg, fp, "firing", run_id=app.run_id)
            elif row is not None and row["status"] in ("open", "acked") and st["consecutive_failures"] == 0:
                conn.execute("UPDATE alerts SET status = 'withdrawn', withdrawn_at = ?, updated_at = ? WHERE id = ?",
                             (ts, ts, row["id"]))
                conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'withdrawn', ?, ?)",
                             (row["id"], ts, "source recovered"))
                if queue:
                    outbox.queue(conn, app.cfg, fp, "withdrawn", run_id=app.run_id)
    return new
