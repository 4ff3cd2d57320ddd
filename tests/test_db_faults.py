"""Database faults end a command with one clear line and a nonzero exit, never
a traceback; `status` sees a damaged file, a died run and failed deliveries.

Every fault is a real SQLite condition on a real file: garbage bytes, a page
overwritten, `PRAGMA max_page_count` reached ("database or disk is full"), a
write lock held by another connection past `[storage] busy_timeout_s`.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

from worker.cli import EXIT_DATABASE, main

SEEDS = sorted(EXAMPLES.glob("*.txt"))


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(res) -> str:
    """The command's whole output is a single line (no traceback, no summary)."""
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return lines[0]


def checkpoint(db) -> None:
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()


def write_config(tmp_path, **storage) -> str:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[storage]\n" + "".join(f"{k} = {v}\n" for k, v in storage.items()), encoding="utf-8")
    return str(cfg)


@pytest.mark.parametrize("args", [["status"], ["alerts", "list"], ["reports", "show", "1"],
                                  ["backfill", str(SEEDS[0])]])
def test_a_corrupt_database_file_is_one_line_and_exit_4(tmp_path, args):
    db = tmp_path / "bad.db"
    db.write_bytes(os.urandom(8192))
    res = cli("--db", db, *args)
    line = one_line(res)
    assert res.exit_code == EXIT_DATABASE
    assert "is corrupt" in line and str(db) in line and "backup" in line


def test_a_damaged_page_makes_status_unhealthy(tmp_path):
    db = tmp_path / "d.db"
    assert cli("--db", db, "backfill", SEEDS[0]).exit_code == 0
    checkpoint(db)
    c = sqlite3.connect(db)
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reports_sha'").fetchone()[0]
    page = c.execute("PRAGMA page_size").fetchone()[0]
    c.close()
    with open(db, "r+b") as f:                    # an index of reports: a page of garbage
        f.seek((root - 1) * page)
        f.write(b"\xa5" * page)
    res = cli("--db", db, "status")
    assert res.exit_code == 1, res.output
    assert "quick_check" in res.output and "Traceback" not in res.output
    js = cli("--db", db, "status", "--json")
    data = json.loads(js.output)
    assert js.exit_code == 1 and data["database"]["ok"] is False and not data["healthy"]
    assert any("quick_check" in p for p in data["problems"])


def test_a_full_database_ends_the_backfill_with_one_line_and_the_next_run_retries(tmp_path):
    db = tmp_path / "f.db"
    assert cli("--db", db, "backfill", SEEDS[0]).exit_code == 0
    checkpoint(db)
    # The cap is the file's present size: the next report's facts do not fit.
    cfg = write_config(tmp_path, max_size_mb=os.path.getsize(db) / 1024 / 1024)
    res = cli("--config", cfg, "--db", db, "backfill", SEEDS[1], SEEDS[2])
    line = one_line(res)
    assert res.exit_code == EXIT_DATABASE
    assert "is full" in line and "free disk space" in line
    st = cli("--db", db, "status", "--json")
    data = json.loads(st.output)
    assert st.exit_code == 1
    assert data["runs"][0]["status"] == "failed" and "is full" in data["runs"][0]["error"]
    assert any("failed" in p and "backfill" in p for p in data["problems"])
    # Space again: the same command finishes the work, and status is healthy.
    res = cli("--db", db, "backfill", SEEDS[1], SEEDS[2])
    assert res.exit_code == 0 and "2 ingested" in res.output
    st = cli("--db", db, "status")
    assert st.exit_code == 0, st.output


def test_a_locked_database_gives_up_after_the_busy_timeout(tmp_path):
    db = tmp_path / "l.db"
    assert cli("--db", db, "backfill", SEEDS[0]).exit_code == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")             # another process's long write transaction
    holder.execute("INSERT INTO meta(key, value) VALUES ('holder', 'x')")
    cfg = write_config(tmp_path, busy_timeout_s=1.0)
    try:
        t0 = time.monotonic()
        res = cli("--config", cfg, "--db", db, "backfill", SEEDS[1])
        elapsed = time.monotonic() - t0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = one_line(res)
    assert res.exit_code == EXIT_DATABASE
    assert "is locked by another process" in line and "busy_timeout_s" in line
    assert elapsed < 30                            # 1 s configured: it did not wait for minutes
    assert cli("--db", db, "backfill", SEEDS[1]).exit_code == 0      # unlocked: it runs


def test_a_run_left_running_by_a_killed_process_is_marked_died(tmp_path):
    db = tmp_path / "k.db"
    code = ("import os, sys; from worker.storage import Store; s = Store(sys.argv[1]); "
            "s.start_run('killedrun', 'backfill'); os.kill(os.getpid(), 9)")
    p = subprocess.run([sys.executable, "-c", code, str(db)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                       timeout=120)
    assert p.returncode == -9
    c = sqlite3.connect(db)
    assert c.execute("SELECT status FROM runs WHERE run_id = 'killedrun'").fetchone()[0] == "running"
    c.close()
    st = cli("--db", db, "status", "--json")
    data = json.loads(st.output)
    assert st.exit_code == 1
    run = next(r for r in data["runs"] if r["run_id"] == "killedrun")
    assert run["status"] == "died" and "ended without finishing" in run["error"]
    assert any("killedrun" in p and "died" in p for p in data["problems"])
    text = cli("--db", db, "status")
    assert text.exit_code == 1 and "UNHEALTHY" in text.output and "died" in text.output
    # A run that finishes well afterwards: healthy again.
    assert cli("--db", db, "backfill", SEEDS[0]).exit_code == 0
    assert cli("--db", db, "status").exit_code == 0
