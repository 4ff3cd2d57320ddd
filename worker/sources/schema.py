"""Tables of the fetching side: per-source state and the HTTP cache."""

DDL = """
CREATE TABLE IF NOT EXISTS source_state (
    name TEXT PRIMARY KEY,
    last_poll_at TEXT,
    last_ok_at TEXT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    polls INTEGER NOT NULL DEFAULT 0,
    new_documents INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,
    status INTEGER,
    fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS source_events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS source_events_name ON source_events (name, at);
"""
