"""Tables of the web view: its users, and the audit log of what each did.

`session_version` grows when a user's password changes or the user is
disabled: sessions signed before no longer count. `web_audit` keeps every
login, logout and action (who, from where, on what, why) and is never
updated or deleted by the program."""
from __future__ import annotations

DDL = """
CREATE TABLE IF NOT EXISTS web_users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'auditor', 'admin')),
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    session_version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    last_login_at TEXT
);
CREATE TABLE IF NOT EXISTS web_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    "user" TEXT,
    role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,
    address TEXT
);
CREATE INDEX IF NOT EXISTS web_audit_user ON web_audit("user", action, at);
"""
