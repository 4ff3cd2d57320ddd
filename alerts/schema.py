"""Tables of the delivery side: the outbox, silences and the alert history.

A delivery row's `status` is pending, sending (leased by `lease_owner` until
`lease_until` while its message is on the wire), sent, failed, cancelled or
unsure (a second crash mid-send: not sent a third time). `unsure` counts the
times a process died while the row was leased for sending, so it may have
reached the receiver. `delivery_recipients` keeps the SMTP server's answer
per recipient of an email delivery. `alert_verdicts` holds the auditors'
judgements of an alert (confirmed, or a false alarm, with a comment); the
latest counts, the earlier ones are its history.
"""
from __future__ import annotations

import sqlite3

DDL = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    channel TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'firing',
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    severity TEXT,
    digest INTEGER NOT NULL DEFAULT 0,
    run_id TEXT,
    lease_owner TEXT,
    lease_until TEXT,
    unsure INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_alert ON deliveries(alert_id, channel);
CREATE TABLE IF NOT EXISTS delivery_recipients (
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    reply TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (delivery_id, recipient)
);
CREATE TABLE IF NOT EXISTS silences (
    id INTEGER PRIMARY KEY,
    matcher TEXT NOT NULL,
    value TEXT NOT NULL,
    until TEXT,
    created_by TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expired_at TEXT
);
CREATE TABLE IF NOT EXISTS alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS alert_events_alert ON alert_events(alert_id);
CREATE TABLE IF NOT EXISTS alert_verdicts (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'false_alarm')),
    comment TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_verdicts_alert ON alert_verdicts(alert_id, id);
"""

# Columns added after the first release: databases made before get them on
# the first flush (CREATE TABLE IF NOT EXISTS does not add columns).
ADDED_COLUMNS = {
    "lease_owner": "TEXT",
    "lease_until": "TEXT",
    "unsure": "INTEGER NOT NULL DEFAULT 0",
}


def ensure_columns(store) -> None:
    """Add the lease columns to an older `deliveries` table (idempotent)."""
    def missing(conn: sqlite3.Connection) -> list[str]:
        have = {r[1] for r in conn.execute("PRAGMA table_info(deliveries)")}
        return [c for c in ADDED_COLUMNS if c not in have]

    if not missing(store.conn):
        return
    with store.tx() as conn:
        for col in missing(conn):     # re-read under the write lock: another process may have added it
            conn.execute(f"ALTER TABLE deliveries ADD COLUMN {col} {ADDED_COLUMNS[col]}")
