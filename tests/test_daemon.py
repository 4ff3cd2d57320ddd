"""The daemon as a real process against a portal on 127.0.0.1; config
validation; logging; backfill options."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT, wait_for
from servers import Portal
from test_sources import SEED, build_portal, html_page

from worker.cli import main


def write_config(tmp_path, portal, poll="1s", extra=""):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[database]
path = "daemon.db"
[schedule]
poll = "{poll}"
min_poll_seconds = 1
[fetch]
per_host_interval_seconds = 0.0
retries = 0
timeout_seconds = 5.0
[logging]
format = "json"
[alerts]
backoff_seconds = 0.0
[channels.log]
type = "file"
path = "alerts.jsonl"
[[sources]]
name = "portal"
kind = "html_index"
url = "{portal.url('/list/index.html')}"
link_selector = "ul.list a"
next_selector = "a.next"
allow_private = true
{extra}
""", encoding="utf-8")
    return cfg


def start(cfg, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "worker.cli", "--config", str(cfg), *args, "daemon"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cfg.parent, text=True)


def cli(cfg, *args):
    return CliRunner().invoke(main, ["--config", str(cfg), *args])


def test_daemon_polls_alerts_refuses_a_twin_and_stops_cleanly(tmp_path):
    with Portal() as portal:
        build_portal(portal)
        cfg = write_config(tmp_path, portal)
        proc = start(cfg)
        try:
            alerts = tmp_path / "alerts.jsonl"
            assert wait_for(lambda: alerts.exists() and len(alerts.read_text(encoding="utf-8").splitlines()) > 5), \
                proc.stderr.read() if proc.poll() is not None else "no alerts"
            twin = start(cfg)
            out, err = twin.communicate(timeout=30)
            assert twin.returncode == 3 and "already running" in out
            res = cli(cfg, "status", "--json")
            data = json.loads(res.output)
            assert res.exit_code == 0 and data["heartbeat"]["present"] and data["heartbeat"]["healthy"]
            assert data["heartbeat"]["pid"] == proc.pid
            # A report published while it runs is picked up by a later poll.
            portal.add("/art/6.html", html_page("雅安市政务服务和大数据局2020年度部门决算", SEED["003"]))
            page = portal.routes["/list/index.html"]["body"].decode()
            portal.add("/list/index.html", page.replace(
                "<ul class='list'>", "<ul class='list'><li><a href='/art/6.html'>雅安2020年度部门决算</a></li>"))
            assert wait_for(lambda: "雅安" in alerts.read_text(encoding="utf-8"))
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    lines = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    assert any("stopped cleanly" in x["msg"] for x in lines)
    assert all("run_id" in x for x in lines)
    db = sqlite3.connect(tmp_path / "daemon.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM runs WHERE status != 'ok'").fetchone()[0] == 0
    parsed = db.execute("SELECT id FROM reports WHERE status = 'parsed'").fetchall()
    assert all(db.execute("SELECT COUNT(*) FROM facts WHERE report_id = ?", r).fetchone()[0] > 0 for r in parsed)
    assert db.execute("SELECT COUNT(*) FROM deliveries WHERE status != 'sent'").fetchone()[0] == 0
    # A clean stop is said in the last heartbeat: status shows it stopped, not a stale (dead) daemon
    # (a daemon that dies without stopping cleanly: tests/test_i14_delivery.py).
    time.sleep(2.5)
    res = cli(cfg, "status", "--json")
    hb = json.loads(res.output)["heartbeat"]
    assert res.exit_code == 0 and hb["state"] == "stopped" and hb["stopped_at"]


def test_sigterm_in_the_middle_of_a_poll_finishes_the_current_document(tmp_path):
    with Portal() as portal:
        links = ""
        for n in range(12):
            portal.add(f"/art/{n}.html", html_page(f"某局{n}2023年度部门决算", SEED["004"].replace("|", " ")),
                       delay=0.4)
            links += f"<li><a href='/art/{n}.html'>某局{n}2023年度部门决算</a></li>"
        portal.add("/list/index.html", f"<html><body><ul class='list'>{links}</ul></body></html>")
        cfg = write_config(tmp_path, portal, poll="1h")
        proc = start(cfg)
        db_path = tmp_path / "daemon.db"

        def some_done():
            try:
                c = sqlite3.connect(db_path)
                return c.execute("SELECT COUNT(*) FROM reports WHERE status = 'parsed'").fetchone()[0] >= 2
            except sqlite3.Error:
                return False
        assert wait_for(some_done)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert time.monotonic() - t0 < 20        # it did not poll all twelve slow pages
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    parsed = [r[0] for r in db.execute("SELECT id FROM reports WHERE status = 'parsed'")]
    assert 2 <= len(parsed) < 12
    for rid in parsed:
        assert db.execute("SELECT COUNT(*) FROM facts WHERE report_id = ?", (rid,)).fetchone()[0] > 50
        assert db.execute("SELECT COUNT(*) FROM documents WHERE report_id = ?", (rid,)).fetchone()[0] == 1


@pytest.mark.parametrize("toml, words", [
    ('[rules.execution_rate]\nwarn_below = "ninety"\n', "rules.execution_rate.warn_below: expected a number"),
    ("[fetch]\ntimeout = 3\n", "fetch.timeout: unknown key"),
    ('[schedule]\npoll = "every day"\n', "schedule.poll: expected a duration"),
    ('[rules.execution_rate]\nwarn_below = 50\nhigh_below = 70\n', "high_below: must not exceed warn_below"),
    ('[channels.x]\ntype = "pager"\n', "channels.x.type: expected one of"),
    ('[[sources]]\nname = "a"\nkind = "rss"\n', "sources[0].url: required"),
    ('[alerts]\nmin_severity = "urgent"\n', "alerts.min_severity: expected one of"),
    ("[rules.nosuch]\nx = 1\n", "rules.nosuch: unknown rule family"),
    ("[database\npath = 1\n", "not valid TOML"),
])
def test_broken_config_is_reported_with_the_key_before_anything_runs(tmp_path, toml, words):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml, encoding="utf-8")
    res = CliRunner().invoke(main, ["--config", str(cfg), "config", "check"])
    assert res.exit_code == 2 and words in res.output and str(cfg) in res.output
    res = CliRunner().invoke(main, ["--config", str(cfg), "--db", str(tmp_path / "x.db"), "backfill",
                                    str(EXAMPLES)])
    assert res.exit_code == 2 and words in res.output
    assert not (tmp_path / "x.db").exists()


def test_bundled_and_production_configs_are_valid(monkeypatch):
    for name in ("AUDIT_SMTP_USER", "AUDIT_SMTP_PASSWORD", "AUDIT_WEBHOOK_SECRET"):
        monkeypatch.setenv(name, "set-for-the-test")     # `config check` requires the secrets' variables set
    for cfg in (ROOT / "config.toml", ROOT / "deploy" / "config.production.toml"):
        res = CliRunner().invoke(main, ["--config", str(cfg), "config", "check"])
        assert res.exit_code == 0 and "OK" in res.output, res.output


def test_backfill_years_source_and_dry_run(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "b.db")
    res = runner.invoke(main, ["--db", db, "backfill", str(EXAMPLES), "--since", "2023"])
    assert "2 outside --since/--until" in res.output       # the two 2020 reports are not checked
    rows = dict(sqlite3.connect(db).execute(
        "SELECT r.year, COUNT(a.id) FROM reports r LEFT JOIN alerts a ON a.report_id = r.id GROUP BY r.year"))
    assert rows[2020] == 0 and rows[2023] > 0 and rows[2024] > 0
    res = runner.invoke(main, ["--db", db, "backfill", str(EXAMPLES), "--since", "2023/1"])
    assert res.exit_code == 2 and "fiscal year" in res.output
    with Portal() as portal:
        build_portal(portal)
        cfg = write_config(tmp_path, portal)
        res = runner.invoke(main, ["--config", str(cfg), "backfill", "--source", "portal", "--dry-run"])
        assert res.exit_code == 0 and "nothing sent" in res.output
        assert not (tmp_path / "alerts.jsonl").exists()
        res = runner.invoke(main, ["--config", str(cfg), "backfill", "--source", "nope"])
        assert res.exit_code == 1 and "unknown source" in res.output


def test_logs_are_key_value_lines_with_the_run_id_and_no_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("AW_HOOK_SECRET", "topsecretvalue")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[channels.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook?token=abc"\n'
                   'secret_env = "AW_HOOK_SECRET"\nallow_private = true\n[alerts]\nbackoff_seconds = 0.0\n',
                   encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    p = subprocess.run([sys.executable, "-m", "worker.cli", "--config", str(cfg), "--db", str(tmp_path / "l.db"),
                        "--log-level", "DEBUG", "backfill", str(EXAMPLES / "004_06066fc72a3963be.txt"), str(bad),
                        "--deliver"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert lines and all(x.startswith("ts=") and " run_id=" in x and " level=" in x for x in lines)
    assert "topsecretvalue" not in p.stderr + p.stdout
    assert "token=abc" not in p.stderr + p.stdout
