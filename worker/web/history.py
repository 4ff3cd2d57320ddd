"""An alert's history as one time-ordered list: pure functions over an open SQLite connection.

Gathered from where each thing is recorded: `alert_events` (raised, acked,
notices withheld by a silence, withdrawn, severity raised, requeued),
`deliveries.sent_at` (delivered, per channel), `silences` (every silence that
covers the alert, by the same matching the outbox uses, active or not) and
`alert_verdicts` (each verdict, with who and why). Nothing here writes."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone

# Verdicts are read from alert_verdicts (by, verdict and comment apart), not from their event's text.
_FROM_VERDICTS = ("verdict",)
_MIN = datetime.min.replace(tzinfo=timezone.utc)


@dataclass
class Entry:
    at: str
    event: str          # an alert_events event, or "delivered", "silence", "verdict"
    who: str = ""       # a person, a channel, or "" (the worker itself)
    detail: str = ""    # why (a comment), or what (the severity, the error)
    extra: dict = field(default_factory=dict)


def _when(at: str | None) -> datetime:
    """For ordering: stored times are ISO with an offset; anything else sorts first, as stored."""
    try:
        dt = datetime.fromisoformat(at or "")
    except ValueError:
        return _MIN
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def _who_why(detail: str) -> tuple[str, str]:
    """`by: comment` as alerts.manage.ack records it."""
    by, sep, why = detail.partition(": ")
    return (by, why) if sep else ("", detail)


def covering_silences(conn: sqlite3.Connection, alert: sqlite3.Row | dict) -> list[dict]:
    """Every silence that matches the alert (rule or its family, report, kind), whether still active or not."""
    from alerts.outbox import matching_silence
    from worker.storage import now_iso

    now = now_iso()
    out = []
    for s in conn.execute("SELECT * FROM silences ORDER BY id").fetchall():
        if matching_silence([s], alert) is not None:
            active = s["expired_at"] is None and (s["until"] is None or s["until"] > now)
            out.append({**dict(s), "active": active})
    return out


def timeline(conn: sqlite3.Connection, alert_id: int) -> list[Entry]:
    alert = conn.execute("SELECT id, rule, kind, report_id FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    if alert is None:
        return []
    out: list[Entry] = []
    for e in conn.execute("SELECT event, at, detail FROM alert_events WHERE alert_id = ? ORDER BY id", (alert_id,)):
        if e["event"] in _FROM_VERDICTS:
            continue
        detail = e["detail"] or ""
        if e["event"] == "acked":
            who, why = _who_why(detail)
            out.append(Entry(e["at"], "acked", who, why))
        else:
            out.append(Entry(e["at"], e["event"], "", detail))
    for d in conn.execute("SELECT channel, kind, sent_at FROM deliveries WHERE alert_id = ? AND sent_at IS NOT NULL"
                          " ORDER BY id", (alert_id,)):
        out.append(Entry(d["sent_at"], "delivered", d["channel"], "", {"notice": d["kind"]}))
    for s in covering_silences(conn, alert):
        out.append(Entry(s["created_at"], "silence", s["created_by"], s["comment"],
                         {k: s[k] for k in ("id", "matcher", "value", "until", "expired_at", "active")}))
    for v in conn.execute("SELECT verdict, comment, by, at FROM alert_verdicts WHERE alert_id = ? ORDER BY id",
                          (alert_id,)):
        out.append(Entry(v["at"], "verdict", v["by"], v["comment"], {"verdict": v["verdict"]}))
    # sorted() is stable: entries of the same second keep the order above (the event before its delivery).
    return sorted(out, key=lambda x: _when(x.at))
