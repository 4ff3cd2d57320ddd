"""Upgrading a database made by an older audit-worker, in place.

Version 1 had no foreign keys from `facts`, `numbers`, `alerts`, the ledger
tables and the delivery history to their parents, offsets named `start` and
`"end"` and a column named `"where"`, and stored operator alerts with
`report_id = 0`. SQLite cannot add a foreign key to an existing table, so
version 2 rebuilds each of those tables with SQLite's documented procedure
(https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off,
one transaction, create the new table, copy, drop the old one, rename, check
`PRAGMA foreign_key_check`, commit. Either the whole upgrade is committed or
nothing changed.

Version 3 stores each number of a fact once (worker/schema_v3.py rewrites
`facts` and `numbers`, in the same transaction). Version 4 keys facts by
report and sequence and stores their names and JSON once per distinct string
(worker/schema_v4.py, the same transaction again).

Rows that cannot satisfy a foreign key are settled before the check, never by
dropping an alert: an alert whose report is gone keeps its row with
`report_id` NULL and an `alert_events` note naming the old id; parsed rows of
a report that is gone (facts, numbers, ledger, …) are unreachable and removed.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from contextlib import AbstractContextManager
from typing import Callable

from worker import schema_v3, schema_v4, schema_views

log = logging.getLogger("audit_worker.storage")

# Tables rebuilt by the upgrade to version 2, parents before children.
REBUILT = ("reports", "documents", "facts", "numbers", "alerts", "alert_events", "delivery_recipients",
           "doc_tables", "ledger", "statements", "readings", "report_features")

# (table, old column) -> new column.
RENAMED = {
    ("numbers", "start"): "raw_start", ("numbers", "end"): "raw_end",
    ("ledger", "start"): "raw_start", ("ledger", "end"): "raw_end", ("ledger", "where"): "found_in",
    ("doc_tables", "start"): "table_start", ("doc_tables", "end"): "table_end",
}

# Children removed when their parent row is missing (they cannot be reached).
_ORPHANS = (
    ("documents", "report_id", "reports"), ("facts", "report_id", "reports"),
    ("numbers", "report_id", "reports"), ("numbers", "fact_id", "facts"),
    ("doc_tables", "report_id", "reports"), ("ledger", "report_id", "reports"),
    ("statements", "report_id", "reports"), ("readings", "report_id", "reports"),
    ("report_features", "report_id", "reports"), ("delivery_recipients", "delivery_id", "deliveries"),
    ("alert_events", "alert_id", "alerts"),
)

_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \(")


def create_statements(ddl: str) -> dict[str, str]:
    """table name -> its CREATE TABLE statement, from the schema's DDL text."""
    out = {}
    for stmt in ddl.split(";\n"):
        m = _CREATE.search(stmt)
        if m:
            out[m.group(1)] = stmt.strip()
    return out


def stored_version(conn: sqlite3.Connection) -> int | None:
    """The schema version recorded in `meta`; None for a new (empty) database.
    A database with tables but no version is from before versions: 1."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "reports" not in tables:
        return None
    if "meta" not in tables:
        return 1
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else 1


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _rebuild(conn: sqlite3.Connection, table: str, create: str) -> None:
    """One table rebuilt to `create`: copy the columns both have (renamed ones
    included); columns new to the table take their defaults."""
    conn.execute(create.replace(f"CREATE TABLE IF NOT EXISTS {table} (", f'CREATE TABLE "new_{table}" (', 1))
    new = set(_columns(conn, f"new_{table}"))
    pairs = [(old, RENAMED.get((table, old), old)) for old in _columns(conn, table)]
    pairs = [(o, n) for o, n in pairs if n in new]
    src = ", ".join(f'"{o}"' for o, _ in pairs)
    dst = ", ".join(f'"{n}"' for _, n in pairs)
    conn.execute(f'INSERT INTO "new_{table}" ({dst}) SELECT {src} FROM "{table}"')
    conn.execute(f'DROP TABLE "{table}"')
    conn.execute(f'ALTER TABLE "new_{table}" RENAME TO "{table}"')


def _settle(conn: sqlite3.Connection, now: str) -> dict[str, int]:
    """Rows whose parent is missing: alerts are kept (report_id NULL, with a
    note), unreachable parsed rows removed. Returns what was done, per table."""
    done: dict[str, int] = {}
    done["operator alerts"] = conn.execute("UPDATE alerts SET report_id = NULL WHERE report_id = 0").rowcount
    lost = conn.execute("SELECT id, report_id FROM alerts WHERE report_id IS NOT NULL"
                        " AND report_id NOT IN (SELECT id FROM reports)").fetchall()
    for alert_id, report_id in lost:
        conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'migrated', ?, ?)",
                     (alert_id, now, f"report #{report_id} was no longer in the database; report_id set to NULL"))
        conn.execute("UPDATE alerts SET report_id = NULL WHERE id = ?", (alert_id,))
    done["alerts without their report"] = len(lost)
    conn.execute("UPDATE reports SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL"
                 " AND duplicate_of NOT IN (SELECT id FROM reports)")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for child, col, parent in _ORPHANS:
        if child in tables and parent in tables:
            n = conn.execute(f'DELETE FROM "{child}" WHERE "{col}" NOT IN (SELECT id FROM "{parent}")').rowcount
            key = f"{child} rows without their {parent[:-1]}"
            done[key] = done.get(key, 0) + n
    return {k: v for k, v in done.items() if v}


def upgrade(conn: sqlite3.Connection, ddl: str, tx: Callable[[], AbstractContextManager], now: str,
            target: int) -> int | None:
    """Bring a version 1, 2 or 3 database to `target` (4) in one transaction.
    Returns the version found (None: a new database, nothing to do)."""
    found = stored_version(conn)
    if found is None or found >= target:
        return found
    creates = create_statements(ddl)
    settled: dict[str, int] = {}
    conn.execute("PRAGMA foreign_keys=OFF")          # has no effect inside a transaction
    # A rename must not re-check triggers that read the views dropped below
    # (the inbox's search triggers read alert_quotes): they work again once
    # the views are made again, before this opening ends.
    conn.execute("PRAGMA legacy_alter_table=ON")
    try:
        with tx():
            found = stored_version(conn)             # another process may have upgraded meanwhile
            if found is None or found >= target:
                return found
            # A view naming a table being rebuilt stops the rename; ours are
            # made again by schema_views, anyone else's restored if they still work.
            views = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall()
            for name, _ in views:
                conn.execute(f'DROP VIEW "{name}"')
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if found < 2:
                for table in REBUILT:
                    if table in tables:
                        # facts and numbers as schema 2 had them: the step to 3 reads that form
                        _rebuild(conn, table, schema_v3.V2_CREATES.get(table) or creates[table])
                settled = _settle(conn, now)
            if found < 3 and "facts" in tables and "numbers" in tables:
                settled.update({f"{k} rewritten": v for k, v in schema_v3.convert(conn).items() if v})
            if found < 4 and "facts" in tables and "numbers" in tables:
                settled.update({f"{k} keyed by report": v for k, v in schema_v4.convert(conn, creates).items() if v})
            bad = conn.execute("PRAGMA foreign_key_check").fetchall()
            if bad:
                first = bad[0]
                raise sqlite3.IntegrityError(
                    f"upgrading the database to schema {target} found {len(bad)} rows whose parent is missing "
                    f"(first: {first[0]} row {first[1]} -> {first[2]}); nothing was changed")
            for name, sql in views:
                if not schema_views.is_ours(name):
                    try:
                        conn.execute(sql)
                        conn.execute(f'SELECT * FROM "{name}" LIMIT 0').fetchall()   # columns resolve on use
                    except sqlite3.Error as e:
                        conn.execute(f'DROP VIEW IF EXISTS "{name}"')
                        log.warning("view %s no longer works on schema %d and was dropped: %s", name, target, e)
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)"
                         " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(target),))
    finally:
        conn.execute("PRAGMA legacy_alter_table=OFF")
        conn.execute("PRAGMA foreign_keys=ON")
    log.info("database upgraded from schema %d to %d%s", found, target,
             "".join(f"; {k}: {v}" for k, v in settled.items()))
    return found
