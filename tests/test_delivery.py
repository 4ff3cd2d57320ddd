"""Delivery with real servers on 127.0.0.1: SMTP digests, signed webhooks,
retries, suppression, acknowledgement, silences, withdrawal, crashes."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT
from servers import Receiver, SMTPServer, free_port

from alerts.channels.webhook import verify
from alerts.outbox import flush
from worker.app import App
from worker.cli import main
from worker.config import Config
from worker.storage import Store
from deliverykit import another_db, make_app, webhook
from dbkit import is_pg

SECRET = "s3cret-for-tests"


@pytest.fixture(autouse=True)
def secret_env(monkeypatch):
    monkeypatch.setenv("AW_TEST_SECRET", SECRET)


def fingerprints(receiver):
    return [a["fingerprint"] for env in receiver.accepted() for a in env["alerts"]]


def open_alerts(app):
    return app.store.conn.execute("SELECT fingerprint, severity, title FROM alerts WHERE status = 'open'").fetchall()


def test_email_digest_per_recipient_group(tmp_path, reports, monkeypatch, db_url):
    monkeypatch.setenv("AW_SMTP_USER", "robot")
    monkeypatch.setenv("AW_SMTP_PASS", "pw")
    with SMTPServer(user="robot", password="pw") as smtp:
        channels = {"mail": {"type": "email", "host": "127.0.0.1", "port": smtp.port, "security": "none",
                             "username_env": "AW_SMTP_USER", "password_env": "AW_SMTP_PASS",
                             "sender": "audit@example.org",
                             "groups": [{"name": "auditors", "to": ["a@example.org", "b@example.org"]},
                                        {"name": "leaders", "to": ["boss@example.org"], "min_severity": "high"}]}}
        app = make_app(db_url, channels)
        s = app.backfill([reports], deliver="each")
        assert len(smtp.messages) == 2
    alerts = open_alerts(app)
    highs = [a for a in alerts if a["severity"] == "high"]
    # One delivery per alert and recipient group, all sent.
    assert f"deliveries: {len(alerts) + len(highs)} sent" in s.delivery_note
    by_to = {m["To"]: m for m in smtp.messages}
    team = by_to["a@example.org, b@example.org"]
    assert team["Subject"].startswith(f"【审计预警】{len(alerts)}条预警")
    assert set(smtp.envelopes[0][1] + smtp.envelopes[1][1]) == {"a@example.org", "b@example.org", "boss@example.org"}
    plain = team.get_body(("plain",)).get_content()
    html = team.get_body(("html",)).get_content()
    for a in alerts:
        assert a["title"] in plain and a["fingerprint"][:12] in plain
    assert "<blockquote>" in html and "玉林市大数据发展和政务服务局" in html
    # Grouped by report, a report with a high alert first, and its high alerts first.
    sections = [blk for blk in plain.split("=== ")[1:]]
    assert len(sections) == 5
    first = sections[0].split("\n\n")
    assert "[高]" in first[1] and "[高]" in sections[0] and all(
        not ("[中]" in a and "[高]" in b) for a, b in zip(first[1:], first[2:]))
    boss = by_to["boss@example.org"].get_body(("plain",)).get_content()
    assert boss.count("[高]") == len(highs) and "[中]" not in boss


def test_signed_webhook_retried_through_two_500s_delivers_each_alert_once(tmp_path, reports, db_url):
    with Receiver(statuses=[500, 500]) as rx:
        app = make_app(db_url, webhook(rx.url))
        app.backfill([reports], deliver="each")
        for _ in range(3):
            flush(app)
    alerts = open_alerts(app)
    got = Counter(fingerprints(rx))
    assert set(got) == {a["fingerprint"] for a in alerts} and max(got.values()) == 1
    assert len(rx.requests) == len(alerts) + 2
    for req in rx.requests:
        h = req["headers"]
        assert verify(SECRET.encode(), h, req["body"])
        assert not verify(b"wrong", h, req["body"])
        assert h["X-Audit-Key-Id"] == "default"
    env = rx.accepted()[0]
    assert env["version"] == "1" and env["status"] == "firing" and env["group_key"].startswith("report:")
    assert {"id", "fingerprint", "kind", "evidence", "title"} <= set(env["alerts"][0])
    assert app.store.conn.execute("SELECT COUNT(*) FROM deliveries WHERE status != 'sent'").fetchone()[0] == 0


def test_receiver_down_during_a_run_gets_alerts_next_run_exactly_once(tmp_path, reports, db_url):
    port = free_port()
    app = make_app(db_url, webhook(f"http://127.0.0.1:{port}/hook"))
    s = app.backfill([reports], deliver="each")
    assert "to retry" in s.delivery_note and "unreachable" in s.delivery_note
    with Receiver(port=port) as rx:
        flush(app)
        flush(app)
    got = Counter(fingerprints(rx))
    assert len(got) == len(open_alerts(app)) and set(got.values()) == {1}


def test_client_errors_are_reported_not_retried(tmp_path, reports, db_url):
    with Receiver(default=400) as rx:
        app = make_app(db_url, webhook(rx.url))
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        n = len(rx.requests)
        res = flush(app)
        assert len(rx.requests) == n and res.sent == 0          # nothing retried
    rows = app.store.conn.execute("SELECT status, attempts, last_error FROM deliveries").fetchall()
    assert rows and all(r["status"] == "failed" and r["attempts"] == 1 and "400" in r["last_error"] for r in rows)
    # …and shown by `status`.
    res = CliRunner().invoke(main, ["--db", db_url, "status", "--json"])
    data = json.loads(res.output)
    assert data["outbox"] == {"failed": len(rows)}
    assert "refused with 400" in data["failed_deliveries"][0]["last_error"]


def test_retry_after_is_honoured(tmp_path, reports, db_url):
    with Receiver(statuses=[429], headers={"Retry-After": "120"}) as rx:
        app = make_app(db_url, webhook(rx.url), backoff_max_seconds=600.0)
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
    row = app.store.conn.execute("SELECT next_attempt_at, created_at FROM deliveries WHERE status = 'pending'"
                                 ).fetchone()
    from datetime import datetime
    wait = datetime.fromisoformat(row["next_attempt_at"]) - datetime.fromisoformat(row["created_at"])
    assert wait.total_seconds() >= 119


def test_reruns_send_nothing_new_and_backfill_without_deliver_sends_nothing(tmp_path, reports, db_url, request):
    with Receiver() as rx:
        app = make_app(db_url, webhook(rx.url))
        app.backfill([reports])
        assert app.store.conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0
        assert flush(app).sent == 0 and rx.requests == []
        app.backfill([reports], deliver="each", reparse=True)
        assert rx.requests == []            # stored before, never announced: history, not news
        # A fresh database: deliver, then re-run everything.
        app2 = make_app(another_db(request, db_url, tmp_path), webhook(rx.url))
        app2.backfill([reports], deliver="each")
        n = len(rx.requests)
        app2.backfill([reports], deliver="each", reparse=True)
        from alerts.engine import run_detectors
        run_detectors(app2, app2.store.report_ids(), queue="each")
        flush(app2)
        assert len(rx.requests) == n


def test_channels_are_independent(tmp_path, reports, db_url):
    port = free_port()
    channels = {**webhook(f"http://127.0.0.1:{port}/hook"),
                "log": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}}
    app = make_app(db_url, channels)
    app.backfill([reports / "002_4b668fb7eaba0e72.txt"], deliver="each")
    status = Counter((r[0], r[1]) for r in app.store.conn.execute("SELECT channel, status FROM deliveries"))
    n = len(open_alerts(app))
    assert status == {("log", "sent"): n, ("hook", "pending"): n}
    lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == n and all(x["event"] == "firing" for x in lines)


def test_ack_and_silences_stop_deliveries(tmp_path, reports, db_url):
    db = db_url
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[alerts]\nbackoff_seconds = 0.0\n[channels.log]\ntype = "file"\npath = "{tmp_path}/a.jsonl"\n',
                   encoding="utf-8")
    runner = CliRunner()
    base = ["--config", str(cfg), "--db", db]
    assert runner.invoke(main, base + ["backfill", str(reports), "--no-detect"]).exit_code == 0
    res = runner.invoke(main, base + ["silence", "--kind", "unit_error"])
    assert res.exit_code != 0 and "--by and --comment are required" in res.output
    res = runner.invoke(main, base + ["silence", "--kind", "unit_error", "--by", "张审计", "--comment", "已知,不需提醒"])
    assert res.exit_code == 0 and "silence #1" in res.output
    res = runner.invoke(main, base + ["silence", "--rule", "execution_rate", "--until", "2000-01-01",
                                      "--by", "张审计", "--comment", "过期的静默"])
    assert res.exit_code == 2 and "not in the future" in res.output     # refused: it would silence nothing
    expired = Store(db)
    with expired.tx() as c:             # one that has run out since it was made
        c.execute("INSERT INTO silences (matcher, value, until, created_by, comment, created_at)"
                  " VALUES ('rule', 'execution_rate', '2000-01-01T00:00:00+00:00', '张审计', '过期的静默', '1999')")
    expired.close()
    res = runner.invoke(main, base + ["detect", "--deliver"])
    assert res.exit_code == 0, res.output
    sent = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    kinds = Counter(a["kind"] for a in sent)
    assert kinds["unit_error"] == 0 and kinds["execution_rate_low"] > 0   # the expired silence does nothing
    res = runner.invoke(main, base + ["silence", "list"])
    assert "已知,不需提醒" in res.output and "过期的静默" not in res.output
    assert "过期的静默" in runner.invoke(main, base + ["silence", "list", "--all"]).output
    assert runner.invoke(main, base + ["silence", "expire", "1"]).exit_code == 0
    assert runner.invoke(main, base + ["silence", "expire", "1"]).exit_code != 0
    # Acknowledged before its notice went out: no notice.
    app = App(Config(path=str(cfg), data={"alerts": {"backoff_seconds": 0.0},
                                          "channels": {"log": {"type": "file", "path": f"{tmp_path}/a.jsonl"}}}),
              Store(db))
    from alerts.manage import ack
    from alerts.outbox import queue

    unit = app.store.conn.execute("SELECT id, fingerprint FROM alerts WHERE kind = 'unit_error'").fetchone()
    with app.store.tx() as c:
        assert queue(c, app.cfg, unit["fingerprint"]) == 1          # silence expired: queued now
    assert ack(app.store, unit["id"], "李审计", "已转办") == 1
    flush(app)
    sent = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not any(a["kind"] == "unit_error" for a in sent)
    res = runner.invoke(main, base + ["alerts", "show", str(unit["id"])])
    assert "acked" in res.output and "李审计: 已转办" in res.output


def test_withdrawal_notice_and_severity_rise(tmp_path, db_url):
    p = tmp_path / "r.txt"
    text = (EXAMPLES / "003_dffee20ced342b70.txt").read_text(encoding="utf-8")
    p.write_text(text, encoding="utf-8")
    with Receiver() as rx:
        app = make_app(db_url, webhook(rx.url))
        app.backfill([p], deliver="each")
        n = len(rx.requests)
        p.write_text(text.replace("其中:轿车11辆", "其中:轿车1辆"), encoding="utf-8")
        app.backfill([p], deliver="each")
        new = rx.accepted()[n:]
        assert [e["status"] for e in new] == ["withdrawn"]
        assert new[0]["alerts"][0]["kind"] == "total_mismatch"
        # A threshold change that makes an alert more severe re-sends it.
        app.cfg.data["rules"] = {"execution_rate": {"high_below": 80.0}}
        from alerts.engine import run_detectors
        res = run_detectors(app, app.store.report_ids(), queue="each")
        flush(app)
        assert res.updated >= 1
        again = rx.accepted()[n + 1:]
        assert again and all(a["severity"] == "high" and a["kind"] == "execution_rate_low"
                             for e in again for a in e["alerts"])


def test_digest_mode_sends_one_batch_per_channel(tmp_path, reports, db_url):
    with Receiver() as rx:
        app = make_app(db_url, webhook(rx.url))
        s = app.backfill([reports], deliver="digest")
    assert len(rx.requests) == 1
    (env,) = rx.accepted()
    assert len(env["alerts"]) == len(open_alerts(app)) and s.queued == len(env["alerts"])


def test_batches_are_split_at_batch_max_and_each_part_is_signed(tmp_path, reports, db_url):
    with Receiver() as rx:
        app = make_app(db_url, webhook(rx.url, batch=True, batch_max=4))
        app.backfill([reports], deliver="each")
    n = len(open_alerts(app))
    assert n > 8
    assert len(rx.requests) == -(-n // 4)                       # ceil(n / 4)
    assert sorted(len(env["alerts"]) for env in rx.accepted())[-1] == 4
    assert Counter(fingerprints(rx)) == Counter({a["fingerprint"]: 1 for a in open_alerts(app)})
    for req in rx.requests:
        h = req["headers"]
        assert verify(SECRET.encode(), h, req["body"])
        env = json.loads(req["body"])
        assert h["X-Audit-Delivery-Id"] == ",".join(str(i) for i in env["delivery_ids"])


def test_channels_test_command(tmp_path):
    # `channels test` opens no database (worker/cli/base.py NO_DATABASE): one store is enough.
    with Receiver() as rx, SMTPServer() as smtp:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[channels.hook]\ntype = "webhook"\nurl = "{rx.url}"\nsecret_env = "AW_TEST_SECRET"\n'
                       f'allow_private = true\n'
                       f'[channels.mail]\ntype = "email"\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
                       f'groups = [{{name = "ops", to = ["ops@example.org"]}}]\n', encoding="utf-8")
        runner = CliRunner()
        res = runner.invoke(main, ["--config", str(cfg), "--db", str(tmp_path / "x.db"), "channels", "test", "hook"])
        assert res.exit_code == 0 and "OK" in res.output
        (env,) = rx.accepted()
        assert env["status"] == "test" and "测试" in env["alerts"][0]["title"]
        res = runner.invoke(main, ["--config", str(cfg), "--db", str(tmp_path / "x.db"), "channels", "test",
                                   "mail/ops"])
        assert res.exit_code == 0 and smtp.messages[0]["Subject"].startswith("【测试】")
        res = runner.invoke(main, ["--config", str(cfg), "--db", str(tmp_path / "x.db"), "channels", "test", "nope"])
        assert res.exit_code != 0 and "no channel 'nope'" in res.output
    # The receiver is gone now: the test reports the failure.
    res = runner.invoke(main, ["--config", str(cfg), "--db", str(tmp_path / "x.db"), "channels", "test", "hook"])
    assert res.exit_code == 1 and "FAIL" in res.output and "unreachable" in res.output


def test_sigkill_between_storing_and_sending_loses_and_duplicates_nothing(tmp_path, reports, db_url):
    with Receiver() as rx:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[alerts]\nbackoff_seconds = 0.0\n[channels.hook]\ntype = "webhook"\nurl = "{rx.url}"\n'
                       f'secret_env = "AW_TEST_SECRET"\nallow_private = true\n', encoding="utf-8")
        cmd = [sys.executable, "-m", "worker.cli", "--config", str(cfg), "--db", db_url]
        env = {**os.environ, "AUDIT_WORKER_FAILPOINTS": "after_alerts_stored", "PYTHONPATH": str(ROOT)}
        killed = subprocess.run(cmd + ["backfill", str(reports), "--deliver"], env=env, capture_output=True,
                                cwd=ROOT, timeout=120)
        assert killed.returncode == -9
        assert rx.requests == []
        env.pop("AUDIT_WORKER_FAILPOINTS")
        ok = subprocess.run(cmd + ["deliver"], env=env, capture_output=True, cwd=ROOT, timeout=120, text=True)
        assert ok.returncode == 0, ok.stderr
        again = subprocess.run(cmd + ["deliver"], env=env, capture_output=True, cwd=ROOT, timeout=120, text=True)
        assert "0 sent" in again.stdout
    store = Store(db_url)
    n = store.conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    got = Counter(fingerprints(rx))
    assert n > 10 and len(got) == n and set(got.values()) == {1}
    assert is_pg(db_url) or Path(db_url).exists()


def test_signature_covers_the_key_id_and_delivery_id_headers(tmp_path, reports, db_url):
    with Receiver() as rx:
        app = make_app(db_url, webhook(rx.url, key_id="2026-11"))
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
    req = rx.requests[0]
    h = req["headers"]
    assert h["X-Audit-Key-Id"] == "2026-11" and verify(SECRET.encode(), h, req["body"])
    other = str(int(h["X-Audit-Delivery-Id"]) + 1)
    for name, value in (("X-Audit-Delivery-Id", other), ("X-Audit-Key-Id", "default"),
                        ("X-Audit-Timestamp", str(int(h["X-Audit-Timestamp"]) - 1))):
        assert not verify(SECRET.encode(), {**h, name: value}, req["body"]), name
    assert not verify(SECRET.encode(), h, req["body"] + b" ")


def test_an_older_database_gets_the_lease_columns_on_its_first_flush(tmp_path, reports, db_url):
    from alerts.outbox import queue

    app = make_app(db_url, {"log": {"type": "file", "path": str(tmp_path / "a.jsonl")}})
    app.backfill([reports / "004_06066fc72a3963be.txt"])
    for col in ("lease_owner", "lease_until", "unsure"):          # as made by an earlier release
        app.store.conn.execute(f"ALTER TABLE deliveries DROP COLUMN {col}")
    with app.store.tx() as c:
        n = sum(queue(c, app.cfg, r[0]) for r in c.execute("SELECT fingerprint FROM alerts").fetchall())
    assert n > 0 and flush(app).sent == n
    rows = app.store.conn.execute("SELECT status, unsure, lease_owner FROM deliveries").fetchall()
    assert [tuple(r) for r in rows] == [("sent", 0, None)] * n
