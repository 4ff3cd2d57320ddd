"""Tables of the delivery side: the outbox, silences and the alert history."""

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
    run_id TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_alert ON deliveries(alert_id, channel);
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
    alert_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS alert_events_alert ON alert_events(alert_id);
"""
