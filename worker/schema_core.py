"""The core tables (reports, documents, facts, numbers, alerts, runs, meta) and the schema version.

The other stages' tables live beside their code (alerts/schema.py, worker/sources/schema.py, …);
worker/storage.py makes them all when it opens a database.
"""
from __future__ import annotations

# 4: facts keyed by (report_id, seq) in `fact_rows` (WITHOUT ROWID, no fact
#    id, no index), names and JSON interned in `fact_strings`, numbers keyed by
#    (report_id, seq, field); the `facts` view reads as schema 3's table did
#    (worker/schema_v4.py converts a version 3 database).
# 3: each number stored once, in `numbers` (WITHOUT ROWID, keyed by fact and
#    field); facts.data without the numbers, quote offsets as columns
#    (worker/schema_v3.py converts a version 2 database).
# 2: foreign keys (ON DELETE CASCADE from a report to what was parsed from it,
#    RESTRICT for its alerts), readable offset names (raw_start/raw_end, …),
#    operator alerts with report_id NULL, and the analyst views
#    (worker/schema_migrate.py rebuilds a version 1 database in place).
SCHEMA_VERSION = 4

DDL = """
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    content_sha TEXT,
    duplicate_of INTEGER REFERENCES reports(id) ON DELETE SET NULL,
    title TEXT, issuer TEXT, region TEXT, year INTEGER, report_type TEXT, level TEXT,
    warnings TEXT,
    text TEXT,
    original_text TEXT,
    parser_version TEXT,
    published_at TEXT,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    parsed_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    risk_score REAL,
    risk_features TEXT,
    published_from TEXT,
    published_quote TEXT,
    approved_at TEXT,
    approved_quote TEXT,
    approved_start INTEGER,
    approved_end INTEGER
);
CREATE INDEX IF NOT EXISTS reports_sha ON reports(content_sha);
CREATE INDEX IF NOT EXISTS reports_issuer_year ON reports(issuer, year);
CREATE INDEX IF NOT EXISTS reports_duplicate_of ON reports(duplicate_of);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'main',
    sha256 TEXT, size INTEGER, content_type TEXT, encoding TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    etag TEXT, last_modified TEXT,
    fetched_at TEXT,
    text_start INTEGER, text_end INTEGER,
    UNIQUE(report_id, url)
);
CREATE TABLE IF NOT EXISTS fact_strings (
    id INTEGER PRIMARY KEY,
    hash INTEGER NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fact_strings_hash ON fact_strings(hash);
CREATE TABLE IF NOT EXISTS fact_rows (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name_id INTEGER REFERENCES fact_strings(id),
    quote_start INTEGER, quote_end INTEGER,
    data_id INTEGER REFERENCES fact_strings(id),
    PRIMARY KEY (report_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS numbers (
    report_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    field TEXT NOT NULL,
    value REAL, unit TEXT, kind TEXT, precision INTEGER,
    raw_if_differs TEXT,
    raw_start INTEGER, raw_end INTEGER,
    scale REAL, approx INTEGER,
    PRIMARY KEY (report_id, seq, field),
    FOREIGN KEY (report_id, seq) REFERENCES fact_rows(report_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    report_id INTEGER REFERENCES reports(id) ON DELETE RESTRICT,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    withdrawn_at TEXT,
    acked_by TEXT, acked_at TEXT, ack_comment TEXT
);
CREATE INDEX IF NOT EXISTS alerts_report ON alerts(report_id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    counts TEXT
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
"""
