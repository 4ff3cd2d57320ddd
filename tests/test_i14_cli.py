"""Issue 14, items 6 and 11: names typed on the command line are checked,
the statistical detectors are listed, `alerts list` is ordered, filtered and
printable as JSON, `alerts show` has the deliveries, and labels follow --lang."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from conftest import ROOT, seed_path
from dbkit import connect, rows
from servers import Receiver

from worker.cli import main

MODEL_IDS = ("models.peer.outlier", "models.within.satisfaction", "models.iforest.risk", "models.benford.first_digit",
             "models.cross_year.previous", "models.cross_year.direction", "models.hugging.share")   # README table


def cli(*args, env=None):
    return CliRunner(env=env).invoke(main, list(args))


def proc(*args):
    """The real command in a subprocess, as an operator runs it."""
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


@pytest.fixture
def stored(examples_url):
    """The example reports backfilled, on each store (shared; not modified: see `db`)."""
    return examples_url


@pytest.fixture
def db(examples_url_copy):
    return examples_url_copy


def change(db, sql, *args) -> None:
    conn = connect(db)
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


# -- item 6: silence accepts only what can match -----------------------------------
@pytest.mark.parametrize("args, option, shown", [
    (["--kind", "no_such_kind"], "--kind", ["execution_rate_low", "statistical_outlier", "source_failure"]),
    (["--rule", "no.such.rule"], "--rule", ["execution_rate", "models.peer"]),
    (["--rule", "execution_rate.projet"], "--rule", ["did you mean", "execution_rate.project"]),
    (["--report", "99"], "--report", ["no report #99", "reports list"]),
    (["--kind", "unit_error", "--until", "2020-01-01"], "--until", ["not in the future"]),
    (["--kind", "unit_error", "--until", "next week"], "--until", ["2026-12-31", "'next week'"]),
])
def test_silence_refuses_what_would_silence_nothing(db, args, option, shown):
    p = proc("--db", db, "silence", *args, "--by", "张审计", "--comment", "试试")
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"'{option}'" in p.stderr and "Traceback" not in p.stderr
    for s in shown:
        assert s in p.stderr, p.stderr
    assert rows(db, "SELECT count(*) FROM silences") == [(0,)]


def test_silence_accepts_rules_models_operator_and_a_future_end(db):
    until = (datetime.now(timezone.utc) + timedelta(days=30)).date().isoformat()
    for args in (["--rule", "execution_rate"], ["--rule", "models.peer"], ["--rule", "operator.source_failure"],
                 ["--kind", "benford_deviation"], ["--kind", "source_failure"], ["--report", "2"],
                 ["--kind", "unit_error", "--until", until], ["--rule", "totals", "--until", until + "T18:00+08:00"]):
        res = cli("--db", db, "silence", *args, "--by", "张审计", "--comment", "已知")
        assert res.exit_code == 0, (args, res.output)
    stored = rows(db, "SELECT matcher, value, until FROM silences ORDER BY id")
    assert stored[-2] == ("kind", "unit_error", until + "T00:00:00+00:00")
    assert stored[-1] == ("rule", "totals", until + "T10:00:00+00:00")        # 18:00 in +08:00 is 10:00 UTC


# -- item 11: --rules and --facts name something -----------------------------------
def test_unknown_rule_ids_exit_2_with_close_matches(db_url):
    db = db_url
    res = cli("--db", db, "backfill", str(seed_path("003")), "--rules", "execution_rate.projct")
    assert res.exit_code == 2 and "execution_rate.project" in res.output and "did you mean" in res.output
    assert not rows(db, "SELECT name FROM sqlite_master WHERE name = 'reports'") or \
        rows(db, "SELECT count(*) FROM reports") == [(0,)]            # refused before anything was read
    res = cli("--db", db, "detect", "--rules", "models.nosuch")
    assert res.exit_code == 2 and "models.peer" in res.output
    res = cli("--db", db, "rules", "test", str(seed_path("003")), "--rules", "nosuch")
    assert res.exit_code == 2 and "unknown detector 'nosuch'" in res.output
    # A real model id cannot run on one file: said so, not silently nothing.
    res = cli("--db", db, "rules", "test", str(seed_path("003")), "--rules", "models.peer.outlier")
    assert res.exit_code == 2 and "detect --rules models.peer.outlier" in res.output


def test_detect_with_a_model_family_runs(db):
    res = cli("--db", db, "detect", "--rules", "models.within")
    assert res.exit_code == 0, res.output


def test_reports_show_unknown_fact_kind(stored):
    res = cli("--db", str(stored), "reports", "show", "1", "--facts", "nosuch")
    assert res.exit_code == 2
    assert "unknown fact kind 'nosuch'" in res.output and "amount" in res.output and "claim" in res.output
    res = cli("--db", str(stored), "reports", "show", "1", "--facts", "clam")
    assert res.exit_code == 2 and "did you mean claim" in res.output
    res = cli("--db", str(stored), "reports", "show", "1", "--facts", "claim")
    assert res.exit_code == 0 and "stated ratios and differences" in res.output


def test_rules_list_shows_rules_and_models(db_url):
    res = cli("--db", db_url, "rules", "list")
    assert res.exit_code == 0
    lines = res.output.splitlines()
    for mid in MODEL_IDS:
        line = next((x for x in lines if f" {mid} " in x), None)
        assert line is not None and " model " in line, mid
    line = next(x for x in lines if " execution_rate.project " in x)
    assert " rule " in line and "warn_below=90" in line
    assert "statistical models" in res.output


# -- item 11: alerts list order, --status, --json; show with deliveries ------------
def listed(db, *args):
    res = cli("--db", db, "alerts", "list", "--json", *args)
    assert res.exit_code == 0, res.output
    return [json.loads(x) for x in res.output.splitlines()]


def test_alerts_list_is_by_severity_then_newest(db):
    order = {"high": 3, "medium": 2, "low": 1, "info": 0}
    # The oldest high alert made newest, a low alert made the newest of all.
    high = rows(db, "SELECT min(id) FROM alerts WHERE severity = 'high'")[0][0]
    low = rows(db, "SELECT max(id) FROM alerts WHERE severity = 'low'")[0][0]
    change(db, "UPDATE alerts SET created_at = '2099-01-01T00:00:00+00:00' WHERE id = ?", high)
    change(db, "UPDATE alerts SET created_at = '2099-06-01T00:00:00+00:00' WHERE id = ?", low)
    got = listed(db)
    assert len(got) == rows(db, "SELECT count(*) FROM alerts WHERE status != 'withdrawn'")[0][0]
    assert got[0]["id"] == high                                       # newest of the most severe
    sev = [order[a["severity"]] for a in got]
    assert sev == sorted(sev, reverse=True)                           # never grouped by report
    assert [a["id"] for a in got if a["severity"] == "low"][0] == low
    for a, b in zip(got, got[1:]):
        if a["severity"] == b["severity"]:
            assert (a["created_at"], a["id"]) > (b["created_at"], b["id"])
    reports = [a["report"]["id"] for a in got]
    assert reports != sorted(reports)                                 # the examples mix reports across severities


def test_alerts_list_status_filter_and_json(db):
    until = (datetime.now(timezone.utc) + timedelta(days=7)).isoformat(timespec="seconds")
    acked = rows(db, "SELECT min(id) FROM alerts WHERE kind = 'execution_rate_low'")[0][0]
    gone = rows(db, "SELECT max(id) FROM alerts WHERE kind = 'execution_rate_low'")[0][0]
    units = {r[0] for r in rows(db, "SELECT id FROM alerts WHERE kind = 'unit_error'")}
    total = rows(db, "SELECT count(*) FROM alerts")[0][0]
    assert units and acked != gone
    assert cli("--db", db, "alerts", "ack", str(acked), "--by", "李审计", "--comment", "已转办").exit_code == 0
    assert cli("--db", db, "silence", "--kind", "unit_error", "--until", until, "--by", "张审计",
               "--comment", "已知").exit_code == 0
    # as the engine withdraws one (alerts.engine.store_findings)
    change(db, "UPDATE alerts SET status = 'withdrawn' WHERE id = ?", gone)
    a = listed(db, "--status", "acked")
    assert [x["id"] for x in a] == [acked] and a[0]["state"] == "acked" and a[0]["silence"] is None
    s = listed(db, "--status", "silenced")
    assert {x["id"] for x in s} == units
    assert all(x["state"] == "silenced" and x["silence"]["matcher"] == "kind" and x["silence"]["value"] == "unit_error"
               and x["status"] == "open" for x in s)
    w = listed(db, "--status", "withdrawn")
    assert [x["id"] for x in w] == [gone]
    o = listed(db, "--status", "open")
    assert len(o) == total - 1 - len(units) - 1 and all(x["kind"] != "unit_error" for x in o)
    both = listed(db, "--status", "acked", "--status", "withdrawn")
    assert {x["id"] for x in both} == {acked, gone}
    contract = {"id", "fingerprint", "kind", "rule", "severity", "source", "report", "title", "message", "evidence",
                "created_at"}
    assert all(contract <= set(x) for x in o + s)
    assert gone not in {x["id"] for x in listed(db)}                  # withdrawn only when asked for
    res = cli("--db", db, "alerts", "list", "--status", "closed")
    assert res.exit_code == 2 and "open" in res.output and "silenced" in res.output


def test_alerts_show_lists_the_deliveries(tmp_path, monkeypatch, db_url):
    monkeypatch.setenv("AW_I14_SECRET", "a-signing-secret")
    with Receiver(default=503) as rx:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[alerts]\nbackoff_seconds = 0.0\nmax_attempts = 1\n'
                       f'[channels.log]\ntype = "file"\npath = "{tmp_path}/a.jsonl"\n'
                       f'[channels.hook]\ntype = "webhook"\nurl = "{rx.url}"\nsecret_env = "AW_I14_SECRET"\n'
                       f'allow_private = true\n', encoding="utf-8")
        db = db_url
        res = cli("--config", str(cfg), "--db", db, "backfill", str(seed_path("003")), "--deliver")
        assert res.exit_code == 0, res.output
        assert rx.requests                                            # the receiver did answer 503
    alert = rows(db, "SELECT min(alert_id) FROM deliveries WHERE channel = 'hook' AND status = 'failed'")[0][0]
    assert alert is not None
    res = cli("--config", str(cfg), "--db", db, "alerts", "show", str(alert))
    assert res.exit_code == 0, res.output
    out = res.output
    assert "deliveries" in out
    log = next(x for x in out.splitlines() if "│ log " in x)
    hook = next(x for x in out.splitlines() if "│ hook " in x)
    assert " sent " in log and " firing " in log
    assert " failed " in hook and " 1 " in hook and "503" in hook
    res = cli("--config", str(cfg), "--db", db, "alerts", "show", str(alert), env={"AUDIT_WORKER_LANG": "zh"})
    assert "投递" in res.output and "已发送" in res.output and "失败" in res.output


# -- item 11: labels in Chinese by default, English on request ----------------------
@pytest.mark.parametrize("args, zh, en", [
    (["alerts", "list"], ["条预警", "级别", "高"], ["alerts", "severity", "high"]),
    (["alerts", "show", "1"], ["预警 #1", "来源", "历史", "产生"], ["Alert #1", "source", "history", "raised"]),
    (["reports", "list"], ["份报告", "单位", "年度"], ["reports", "issuer", "year"]),
    (["reports", "show", "1"], ["报告 #1", "来源", "识别的标准表"], ["Report #1", "source", "standard tables recognized"]),
    (["rules", "list"], ["个检测器", "模型", "参数(当前)"], ["detectors", "model", "options (current)"]),
    (["status"], ["守护进程心跳", "未处理预警"], ["daemon heartbeat", "open alerts"]),
    (["silence", "list"], ["条静默", "操作人"], ["silences", "comment"]),
])
def test_labels_are_chinese_by_default(stored, monkeypatch, args, zh, en):
    monkeypatch.delenv("AUDIT_WORKER_LANG", raising=False)
    res = cli("--db", str(stored), *args)
    assert res.exit_code in (0, 1), res.output                       # status exits 1 when unhealthy
    for word in zh:
        assert word in res.output, (word, res.output[:400])
    res = cli("--db", str(stored), "--lang", "en", *args)
    for word in en:
        assert word in res.output, (word, res.output[:400])
    assert zh[0] not in res.output
    res = cli("--db", str(stored), *args, env={"AUDIT_WORKER_LANG": "en"})
    assert all(word in res.output for word in en)


def test_lang_refuses_an_unknown_language(stored):
    res = cli("--db", str(stored), "--lang", "fr", "alerts", "list")
    assert res.exit_code == 2 and "zh" in res.output and "en" in res.output
