"""`make demo`: the bundled examples in the database config.toml names.

The demo writes to the same database as every other command run with the
bundled config.toml, so that after `make demo` the natural next commands
(`audit-worker alerts list`, `alerts show 1`, `reports list`) show its data
without --db. It starts from a fresh database only when the one there holds
nothing but the demo's own data (every report read from examples/reports, no
source ever polled): a database holding anything else (a backfill of one's
own reports, a polled portal) is never deleted; the demo stops and says
what to do instead.

    python -m worker.demo reset [--config config.toml] [--examples examples/reports]
    python -m worker.demo next  [--config config.toml] [--bin .venv/bin]

Exit codes: 0 done; 3 the database holds other data (nothing deleted);
2 a bad configuration.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

EXIT_NOT_DEMO = 3


@dataclass
class Verdict:
    demo_only: bool     # missing, empty, or nothing but the examples
    why: str = ""       # what else it holds, for the operator


def judge(db: Path, examples: Path) -> Verdict:
    """Whether a database holds nothing but reports read from `examples`
    (read-only: the file is opened with mode=ro, never created or changed)."""
    if not db.exists():
        return Verdict(True)
    root = examples.resolve()
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return Verdict(False, f"it cannot be read as a database ({e})")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "reports" in tables:
            others = [k for (k,) in conn.execute("SELECT key FROM reports") if not _inside(k, root)]
            if others:
                return Verdict(False, f"it holds {len(others)} report(s) not from {examples} "
                                      f"(e.g. {others[0]})")
        if "source_state" in tables:
            polled = [n for (n,) in conn.execute("SELECT name FROM source_state")]
            if polled:
                return Verdict(False, f"it records polls of source(s) {', '.join(polled)}")
    except sqlite3.Error as e:
        return Verdict(False, f"it cannot be read as a database ({e})")
    finally:
        conn.close()
    return Verdict(True)


def demo_lines_only(path: Path, examples: Path) -> bool:
    """Whether an alerts file holds only alerts about the examples."""
    root = examples.resolve()
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not _inside(str(json.loads(line).get("source", "")), root):
                return False
    except (OSError, ValueError, AttributeError):
        return False
    return True


def _inside(key: str, root: Path) -> bool:
    if key.startswith(("http://", "https://")):
        return False
    try:
        return Path(key).resolve().is_relative_to(root)
    except (OSError, RuntimeError, ValueError):
        return False


def _show(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def _config(path: str | None):
    from worker import config as cfgmod

    try:
        return cfgmod.load(path)
    except cfgmod.ConfigError as e:
        print("configuration error (nothing was run):\n" + str(e), file=sys.stderr)
        sys.exit(2)


def reset(config_path: str | None, examples: Path) -> int:
    """Remove the demo's previous database and alerts file, or refuse."""
    cfg = _config(config_path)
    db = cfg.database
    verdict = judge(db, examples)
    if not verdict.demo_only:
        print(f"make demo: {_show(db)} (the [database] path of {cfg.path or 'the configuration'}) holds more "
              f"than the demo: {verdict.why}.\n"
              f"  Nothing was deleted. To run the demo, move that database aside "
              f"(mv {_show(db)} {_show(db)}.bak) or point [database] path at another file.", file=sys.stderr)
        return EXIT_NOT_DEMO
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    for name, spec in cfg.channels.items():
        out = Path(spec.get("path", "")) if spec["type"] == "file" else None
        if out is None or not out.is_file():
            continue
        if demo_lines_only(out, examples):
            out.unlink()
        else:
            print(f"make demo: keeping {_show(out)} (channel {name}): it holds alerts not from the demo; "
                  f"the demo's alerts are appended to it", file=sys.stderr)
    print(f"demo database: {_show(db)} (the [database] path of {cfg.path or 'the configuration'})")
    return 0


def next_steps(config_path: str | None, bin_dir: str) -> int:
    """The commands to try after the demo, with ids that exist."""
    cfg = _config(config_path)
    db = cfg.database
    alert_id = report_id = 1
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            alert_id = conn.execute("SELECT MIN(id) FROM alerts").fetchone()[0] or 1
            report_id = conn.execute("SELECT MIN(id) FROM reports WHERE status = 'parsed'").fetchone()[0] or 1
        finally:
            conn.close()
    except sqlite3.Error:
        pass
    aw = str(Path(bin_dir) / "audit-worker") if bin_dir else "audit-worker"
    files = [Path(s["path"]) for s in cfg.channels.values() if s["type"] == "file" and s.get("path")]
    print(f"database: {_show(db)} (config.toml [database] path: every command below uses it, no --db needed)")
    if files:
        print("alerts also written to " + ", ".join(_show(f) for f in files))
    print("next, try:")
    for cmd, what in (("alerts list", "every alert"),
                      (f"alerts show {alert_id}", "one alert: its quotes, numbers and history"),
                      ("reports list", "the reports read, with their status"),
                      (f"reports show {report_id}", "what was read from one report and verified"),
                      ("alerts export --format csv -o out/alerts.csv", "the alerts for a spreadsheet")):
        print(f"  {aw} {cmd:<46} # {what}")
    web = cfg.section("web")
    print("the web view (log in with the user you add; it asks for a password):")
    for cmd, what in (("users add me --role admin", "a user of the web view"),
                      ("serve", f"then open http://{web['host']}:{web['port']}/")):
        print(f"  {aw} {cmd:<46} # {what}")
    if bin_dir:
        print(f"(or run `. {Path(bin_dir) / 'activate'}` once, then just `audit-worker …`)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m worker.demo", description=__doc__.split("\n\n")[0])
    ap.add_argument("step", choices=("reset", "next"))
    ap.add_argument("--config", default=None, help="config.toml (default: as the CLI finds it)")
    ap.add_argument("--examples", default="examples/reports", type=Path, help="the demo's reports")
    ap.add_argument("--bin", default="", help="folder of the audit-worker command, for the printed commands")
    a = ap.parse_args(argv)
    if a.step == "reset":
        return reset(a.config, a.examples)
    return next_steps(a.config, a.bin)


if __name__ == "__main__":
    sys.exit(main())
