"""Issue 17's acceptance test: three `audit-worker daemon` processes share one PostgreSQL
database, a portal of 300 generated reports on 127.0.0.1 and a slow webhook receiver; one is
SIGKILLed mid-run. Every report is parsed once, every alert raised once (the same alerts as one
process on SQLite), every delivery received once (or recorded as unsure and received at most
twice), and no source is polled by two workers at once."""
from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from servers import Portal
from test_delivery_exactly_once import SECRET, Hook
from workerkit import generate, serve, start_daemon, write_config

from worker.app import App
from worker.config import Config
from worker.storage import Store

N_SOURCES = 12
# Reports are read in the daemon's own process (no parser child per report): the test stays
# short on a small machine; the leases do not depend on it (bench/pg_workers.py keeps the limits).
NO_SANDBOX = "\n[limits]\ndocument_seconds = 0\ndocument_memory_mb = 0\n"


@pytest.fixture(autouse=True)
def secret_env(monkeypatch):
    monkeypatch.setenv("AW_TEST_SECRET", SECRET)


# The isolation forest ranks reports by a random forest fitted on rows in report id order, and
# ids follow the order reports were stored in (four polling threads already vary it within one
# process): which reports it ranks top varies between runs, not how many.
ORDER_BOUND = ("models.iforest.",)


def reference(tmp_path: Path, specs: list[dict]) -> tuple[dict, dict]:
    """One process on SQLite polling the same portal: report statuses, open alerts' fingerprints → rule."""
    data = {"fetch": {"per_host_interval_seconds": 0.0, "retries": 0},
            "limits": {"document_seconds": 0, "document_memory_mb": 0}, "sources": specs}
    app = App(Config(path=None, data=data), Store(tmp_path / "reference.db"))
    app.run_once(deliver=False)
    c = app.store.conn
    statuses = {r["key"]: r["status"] for r in c.execute("SELECT key, status FROM reports")}
    fps = {r[0]: r[1] for r in c.execute("SELECT fingerprint, rule FROM alerts WHERE status = 'open'")}
    app.store.close()
    return statuses, fps


def settled(store: Store, n_reports: int) -> bool:
    c = store.conn
    parsed = c.execute("SELECT COUNT(*) FROM reports WHERE status = 'parsed'").fetchone()[0]
    unchecked = c.execute("SELECT COUNT(*) FROM reports r WHERE status = 'parsed' AND NOT EXISTS"
                          " (SELECT 1 FROM detect_stamps d WHERE d.report_id = r.id)").fetchone()[0]
    waiting = c.execute("SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending')").fetchone()[0]
    return parsed == n_reports and unchecked == 0 and waiting == 0


def check_source_turns(rows: list, killed_pid: int) -> None:
    """Replay the lease log (in its commit order: claims are write transactions, one at a time):
    a source is claimed only when free, released only by its holder, taken over (or its lease
    dropped) only from the killed worker."""
    holder: dict[str, str | None] = defaultdict(lambda: None)
    for r in rows:
        name, event, owner, previous = r["name"], r["event"], r["owner"], r["previous"]
        if event == "claimed":
            assert holder[name] is None, f"{name} claimed by {owner} while {holder[name]} polls it"
            holder[name] = owner
        elif event == "released":
            assert holder[name] == owner, f"{name} released by {owner}, held by {holder[name]}"
            holder[name] = None
        else:
            assert event in ("taken_over", "dropped") and previous == holder[name], r
            assert previous.split(":")[1] == str(killed_pid), f"{name} taken from a live worker: {previous}"
            holder[name] = owner if event == "taken_over" else None
    assert not any(holder.values()), dict(holder)      # the survivors stopped cleanly: nothing held


def test_three_daemons_share_postgresql_and_one_is_killed(tmp_path, pg_url):
    files = generate(tmp_path / "corpus", issuers=30)
    assert len(files) == 300
    daemons = []
    with Portal() as portal, Hook(delay=0.05) as hook:
        specs = serve(portal, files, N_SOURCES)
        t0 = time.monotonic()
        expected_status, expected_fps = reference(tmp_path, specs)
        print(f"reference {time.monotonic() - t0:.1f}s", file=sys.stderr)
        assert set(expected_status.values()) == {"parsed"} and len(expected_fps) > 50
        store = Store(pg_url)
        try:
            for n in range(3):
                cfg = write_config(tmp_path / f"w{n}.toml", pg_url, specs, hook.url, n=n)
                cfg.write_text(cfg.read_text(encoding="utf-8") + NO_SANDBOX, encoding="utf-8")
                daemons.append(start_daemon(cfg, tmp_path / f"w{n}.log"))
            # Mid-run: a sixth of the reports stored; the worker holding the most leases dies with its children.
            deadline = time.monotonic() + 60
            while store.conn.execute("SELECT COUNT(*) FROM reports WHERE status = 'parsed'").fetchone()[0] < 50:
                assert time.monotonic() < deadline and all(d.poll() is None for d in daemons), "no progress"
                time.sleep(0.2)
            held = Counter(int(r[0].split(":")[1]) for r in store.conn.execute("SELECT owner FROM work_leases"))
            victim = max(daemons, key=lambda d: held.get(d.pid, 0))
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            print(f"killed {time.monotonic() - t0:.1f}s", file=sys.stderr)
            deadline = time.monotonic() + 120          # a bound proving termination, not a speed check
            while not settled(store, len(files)):
                assert time.monotonic() < deadline, "the survivors did not finish the work"
                assert all(d.poll() is None for d in daemons if d is not victim)
                time.sleep(0.5)
            print(f"settled {time.monotonic() - t0:.1f}s", file=sys.stderr)
            for d in daemons:
                if d is not victim:
                    d.send_signal(signal.SIGTERM)
            for d in daemons:
                assert d.wait(timeout=60) in (0, -signal.SIGKILL)
            c = store.conn
            # Every report parsed once: one parse recorded per report, in the transaction that stored it.
            parses = Counter(r[0] for r in c.execute(
                "SELECT name FROM lease_log WHERE kind = 'report' AND event = 'parsed'"))
            assert dict(parses) == {k: 1 for k in expected_status}
            assert {r["key"]: r["status"] for r in c.execute("SELECT key, status FROM reports")} == expected_status
            # Every alert raised once, the same as one process on SQLite.
            fps = {r[0]: r[1] for r in c.execute("SELECT fingerprint, rule FROM alerts WHERE status = 'open'")}
            assert Counter(fps.values()) == Counter(expected_fps.values())
            same = {fp for fp, rule in expected_fps.items() if not rule.startswith(ORDER_BOUND)}
            assert {fp for fp, rule in fps.items() if not rule.startswith(ORDER_BOUND)} == same
            # Every delivery received once, or recorded as unsure (sent once more after its sender died);
            # a model's alert raised on a partial population and withdrawn before its notice went out (it
            # may be raised again later, with a notice of its own) has that notice cancelled, never sent.
            withdrawn = {r[0] for r in c.execute(
                "SELECT d.id FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.status = 'cancelled'"
                " AND d.last_error = 'alert withdrawn before sending' AND a.rule LIKE 'models.%'")}
            rows = {r["id"]: r for r in c.execute("SELECT id, status, unsure FROM deliveries")
                    if r["id"] not in withdrawn}
            assert rows and all(r["status"] == "sent" for r in rows.values()), Counter(
                r["status"] for r in rows.values())
            assert set(hook.ids) == set(rows)
            for did, r in rows.items():
                assert hook.ids[did] == 1 or (r["unsure"] and hook.ids[did] <= 2), (did, hook.ids[did], dict(r))
            # A rule's alert is raised once: one delivery. (A model's may be raised on a partial population
            # and withdrawn when the rest arrives, as on SQLite over several polls: each event one delivery.)
            per_alert = Counter(r[0] for r in c.execute(
                "SELECT d.alert_id FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.rule NOT LIKE 'models.%'"))
            assert per_alert and set(per_alert.values()) == {1}
            # No source polled by two workers at once; the dead worker's sources were taken over.
            turns = c.execute("SELECT name, event, owner, previous FROM lease_log WHERE kind = 'source'"
                              " ORDER BY id").fetchall()
            check_source_turns(turns, victim.pid)
            assert c.execute("SELECT COUNT(*) FROM work_leases").fetchone()[0] == 0
        finally:
            for d in daemons:
                if d.poll() is None:
                    os.killpg(d.pid, signal.SIGKILL)
                    d.wait()
            store.close()
