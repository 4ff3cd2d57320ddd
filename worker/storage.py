"""The SQLite database: the only way stages talk to each other.

One file holds reports, their documents, the facts parsed from them (each
number with its quote), alerts, deliveries and runs. WAL mode and a busy
timeout let a CLI run and the daemon share it; every document is written in
one transaction, so a crash leaves either the old facts or the new ones.

Database faults (a corrupt file, a full disk, a lock held past
`[storage] busy_timeout_s`) become a `DatabaseFault` with one sentence an
operator can act on; the CLI prints it and exits 4. A run left "running" by a
process that died is marked `died` by the next process that opens the file.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from worker import fact_rows, ledger_store, schema_migrate, schema_once, schema_views, text_boxes, versions
from worker.fact_rows import FactRows, encode_facts
from worker.db import target as db_target
from worker.db.errors import DatabaseFault, describe_error  # noqa: F401  (re-exported)
from worker.facts import Fact, ParsedReport, ReportMeta
from worker.schema_core import DDL, SCHEMA_VERSION  # noqa: F401  (re-exported)

# Runs started on this host (or before runs recorded their host): only their pid can be checked here;
# a run of another worker machine sharing a PostgreSQL store is that machine's to judge.
# Columns added after a table was first made (an older database gets them when
# opened): runs' owner, and a report's publication and 批复 dates with where
# each was read (issue 18).
_ADDED_COLUMNS = (
    ("runs", ("pid INTEGER", "error TEXT", "host TEXT")),
    ("reports", ("published_from TEXT", "published_quote TEXT", "approved_at TEXT", "approved_quote TEXT",
                 "approved_start INTEGER", "approved_end INTEGER")),
)
_RUNNING_HERE = "SELECT id, pid FROM runs WHERE status = 'running' AND (host IS NULL OR host = ?)"


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # someone else's process: alive
        return True
    return True


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Store:
    """A connection to the database with the queries the stages need."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0, max_size_mb: float = 0):
        """`path`: an SQLite file, or a `postgresql://` URL (worker/db/urls.py);
        `timeout`: seconds to wait for another process's write lock before giving
        up; `max_size_mb`: an SQLite file may not grow beyond this (0: no cap)."""
        try:
            self.target = db_target(path)
        except ValueError as e:
            raise DatabaseFault(str(e)) from None
        self.path = self.target.location
        self.is_postgres = self.target.is_postgres
        self.timeout = float(timeout)
        self.max_size_mb = max_size_mb
        self.open_runs: set[int] = set()      # runs started here and not finished yet
        if self.is_postgres:
            self._open_postgres()
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                    check_same_thread=False)
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")      # the first read: a corrupt file fails here
            self.conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            if max_size_mb:
                page = self.conn.execute("PRAGMA page_size").fetchone()[0]
                self.conn.execute(f"PRAGMA max_page_count={max(1, int(max_size_mb * 1024 * 1024 // page))}")
        except sqlite3.Error as e:
            self.conn.close()
            raise DatabaseFault(describe_error(e, self.path, self.timeout)) from None
        self._check_schema(schema_once.current, schema_once.remember)

    def _open_postgres(self) -> None:
        from worker.db.pgconn import PgConnection

        try:
            self.conn = PgConnection(self.target.dsn(), timeout=self.timeout)
        except sqlite3.Error as e:
            raise DatabaseFault(describe_error(e, self.path, self.timeout)) from None
        self._check_schema(schema_once.current_pg, schema_once.remember_pg)

    def _check_schema(self, current, remember) -> None:
        """Migrate unless this process already checked this database (worker/schema_once.py)."""
        try:
            if current(self.path, self.conn, SCHEMA_VERSION):
                self._mark_dead_runs_if_any()
            else:
                self._migrate()
                remember(self.path, self.conn, SCHEMA_VERSION)
        except DatabaseFault:
            self.conn.close()
            raise
        except sqlite3.Error as e:
            self.conn.close()
            raise DatabaseFault(describe_error(e, self.path, self.timeout)) from None

    def _migrate(self) -> None:
        """Tables, columns and views this version needs: a new database is
        made, an older one upgraded in place (worker/schema_migrate.py)."""
        from alerts import search as alert_search
        from alerts.schema import DDL as ALERTS_DDL
        from alerts.stamps import DDL as STAMPS_DDL
        from models.schema import DDL as MODELS_DDL
        from rules.taxonomy import default as taxonomy
        from worker.sources.schema import DDL as SOURCES_DDL
        from worker.duties.store import DDL as DUTIES_DDL
        from worker.web.schema import DDL as WEB_DDL

        if self.is_postgres:
            from worker.db import pgcompat

            with self.tx():          # SQLite's functions first: the checks below and the views use them
                pgcompat.install(self.conn)
        ddl = (DDL + ALERTS_DDL + STAMPS_DDL + SOURCES_DDL + MODELS_DDL + ledger_store.DDL + WEB_DDL + text_boxes.DDL
               + DUTIES_DDL + versions.DDL)
        found = schema_migrate.stored_version(self.conn)
        if found is not None and found > SCHEMA_VERSION:
            raise DatabaseFault(f"database {self.path} was made by a newer audit-worker (schema {found}; this one "
                                f"knows {SCHEMA_VERSION}): upgrade audit-worker, or use a copy made by this version")
        if not self.is_postgres:      # PostgreSQL stores begin at schema 4: nothing older to convert
            schema_migrate.upgrade(self.conn, ddl, self.tx, now_iso(), SCHEMA_VERSION)
        with self.tx():
            for stmt in ddl.split(";\n"):
                if stmt.strip():
                    self.conn.execute(stmt)
            ledger_store.migrate(self.conn)
            self.conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                              (str(SCHEMA_VERSION),))
            for table, cols in _ADDED_COLUMNS:
                have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
                for col in cols:
                    if col.split()[0] not in have:
                        self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {col}")
            schema_views.ensure(self.conn, sorted(taxonomy().tables))
            alert_search.ensure(self.conn)       # the inbox's indexes and full-text search (after the views)
            self._mark_dead_runs()
        if self.is_postgres:
            self.conn.forget_schema()

    def _mark_dead_runs_if_any(self) -> None:
        # A read first: the write lock only when a run is to be marked.
        if any(not _alive(r["pid"]) for r in self.conn.execute(_RUNNING_HERE, (socket.gethostname(),))):
            with self.tx():
                self._mark_dead_runs()

    def _mark_dead_runs(self) -> None:
        """Runs still 'running' whose process is gone (killed, crashed, power loss) died."""
        for r in self.conn.execute(_RUNNING_HERE, (socket.gethostname(),)).fetchall():
            if not _alive(r["pid"]):
                self.conn.execute("UPDATE runs SET status = 'died', finished_at = ?, error = ? WHERE id = ?",
                                  (now_iso(), f"process {r['pid'] or '?'} ended without finishing the run "
                                              f"(killed or crashed)", r["id"]))

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all or nothing (BEGIN IMMEDIATE takes the write lock).

        The busy handler waits up to `timeout` for another process's lock; the
        loop only covers a busy answer that skipped it, within the same
        deadline, so a locked database ends the command in `timeout` seconds."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if ("locked" not in str(e) and "busy" not in str(e)) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)
        try:
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # SQLite may already have rolled back (a full disk does); keep the first error.
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def quick_check(self) -> tuple[bool, str]:
        """PRAGMA quick_check: (ok, the first problems found). PostgreSQL checks
        its own pages; there the question is whether the server answers."""
        if self.is_postgres:
            try:
                self.conn.execute("SELECT 1").fetchone()
            except sqlite3.Error as e:
                return False, str(e)
            return True, "ok"
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.Error as e:
            return False, str(e)
        ok = rows == ["ok"]
        return ok, "ok" if ok else "; ".join(rows)

    def close(self) -> None:
        self.conn.close()

    # -- reports ------------------------------------------------------------
    def report_by_key(self, key: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM reports WHERE key = ?", (key,)).fetchone()

    def report(self, report_id: int) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()

    def parsed_report_with_sha(self, sha: str, other_than: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM reports WHERE content_sha = ? AND key != ? AND status = 'parsed' ORDER BY id LIMIT 1",
            (sha, other_than)).fetchone()

    def upsert_report_row(self, conn: sqlite3.Connection, key: str, source: str, **fields) -> int:
        ts = now_iso()
        row = conn.execute("SELECT id FROM reports WHERE key = ?", (key,)).fetchone()
        if row is None:
            cols = {"key": key, "source": source, "first_seen": ts, "updated_at": ts, **fields}
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" for _ in cols)
            cur = conn.execute(f"INSERT INTO reports ({names}) VALUES ({marks})", list(cols.values()))
            return int(cur.lastrowid)
        cols = {"source": source, "updated_at": ts, **fields}
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        conn.execute(f"UPDATE reports SET {sets} WHERE id = ?", [*cols.values(), row["id"]])
        return int(row["id"])

    def save_parsed(self, conn: sqlite3.Connection, report_id: int, parsed: ParsedReport,
                    rows: FactRows | None = None) -> int:
        """Replace a report's facts (and their numbers) with freshly parsed ones.
        `rows` are the facts already encoded (by a parser process)."""
        rows = rows or encode_facts(parsed)
        if rows.ledger is None and parsed.reading is not None:
            rows.ledger = ledger_store.encode(parsed.reading)
        if rows.ledger is not None:
            ledger_store.save(conn, report_id, rows.ledger)
        else:
            ledger_store.delete(conn, report_id)      # no reading: no stale ledger either
        fact_rows.save(conn, report_id, rows)
        return len(rows.facts)

    @staticmethod
    def _drop_facts(conn, report_id: int) -> None:
        fact_rows.delete(conn, report_id)

    def clear_parsed(self, conn, report_id: int) -> None:
        """Drop what was parsed from a report (facts, numbers, ledger): a report
        that no longer parses, or is left out by a bound, keeps no stale facts."""
        self._drop_facts(conn, report_id)
        ledger_store.delete(conn, report_id)
        text_boxes.delete(conn, report_id)

    def facts(self, report_id: int, kinds: tuple[str, ...] | None = None) -> list[Fact]:
        row = self.conn.execute("SELECT text FROM reports WHERE id = ?", (report_id,)).fetchone()
        return fact_rows.load(self.conn, report_id, row["text"] if row else None, kinds)

    def parsed_report(self, report_id: int) -> ParsedReport | None:
        row = self.report(report_id)
        if row is None or row["status"] != "parsed":
            return None
        facts = self.facts(report_id)
        meta = next((f for f in facts if isinstance(f, ReportMeta)), ReportMeta())
        text = row["text"] or ""
        return ParsedReport(text=text, meta=meta, facts=[f for f in facts if not isinstance(f, ReportMeta)],
                            reading=ledger_store.load(self.conn, report_id, text))

    def report_ids(self, status: str = "parsed") -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM reports WHERE status = ? ORDER BY id", (status,))]

    # -- runs ----------------------------------------------------------------
    def start_run(self, run_id: str, command: str) -> int:
        with self.tx() as c:
            cur = c.execute("INSERT INTO runs (run_id, command, started_at, pid, host) VALUES (?, ?, ?, ?, ?)",
                            (run_id, command, now_iso(), os.getpid(), socket.gethostname()))
            rowid = int(cur.lastrowid)
        self.open_runs.add(rowid)
        return rowid

    def finish_run(self, rowid: int, status: str, counts: dict, error: str | None = None) -> None:
        with self.tx() as c:
            c.execute("UPDATE runs SET finished_at = ?, status = ?, counts = ?, error = ? WHERE id = ?",
                      (now_iso(), status, json.dumps(counts, ensure_ascii=False), error, rowid))
        self.open_runs.discard(rowid)

    def fail_open_runs(self, reason: str) -> None:
        """Mark the runs this process started and did not finish as failed (best effort:
        the error that ended them may stop this write too; the next start marks them died)."""
        for rowid in list(self.open_runs):
            try:
                self.finish_run(rowid, "failed", {}, reason)
            except sqlite3.Error:
                return

    def set_meta(self, key: str, value: str) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
