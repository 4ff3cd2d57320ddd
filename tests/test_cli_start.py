"""Issue 16, fast start: each command imports what it uses, when it uses it.

`--help`, `status` and the views start without scikit-learn, pandas, numpy,
the PDF libraries, the web server or lxml; the reader (worker.extract,
worker.parse) only loads for a command that reads documents. Checked on the
real CLI in a fresh interpreter with `python -X importtime`, which lists every
module the process imported, at start or later. (Speed itself is measured in
bench/cli_start.py, not asserted here.)"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import EXAMPLES, ROOT

HEAVY = ("sklearn", "pandas", "numpy", "scipy", "pdfplumber", "pypdfium2", "starlette", "uvicorn", "lxml",
         "sqlite_utils")
READER = ("worker.extract", "worker.parse", "worker.read", "worker.ingest")


def imported(args: list, cwd) -> set[str]:
    """Every module `python -X importtime -m worker.cli ARGS` imported (the command must succeed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("AUDIT_WORKER_CONFIG", None)
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "worker.cli", *map(str, args)], cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode in (0, 1), p.stderr[-3000:]      # status exits 1 when unhealthy
    mods = {line.rsplit("|", 1)[1].strip() for line in p.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}
    assert "click" in mods, "no import lines: -X importtime did not run"
    return mods


def loaded(mods: set[str], names) -> list[str]:
    return sorted(n for n in names if n in mods)


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    """A real database: one example report backfilled (rules and models ran)."""
    from click.testing import CliRunner

    from worker.cli import main

    d = tmp_path_factory.mktemp("start")
    one = d / "one"
    one.mkdir()
    src = sorted(EXAMPLES.glob("*.txt"))[0]
    (one / src.name).write_bytes(src.read_bytes())
    db = d / "s.db"
    res = CliRunner().invoke(main, ["--db", str(db), "backfill", str(one)])
    assert res.exit_code == 0, res.output
    return db


def test_help_imports_no_heavy_library_and_not_the_reader(tmp_path):
    mods = imported(["--help"], tmp_path)
    assert loaded(mods, HEAVY) == []
    assert loaded(mods, READER + ("worker.app", "worker.storage", "rich")) == []


@pytest.mark.parametrize("args", [
    ["status"], ["status", "--json"], ["alerts", "list"], ["alerts", "show", "1"], ["reports", "list"],
    ["reports", "show", "1"], ["sources", "list"], ["silence", "list"],
], ids=" ".join)
def test_views_import_neither_heavy_libraries_nor_the_reader(small_db, tmp_path, args):
    mods = imported(["--db", small_db, *args], tmp_path)
    assert loaded(mods, HEAVY) == []
    assert loaded(mods, READER) == []


def test_status_json_does_not_load_the_terminal_tables(small_db, tmp_path):
    assert loaded(imported(["--db", small_db, "status", "--json"], tmp_path), ("rich",)) == []


def test_rules_list_loads_the_detectors_but_no_model_library(small_db, tmp_path):
    mods = imported(["--db", small_db, "rules", "list"], tmp_path)
    assert "rules.registry" in mods and "models.registry" in mods     # it lists them: it loads them
    assert loaded(mods, HEAVY) == []


def test_detect_with_rules_only_loads_no_model_library(small_db, tmp_path):
    import sqlite3

    db = tmp_path / "copy.db"
    # SQLite's own copy: a file copy would miss what is still in the WAL (the report itself).
    with sqlite3.connect(small_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    mods = imported(["--db", db, "detect", "--rules", "totals"], tmp_path)
    assert "alerts.engine" in mods and "models.engine" in mods     # the detect stage ran
    assert loaded(mods, HEAVY) == []


def test_backfill_of_a_text_file_loads_no_pdf_web_or_html_library(tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    src = sorted(EXAMPLES.glob("*.txt"))[0]
    (one / src.name).write_bytes(src.read_bytes())
    mods = imported(["--db", tmp_path / "b.db", "backfill", "--no-detect", one], tmp_path)
    assert "worker.ingest" in mods
    assert loaded(mods, HEAVY) == []
    # with detection the models stage runs: scikit-learn is loaded then, and only then
    mods = imported(["--db", tmp_path / "b.db", "backfill", "--reparse", one], tmp_path)
    assert "sklearn" in mods
    assert loaded(mods, ("pdfplumber", "pypdfium2", "starlette", "uvicorn", "lxml")) == []


DAEMON_CHECK = r"""
import os, signal, sys
from apscheduler.schedulers.background import BackgroundScheduler
from worker.app import App
from worker.scheduler import run_daemon

seen = {}
start = BackgroundScheduler.start

def checked_start(self, *a, **k):
    # what is imported when the scheduler's threads begin, then stop the daemon
    seen["reader"] = all(m in sys.modules for m in ("worker.parse", "worker.extract.pdf", "pdfplumber"))
    start(self, *a, **k)
    os.kill(os.getpid(), signal.SIGTERM)

BackgroundScheduler.start = checked_start
assert "worker.parse" not in sys.modules and "pdfplumber" not in sys.modules, "imported too early"
app = App.open(None, sys.argv[1])
run_daemon(app)
print("reader" if seen.get("reader") else "NOT PRELOADED")
"""


def test_daemon_imports_the_reader_before_its_threads_start(tmp_path):
    # The CLI no longer imports the reader at start; the daemon's polls fork
    # children while threads run (worker/preload.py), so it must preload.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("AUDIT_WORKER_CONFIG", None)
    p = subprocess.run([sys.executable, "-c", DAEMON_CHECK, str(tmp_path / "d.db")], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.strip().splitlines()[-1] == "reader"
