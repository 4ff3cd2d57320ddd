"""Tables of the statistical detectors: per-report features, fitted state."""

DDL = """
CREATE TABLE IF NOT EXISTS report_features (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    issuer TEXT, year INTEGER, level TEXT,
    data TEXT NOT NULL,
    data_sha TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS model_state (
    family TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    population_key TEXT NOT NULL,
    n INTEGER NOT NULL,
    fitted_at TEXT NOT NULL,
    state BLOB
);
CREATE INDEX IF NOT EXISTS report_features_issuer_year ON report_features(issuer, year);
"""
