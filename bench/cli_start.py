"""Start-up time of the CLI: wall seconds of a command in a fresh process.

    python bench/cli_start.py [--runs 7] [--db PATH]

Builds a small database (`backfill` of examples/reports) unless --db is
given, then runs each command `--runs` times in a new interpreter and prints
the median, min and max wall time, and the heavy libraries each imported
(from `-X importtime`, in one extra run). The figure is what an operator
waits before the command does anything: interpreter start and imports
dominate it.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sklearn", "pandas", "numpy", "scipy", "pdfplumber", "pypdfium2", "starlette", "uvicorn", "lxml",
         "sqlite_utils", "openpyxl", "jinja2")


def commands(db: str) -> list[tuple[str, list[str]]]:
    return [("--help", ["--help"]),
            ("status", ["--db", db, "status"]),
            ("rules list", ["--db", db, "rules", "list"]),
            ("alerts list", ["--db", db, "alerts", "list"]),
            ("reports show 1", ["--db", db, "reports", "show", "1"])]


def _env(pycache: str | None) -> dict:
    """The built-in defaults (no AUDIT_WORKER_CONFIG, and cwd a new folder: no config.toml).
    `pycache`: a folder for the compiled bytecode, as an installed package has it;
    None: every module compiled from source on each start (PYTHONDONTWRITEBYTECODE)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("AUDIT_WORKER_CONFIG", None)
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def run_once(args: list[str], cwd: str, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "worker.cli", *args], cwd=cwd, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heavy_imports(args: list[str], cwd: str, env: dict) -> list[str]:
    """The heavy top-level packages one run imports (-X importtime lists every module)."""
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "worker.cli", *args], cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    found = set()
    for line in p.stderr.splitlines():
        if "|" in line:
            top = line.rsplit("|", 1)[1].strip().split(".")[0]
            if top in HEAVY:
                found.add(top)
    return sorted(found)


def _median(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--db", default=None, help="an existing database (default: a new one from examples/reports)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cached = _env(str(Path(tmp) / "pycache"))
        uncached = _env(None)
        db = a.db or str(Path(tmp) / "start.db")
        if a.db is None:
            subprocess.run([sys.executable, "-m", "worker.cli", "--db", db, "backfill", str(ROOT / "examples/reports")],
                           cwd=tmp, env=cached, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        print(f"python {sys.version.split()[0]}, medians of {a.runs} runs, load {os.getloadavg()[0]:.2f} at start")
        print("wall and CPU (user+sys) seconds; .pyc: bytecode cached as in an install; no .pyc: compiled each start")
        print(f"| {'command':<16} | wall .pyc | CPU .pyc | wall no .pyc | CPU no .pyc | heavy imports |")
        print("|---|---:|---:|---:|---:|---|")
        rows = [("(python -c 0)", None)] + [(name, args) for name, args in commands(db)]
        for name, args in rows:
            res = {}
            for label, env in (("c", cached), ("u", uncached)):
                if args is None:
                    runs = [_bare(tmp, env) for _ in range(a.runs)]
                else:
                    run_once(args, tmp, env)        # warm: the .pyc written, the files in the page cache
                    runs = [run_once(args, tmp, env) for _ in range(a.runs)]
                res[label] = ([w for w, _ in runs], [c for _, c in runs])
            heavy = "" if args is None else (", ".join(heavy_imports(args, tmp, cached)) or "none")
            print(f"| {name:<16} | {_median(res['c'][0])} | {_median(res['c'][1])} "
                  f"| {_median(res['u'][0])} | {_median(res['u'][1])} | {heavy} |")
        print(f"load {os.getloadavg()[0]:.2f} at the end")


def _bare(cwd: str, env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "0"], cwd=cwd, env=env, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
