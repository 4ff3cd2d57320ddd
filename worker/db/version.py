"""The schema version a database holds, read without changing anything (`audit-worker db version`).

Opening a `Store` upgrades the schema as a side effect; this only looks:
an SQLite file is opened read-only, a PostgreSQL database in a read-only
session.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from worker.db.errors import DatabaseFault, describe_error
from worker.db.urls import DatabaseTarget


class Missing(Exception):
    """No SQLite file at that path (nothing was created)."""


def stored_version(where: DatabaseTarget, timeout: float = 30.0) -> int | None:
    """The schema version recorded in the database; None for a database without
    the schema yet (an empty PostgreSQL database). Raises Missing, DatabaseFault."""
    try:
        if where.is_postgres:
            return _postgres(where, timeout)
        return _sqlite(where.location, timeout)
    except sqlite3.Error as e:
        raise DatabaseFault(describe_error(e, where.location, timeout)) from None


def _sqlite(path: str, timeout: float) -> int | None:
    from worker.schema_migrate import stored_version as read

    if path == ":memory:" or not Path(path).is_file():
        raise Missing(path)
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=timeout)
    try:
        return read(conn)
    finally:
        conn.close()


def _postgres(where: DatabaseTarget, timeout: float) -> int | None:
    from worker.db.pgconn import PgConnection

    conn = PgConnection(where.dsn(), timeout=timeout, read_only=True)
    try:
        raw = conn.raw
        if raw.execute("SELECT to_regclass('reports') IS NULL").fetchone()[0]:
            return None
        if raw.execute("SELECT to_regclass('meta') IS NULL").fetchone()[0]:
            return 1
        row = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row and str(row[0]).isdigit() else 1
    finally:
        conn.close()
