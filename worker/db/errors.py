"""Database errors phrased for the operator: what happened and what to do."""
from __future__ import annotations

from worker.db.urls import is_postgres, redact


class DatabaseFault(Exception):
    """A database error phrased for the operator: what happened and what to do."""


def describe_error(e: BaseException, path: str, timeout: float | None = None) -> str:
    """One line for a database error: corrupt, full, locked, unreadable, unreachable."""
    msg = str(e)
    low = msg.lower()
    if is_postgres(path):
        return _describe_postgres(msg, low, redact(path), timeout)
    if "locked" in low or "busy" in low:
        waited = f" after waiting {timeout:g} s" if timeout is not None else ""
        return (f"database {path} is locked by another process; gave up{waited} ([storage] busy_timeout_s). "
                f"Nothing was lost: run the command again when the other one has finished.")
    if "full" in low:
        return (f"database {path} is full ({msg}): free disk space (or raise [storage] max_size_mb) and run the "
                f"command again; work already committed is kept.")
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (f"database {path} is corrupt ({msg}): restore it from a backup or move it aside "
                f"(`sqlite3 FILE .recover` may save its contents); nothing was run.")
    if "unable to open" in low or "readonly" in low or "read-only" in low:
        return f"database {path} cannot be opened for writing ({msg}): check the path and its permissions."
    if "disk i/o" in low:
        return f"database {path}: the disk reported an I/O error ({msg}); check the disk, then run again."
    return f"database {path}: {type(e).__name__}: {msg}"


def _describe_postgres(msg: str, low: str, url: str, timeout: float | None) -> str:
    if "locked" in low or "lock timeout" in low:
        waited = f" after waiting {timeout:g} s" if timeout is not None else ""
        return (f"database {url}: another worker held the write lock; gave up{waited} ([storage] busy_timeout_s). "
                f"Nothing was lost: run the command again.")
    if "password authentication failed" in low or "no password supplied" in low:
        return (f"database {url}: the server refused the login ({msg}); set AUDIT_WORKER_DB_PASSWORD (or "
                f"PGPASSWORD) in the environment to the role's password.")
    if "does not exist" in low and "database" in low:
        return f"database {url} does not exist on that server: create it (createdb) or fix [database] url."
    if "connect" in low or "connection" in low or "server closed" in low or "terminating" in low:
        return (f"database {url} cannot be reached ({msg}): check that the PostgreSQL server is running and "
                f"that [database] url names it; nothing was lost, run again when it answers.")
    if "no space" in low or "disk full" in low:
        return f"database {url}: the server's disk is full ({msg}); free space there and run again."
    if "read-only" in low:
        return f"database {url} is read-only for this role ({msg}): grant it write access."
    return f"database {url}: {msg}"
