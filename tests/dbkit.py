"""Looking into a test's database, whichever the store (`db_url` in conftest.py)."""
from __future__ import annotations

import sqlite3


def is_pg(url) -> bool:
    return str(url).startswith("postgresql://")


def connect(url):
    """A connection that reads the database: sqlite3's, or the store's own PostgreSQL
    connection (the same API: rows by position and by name)."""
    if is_pg(url):
        from worker.db.pgconn import PgConnection

        return PgConnection(str(url))
    conn = sqlite3.connect(str(url))
    conn.row_factory = sqlite3.Row
    return conn


def rows(url, sql: str, params=()) -> list:
    conn = connect(url)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def scalar(url, sql: str, params=()):
    got = rows(url, sql, params)
    return got[0][0] if got else None


def session(url):
    """`with session(url) as conn:` a connection to read and write, committed and closed at the end
    (sqlite3's `with conn:` commits but does not close; PostgreSQL's commits each statement)."""
    from contextlib import contextmanager

    @contextmanager
    def _session():
        conn = connect(url)
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()

    return _session()
