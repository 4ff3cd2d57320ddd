"""The audit log of the web view: one row per login, logout and action, never changed afterwards."""
from __future__ import annotations

import sqlite3

from worker.storage import now_iso


def record(conn: sqlite3.Connection, user: str | None, role: str | None, action: str, target: str = "",
           detail: str = "", address: str = "") -> None:
    conn.execute("INSERT INTO web_audit (at, \"user\", role, action, target, detail, address)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)", (now_iso(), user, role, action, target, detail, address))


def failures_since(conn: sqlite3.Connection, name: str, since: str) -> int:
    """Failed logins for `name` since the ISO time `since` (the lockout counts them)."""
    return conn.execute("SELECT count(*) FROM web_audit WHERE \"user\" = ? AND action = 'login_failed' AND at >= ?",
                        (name, since)).fetchone()[0]


def recent(conn: sqlite3.Connection, limit: int = 200, before: int | None = None) -> list[dict]:
    sql = "SELECT id, at, \"user\", role, action, target, detail, address FROM web_audit"
    args: list = []
    if before is not None:
        sql += " WHERE id < ?"
        args.append(before)
    return [dict(r) for r in conn.execute(sql + " ORDER BY id DESC LIMIT ?", args + [limit])]
