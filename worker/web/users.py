"""The web view's users and their roles, over an open SQLite connection.

Roles are ordered: a viewer reads; an auditor also acknowledges, silences and
gives verdicts; an admin also reads the audit log. Users are made with
`audit-worker users add` (worker/cli/users.py), never from the web."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from worker.web import passwords

ROLES = ("viewer", "auditor", "admin")


def rank(role: str | None) -> int:
    return ROLES.index(role) + 1 if role in ROLES else 0


@dataclass(frozen=True)
class User:
    name: str
    role: str
    session_version: int = 0
    anonymous: bool = False

    def can(self, role: str) -> bool:
        return rank(self.role) >= rank(role)


ANONYMOUS = User("", "viewer", anonymous=True)     # when [web] public_read = true


class UserError(ValueError):
    pass


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() or ord(ch) < 32 for ch in name):
        raise UserError(f"a user name is 1–64 characters without spaces or control characters, got {name!r}")
    return name


def add(conn: sqlite3.Connection, name: str, role: str, password: str, at: str) -> None:
    name = _check_name(name)
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; the roles are: {', '.join(ROLES)}")
    try:
        passwords.check_strength(password, name)
    except passwords.WeakPassword as e:
        raise UserError(str(e)) from None
    if conn.execute("SELECT 1 FROM web_users WHERE name = ?", (name,)).fetchone():
        raise UserError(f"user {name!r} exists; change the password with `audit-worker users passwd {name}`")
    conn.execute("INSERT INTO web_users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                 (name, role, passwords.hash_password(password), at))


def set_password(conn: sqlite3.Connection, name: str, password: str) -> None:
    try:
        passwords.check_strength(password, name)
    except passwords.WeakPassword as e:
        raise UserError(str(e)) from None
    cur = conn.execute("UPDATE web_users SET password_hash = ?, session_version = session_version + 1"
                       " WHERE name = ?", (passwords.hash_password(password), name))
    if cur.rowcount == 0:
        raise UserError(f"no user {name!r}; see `audit-worker users list`")


def set_active(conn: sqlite3.Connection, name: str, active: bool) -> None:
    cur = conn.execute("UPDATE web_users SET active = ?, session_version = session_version + 1 WHERE name = ?",
                       (int(active), name))
    if cur.rowcount == 0:
        raise UserError(f"no user {name!r}; see `audit-worker users list`")


def set_role(conn: sqlite3.Connection, name: str, role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; the roles are: {', '.join(ROLES)}")
    cur = conn.execute("UPDATE web_users SET role = ? WHERE name = ?", (role, name))
    if cur.rowcount == 0:
        raise UserError(f"no user {name!r}; see `audit-worker users list`")


def find(conn: sqlite3.Connection, name: str) -> User | None:
    """The active user of that name, or None."""
    row = conn.execute("SELECT name, role, session_version FROM web_users WHERE name = ? AND active = 1",
                       (name,)).fetchone()
    return User(row[0], row[1], row[2]) if row else None


def check_login(conn: sqlite3.Connection, name: str, password: str) -> User | None:
    """The user when the password is right and the user active; None otherwise (same cost either way)."""
    row = conn.execute("SELECT name, role, session_version, password_hash, active FROM web_users WHERE name = ?",
                       (name.strip(),)).fetchone()
    ok = passwords.verify(password, row[3] if row else passwords.DUMMY)
    if row is None or not ok or not row[4]:
        return None
    return User(row[0], row[1], row[2])


def listing(conn: sqlite3.Connection) -> list[dict]:
    return [dict(zip(("name", "role", "active", "created_at", "last_login_at"), r)) for r in conn.execute(
        "SELECT name, role, active, created_at, last_login_at FROM web_users ORDER BY name")]
