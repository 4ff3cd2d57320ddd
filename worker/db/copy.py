"""Moving an installation: every stored row from one database to another (`audit-worker db copy`).

SQLite → PostgreSQL is the move the issue asks for; SQLite → SQLite and
PostgreSQL → SQLite work the same way. Both stores are opened with `Store`, so
each is at this version's schema (the target's tables are made, an older
source is upgraded as any command would upgrade it). Then, in ONE transaction
on the target (all or nothing; on PostgreSQL it also holds the write lock, so
no worker writes meanwhile):

* a target that already holds data is refused (never a silent merge into a
  live database); `force=True` empties it first;
* tables are copied parents first (the target's foreign keys give the order),
  ids kept, rows streamed in batches from one snapshot of the source (COPY on
  PostgreSQL, executemany on SQLite), bytes as bytes; a column that points into
  its own table (`reports.duplicate_of`) is filled in a second pass;
* derived objects are not copied: views, SQLite's full-text search
  (alert_text, alert_search*: a SQLite target rebuilds them), sqlite_* tables
  and the meta keys that describe the store's own schema;
* PostgreSQL's identity sequences are set past the largest id, so the next
  insert gets a fresh id;
* the row count of every table is compared with the source's before COMMIT.

PDFs kept beside an SQLite source (`originals/`, not in the database) are
carried over after the commit: into a PostgreSQL target's `blobs`, or into an
SQLite target's own `originals/` (`carry_originals`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from worker.db.errors import DatabaseFault

BATCH = 2000                 # rows per batch at most...
BATCH_BYTES = 4 << 20        # ...and about this much text and bytes (reports' texts, blobs' PDFs)
# Derived or engine-owned: never copied (a SQLite target rebuilds its search index itself).
SKIP_TABLES = {"alert_text", "sqlite_master", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}
SKIP_PREFIXES = ("alert_search", "sqlite_")
# meta keys written by the schema check, describing the store's own objects (its views, its FTS index).
SCHEMA_META = {"schema_version", "views_sha", "alert_search_version"}


try:
    from psycopg import Error as _PgError
    _ERRORS: tuple[type[BaseException], ...] = (_PgError,)
except ImportError:             # an SQLite-only install: no psycopg, no raw PostgreSQL errors
    _ERRORS = ()


class CopyRefused(Exception):
    """The copy was not started (a target holding data, the same database twice); nothing was written."""


@dataclass
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass
class CopyResult:
    source: str
    target: str
    tables: list[TableCount] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)      # source tables the target does not have
    seconds: float = 0.0
    originals: int = 0                                     # kept PDFs carried over (see `carry_originals`)

    @property
    def rows(self) -> int:
        return sum(t.target for t in self.tables)

    def text(self) -> str:
        w = max([len(t.table) for t in self.tables] + [5])
        lines = [f"{'table':<{w}}  {'source':>9}  {'target':>9}"]
        lines += [f"{t.table:<{w}}  {t.source:>9}  {t.target:>9}" + ("" if t.ok else "  MISMATCH")
                  for t in self.tables]
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        lines.append(f"{len(self.tables)} tables, {self.rows} rows copied from {self.source} to {self.target} "
                     f"in {self.seconds:.1f} s ({rate:,.0f} rows/s); row counts verified")
        if self.originals:
            lines.append(f"{self.originals} PDF originals kept beside the source (originals/) carried over"
                         + (" into the blobs table" if self.target.startswith("postgresql:") else ""))
        if self.skipped:
            lines.append("not copied (not in the target's schema): " + ", ".join(self.skipped))
        return "\n".join(lines)


def derived(table: str) -> bool:
    return table in SKIP_TABLES or table.startswith(SKIP_PREFIXES)


# -- the schema, read from either store --------------------------------------------------------
def tables(conn, with_derived: bool = False) -> list[str]:
    """Base tables (not views), derived ones left out unless `with_derived` (sqlite_* never)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return [n for n in names if not n.startswith("sqlite_") and (with_derived or not derived(n))]


def columns(conn, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def foreign_keys(conn) -> list[tuple[str, str, str]]:
    """(table, column, parent table) for every foreign key of the store."""
    if getattr(conn, "dialect", "sqlite") == "postgresql":
        return [tuple(r) for r in conn.raw.execute(
            "SELECT cl.relname::text, a.attname::text, rf.relname::text FROM pg_constraint c"
            " JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid"
            " JOIN pg_namespace n ON n.oid = cl.relnamespace"
            " CROSS JOIN LATERAL unnest(c.conkey) AS k(attnum)"
            " JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = k.attnum"
            " WHERE c.contype = 'f' AND n.nspname = current_schema()").fetchall()]
    out = []
    for t in tables(conn):
        out += [(t, r["from"], r["table"]) for r in conn.execute(f"PRAGMA foreign_key_list({t})")]
    return out


def in_order(names: list[str], fks: list[tuple[str, str, str]]) -> list[str]:
    """`names` with every table after the tables it references (self-references aside)."""
    parents: dict[str, set[str]] = {n: set() for n in names}
    for child, _col, parent in fks:
        if child in parents and parent in parents and parent != child:
            parents[child].add(parent)
    done: list[str] = []
    left = sorted(names)
    while left:
        ready = [t for t in left if parents[t] <= set(done)]
        if not ready:
            raise DatabaseFault(f"the tables {', '.join(left)} reference each other in a cycle: no copy order")
        done += ready
        left = [t for t in left if t not in ready]
    return done


# -- reading the source in one snapshot --------------------------------------------------------
class Reader:
    """Rows of the source, streamed (bounded memory), all from one snapshot."""

    def __init__(self, store):
        self.conn = store.conn
        self.pg = store.is_postgres
        self.conn.execute("BEGIN")        # SQLite: a read snapshot (WAL); PostgreSQL: REPEATABLE READ
        self._n = 0

    def count(self, table: str) -> int:
        return int(self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])

    def rows(self, table: str, cols: list[str], where: str = "") -> Iterator[list[tuple]]:
        sql = f'SELECT {", ".join(cols)} FROM "{table}" {where}'
        if self.pg:
            self._n += 1
            from psycopg.rows import tuple_row

            cur = self.conn.raw.cursor(name=f"copy_{self._n}", row_factory=tuple_row)    # server side: streamed
        else:
            cur = self.conn.cursor()
            cur.row_factory = None                                  # plain tuples
        try:
            cur.execute(sql)
            n = first = min(64, BATCH)
            while batch := cur.fetchmany(n):
                yield batch
                if n == first:                 # the batch size from the first rows' size
                    n = max(min(4, BATCH), min(BATCH, int(BATCH_BYTES / _row_bytes(batch))))
        finally:
            cur.close()

    def close(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


def _row_bytes(batch: list[tuple]) -> float:
    """About how much memory a row of `batch` takes (a CJK character: 2 bytes in a str)."""
    size = sum(2 * len(v) if isinstance(v, str) else len(v) if isinstance(v, (bytes, memoryview)) else 8
               for r in batch for v in r)
    return max(1.0, size / len(batch))


# -- writing the target -------------------------------------------------------------------------
def _quoted(cols: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in cols)


def _write(conn, pg: bool, table: str, cols: list[str], batches: Iterator[list[tuple]]) -> None:
    if pg:
        with conn.raw.cursor() as cur:
            with cur.copy(f'COPY "{table}" ({_quoted(cols)}) FROM STDIN') as cp:
                for batch in batches:
                    for row in batch:
                        cp.write_row(row)
        return
    sql = f'INSERT INTO "{table}" ({_quoted(cols)}) VALUES ({", ".join("?" for _ in cols)})'
    for batch in batches:
        conn.executemany(sql, batch)


def _held(conn, names: list[str]) -> list[tuple[str, int]]:
    """Tables of the target that hold rows (meta aside: the schema check writes it)."""
    out = []
    for t in names:
        n = (conn.execute(f'SELECT count(*) FROM "{t}" WHERE key NOT IN ({", ".join("?" for _ in SCHEMA_META)})',
                          sorted(SCHEMA_META)) if t == "meta" else conn.execute(f'SELECT count(*) FROM "{t}"'))
        k = int(n.fetchone()[0])
        if k:
            out.append((t, k))
    return out


def _empty(conn, pg: bool, order: list[str]) -> None:
    if pg:
        # TRUNCATE fires no row triggers: a derived table kept by them (a search table) is emptied with the rest
        extra = [t for t in tables(conn, with_derived=True) if derived(t)]
        rest = [t for t in order if t != "meta"] + extra
        if rest:
            conn.execute(f"TRUNCATE {', '.join(chr(34) + t + chr(34) for t in rest)} CASCADE")
    else:
        for t in reversed(order):
            if t != "meta":
                conn.execute(f'DELETE FROM "{t}"')
    if "meta" in order:
        conn.execute(f'DELETE FROM meta WHERE key NOT IN ({", ".join("?" for _ in SCHEMA_META)})',
                     sorted(SCHEMA_META))


def _set_sequences(conn, order: list[str]) -> None:
    """Each identity column past its largest id (an empty table: back to 1)."""
    ident = {r[0] for r in conn.raw.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND column_name = 'id' AND is_identity = 'YES'").fetchall()}
    for t in order:
        if t in ident:
            conn.raw.execute(f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), "
                             f"COALESCE((SELECT max(id) FROM \"{t}\"), 0) + 1, false)")


def _drop_search_triggers(conn) -> None:
    """A SQLite target's alert_text triggers would fire per copied alert: off, rebuilt once after."""
    from alerts import search

    for name in search.TRIGGERS:
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    conn.execute("DELETE FROM meta WHERE key = ?", (search.META_KEY,))


def _same(a, b) -> bool:
    import os

    if a.is_postgres != b.is_postgres:
        return False
    return a.path == b.path if a.is_postgres else os.path.realpath(a.path) == os.path.realpath(b.path)


def copy(source, target, *, force: bool = False,
         progress: Callable[[TableCount], None] | None = None) -> CopyResult:
    """Copy every table of `source` (a Store) into `target` (a Store); see the module's docstring.
    Raises CopyRefused before writing anything, DatabaseFault when the copy failed (rolled back)."""
    import sqlite3

    if _same(source, target):
        raise CopyRefused(f"--from and --to name the same database ({source.path})")
    started = time.perf_counter()
    result = CopyResult(source=source.path, target=target.path)
    src_tables = tables(source.conn)
    dst_tables = set(tables(target.conn))
    result.skipped = [t for t in src_tables if t not in dst_tables]
    fks = foreign_keys(target.conn)
    order = in_order([t for t in src_tables if t in dst_tables], fks)
    reader = Reader(source)
    current = "(before the first table)"
    try:
        with target.tx() as conn:
            held = sorted(_held(conn, order), key=lambda h: h[0] != "reports")     # reports first
            if held and not force:
                raise CopyRefused(
                    f"the target {target.path} already holds data ("
                    + ", ".join(f"{n} {t}" for t, n in held[:6]) + (", …" if len(held) > 6 else "")
                    + "): refusing to merge into it. Copy into a new, empty database, or pass --force to "
                      "REPLACE everything the target holds with the source's rows. Nothing was written.")
            if held:
                _empty(conn, target.is_postgres, order)
            if not target.is_postgres:
                _drop_search_triggers(conn)
            for t in order:
                current = t
                result.tables.append(_copy_table(reader, conn, target.is_postgres, t, fks))
                if progress:
                    progress(result.tables[-1])
            if target.is_postgres:
                _set_sequences(conn, order)
            else:
                from alerts import search

                search.ensure(conn)         # alert_text and its index filled from the copied alerts
            bad = [t for t in result.tables if not t.ok]
            if bad:
                raise DatabaseFault("row counts differ after the copy (" + ", ".join(
                    f"{t.table}: {t.source} in the source, {t.target} in the target" for t in bad)
                    + "); rolled back, nothing was written")
    except _ERRORS + (sqlite3.Error,) as e:     # psycopg's own from COPY and the catalogue reads on .raw
        from worker.db.errors import describe_error

        raise DatabaseFault(f"copy failed (rolled back, nothing was written) at table {current}: "
                            + describe_error(e, target.path, target.timeout)) from None
    finally:
        reader.close()
    result.originals = carry_originals(source, target)
    result.seconds = time.perf_counter() - started
    return result


def carry_originals(source, target) -> int:
    """PDFs kept beside an SQLite source ([storage] keep_originals: originals/<sha256>.pdf) for the copied
    documents. A PostgreSQL target has no folder beside it: they go into its `blobs` (compressed, as a
    fetched document's bytes are), where the web view's page images look next; an SQLite target in
    another folder gets the files in its own originals/. One file in memory at a time."""
    import hashlib
    import zlib

    from worker import originals

    folder = None if source.is_postgres else originals.directory(source.path)
    if folder is None or not folder.is_dir():
        return 0
    dest = None if target.is_postgres else originals.directory(target.path)
    if dest == folder:
        return 0
    shas = [r[0] for r in target.conn.execute("SELECT DISTINCT sha256 FROM documents WHERE sha256 IS NOT NULL")]
    done = 0
    for sha in shas:
        path = originals._name(folder, sha)
        if path is None or not path.is_file():
            continue
        if dest is not None and (dest / path.name).is_file():
            continue
        if dest is None and target.conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha,)).fetchone():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            continue                     # not the bytes its name says (originals.load ignores it too)
        done += 1
        if dest is not None:
            originals.keep(dest, data, len(data))
            continue
        with target.tx() as c:
            c.execute("INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                      (sha, len(data), zlib.compress(data, 6)))
    return done


def _copy_table(reader: Reader, conn, pg: bool, table: str, fks: list[tuple[str, str, str]]) -> TableCount:
    src_cols = columns(reader.conn, table)
    dst_cols = set(columns(conn, table))
    cols = [c for c in src_cols if c in dst_cols]
    count = TableCount(table, reader.count(table), 0)
    # A column pointing into its own table: NULL first, set once every row is there.
    own = [c for t, c, p in fks if t == table and p == table and c in cols]
    where = ""
    if table == "meta":
        have = [r[0] for r in conn.execute("SELECT key FROM meta")]
        skip = sorted(SCHEMA_META | set(have))
        where = f"WHERE key NOT IN ({', '.join(_literal(k) for k in skip)})"
        count.source = len(have) + sum(len(b) for b in reader.rows(table, ["key"], where))
    select = [f"NULL AS {c}" if c in own else f'"{c}"' for c in cols]
    batches = reader.rows(table, select, where)
    try:
        _write(conn, pg, table, cols, batches)
    finally:
        batches.close()           # its cursor closed now, not when an error's traceback lets it go
    for c in own:
        for batch in reader.rows(table, ["id", f'"{c}"'], f'WHERE "{c}" IS NOT NULL'):
            conn.executemany(f'UPDATE "{table}" SET "{c}" = ? WHERE id = ?', [(v, i) for i, v in batch])
    count.target = int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    return count


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"
