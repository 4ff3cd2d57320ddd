"""Auditors' verdicts on alerts: confirmed, or a false alarm, with who and why.

The latest verdict of an alert counts (an auditor may change their mind: the
earlier ones stay as its history). Counted per rule, they show which rules
earn the bureau's trust (`rules list`, the web overview).

A false alarm must not go out: recording one cancels the alert's pending
firing notices (as an acknowledgement does), and while it is the latest
verdict no new firing notice is queued (alerts/outbox.queue). A later
`confirmed` verdict lets future notices through again; the cancelled ones
stay cancelled."""
from __future__ import annotations

import sqlite3

from worker.storage import Store, now_iso

VERDICTS = ("confirmed", "false_alarm")


def add(store: Store, alert_id: int, verdict: str, by: str, comment: str) -> int:
    """Record a verdict (ValueError for an unknown one or no comment; LookupError for no such alert).

    Returns the number of pending notices cancelled (a false alarm cancels them; confirmed: 0)."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; the verdicts are: {', '.join(VERDICTS)}")
    if not comment.strip():
        raise ValueError("a verdict needs a comment: what was checked, and what was found")
    with store.tx() as c:
        if c.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone() is None:
            raise LookupError(f"no alert #{alert_id}")
        at = now_iso()
        c.execute("INSERT INTO alert_verdicts (alert_id, verdict, comment, by, at) VALUES (?, ?, ?, ?, ?)",
                  (alert_id, verdict, comment.strip(), by, at))
        c.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'verdict', ?, ?)",
                  (alert_id, at, f"{verdict} by {by}: {comment.strip()}"))
        if verdict != "false_alarm":
            return 0
        return c.execute("UPDATE deliveries SET status = 'cancelled', last_error = 'judged a false alarm'"
                         " WHERE alert_id = ? AND status = 'pending' AND kind = 'firing'", (alert_id,)).rowcount


def latest(conn: sqlite3.Connection, alert_id: int) -> dict | None:
    row = conn.execute("SELECT verdict, comment, by, at FROM alert_verdicts WHERE alert_id = ? ORDER BY id DESC"
                       " LIMIT 1", (alert_id,)).fetchone()
    return dict(zip(("verdict", "comment", "by", "at"), row)) if row else None


def false_alarm(conn: sqlite3.Connection, alert_id: int) -> bool:
    """Whether the alert's latest verdict is a false alarm (then no firing notice goes out)."""
    row = conn.execute("SELECT verdict FROM alert_verdicts WHERE alert_id = ? ORDER BY id DESC LIMIT 1",
                       (alert_id,)).fetchone()
    return row is not None and row[0] == "false_alarm"


def counts_by_rule(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """rule -> {"confirmed": n, "false_alarm": m}, counting each alert's latest verdict once."""
    out: dict[str, dict[str, int]] = {}
    for rule, verdict, n in conn.execute(
            "SELECT a.rule, v.verdict, count(*) FROM alert_verdicts v JOIN alerts a ON a.id = v.alert_id"
            " WHERE v.id = (SELECT max(id) FROM alert_verdicts w WHERE w.alert_id = v.alert_id)"
            " GROUP BY a.rule, v.verdict"):
        out.setdefault(rule, {k: 0 for k in VERDICTS})[verdict] = n
    return out
