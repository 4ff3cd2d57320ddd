"""Where the database is: an SQLite file or a PostgreSQL server, and a connection to it.

`target(value)` reads `[database] url`/`path` (or `--db`); `connect(target)`
opens it. SQLite is the embedded default; PostgreSQL (worker/db/pgconn.py) is
the shared store several workers use at once.
"""
from worker.db.urls import DatabaseTarget, is_postgres, redact, target

__all__ = ["DatabaseTarget", "is_postgres", "redact", "target"]
