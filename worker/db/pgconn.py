"""A PostgreSQL connection that answers as the sqlite3 connection the stages use.

`execute`, `executemany`, `fetchone`/`fetchall`/iteration, `lastrowid`,
`rowcount`, `in_transaction`, rows readable by position and by name (as
sqlite3.Row), and errors raised as the DB-API classes the sqlite3 module
names (OperationalError for a lock wait or a lost server, IntegrityError for a
broken constraint), so the rest of the code has one set of except clauses.

The connection is in autocommit mode; a transaction is the caller's
`BEGIN … COMMIT` (worker/storage.py `Store.tx`). BEGIN also takes one
transaction-scoped advisory lock: write transactions run one at a time, as
they do on SQLite, so every read-then-write the stages do stays correct with
several workers; reads never wait, and parsing happens outside transactions.
Work is shared out between workers by leases (SELECT … FOR UPDATE SKIP LOCKED),
not by this lock.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any, Iterable, Iterator, Sequence

import psycopg
from psycopg import errors as pgerr
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus

from worker.db.pgsql import insert_table, translate

# INSERT INTO t (a, b) VALUES (?, ?) and nothing more: executemany sends it as COPY.
_PLAIN_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,\"]+)\)\s*VALUES\s*\((?:\s*\?\s*,)*\s*\?\s*\)\s*$",
                           re.I)
WRITE_LOCK = 0x61756469      # the advisory lock key every write transaction takes ('audi')


class Row(tuple):
    """A result row: by position, or by column name (case-insensitive), like sqlite3.Row."""

    __slots__ = ()
    _names: dict[str, int] = {}
    _keys: list[str] = []

    def __getitem__(self, k):      # type: ignore[override]
        if isinstance(k, str):
            try:
                return tuple.__getitem__(self, self._names[k.lower()])
            except KeyError:
                raise IndexError(f"No item with that key: {k}") from None
        return tuple.__getitem__(self, k)

    def keys(self) -> list[str]:
        return list(self._keys)


def _row_factory(cursor):
    desc = cursor.description
    if desc is None:
        return tuple
    keys = [d.name for d in desc]
    cls = type("Row", (Row,), {"__slots__": (), "_names": {k.lower(): i for i, k in enumerate(keys)},
                                "_keys": keys})
    return cls


class _NumericLoader(Loader):
    """numeric as SQLite gives it: an int when whole (SUM of integers), else a float."""

    def load(self, data):
        s = bytes(data).decode()
        if s in ("NaN", "Infinity", "-Infinity"):
            return float(s)
        return float(s) if ("." in s or "e" in s or "E" in s) else int(s)


def _params(params: Any) -> Any:
    # bool is an int to SQLite; PostgreSQL would refuse a boolean for a BIGINT column.
    if params is None:
        return ()
    if isinstance(params, dict):
        return {k: int(v) if isinstance(v, bool) else v for k, v in params.items()}
    return [int(v) if isinstance(v, bool) else v for v in params]


def convert_error(e: psycopg.Error) -> sqlite3.Error:
    msg = f"PostgreSQL: {str(e).strip()}"
    if isinstance(e, pgerr.LockNotAvailable) or isinstance(e, pgerr.QueryCanceled):
        cls: type[sqlite3.Error] = sqlite3.OperationalError
        msg = f"database is locked (PostgreSQL: {str(e).strip()})"
    elif isinstance(e, psycopg.IntegrityError):
        cls = sqlite3.IntegrityError
    elif isinstance(e, (psycopg.OperationalError, psycopg.ProgrammingError, pgerr.UndefinedTable)):
        cls = sqlite3.OperationalError
    elif isinstance(e, psycopg.DataError):
        cls = sqlite3.DataError
    else:
        cls = sqlite3.DatabaseError
    return cls(msg)


class Cursor:
    """The part of sqlite3.Cursor the stages use."""

    def __init__(self, cur: psycopg.Cursor, lastrowid: int | None = None):
        self._cur = cur
        self.lastrowid = lastrowid
        self.row_factory = None          # sqlite3 code sets this; rows are already Row

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def description(self):
        return self._cur.description

    def fetchone(self):
        try:
            return self._cur.fetchone() if self._cur.description is not None else None
        except psycopg.Error as e:
            raise convert_error(e) from e

    def fetchall(self) -> list:
        try:
            return self._cur.fetchall() if self._cur.description is not None else []
        except psycopg.Error as e:
            raise convert_error(e) from e

    def fetchmany(self, size: int = 1) -> list:
        return self._cur.fetchmany(size) if self._cur.description is not None else []

    def __iter__(self) -> Iterator:
        return iter(self.fetchall())

    def close(self) -> None:
        self._cur.close()


class _Rows:
    """A cursor over rows computed here (PRAGMA answers)."""

    lastrowid = None
    rowcount = -1
    description = None

    def __init__(self, rows: list):
        self._rows = rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list:
        return list(self._rows)

    def __iter__(self) -> Iterator:
        return iter(self._rows)


class PgConnection:
    """A psycopg connection behind sqlite3's methods; see the module's docstring."""

    dialect = "postgresql"

    def __init__(self, dsn: str, *, timeout: float = 30.0, read_only: bool = False):
        try:
            self._conn = psycopg.connect(dsn, autocommit=True, connect_timeout=max(1, int(min(timeout, 60))),
                                         row_factory=_row_factory)
        except psycopg.Error as e:
            raise convert_error(e) from e
        self._conn.adapters.register_loader("numeric", _NumericLoader)
        self.timeout = timeout
        self._ids: dict[str, bool] | None = None       # table → has an identity `id` column
        self.row_factory = None
        ms = max(1, int(timeout * 1000))
        self._conn.execute(f"SET lock_timeout = {ms}")
        if read_only:
            self._conn.execute("SET default_transaction_read_only = on")

    # -- sqlite3.Connection's API --------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._conn.info.transaction_status != TransactionStatus.IDLE

    @property
    def raw(self) -> psycopg.Connection:
        return self._conn

    def execute(self, sql: str, params: Sequence | dict | None = None) -> Cursor:
        head = sql.lstrip()[:20].upper()
        if head.startswith("BEGIN"):
            return self._begin(write="IMMEDIATE" in head)
        if head.startswith("PRAGMA"):
            return self._pragma(sql)
        table = insert_table(sql)
        q = translate(sql)
        if table is not None and self._has_id(table):
            q += " RETURNING id"
        try:
            cur = self._conn.execute(q, _params(params))
        except psycopg.Error as e:
            raise convert_error(e) from e
        lastrowid = None
        if table is not None and cur.description is not None:
            row = cur.fetchone()
            lastrowid = row[0] if row else None
        return Cursor(cur, lastrowid)

    def executemany(self, sql: str, seq: Iterable[Sequence]) -> Cursor:
        m = _PLAIN_INSERT.match(sql)
        if m:
            return self._copy(m.group(1), m.group(2), seq)
        q = translate(sql)
        cur = self._conn.cursor()
        try:
            cur.executemany(q, [_params(p) for p in seq])
        except psycopg.Error as e:
            raise convert_error(e) from e
        return Cursor(cur)

    def _copy(self, table: str, cols: str, seq: Iterable[Sequence]) -> Cursor:
        """A plain many-row INSERT as COPY: the rows stream in one go (the same
        constraints, defaults and triggers apply; a bad row fails it all)."""
        cur = self._conn.cursor()
        try:
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                for row in seq:
                    cp.write_row(_params(row))
        except psycopg.Error as e:
            raise convert_error(e) from e
        return Cursor(cur)

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()

    def cursor(self) -> "PgConnection":
        return self

    # -- helpers ---------------------------------------------------------------
    def _begin(self, write: bool) -> Cursor:
        """BEGIN IMMEDIATE: a write transaction, one at a time (the advisory lock);
        a plain BEGIN: one snapshot for several reads (REPEATABLE READ), no lock."""
        try:
            if write:
                cur = self._conn.execute("BEGIN")
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            else:
                cur = self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        except psycopg.Error as e:
            if self.in_transaction:
                self._conn.execute("ROLLBACK")
            raise convert_error(e) from e
        return Cursor(cur)

    def _pragma(self, sql: str) -> "Cursor | _Rows":
        """PRAGMA table_info(t) answers from the catalogue; SQLite's tuning pragmas mean nothing here."""
        m = re.match(r"\s*PRAGMA\s+table_info\((\w+)\)", sql, re.I)
        return _Rows(self.table_info(m.group(1)) if m else [])

    def _has_id(self, table: str) -> bool:
        if self._ids is None or table not in self._ids:
            rows = self._conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND column_name = 'id' AND is_identity = 'YES'").fetchall()
            self._ids = {r[0]: True for r in rows}
        return self._ids.get(table, False)

    def forget_schema(self) -> None:
        """Tables changed (a migration): look the identity columns up again."""
        self._ids = None

    def table_info(self, table: str) -> list[tuple]:
        """PRAGMA table_info's rows: (cid, name, type, notnull, dflt_value, pk)."""
        rows = self._conn.execute(
            "SELECT ordinal_position - 1, column_name, data_type, (is_nullable = 'NO')::int, column_default, 0"
            " FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s"
            " ORDER BY ordinal_position", (table,)).fetchall()
        return [tuple(r) for r in rows]
