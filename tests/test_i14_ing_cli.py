"""Issue 14, item 3: after `make demo` the next commands show the demo's data
without --db, the demo never deletes a database holding anything else, and
commands that only read never create a database. Real `make`, real CLI
subprocesses, in a temporary copy of the repository's demo files.

SQLite only: the demo is the embedded store's (config.toml's [database] path, a
file `make demo` resets), and "creates no database" is about files; a
PostgreSQL database is there or the connection says why not (App.open)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

NO_DB = "no database at"


def _bin(tmp_path: Path) -> Path:
    """A stand-in for .venv/bin: `python` and `audit-worker` running this
    checkout with the interpreter of the tests (newer than pyproject.toml,
    so `make` does not try to set up a venv)."""
    b = tmp_path / "bin"
    b.mkdir()
    for name, run in (("python", f'exec "{sys.executable}" "$@"'),
                      ("audit-worker", f'exec "{sys.executable}" -m worker.cli "$@"')):
        f = b / name
        f.write_text(f'#!/bin/sh\nexport PYTHONPATH="{ROOT}"\n{run}\n')
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    return b


@pytest.fixture
def checkout(tmp_path):
    """The files `make demo` reads, copied: Makefile, config.toml, examples/."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Makefile", "config.toml", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    os.utime(repo / "pyproject.toml", (946684800, 946684800))        # 2000: older than the stand-in bin
    shutil.copytree(EXAMPLES, repo / "examples" / "reports")
    return repo, _bin(tmp_path)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_after_make_demo_the_next_commands_show_the_demo_without_db(checkout):
    repo, bindir = checkout
    aw = str(bindir / "audit-worker")
    r = run(["make", "demo", f"BIN={bindir}"], repo)
    assert r.returncode == 0, r.stdout + r.stderr
    tail = r.stdout.strip().splitlines()[-11:]
    assert any("next, try" in line for line in tail)
    # the web view: a user, then serve at the configured address
    assert any(line.strip().startswith(f"{aw} users add") for line in tail)
    assert any(line.strip().startswith(f"{aw} serve") and "http://127.0.0.1:8080/" in line for line in tail)
    assert any(line.strip().startswith(f"{aw} alerts list") for line in tail)
    assert any(f"{aw} alerts show" in line for line in tail) and any(f"{aw} reports list" in line for line in tail)
    db = repo / "out" / "demo.db"
    n_alerts = sqlite3.connect(db).execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    assert n_alerts > 10
    # The natural next commands, from the same folder, with no --db.
    r = run([aw, "alerts", "list"], repo)
    assert r.returncode == 0 and "0 alerts" not in r.stdout and "execution_rate_low" in r.stdout, r.stdout
    first = sqlite3.connect(db).execute("SELECT id, title FROM alerts ORDER BY id LIMIT 1").fetchone()
    r = run([aw, "alerts", "show", str(first[0])], repo)
    assert r.returncode == 0 and first[1][:20] in r.stdout, r.stdout
    r = run([aw, "reports", "list"], repo)
    assert r.returncode == 0 and "雅安市政务服务和大数据局" in r.stdout
    assert not (repo / "out" / "audit.db").exists() and not (repo / "audit.db").exists()
    # A second demo starts afresh: the same alerts, not twice as many.
    r = run(["make", "demo", f"BIN={bindir}"], repo)
    assert r.returncode == 0, r.stderr
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == n_alerts
    lines = (repo / "out" / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert 0 < len(lines) <= n_alerts


def test_make_demo_never_deletes_a_database_holding_other_reports(checkout, tmp_path):
    repo, bindir = checkout
    aw = str(bindir / "audit-worker")
    assert run(["make", "demo", f"BIN={bindir}"], repo).returncode == 0
    mine = tmp_path / "mine.txt"
    mine.write_bytes((EXAMPLES / next(p.name for p in EXAMPLES.glob("002_*"))).read_bytes().replace(
        "玉林市".encode(), "某某市".encode()))
    r = run([aw, "backfill", str(mine)], repo)
    assert r.returncode == 0, r.stderr
    db = repo / "out" / "demo.db"
    before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    r = run(["make", "demo", f"BIN={bindir}"], repo)
    assert r.returncode != 0
    assert "holds more than the demo" in r.stderr and "mine.txt" in r.stderr and "Nothing was deleted" in r.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == before
    assert conn.execute("SELECT COUNT(*) FROM reports WHERE key = ?", (str(mine.resolve()),)).fetchone()[0] == 1
    # `make clean` keeps it too.
    r = run(["make", "clean", f"BIN={bindir}", "VENV=nothing-here"], repo)
    assert db.exists() and "out/ kept" in r.stdout


READERS = [["alerts", "list"], ["alerts", "show", "1"], ["alerts", "export", "--format", "jsonl"],
           ["reports", "list"], ["reports", "show", "1"], ["status"], ["silence", "list"], ["sources", "list"]]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_command_that_only_reads_creates_no_database(tmp_path, args):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[database]\npath = "data/audit.db"\n', encoding="utf-8")
    r = run([sys.executable, "-m", "worker.cli", "--config", str(cfg), *args], tmp_path)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and NO_DB in err[0] and str(tmp_path / "data" / "audit.db") in err[0]
    assert "backfill" in err[0] and "--db" in err[0]
    assert not (tmp_path / "data").exists()
    # --db names the file just the same.
    r = run([sys.executable, "-m", "worker.cli", "--db", "other.db", *args], tmp_path)
    assert r.returncode == 2 and f"{NO_DB} other.db" in r.stderr
    assert not (tmp_path / "other.db").exists()


def test_configuration_commands_create_none_and_writers_create_it(tmp_path):
    py = [sys.executable, "-m", "worker.cli", "--db", "w.db"]
    for args in (["rules", "list"], ["taxonomy"]):
        r = run(py + args, tmp_path)
        assert r.returncode == 0, r.stderr
        assert not (tmp_path / "w.db").exists(), args
    r = run(py + ["detect"], tmp_path)
    assert r.returncode == 0 and (tmp_path / "w.db").exists()
    r = run(py + ["alerts", "list"], tmp_path)          # now there is one: read as before
    assert r.returncode == 0, r.stderr
