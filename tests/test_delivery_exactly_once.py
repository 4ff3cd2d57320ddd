"""Exactly-once delivery under attack, with real servers on 127.0.0.1 and the
real CLI in subprocesses: two `deliver` processes at once, receivers that cut
the body or never answer, and `backfill --deliver` killed with SIGKILL at
random points. (SMTP refusals: test_delivery_smtp.py.)"""
from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import ROOT
from servers import _HTTP, free_port

from alerts.channels.webhook import verify
from alerts.outbox import _now, flush
from worker.app import App
from worker.config import Config
from worker.storage import Store
from deliverykit import make_app, webhook

SECRET = "s3cret-for-tests"


@pytest.fixture(autouse=True)
def secret_env(monkeypatch):
    monkeypatch.setenv("AW_TEST_SECRET", SECRET)


class Hook(_HTTP):
    """A webhook receiver on 127.0.0.1 that counts receipts per delivery id.

    A receipt is a request whose whole body arrived with a valid signature,
    counted before the answer goes out (so a sender killed while waiting for
    the answer has still been received). `answer(handler, n)` writes the reply
    to the n-th request (0-based); the default is a plain 200."""

    def __init__(self, answer=None, delay: float = 0.0, port: int | None = None):
        self.ids: Counter = Counter()
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        self.port = port or free_port()
        self.delay = delay
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                assert verify(SECRET.encode(), dict(self.headers), body)
                env = json.loads(body)
                assert self.headers["X-Audit-Delivery-Id"] == ",".join(str(i) for i in env["delivery_ids"])
                with outer.lock:
                    n = len(outer.headers)
                    outer.headers.append(dict(self.headers))
                    outer.ids.update(env["delivery_ids"])
                if outer.delay:
                    time.sleep(outer.delay)
                try:
                    (answer or _ok)(self, n)
                except OSError:
                    pass            # the sender was killed meanwhile

        self._serve(self.port, Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def _ok(h: BaseHTTPRequestHandler, n: int) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "2")
    h.end_headers()
    h.wfile.write(b"ok")


def rows(app):
    return {r["id"]: r for r in app.store.conn.execute("SELECT * FROM deliveries")}


def cli(cfg, db):
    return [sys.executable, "-c", "from worker.cli import main; main()", "--config", str(cfg), "--db", str(db)]


def write_config(tmp_path, url, **alerts) -> object:
    cfg = tmp_path / "c.toml"
    extra = "".join(f"{k} = {v}\n" for k, v in alerts.items())
    cfg.write_text(f'[alerts]\nbackoff_seconds = 0.0\n{extra}[channels.hook]\ntype = "webhook"\nurl = "{url}"\n'
                   f'secret_env = "AW_TEST_SECRET"\nallow_private = true\ntimeout_seconds = 5.0\n', encoding="utf-8")
    return cfg


def sub_env():
    return {**os.environ, "PYTHONPATH": str(ROOT), "AW_TEST_SECRET": SECRET}


# -- two processes ------------------------------------------------------------------------
def test_two_concurrent_deliver_processes_send_each_delivery_once(tmp_path, reports, db_url):
    # Queue every alert with the receiver down: all deliveries pending and due.
    port = free_port()
    app = make_app(db_url, webhook(f"http://127.0.0.1:{port}/hook"))
    app.backfill([reports], deliver="each")
    queued = rows(app)
    assert len(queued) > 10 and {r["status"] for r in queued.values()} == {"pending"}
    app.store.close()

    # The first request is held until a second one arrives at the same time;
    # one process sends one request at a time, so that proves the two overlap.
    both = threading.Event()
    inflight = [0]
    guard = threading.Lock()

    def answer(h, n):
        with guard:
            inflight[0] += 1
            if inflight[0] >= 2:
                both.set()
        both.wait(30)
        time.sleep(0.02)
        with guard:
            inflight[0] -= 1
        _ok(h, n)

    with Hook(answer=answer, port=port) as rx:
        cfg = write_config(tmp_path, rx.url)
        procs = [subprocess.Popen(cli(cfg, db_url) + ["deliver"], env=sub_env(), cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=60) for p in procs]
    assert both.is_set(), "the two deliver processes never sent at the same time"
    assert all(p.returncode == 0 for p in procs), outs
    assert set(rx.ids) == set(queued) and set(rx.ids.values()) == {1}
    sent = [int(o.split("deliveries: ")[1].split(" sent")[0]) for o, _ in outs]
    assert sum(sent) == len(queued) and min(sent) > 0
    after = rows(App(Config(path=None, data={}), Store(db_url)))
    assert {r["status"] for r in after.values()} == {"sent"}
    assert all(r["lease_owner"] is None and r["unsure"] == 0 for r in after.values())


def test_a_row_leased_by_a_live_process_is_skipped_and_a_dead_ones_lease_is_unsure(tmp_path, reports, db_url):
    with Hook() as rx:
        app = make_app(db_url, webhook(rx.url))
        app.backfill([reports / "004_06066fc72a3963be.txt"])
        from alerts.outbox import queue
        with app.store.tx() as c:
            fps = [r[0] for r in c.execute("SELECT fingerprint FROM alerts")]
            for fp in fps:
                queue(c, app.cfg, fp)
        ids = sorted(rows(app))
        assert len(ids) >= 2
        live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        try:
            host = socket.gethostname()
            until = (_now() + timedelta(minutes=10)).isoformat()
            with app.store.tx() as c:
                c.execute("UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_until = ? WHERE id = ?",
                          (f"{host}:{live.pid}:x", until, ids[0]))
                c.execute("UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_until = ? WHERE id = ?",
                          (f"{host}:{dead.pid}:y", until, ids[1]))
            res = flush(app)
        finally:
            live.kill()
            live.wait()
    got = rows(app)
    assert ids[0] not in rx.ids and got[ids[0]]["status"] == "sending"        # the live owner's: untouched
    assert rx.ids[ids[1]] == 1 and got[ids[1]]["status"] == "sent" and got[ids[1]]["unsure"] == 1
    assert res.unsure == 1 and "unsure after a crash mid-send" in res.text()


def test_a_second_crash_mid_send_leaves_the_row_unsure_until_an_operator_resends_it(tmp_path, reports, db_url):
    from click.testing import CliRunner

    from worker.cli import main

    with Hook() as rx:
        app = make_app(db_url, webhook(rx.url))
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        first = min(rows(app))
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        with app.store.tx() as c:      # resent once already, then its sender died mid-send again
            c.execute("UPDATE deliveries SET status = 'sending', unsure = 1, lease_owner = ?, lease_until = ?"
                      " WHERE id = ?", (f"{socket.gethostname()}:{dead.pid}:z",
                                        (_now() + timedelta(minutes=10)).isoformat(), first))
        flush(app)
        row = rows(app)[first]
        assert row["status"] == "unsure" and row["unsure"] == 2 and "not sent a third time" in row["last_error"]
        assert rx.ids[first] == 1
        cfg = write_config(tmp_path, rx.url)
        res = CliRunner().invoke(main, ["--config", str(cfg), "--db", db_url, "deliver",
                                        "--resend-unsure"])
        assert res.exit_code == 0 and "1 unsure deliveries queued again" in res.output, res.output
    assert rx.ids[first] == 2 and rows(app)[first]["status"] == "sent"


# -- receivers that misbehave ---------------------------------------------------------------
def _cut_body(h, n):
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b"accepted, thank y")
    h.wfile.flush()
    h.connection.shutdown(socket.SHUT_RDWR)
    h.close_connection = True


def _status_line_only(h, n):
    h.wfile.write(b"HTTP/1.1 202 Accepted\r\n")
    h.wfile.flush()
    h.connection.shutdown(socket.SHUT_RDWR)
    h.close_connection = True


@pytest.mark.parametrize("answer", [_cut_body, _status_line_only])
def test_a_2xx_counts_as_sent_even_if_the_body_is_cut(tmp_path, reports, answer, db_url):
    with Hook(answer=answer) as rx:
        app = make_app(db_url, webhook(rx.url))
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        for _ in range(3):
            flush(app)
    got = rows(app)
    assert got and set(rx.ids) == set(got) and set(rx.ids.values()) == {1}
    assert all(r["status"] == "sent" and r["attempts"] == 1 and r["last_error"] is None for r in got.values())


def test_no_status_after_the_request_is_unsure_and_retried_later_with_the_same_id(tmp_path, reports, db_url):
    def hang_up(h, n):
        if n == 0:
            h.connection.shutdown(socket.SHUT_RDWR)     # body read, no status: did it arrive?
            h.close_connection = True
        else:
            _ok(h, n)

    with Hook(answer=hang_up) as rx:
        app = make_app(db_url, webhook(rx.url), backoff_seconds=600.0, backoff_max_seconds=600.0)
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        first = int(rx.headers[0]["X-Audit-Delivery-Id"])
        row = rows(app)[first]
        assert row["status"] == "pending" and row["last_error"].startswith("unsure:") and row["unsure"] == 1
        assert rx.ids[first] == 1
        for _ in range(3):                               # backoff: not resent within the hour
            flush(app)
        assert rx.ids[first] == 1
        res = flush(app, now=_now() + timedelta(hours=1))
        assert res.sent == 1
    assert rx.ids[first] == 2 and rows(app)[first]["status"] == "sent"
    assert [h["X-Audit-Delivery-Id"] for h in rx.headers].count(str(first)) == 2


# -- SIGKILL at random points -----------------------------------------------------------
def test_sigkill_at_random_points_during_backfill_deliver_never_sends_a_delivery_three_times(tmp_path, reports,
                                                                                             db_url):
    rng = random.Random(13)
    with Hook(delay=0.08) as rx:
        cfg = write_config(tmp_path, rx.url)
        db = db_url
        cmd = cli(cfg, db) + ["backfill", str(reports), "--deliver"]
        kills = 0
        t_end = time.monotonic() + 40
        for _ in range(7):
            p = subprocess.Popen(cmd, env=sub_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Kill once the process is sending (the first receipt after its start),
            # at a random point of the following seconds.
            before = len(rx.headers)
            while len(rx.headers) == before and p.poll() is None and time.monotonic() < t_end:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.6))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait(timeout=30)            # reaped: its pid is gone, its leases are dead
        ok = subprocess.run(cli(cfg, db) + ["deliver"], env=sub_env(), cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
        assert ok.returncode == 0, ok.stderr
    assert kills >= 3
    store = Store(db)
    final = {r["id"]: r for r in store.conn.execute("SELECT * FROM deliveries")}
    n_alerts = store.conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    assert n_alerts > 10 and len(final) == n_alerts                 # nothing lost, nothing queued twice
    assert max(rx.ids.values()) <= 2
    for i, d in final.items():
        got = rx.ids[i]
        assert d["status"] in ("sent", "unsure"), dict(d)
        if got == 2 or d["status"] == "unsure":
            assert d["unsure"] >= 1, dict(d)    # a repeat only where a crash fell between send and record
        if d["status"] == "sent":
            assert got >= 1
    assert sum(1 for i in final if rx.ids[i] == 1) >= len(final) - kills   # at most one repeat per kill
