"""`[database] url` (or `path`, or `--db`): which store, and how to reach it.

* a path, or `sqlite:///relative.db` / `sqlite:////absolute.db`: an SQLite file;
* `postgresql://user@host:port/dbname` (or `?host=/socket/dir`): a PostgreSQL
  database. The password is never written in the URL (it would sit in
  config.toml, in `ps` and in logs): it comes from the environment,
  `AUDIT_WORKER_DB_PASSWORD` (or libpq's own PGPASSWORD / ~/.pgpass).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PASSWORD_ENV = "AUDIT_WORKER_DB_PASSWORD"


class DatabaseURLError(ValueError):
    """A database URL that cannot be used, in words an operator can act on."""


@dataclass(frozen=True)
class DatabaseTarget:
    kind: str            # "sqlite" | "postgresql"
    location: str        # the file's path, or the URL without a password

    @property
    def is_postgres(self) -> bool:
        return self.kind == "postgresql"

    def dsn(self) -> str:
        """The URL to connect with: the password added from the environment when set."""
        if not self.is_postgres:
            raise DatabaseURLError("an SQLite database has no connection URL")
        pw = os.environ.get(PASSWORD_ENV)
        if not pw:
            return self.location
        from urllib.parse import quote

        p = urlsplit(self.location)
        user = p.username or ""
        host = p.hostname or ""
        port = f":{p.port}" if p.port else ""
        return urlunsplit((p.scheme, f"{quote(user, safe='')}:{quote(pw, safe='')}@{host}{port}", p.path,
                           p.query, p.fragment))

    def __str__(self) -> str:
        return self.location


def is_postgres(value: str | os.PathLike) -> bool:
    v = str(value)
    return v.startswith(("postgresql://", "postgres://"))


def target(value: str | os.PathLike, base: Path | None = None) -> DatabaseTarget:
    """Read a path or URL; a relative SQLite path is taken from `base` (the config's folder)."""
    v = str(value).strip()
    if is_postgres(v):
        p = urlsplit(v)
        if p.password is not None:
            raise DatabaseURLError(
                f"the database URL {redact(v)} carries a password: take it out and set {PASSWORD_ENV} "
                f"(or PGPASSWORD) in the environment instead, so it is in no file, log or process list")
        if not p.path.strip("/"):
            raise DatabaseURLError(f"the database URL {v} names no database (postgresql://user@host/DBNAME)")
        return DatabaseTarget("postgresql", v.replace("postgres://", "postgresql://", 1))
    if v.startswith("sqlite:"):
        rest = v[len("sqlite:"):]
        if not rest.startswith("///"):
            raise DatabaseURLError(f"{v}: an SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db")
        v = rest[3:]
        if not v:
            raise DatabaseURLError("sqlite:/// names no file")
    if "://" in v:
        raise DatabaseURLError(f"{redact(v)}: not a database this version knows (a path, sqlite:///…, postgresql://…)")
    path = Path(v).expanduser()
    if base is not None and not path.is_absolute() and v != ":memory:":
        path = base / path
    return DatabaseTarget("sqlite", v if v == ":memory:" else str(path))


def redact(url: str) -> str:
    """The URL with any password replaced by ***, for messages and logs."""
    try:
        p = urlsplit(url)
        if p.password is None:
            return url
        netloc = p.netloc.replace(f":{p.password}@", ":***@", 1)
        return urlunsplit((p.scheme, netloc, p.path, p.query, p.fragment))
    except ValueError:
        return "<unreadable database URL>"
