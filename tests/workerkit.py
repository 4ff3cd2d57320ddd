"""Several `audit-worker daemon` processes on one store: a portal of generated reports on
127.0.0.1, a config per daemon, the daemons as real processes (tests/test_pg_workers.py,
bench/pg_workers.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(out: Path, issuers: int, years: str = "2016-2025", seed: int = 11) -> list[Path]:
    """A corpus from bench/generate.py: `issuers` × years reports, text and HTML."""
    if not out.is_dir():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(out), "--issuers", str(issuers),
                        "--years", years, "--seed", str(seed)], check=True, capture_output=True)
    return sorted(p for p in out.iterdir() if p.suffix in (".txt", ".html"))


def serve(portal, files: list[Path], n_sources: int) -> list[dict]:
    """The reports on `portal`, listed by `n_sources` list pages: report i on list i mod n, and every
    third report on the next list too, so two workers polling two sources meet the same report."""
    lists: list[list[str]] = [[] for _ in range(n_sources)]
    for i, f in enumerate(files):
        path = f"/r/{f.name}"
        kind = "text/plain; charset=utf-8" if f.suffix == ".txt" else "text/html; charset=utf-8"
        portal.add(path, f.read_bytes(), type=kind)
        lists[i % n_sources].append(path)
        if i % 3 == 0 and n_sources > 1:
            lists[(i + 1) % n_sources].append(path)
    specs = []
    for s, paths in enumerate(lists):
        portal.add(f"/list/{s}.html", "<html><body><ul class='list'>" + "".join(
            f"<li><a href='{p}'>部门决算 {p}</a></li>" for p in paths) + "</ul></body></html>")
        specs.append({"name": f"portal-{s}", "kind": "html_index", "url": portal.url(f"/list/{s}.html"),
                      "link_selector": "ul.list a", "allow_private": True, "max_pages": 1})
    return specs


def _toml(v) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else str(v).lower()


def write_config(path: Path, db: str, specs: list[dict], hook_url: str | None = None, poll: str = "2s",
                 n: int = 0) -> Path:
    """A daemon's config: `db` an SQLite path or a PostgreSQL URL; its own heartbeat file and
    user agent (several daemons on one machine)."""
    key = "url" if db.startswith("postgresql") else "path"
    lines = [f"[database]\n{key} = {_toml(db)}",
             f"[schedule]\npoll = {_toml(poll)}\nmin_poll_seconds = 1\nheartbeat_file = {_toml(f'hb{n}.json')}",
             f"[fetch]\nper_host_interval_seconds = 0.0\nretries = 0\ntimeout_seconds = 10.0\n"
             f"user_agent = {_toml(f'audit-worker-test/{n}')}",
             "[logging]\nformat = \"json\"",
             "[alerts]\nbackoff_seconds = 0.0"]
    if hook_url:
        lines.append(f"[channels.hook]\ntype = \"webhook\"\nurl = {_toml(hook_url)}\nsecret_env = \"AW_TEST_SECRET\"\n"
                     f"allow_private = true\ntimeout_seconds = 10.0")
    for spec in specs:
        lines.append("[[sources]]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in spec.items()))
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_daemon(cfg: Path, log: Path, env: dict | None = None) -> subprocess.Popen:
    """`audit-worker daemon` in its own session (so its parser processes can be killed with it)."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "worker.cli", "--config", str(cfg), "daemon"],
                                stdout=out, stderr=subprocess.STDOUT, env=full, cwd=cfg.parent,
                                start_new_session=True)
