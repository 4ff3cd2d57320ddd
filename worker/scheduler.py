"""The daemon: scheduled polling with APScheduler 3.x, one per database.

* Jobs: poll (an interval such as "30m" or a cron expression) followed by
  detection and delivery; a retry of due deliveries every minute; an optional
  daily digest for channels with `cadence = "daily"`; a heartbeat.
* One instance per SQLite database: an exclusive lock on `<db>.lock`; a
  second daemon exits at once saying which process holds it. On PostgreSQL
  several daemons share the store: sources, reports and deliveries are
  leased (worker/leases.py, alerts/lease.py).
* SIGTERM / SIGINT stop it gracefully: the poll in progress finishes the
  document it is on (each document is one transaction) and stops; the
  scheduler waits for running jobs; nothing is left half-written.
* Coalescing and misfire grace: a long run or a suspended machine does not
  stack up jobs.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

from worker.config import parse_duration

log = logging.getLogger("audit_worker.daemon")


def poll_interval_seconds(cfg) -> float | None:
    """The poll interval of a duration schedule; None for a cron expression."""
    poll = cfg.section("schedule")["poll"]
    try:
        return parse_duration(poll)
    except ValueError:
        return None


def poll_trigger(cfg):
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    seconds = poll_interval_seconds(cfg)
    if seconds is not None:
        return IntervalTrigger(seconds=seconds)
    return CronTrigger.from_crontab(cfg.section("schedule")["poll"], timezone="UTC")


class AlreadyRunning(Exception):
    pass


class DaemonLock:
    """An exclusive lock on `<db>.lock` held for the daemon's lifetime."""

    def __init__(self, db_path: str):
        self.path = Path(db_path + ".lock")
        self.fd = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise AlreadyRunning(f"another daemon (pid {holder}) is already running on this database "
                                 f"({self.path}); stop it first") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def write_heartbeat(app, state: dict) -> None:
    from worker.status import heartbeat_path

    path = heartbeat_path(app)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "at": time.time(), **state}, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, path)


def run_daemon(app) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit status."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from worker.logs import run_id_var

    # SQLite: one daemon per database file. PostgreSQL: several share the store, taking turns
    # by leases on sources, reports and deliveries (worker/leases.py, alerts/lease.py).
    lock = DaemonLock(app.store.path) if not app.store.is_postgres else None
    try:
        if lock is not None:
            lock.acquire()
    except AlreadyRunning as e:
        log.error("%s", e)
        print(f"audit-worker daemon: {e}", flush=True)
        return 3
    stop = threading.Event()
    sched_cfg = app.cfg.section("schedule")
    state = {"started": time.time(), "polls": 0, "last_poll": None, "last_error": None}

    def poll_job():
        if stop.is_set():
            return
        app.run_id = os.urandom(6).hex()
        run_id_var.set(app.run_id)
        try:
            summary = app.run_once(should_stop=stop.is_set)
            state["polls"] += 1
            state["last_poll"] = time.time()
            state["last_error"] = None
            log.info("poll done %s", json.dumps(summary.as_dict(), ensure_ascii=False))
        except Exception as e:  # a failed poll must not kill the daemon
            state["last_error"] = f"{type(e).__name__}: {e}"
            log.exception("poll failed")
            app.store.fail_open_runs(state["last_error"])     # recorded, not left "running"
        write_heartbeat(app, state)

    def deliver_job():
        if stop.is_set():
            return
        from alerts.outbox import flush

        res = flush(app)
        if res.sent or res.failed or res.retrying:
            log.info("deliveries %s", res.text().replace("\n", " | "))

    def digest_job():
        from alerts.outbox import flush

        log.info("daily digest %s", flush(app, daily=True).text().replace("\n", " | "))

    def heartbeat_job():
        write_heartbeat(app, state)

    from apscheduler.executors.pool import ThreadPoolExecutor

    # Jobs that use the database run one at a time on one thread; the
    # heartbeat (a file) has its own so a long poll does not silence it.
    sched = BackgroundScheduler(
        timezone="UTC",
        executors={"default": ThreadPoolExecutor(1), "heartbeat": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": int(sched_cfg["misfire_grace_seconds"])})
    sched.add_job(poll_job, poll_trigger(app.cfg), id="poll", next_run_time=_now_dt())
    sched.add_job(deliver_job, "interval", seconds=60, id="deliver")
    interval = poll_interval_seconds(app.cfg) or 300
    sched.add_job(heartbeat_job, "interval", seconds=max(1.0, min(interval / 2, 60.0)), id="heartbeat",
                  executor="heartbeat")
    if sched_cfg["daily_digest"]:
        hh, mm = sched_cfg["daily_digest"].split(":")
        sched.add_job(digest_job, "cron", hour=int(hh), minute=int(mm), id="digest")

    def on_signal(signum, _frame):
        log.info("received %s: finishing the current document and stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    write_heartbeat(app, state)
    from worker.preload import preload_reader

    # The CLI imports the reader only when a command reads documents (fast start); the
    # daemon's polls fork document children while the scheduler's threads run, so
    # everything a child may import is imported now, before any thread starts.
    preload_reader()
    log.info("daemon started pid=%s db=%s poll=%s", os.getpid(), app.store.path, sched_cfg["poll"])
    sched.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sched.shutdown(wait=True)
        if stop.is_set():
            # A clean stop, said in the last heartbeat: `status` shows "stopped at", not a live daemon.
            state["stopped"] = time.time()
        write_heartbeat(app, state)
        app.store.close()
        if lock is not None:
            lock.release()
        log.info("daemon stopped cleanly")
    return 0


def _now_dt():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
