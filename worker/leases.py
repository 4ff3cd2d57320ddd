"""Work leases: which worker polls a source, which parses a report, on a shared PostgreSQL store.

Several `audit-worker daemon` processes (on one machine or several) share a
PostgreSQL database. Before a worker polls a source it leases it; before it
parses a report it fetched as new or changed it leases the report. A lease is
a row of `work_leases` (kind, name, owner "host:pid:nonce", expiry), taken
in one write transaction: on PostgreSQL that is `BEGIN` plus the advisory
write lock (worker/db/pgconn.py), so the read-check-write is atomic across
processes and hosts without `SELECT … FOR UPDATE SKIP LOCKED`. SKIP LOCKED
would hold a row lock only while a transaction is open, and a poll lasts
minutes: the lease must outlive the transaction anyway, so it is a row with
an owner and an expiry, and the lock only has to make taking it atomic (one
small transaction per source, the same on SQLite).

A lease held by another live owner is skipped; one past its expiry (its
worker died on another host, or hangs) or whose owner was a process of this
host that no longer runs is taken over. A keeper thread renews every lease
of its owner while a poll runs, so a long poll keeps its source; the lease is
released when the poll (or the report) ends; a dead owner's lease nobody
took over is dropped by the next poll. `lease_log` records claims,
releases, take-overs, drops and parses (kept `[leases] log_days`): an operator sees
who polled what, and the next poll re-checks reports whose parser died before
detecting them.

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


class Leases:
    """The leases of one owner (one poll of one process)."""

    def __init__(self, settings: LeaseSettings, owner: str | None = None):
        self.settings = settings
        self.owner = owner or owner_id()

    def claim(self, store, kind: str, name: str) -> bool:
        """Take the lease of `name` (kind "source" or "report"); False when another live owner holds it."""
        t = now()
        until = stamp(t + timedelta(seconds=self.settings.seconds(kind)))
        with store.tx() as c:
            row = c.execute("SELECT owner, until FROM work_leases WHERE kind = ? AND name = ?",
                            (kind, name)).fetchone()
            if row is None:
                c.execute("INSERT INTO work_leases (kind, name, owner, since, until) VALUES (?, ?, ?, ?, ?)",
                          (kind, name, self.owner, stamp(t), until))
                self._log(c, kind, name, "claimed", t)
                return True
            if row["owner"] == self.owner:
                c.execute("UPDATE work_leases SET until = ? WHERE kind = ? AND name = ?", (until, kind, name))
                return True
            expired = datetime.fromisoformat(row["until"]) <= t
            if not expired and not owner_dead(row["owner"]):
                return False
            c.execute("UPDATE work_leases SET owner = ?, since = ?, until = ? WHERE kind = ? AND name = ?",
                      (self.owner, stamp(t), until, kind, name))
            self._log(c, kind, name, "taken_over", t, row["owner"])
        log.warning("lease taken over kind=%s name=%s from=%s (%s)", kind, name, row["owner"],
                    "expired" if expired else "its process is gone")
        return True

    def release(self, store, kind: str, name: str) -> None:
        with store.tx() as c:
            gone = c.execute("DELETE FROM work_leases WHERE kind = ? AND name = ? AND owner = ?",
                             (kind, name, self.owner)).rowcount
            if gone:
                self._log(c, kind, name, "released", now())
        if not gone:
            # This worker stalled past its lease and another took it over: say so, the work is done twice.
            log.warning("lease lost before release kind=%s name=%s owner=%s", kind, name, self.owner)

    def renew(self, store) -> int:
        """Push back the expiry of every lease this owner holds; how many."""
        until = stamp(now() + timedelta(seconds=self.settings.source_seconds))
        until_r = stamp(now() + timedelta(seconds=self.settings.report_seconds))
        with store.tx() as c:
            n = c.execute("UPDATE work_leases SET until = ? WHERE owner = ? AND kind = 'source'",
                          (until, self.owner)).rowcount
            n += c.execute("UPDATE work_leases SET until = ? WHERE owner = ? AND kind = 'report'",
                           (until_r, self.owner)).rowcount
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
        with store.tx() as c:
            c.execute("DELETE FROM lease_log WHERE at < ?", (cutoff,))

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
