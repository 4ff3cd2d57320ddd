"""The schema check done once per process and database file, not per connection.

Opening a `Store` checks and upgrades the schema (tables, columns, views, the
alerts' search index) in a write transaction. A poll opens a connection per
thread, a daemon one per cycle: re-running that check each time costs a write
lock and dozens of statements for nothing. So a process remembers, per file,
what the schema looked like once it was checked, and a later connection whose
file still looks the same skips the check.

"Looks the same" is SQLite's schema cookie (`PRAGMA schema_version`, bumped by
every CREATE, DROP or ALTER, by any process), the file's identity (device and
inode: a file deleted and made again is checked again) and the `meta` values
the check itself reads (the schema version, the views' and the search index's
versions): a newer audit-worker's upgrade, a dropped view or trigger, or a
version changed by hand all make the next connection check again.
"""
from __future__ import annotations

import os
import sqlite3
import threading

# The meta keys the check reads (worker/storage.py, worker/schema_views.py, alerts/search.py).
_KEYS = ("schema_version", "views_sha", "alert_search_version")

_lock = threading.Lock()
_checked: dict[tuple, tuple] = {}     # file identity -> fingerprint seen right after a check


def _identity(path: str) -> tuple | None:
    if path == ":memory:" or path.startswith("file:"):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (os.path.realpath(path), st.st_dev, st.st_ino)


def fingerprint(conn: sqlite3.Connection) -> tuple | None:
    """The schema cookie and the meta values the check reads, in one statement
    (None when there is no meta table yet: a new or very old database)."""
    marks = ", ".join(f"(SELECT value FROM meta WHERE key = '{k}')" for k in _KEYS)
    try:
        row = conn.execute(f"SELECT (SELECT schema_version FROM pragma_schema_version), {marks}").fetchone()
    except sqlite3.OperationalError:
        return None
    return tuple(row)


def current(path: str, conn: sqlite3.Connection, version: int) -> bool:
    """True when this process already checked this file and its schema has not
    changed since (and is at `version`): the check can be skipped."""
    ident = _identity(path)
    if ident is None:
        return False
    with _lock:
        seen = _checked.get(ident)
    if seen is None:
        return False
    fp = fingerprint(conn)
    return fp is not None and fp == seen and fp[1] == str(version)


def remember(path: str, conn: sqlite3.Connection, version: int) -> None:
    """Record the file's fingerprint right after a check (only at `version`:
    a file another process took to a newer schema is checked, and refused, again)."""
    ident = _identity(path)
    fp = fingerprint(conn) if ident is not None else None
    if fp is None or fp[1] != str(version):
        return
    with _lock:
        _checked[ident] = fp


def forget_all() -> None:
    """Forget every check (tests, and a process that wants the full check again)."""
    with _lock:
        _checked.clear()


# PostgreSQL has no schema cookie: the catalogue rows of this schema's tables, views,
# indexes, triggers and functions stand for it (a DROP and CREATE gives a new oid, an
# ALTER a new row version), so a view dropped by hand is made again, as on SQLite.
_PG_COOKIE = """SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
  SELECT 'c' || oid || ':' || xmin AS x FROM pg_class WHERE relnamespace = current_schema()::regnamespace
  UNION ALL SELECT 't' || t.oid || ':' || t.xmin FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = current_schema()::regnamespace
  UNION ALL SELECT 'p' || oid || ':' || xmin FROM pg_proc WHERE pronamespace = current_schema()::regnamespace) s"""


def _pg_fingerprint(conn) -> tuple | None:
    """A PostgreSQL store's fingerprint: the meta values the check reads (a migration by
    another process changes one of these) and the catalogue's stand-in for a schema cookie."""
    marks = ", ".join(f"(SELECT value FROM meta WHERE key = '{k}')" for k in _KEYS)
    try:
        exists = conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
        if not exists:
            return None
        return ("pg", *conn.execute(f"SELECT {marks}, ({_PG_COOKIE})").fetchone())
    except sqlite3.Error:
        return None


def current_pg(url: str, conn, version: int) -> bool:
    """As `current`, for a PostgreSQL store named by its URL."""
    with _lock:
        seen = _checked.get(("pg", url))
    if seen is None:
        return False
    fp = _pg_fingerprint(conn)
    return fp is not None and fp == seen and fp[1] == str(version)


def remember_pg(url: str, conn, version: int) -> None:
    fp = _pg_fingerprint(conn)
    if fp is None or fp[1] != str(version):
        return
    with _lock:
        _checked[("pg", url)] = fp
