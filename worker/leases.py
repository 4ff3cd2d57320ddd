"""Work leases: which worker polls a source, which parses a report, on a shared PostgreSQL store.

Several `audit-worker daemon` processes (on one machine or several) share a
PostgreSQL database. Before a worker polls a source it leases it; before it
parses a report it fetched as new or changed it leases the report. A lease is
a row of `work_leases` (kind, name, owner "host:pid:nonce", expiry), taken
by one statement: an upsert whose WHERE admits only a free lease, the
owner's own or an expired one, atomic by the row's lock across processes and
hosts. Neither `SELECT … FOR UPDATE SKIP LOCKED` nor the store's advisory
write lock: a row lock lasts only while a transaction is open and a poll lasts
minutes, so the lease is a row with an owner and an expiry anyway; and the
advisory lock would queue every claim behind every worker's fact writes
(measured: a third of one daemon's throughput, bench/RESULTS.md).

A lease held by another owner is skipped; one past its expiry (its worker
died on another host, or hangs) is taken over; one whose owner was a process
of this host that no longer runs is dropped when a poll starts (under the
write lock: a rare event), so the next claim finds it free. A keeper thread
renews every lease of its owner while a poll runs, so a long poll keeps its
source; the lease is released when the poll (or the report) ends.
`lease_log` records claims, releases, take-overs, drops and parses (kept
`[leases] log_days`): an operator sees who polled what, and the next poll
re-checks reports whose parser died before detecting them.

On SQLite none of this runs: one daemon per database holds `<db>.lock`.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from alerts.lease import owner_dead, owner_id

log = logging.getLogger("audit_worker.leases")

DDL = """
CREATE TABLE IF NOT EXISTS work_leases (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
CREATE INDEX IF NOT EXISTS work_leases_owner ON work_leases (owner);
CREATE TABLE IF NOT EXISTS lease_log (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    previous TEXT
);
CREATE INDEX IF NOT EXISTS lease_log_name ON lease_log (kind, name, id);
CREATE INDEX IF NOT EXISTS lease_log_at ON lease_log (at)
"""

_ensured: set[str] = set()       # databases whose tables this process made sure of
_ensure_lock = threading.Lock()


def now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def ensure(store) -> None:
    """The lease tables, once per process and database (CREATE … IF NOT EXISTS under the write lock)."""
    with _ensure_lock:
        if store.path in _ensured:
            return
        with store.tx() as c:
            for stmt in DDL.split(";\n"):
                if stmt.strip():
                    c.execute(stmt)
        _ensured.add(store.path)


@dataclass
class LeaseSettings:
    source_seconds: float = 600.0
    report_seconds: float = 600.0
    log_days: float = 7.0

    @classmethod
    def from_config(cls, cfg) -> "LeaseSettings":
        s = cfg.section("leases")
        return cls(float(s["source_seconds"]), float(s["report_seconds"]), float(s["log_days"]))

    def seconds(self, kind: str) -> float:
        return self.source_seconds if kind == "source" else self.report_seconds

    @property
    def renew_every(self) -> float:
        return max(0.2, min(self.source_seconds, self.report_seconds) / 3)


# One statement each, without the store's write lock: the upsert's row lock makes taking a lease
# atomic, and a poll's leases do not queue behind other workers' (or threads') write transactions.
# The log row is written by the same statement, so lease_log's ids follow the order leases changed
# hands. `old` is the statement's snapshot: an expired owner, named as the one taken over.
_CLAIM = """
WITH old AS (SELECT owner, until FROM work_leases WHERE kind = %(kind)s AND name = %(name)s),
got AS (
    INSERT INTO work_leases AS w (kind, name, owner, since, until)
    VALUES (%(kind)s, %(name)s, %(owner)s, %(at)s, %(until)s)
    ON CONFLICT (kind, name) DO UPDATE SET owner = excluded.owner, until = excluded.until,
        since = CASE WHEN w.owner = excluded.owner THEN w.since ELSE excluded.since END
    WHERE w.owner = excluded.owner OR w.until <= %(at)s
    RETURNING w.name),
logged AS (
    INSERT INTO lease_log (kind, name, owner, event, at, previous)
    SELECT %(kind)s, got.name, %(owner)s, CASE WHEN old.until <= %(at)s THEN 'taken_over' ELSE 'claimed' END,
           %(at)s, CASE WHEN old.until <= %(at)s THEN old.owner END
    FROM got LEFT JOIN old ON true WHERE old.owner IS DISTINCT FROM %(owner)s
    RETURNING previous)
SELECT (SELECT count(*) FROM got), (SELECT max(previous) FROM logged)
"""
_RELEASE = """
WITH gone AS (DELETE FROM work_leases WHERE kind = %(kind)s AND name = %(name)s AND owner = %(owner)s
              RETURNING name),
logged AS (INSERT INTO lease_log (kind, name, owner, event, at)
           SELECT %(kind)s, name, %(owner)s, 'released', %(at)s FROM gone RETURNING id)
SELECT count(*) FROM logged
"""


def _run(store, sql: str, params):
    """A statement of its own (autocommit) on the PostgreSQL connection, errors as sqlite3's."""
    import psycopg

    from worker.db.pgconn import convert_error

    try:
        return store.conn.raw.execute(sql, params)
    except psycopg.Error as e:
        raise convert_error(e) from e


class Leases:
    """The leases of one owner (one poll of one process)."""

    def __init__(self, settings: LeaseSettings, owner: str | None = None):
        self.settings = settings
        self.owner = owner or owner_id()

    def claim(self, store, kind: str, name: str) -> bool:
        """Take the lease of `name` (kind "source" or "report"); False when another owner holds it
        unexpired (a dead owner's lease on this host is dropped by `clear_stale` at a poll's start)."""
        t = now()
        row = _run(store, _CLAIM, {"kind": kind, "name": name, "owner": self.owner, "at": stamp(t),
                                   "until": stamp(t + timedelta(seconds=self.settings.seconds(kind)))}).fetchone()
        if row[0] and row[1]:
            log.warning("lease taken over kind=%s name=%s from=%s (expired)", kind, name, row[1])
        return bool(row[0])

    def release(self, store, kind: str, name: str) -> None:
        gone = _run(store, _RELEASE, {"kind": kind, "name": name, "owner": self.owner,
                                      "at": stamp(now())}).fetchone()[0]
        if not gone:
            # This worker stalled past its lease and another took it over: say so, the work is done twice.
            log.warning("lease lost before release kind=%s name=%s owner=%s", kind, name, self.owner)

    def renew(self, store) -> int:
        """Push back the expiry of every lease this owner holds; how many."""
        n = 0
        for kind in ("source", "report"):
            n += _run(store, "UPDATE work_leases SET until = %s WHERE owner = %s AND kind = %s",
                      (stamp(now() + timedelta(seconds=self.settings.seconds(kind))), self.owner, kind)).rowcount
        return n

    def record_parse(self, conn, key: str) -> None:
        """In the transaction that stores a parsed report: the parse, for the log and the detection sweep."""
        self._log(conn, "report", key, "parsed", now())

    def clear_stale(self, store) -> int:
        """Drop leases of dead owners nobody took over (a report its worker stored before dying,
        found unchanged since by the others); how many."""
        def stale(conn) -> list[tuple]:
            t = now()
            return [(r["kind"], r["name"], r["owner"]) for r in conn.execute("SELECT kind, name, owner, until"
                                                                             " FROM work_leases").fetchall()
                    if datetime.fromisoformat(r["until"]) <= t or owner_dead(r["owner"])]

        if not stale(store.conn):           # the common case: a read, no write lock
            return 0
        with store.tx() as c:
            rows = stale(c)                 # again under the lock: the owner may have renewed meanwhile
            for kind, name, owner in rows:
                c.execute("DELETE FROM work_leases WHERE kind = ? AND name = ? AND owner = ?", (kind, name, owner))
                self._log(c, kind, name, "dropped", now(), owner)
        return len(rows)

    def prune(self, store) -> None:
        cutoff = stamp(now() - timedelta(days=self.settings.log_days))
        # One statement, atomic by itself: no write lock taken for it (a quiet poll takes none per source).
        store.conn.execute("DELETE FROM lease_log WHERE at < ?", (cutoff,))

    def _log(self, conn, kind: str, name: str, event: str, t: datetime, previous: str | None = None) -> None:
        conn.execute("INSERT INTO lease_log (kind, name, owner, event, at, previous) VALUES (?, ?, ?, ?, ?, ?)",
                     (kind, name, self.owner, event, stamp(t), previous))


def for_app(app) -> "Leases | None":
    """A poll's leases when several workers may share the store (PostgreSQL); None on SQLite,
    where one daemon holds the database's lock file."""
    if not app.store.is_postgres:
        return None
    ensure(app.store)
    leases = Leases(LeaseSettings.from_config(app.cfg))
    leases.prune(app.store)
    leases.clear_stale(app.store)
    return leases


def undetected(store) -> list[int]:
    """Reports a leased poll parsed that were never checked by the detectors (their
    worker died between storing and detecting them): the next poll checks them."""
    return [r[0] for r in store.conn.execute(
        "SELECT DISTINCT r.id FROM lease_log l JOIN reports r ON r.key = l.name"
        " WHERE l.kind = 'report' AND l.event = 'parsed' AND r.status = 'parsed'"
        " AND NOT EXISTS (SELECT 1 FROM detect_stamps d WHERE d.report_id = r.id) ORDER BY r.id")]


class Keeper:
    """A thread renewing an owner's leases while its poll runs, on its own connection."""

    def __init__(self, leases: Leases, store_factory):
        self.leases = leases
        self._factory = store_factory
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> "Keeper":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        store = None
        try:
            while not self._stop.wait(self.leases.settings.renew_every):
                try:
                    store = store or self._factory()
                    self.leases.renew(store)
                except Exception:  # noqa: BLE001 - a missed renewal is retried; the lease has slack
                    log.exception("lease renewal failed owner=%s", self.leases.owner)
        finally:
            if store is not None:
                store.close()
