"""Polling unchanged sources cheaply (issue 16): the schema checked once per
process and file, a connection per polling thread, no write lock for a source
that did not change, its state still recorded; a changed or failing source
is still picked up and recorded with its reason. Statements are observed on
every connection the run opens: sqlite's trace callback, or on PostgreSQL the
statements each PgConnection is given (each store: `db_url`)."""
import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import EXAMPLES
from dbkit import connect, is_pg
from servers import Portal

from worker import alarms, pinned, schema_once
from worker.app import App
from worker.config import Config
from worker.sources import run as poll_run
from worker.storage import Store
from worker.urls import UnsafeURL, parse, resolve

N = 12
SEEDS = sorted(EXAMPLES.glob("*.txt"))


def report_page(k: int, seed: int) -> str:
    text = f"第{k}号报告\n" + SEEDS[seed % len(SEEDS)].read_text(encoding="utf-8")
    return "<html><body><div id='content'>" + "".join(f"<p>{line}</p>" for line in text.split("\n")) + \
        "</div></body></html>"


class Trace:
    """Every statement run on connections opened while it is installed, and on `extra` ones."""

    def __init__(self, monkeypatch, *extra: sqlite3.Connection):
        self.lock = threading.Lock()
        self.opened: list[list[str]] = []      # statements per connection opened meanwhile
        self.main: list[str] = []
        real = sqlite3.connect

        def connect(*a, **kw):
            conn = real(*a, **kw)
            seen: list[str] = []
            with self.lock:
                self.opened.append(seen)
            conn.set_trace_callback(seen.append)
            return conn

        monkeypatch.setattr(sqlite3, "connect", connect)
        self._trace_pg(monkeypatch)
        for c in extra:
            if isinstance(c, sqlite3.Connection):
                c.set_trace_callback(self.main.append)
            else:
                c.traced = self.main

    def _trace_pg(self, monkeypatch) -> None:
        from worker.db.pgconn import PgConnection

        init, execute, executemany = PgConnection.__init__, PgConnection.execute, PgConnection.executemany

        def traced_init(conn, *a, **kw):
            init(conn, *a, **kw)
            conn.traced = []
            with self.lock:
                self.opened.append(conn.traced)

        def log(conn, sql):
            if getattr(conn, "traced", None) is not None:
                conn.traced.append(sql)

        def traced_execute(conn, sql, *a, **kw):
            log(conn, sql)
            return execute(conn, sql, *a, **kw)

        def traced_executemany(conn, sql, *a, **kw):
            log(conn, sql)
            return executemany(conn, sql, *a, **kw)

        monkeypatch.setattr(PgConnection, "__init__", traced_init)
        monkeypatch.setattr(PgConnection, "execute", traced_execute)
        monkeypatch.setattr(PgConnection, "executemany", traced_executemany)

    def count(self, statements: list[str], prefix: str) -> int:
        return sum(1 for s in statements if s.lstrip().upper().startswith(prefix))

    def in_opened(self, prefix: str) -> int:
        return sum(self.count(s, prefix) for s in self.opened)


def build(portal: Portal, n: int = N) -> list[dict]:
    for k in range(3):
        portal.add(f"/d/{k}.html", report_page(k, k))
    sources = []
    for i in range(n):
        portal.add(f"/s/{i}/index.html", f"<html><body><ul><li><a href='/d/{i % 3}.html'>2024年度部门决算</a>"
                                         f"</li></ul></body></html>")
        sources.append({"name": f"s{i}", "kind": "html_index", "url": portal.url(f"/s/{i}/index.html"),
                        "allow_private": True, "max_pages": 1})
    return sources


def make_app(db_url, sources) -> App:
    data = {"fetch": {"per_host_interval_seconds": 0.0, "per_host_concurrency": 4, "retries": 0,
                      "timeout_seconds": 5.0},
            "alerts": {"source_failure_threshold": 2}, "sources": sources}
    return App(Config(path=None, data=data), Store(db_url))


def states(app) -> dict:
    return {r["name"]: dict(r) for r in app.store.conn.execute("SELECT * FROM source_state")}


def test_a_second_poll_of_unchanged_sources_takes_no_write_lock_per_source(db_url, monkeypatch):
    with Portal() as portal:
        app = make_app(db_url, build(portal))
        first = app.run_once(deliver=False)
        assert first.counts["ingested"] == 3
        before = states(app)
        assert all(s["polls"] == 1 for s in before.values()) and len(before) == N

        trace = Trace(monkeypatch, app.store.conn)
        portal.hits.clear()
        second = app.run_once(deliver=False)
        # Every list page and every detail page was asked again, by conditional GET.
        assert sorted(code for path, code in portal.hits if path != "/robots.txt") == [304] * (N + 3)
        assert second.counts["ingested"] == 0 and all(r.error is None for r, _ in second.polls)
        # One connection per polling thread (not per source), none of them
        # re-checking the schema or taking the write lock.
        assert 1 <= len(trace.opened) <= poll_run.THREADS
        assert trace.in_opened("CREATE ") == 0 and trace.in_opened("BEGIN") == 0
        # The run's own connection: its start, one transaction for all quiet
        # states, its end; the operator-alert check only read.
        assert trace.count(trace.main, "BEGIN IMMEDIATE") == 3
        # The state is still recorded, for every source.
        after = states(app)
        for name, st in after.items():
            assert st["polls"] == 2 and st["consecutive_failures"] == 0 and st["last_error"] is None
            assert st["last_poll_at"] >= before[name]["last_poll_at"] and st["last_ok_at"] == st["last_poll_at"]
            assert st["new_documents"] == 0 and st["requests"] >= 1
        assert {r.source: s for r, s in second.polls} == after


def test_quiet_states_are_written_in_chunks_during_the_run(db_url, monkeypatch):
    with Portal() as portal:
        app = make_app(db_url, build(portal))
        app.run_once(deliver=False)
        monkeypatch.setattr(poll_run, "CHUNK", 5)
        trace = Trace(monkeypatch, app.store.conn)
        app.run_once(deliver=False)
        # start, 12 quiet sources in chunks of 5, 5, 2, end
        assert trace.count(trace.main, "BEGIN IMMEDIATE") == 5
        assert all(s["polls"] == 2 for s in states(app).values())


def test_changed_and_failing_sources_are_still_picked_up_and_recorded(db_url):
    with Portal() as portal:
        sources = build(portal)
        app = make_app(db_url, sources)
        app.run_once(deliver=False)
        # s1 lists a new report; s2's list page is gone; the rest are unchanged.
        portal.add("/d/new.html", report_page(9, 3))
        portal.add("/s/1/index.html", "<html><body><ul><li><a href='/d/new.html'>2024年度部门决算</a></li>"
                                      "<li><a href='/d/1.html'>2024年度部门决算</a></li></ul></body></html>")
        del portal.routes["/s/2/index.html"]
        s = app.run_once(deliver=False)
        assert s.counts["ingested"] == 1
        assert app.store.conn.execute("SELECT status FROM reports WHERE key = ?",
                                      (portal.url("/d/new.html"),)).fetchone()[0] == "parsed"
        st = states(app)
        assert st["s1"]["new_documents"] == 1 and st["s1"]["last_error"] is None
        assert "HTTP 404" in st["s2"]["last_error"] and st["s2"]["consecutive_failures"] == 1
        assert st["s2"]["last_ok_at"] is not None       # kept from the run that succeeded
        assert all(st[f"s{i}"]["polls"] == 2 for i in range(N))
        # The failure repeats: the operator alert is raised; the source comes
        # back: the alert is withdrawn; then a quiet run leaves it alone.
        app.run_once(deliver=False)
        alert = app.store.conn.execute("SELECT id, status FROM alerts WHERE kind = 'source_failure'").fetchone()
        assert alert["status"] == "open" and states(app)["s2"]["consecutive_failures"] == 2
        portal.add("/s/2/index.html", "<html><body><ul><li><a href='/d/2.html'>2024年度部门决算</a></li></ul>"
                                      "</body></html>")
        app.run_once(deliver=False)
        events = lambda: [r[0] for r in app.store.conn.execute(  # noqa: E731
            "SELECT event FROM alert_events WHERE alert_id = ? ORDER BY id", (alert["id"],))]
        assert app.store.conn.execute("SELECT status FROM alerts WHERE id = ?", (alert["id"],)).fetchone()[0] == \
            "withdrawn"
        assert events() == ["raised", "withdrawn"]
        app.run_once(deliver=False)
        assert events() == ["raised", "withdrawn"] and states(app)["s2"]["consecutive_failures"] == 0


def test_the_schema_check_runs_once_per_process_and_again_when_the_file_changes(db_url, tmp_path, monkeypatch):
    db = db_url
    Store(db).close()
    trace = Trace(monkeypatch)
    Store(db).close()
    assert trace.in_opened("CREATE ") == 0 and trace.in_opened("BEGIN") == 0
    # Someone drops a view: the schema changed (SQLite's schema cookie, PostgreSQL's
    # catalogue), the next open makes it again.
    c = connect(db)
    c.execute("DROP VIEW report_figures")
    c.commit()
    c.close()
    s = Store(db)
    assert s.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'report_figures'").fetchone()[0] == 1
    s.close()
    if is_pg(db):
        return
    # A file deleted and made again (another inode) is checked again: a bare
    # table, then a full schema (SQLite's files alone).
    db = Path(db)
    db.unlink()
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE unrelated (x)")
    c.commit()
    c.close()
    s = Store(db)
    assert s.get_meta("schema_version") is not None
    assert s.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'source_state'").fetchone()[0] == 1
    s.close()


def test_a_newer_schema_written_after_the_check_is_still_refused(db_url):
    from worker.storage import DatabaseFault

    db = db_url
    s = Store(db)
    s.set_meta("schema_version", "99")      # data, not DDL: the cookie stays, the meta value does not
    s.close()
    with pytest.raises(DatabaseFault, match="newer audit-worker"):
        Store(db)


def test_a_run_left_running_is_marked_died_by_a_later_open_in_the_same_process(db_url):
    db = db_url
    s = Store(db)
    with s.tx() as c:
        c.execute("INSERT INTO runs (run_id, command, started_at, pid) VALUES ('gone', 'run', '2026-01-01', ?)",
                  (2 ** 22 + 12345,))      # above Linux's default pid_max: no such process
    s.close()
    s = Store(db)
    assert s.conn.execute("SELECT status FROM runs WHERE run_id = 'gone'").fetchone()[0] == "died"
    s.close()


def test_requests_start_no_thread_of_their_own(monkeypatch):
    """The phase deadlines wait on the one alarm thread, not a Timer per request."""
    def no_timer(*a, **kw):
        raise AssertionError("a thread per request")

    monkeypatch.setattr(threading, "Timer", no_timer)
    with Portal() as portal:
        portal.add("/a.html", "<html>ok</html>")
        target = resolve(parse(portal.url("/a.html")), allow_private=True)
        for _ in range(5):
            assert pinned.request(target).status == 200
        names = [t.name for t in threading.enumerate()]
        assert names.count("alarms") <= 1


def test_the_alarm_clock_calls_in_order_and_never_a_cancelled_alarm():
    import time

    clock = alarms.Clock()
    got: list[int] = []
    done = threading.Event()
    t0 = time.monotonic()
    keep = [clock.call_at(t0 + 0.05 * (3 - i), lambda i=i: got.append(i)) for i in range(3)]
    dropped = [clock.call_at(t0 + 0.01, lambda: got.append(-1)) for _ in range(200)]
    for a in dropped:
        a.cancel()
    clock.call_at(t0 + 0.2, done.set)
    assert done.wait(30)            # a bound proving termination, not a timing
    assert got == [2, 1, 0] and keep[0].cancelled is False
    assert len(clock._heap) < 200   # cancelled alarms do not pile up


def test_a_refused_url_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(UnsafeURL):
            parse("http://user:pw@example.org/")
    assert parse("http://Example.ORG/a b") is parse("http://Example.ORG/a b")


@pytest.fixture(autouse=True)
def _fresh_checks():
    schema_once.forget_all()        # each test starts as a new process would
    yield
