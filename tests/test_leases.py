"""Work leases on a PostgreSQL store shared by several workers (worker/leases.py), and the
delivery leases of alerts/lease.py across hosts there: real PostgreSQL, real portal."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

from conftest import wait_for
from servers import Portal
from test_sources import SEED, html_page

from worker.app import App
from worker.config import Config
from worker.leases import Keeper, LeaseSettings, Leases, ensure, now, stamp
from worker.storage import Store

HOST = socket.gethostname()


def events(store, kind="source"):
    return [(r["name"], r["event"], r["owner"], r["previous"]) for r in store.conn.execute(
        "SELECT name, event, owner, previous FROM lease_log WHERE kind = ? ORDER BY id", (kind,))]


def test_a_live_owners_lease_is_skipped_an_expired_or_dead_ones_taken_over(pg_url):
    store = Store(pg_url)
    ensure(store)
    a, b = Leases(LeaseSettings()), Leases(LeaseSettings())
    assert a.claim(store, "source", "s1") and a.claim(store, "source", "s1")     # its own: renewed
    assert not b.claim(store, "source", "s1")                                    # a runs: skipped
    # A worker of another host died holding s2: only the expiry tells; s3's pid on this host is gone.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with store.tx() as c:
        c.execute("INSERT INTO work_leases (kind, name, owner, since, until) VALUES ('source', 's2', ?, ?, ?)",
                  ("elsewhere:4242:n", stamp(now()), stamp(now() + timedelta(seconds=60))))
        c.execute("INSERT INTO work_leases (kind, name, owner, since, until) VALUES ('source', 's3', ?, ?, ?)",
                  (f"{HOST}:{dead.pid}:n", stamp(now()), stamp(now() + timedelta(seconds=60))))
    assert not b.claim(store, "source", "s2")                # not expired yet: its worker may be alive
    assert not b.claim(store, "source", "s3")                # unexpired too, until a poll's start drops it:
    assert b.clear_stale(store) == 1                         # its process is gone
    assert b.claim(store, "source", "s3")
    with store.tx() as c:
        c.execute("UPDATE work_leases SET until = ? WHERE name = 's2'", (stamp(now() - timedelta(seconds=1)),))
    assert b.claim(store, "source", "s2")
    a.release(store, "source", "s1")
    assert b.claim(store, "source", "s1")
    assert events(store) == [("s1", "claimed", a.owner, None), ("s3", "dropped", b.owner, f"{HOST}:{dead.pid}:n"),
                             ("s3", "claimed", b.owner, None),
                             ("s2", "taken_over", b.owner, "elsewhere:4242:n"), ("s1", "released", a.owner, None),
                             ("s1", "claimed", b.owner, None)]
    store.close()


def test_the_keeper_renews_a_long_polls_lease_and_without_it_the_lease_lapses(pg_url):
    store = Store(pg_url)
    ensure(store)
    short = LeaseSettings(source_seconds=1.0, report_seconds=1.0)
    kept, lapsed, other = Leases(short), Leases(short), Leases(short)
    assert kept.claim(store, "source", "long") and lapsed.claim(store, "source", "lapsed")

    def until(name):
        return store.conn.execute("SELECT until FROM work_leases WHERE name = ?", (name,)).fetchone()[0]

    first, frozen = until("long"), until("lapsed")
    with Keeper(kept, lambda: Store(pg_url)):
        assert wait_for(lambda: until("long") > first, timeout=30)          # renewed while the poll runs
        assert wait_for(lambda: other.claim(store, "source", "lapsed"), timeout=30)   # nobody renewed it
        assert not other.claim(store, "source", "long")       # past the first expiry: still held
        assert until("long") > frozen
    rows = {r["name"]: r["owner"] for r in store.conn.execute("SELECT name, owner FROM work_leases")}
    assert rows == {"long": kept.owner, "lapsed": other.owner}
    store.close()


def portal_app(portal, pg_url, n_sources=2):
    """Two sources listing reports 1-2 and 2-3: report 2 is listed by both."""
    for i in (1, 2, 3):
        portal.add(f"/art/{i}.html", html_page(f"报告{i}", SEED[f"00{i}"]))
    sources = []
    for s, arts in enumerate([(1, 2), (2, 3)][:n_sources]):
        portal.add(f"/s{s}/index.html", "<html><body><ul class='list'>" + "".join(
            f"<li><a href='/art/{i}.html'>2023年度部门决算{i}</a></li>" for i in arts) + "</ul></body></html>")
        sources.append({"name": f"s{s}", "kind": "html_index", "url": portal.url(f"/s{s}/index.html"),
                        "link_selector": "ul.list a", "allow_private": True, "max_pages": 1})
    data = {"fetch": {"per_host_interval_seconds": 0.0, "retries": 0}, "sources": sources}
    return App(Config(path=None, data=data), Store(pg_url))


def test_a_poll_skips_a_source_and_a_report_another_live_worker_holds(pg_url):
    with Portal() as portal:
        app = portal_app(portal, pg_url)
        ensure(app.store)
        other = Leases(LeaseSettings(), owner=f"{HOST}:{os.getpid()}:other-worker")   # alive: this process
        assert other.claim(app.store, "source", "s0")
        assert other.claim(app.store, "report", portal.url("/art/3.html"))
        summary = app.run_once(deliver=False)
        assert [r.source for r, _ in summary.polls] == ["s1"]
        assert not any(p.startswith("/s0/") for p, _ in portal.hits)          # s0 not polled at all
        got = {r["key"]: r["status"] for r in app.store.conn.execute("SELECT key, status FROM reports")}
        assert got == {portal.url("/art/2.html"): "parsed"}            # report 3 is the other worker's
        # This poll's leases are gone; the other worker's stay until it releases them.
        held = sorted((r["kind"], r["owner"]) for r in app.store.conn.execute("SELECT * FROM work_leases"))
        assert held == [("report", other.owner), ("source", other.owner)]
        parsed = [n for n, e, _, _ in events(app.store, "report") if e == "parsed"]
        assert parsed == [portal.url("/art/2.html")]
        # The other worker dies: the next poll takes its source and its report over.
        with app.store.tx() as c:
            c.execute("UPDATE work_leases SET until = ?", (stamp(now() - timedelta(seconds=1)),))
        app.run_once(deliver=False)
        got = {r["key"]: r["status"] for r in app.store.conn.execute("SELECT key, status FROM reports")}
        assert set(got.values()) == {"parsed"} and len(got) == 3
        assert app.store.conn.execute("SELECT COUNT(*) FROM work_leases").fetchone()[0] == 0
        # Dropped when the poll starts (the owner's expired leases), then claimed afresh.
        taken = {(k, n) for k, n in app.store.conn.execute(
            "SELECT kind, name FROM lease_log WHERE event = 'dropped' AND previous = ?", (other.owner,))}
        assert taken == {("source", "s0"), ("report", portal.url("/art/3.html"))}
        app.store.close()


def test_a_dead_owners_lease_nobody_needs_is_dropped_by_the_next_poll(pg_url):
    with Portal() as portal:
        app = portal_app(portal, pg_url, n_sources=1)
        app.run_once(deliver=False)
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        with app.store.tx() as c:    # it stored report 1, then died before releasing its lease
            c.execute("INSERT INTO work_leases (kind, name, owner, since, until) VALUES ('report', ?, ?, ?, ?)",
                      (portal.url("/art/1.html"), f"{HOST}:{dead.pid}:n", stamp(now()),
                       stamp(now() + timedelta(seconds=60))))
            c.execute("INSERT INTO work_leases (kind, name, owner, since, until) VALUES ('report', 'x', ?, ?, ?)",
                      ("elsewhere:1:n", stamp(now()), stamp(now() + timedelta(seconds=60))))
        app.run_once(deliver=False)                  # report 1 unchanged: nobody claims it
        left = [r[0] for r in app.store.conn.execute("SELECT owner FROM work_leases")]
        assert left == ["elsewhere:1:n"]              # another host's, not expired: kept
        dropped = [tuple(r) for r in app.store.conn.execute(
            "SELECT name, previous FROM lease_log WHERE event = 'dropped'")]
        assert dropped == [(portal.url("/art/1.html"), f"{HOST}:{dead.pid}:n")]
        app.store.close()


def test_a_report_stored_by_a_worker_that_died_before_detecting_it_is_checked_by_the_next_poll(pg_url):
    with Portal() as portal:
        app = portal_app(portal, pg_url, n_sources=1)
        app.run_once(deliver=False, detect=False)      # stands for a worker killed between storing and detecting
        assert app.store.conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 0
        app.run_once(deliver=False)                     # everything unchanged: only the sweep finds them
        stamped = app.store.conn.execute("SELECT COUNT(*) FROM detect_stamps").fetchone()[0]
        assert stamped == 2 and app.store.conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] > 0
        app.store.close()


def test_sqlite_takes_no_leases(tmp_path):
    with Portal() as portal:
        app = portal_app(portal, str(tmp_path / "s.db"))
        app.run_once(deliver=False)
        names = {r[0] for r in app.store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "work_leases" not in names and "lease_log" not in names
        app.store.close()


def test_delivery_leases_on_postgresql_a_foreign_hosts_row_waits_for_its_expiry(pg_url):
    """alerts/lease.py on PostgreSQL: a row leased by a worker of another host is left alone
    until its lease expires, then recovered as unsure (sent once more)."""
    from alerts.lease import claim, recover

    store = Store(pg_url)
    with store.tx() as c:
        c.execute("INSERT INTO reports (key, source, status, first_seen, updated_at) VALUES ('k', 's', 'parsed', 'x', 'x')")
        rid = c.execute("SELECT id FROM reports").fetchone()[0]
        aid = c.execute("INSERT INTO alerts (fingerprint, kind, rule, severity, report_id, source, title, message,"
                        " evidence, created_at, updated_at, last_seen_at) VALUES ('fp', 'k', 'r', 'high', ?, 's',"
                        " 't', 'm', '{}', 'x', 'x', 'x')", (rid,)).lastrowid
        c.execute("INSERT INTO deliveries (alert_id, channel, next_attempt_at, created_at)"
                  " VALUES (?, 'hook', '2000-01-01T00:00:00+00:00', 'x')", (aid,))
    did = store.conn.execute("SELECT id FROM deliveries").fetchone()[0]
    other = Store(pg_url)             # a second worker's connection
    assert claim(store, [did], "elsewhere:99:n", 60, "2100-01-01") == {did: 1}
    assert claim(other, [did], "mine:1:n", 60, "2100-01-01") == {}          # taken: skipped
    assert recover(other) == 0                                              # not expired: left alone
    with store.tx() as c:
        c.execute("UPDATE deliveries SET lease_until = '2000-01-01T00:00:00+00:00'")
    assert recover(other) == 1
    row = other.conn.execute("SELECT status, unsure, lease_owner FROM deliveries").fetchone()
    assert (row["status"], row["unsure"], row["lease_owner"]) == ("pending", 1, None)
    store.close()
    other.close()


def test_a_daemon_on_postgresql_keeps_its_heartbeat_beside_its_config(pg_url, tmp_path):
    from worker.status import heartbeat_path

    cfg = Config(path=tmp_path / "config.toml", data={})
    app = App(cfg, Store(pg_url))
    path = heartbeat_path(app)        # not "<URL>.heartbeat", a path in no existing folder
    assert path.parent == tmp_path.resolve() and path.name.endswith(".heartbeat") and "?" not in path.name
    app.store.close()
