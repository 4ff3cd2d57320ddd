"""Issue 14, delivery and operations: a receiver refused on a private address
names the setting; `config check` catches it; failed deliveries are queued
again without resending what must not go; `status` fails on a dead channel
and tells a clean daemon stop from a dead daemon; `config check` requires the
secrets' variables however the config is found; `channels test` takes a
channel's own name; the HTML email links the source.

Real parts only: CLI subprocesses, receivers, SMTP and portals on 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, wait_for
from dbkit import connect, is_pg
from servers import Portal, Receiver, SMTPServer, free_port

SECRET = "s3cret-for-i14-tests"
REPORT_003 = EXAMPLES / "003_dffee20ced342b70.txt"


def db_rows(db, sql: str, *args) -> list:
    """Rows of a query by name, on either store (a fresh connection: what another process sees)."""
    conn = connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def run(cfg: Path, *args, db: Path | str | None = None, env: dict | None = None, cwd: Path | None = None,
        config: bool = True) -> subprocess.CompletedProcess:
    """The CLI as a user runs it: a subprocess."""
    cmd = [sys.executable, "-m", "worker.cli"]
    if config:
        cmd += ["--config", str(cfg)]
    if db is not None:
        cmd += ["--db", str(db)]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "AW_I14_SECRET": SECRET, **(env or {})}
    full_env = {k: v for k, v in full_env.items() if v is not None}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=180, env=full_env,
                          cwd=cwd or cfg.parent)


def hook_config(tmp_path: Path, url: str, *, allow_private: bool | None = True, extra: str = "",
                name: str = "config.toml") -> Path:
    cfg = tmp_path / name
    line = "" if allow_private is None else f"allow_private = {'true' if allow_private else 'false'}\n"
    cfg.write_text(f'[alerts]\nbackoff_seconds = 0.0\n{extra}'
                   f'[channels.hook]\ntype = "webhook"\nurl = "{url}"\nsecret_env = "AW_I14_SECRET"\n'
                   f'timeout_seconds = 5.0\n{line}', encoding="utf-8")
    return cfg


def private_hostname() -> str | None:
    """A DNS name (not an IP literal, not 'localhost') that resolves here to a
    loopback or private address: this machine's host name usually does."""
    name = socket.gethostname()
    try:
        addrs = {ipaddress.ip_address(i[4][0].split("%")[0]) for i in socket.getaddrinfo(name, 80)}
    except OSError:
        return None
    if name == "localhost" or not addrs or any(a.is_global for a in addrs):
        return None
    return name if all(a == ipaddress.ip_address("127.0.0.1") for a in addrs) else None


# -- item 1: an intranet receiver, refused, fixed, re-queued -----------------------------------------
def test_private_receiver_is_named_fixed_and_its_failed_deliveries_requeued_once(tmp_path, db_url):
    host = private_hostname()
    if host is None:
        pytest.skip("this machine's host name does not resolve to 127.0.0.1")
    db = db_url
    with Receiver() as rx:
        url = f"http://{host}:{rx.port}/hook"
        cfg = hook_config(tmp_path, url, allow_private=None)
        # config check: a DNS name resolving here to a private address is a warning (exit 0), --strict fails.
        res = run(cfg, "config", "check", db=db)
        assert res.returncode == 0, res.stderr
        assert f"warning: channels.hook.url: {host} resolves here to 127.0.0.1, a loopback address" in res.stdout
        assert "allow_private = true in [channels.hook]" in res.stdout
        strict = run(cfg, "config", "check", "--strict", db=db)
        assert strict.returncode == 2 and "--strict" in strict.stderr

        res = run(cfg, "backfill", str(REPORT_003), "--deliver", db=db)
        assert res.returncode == 0, res.stderr
        failed = db_rows(db, "SELECT * FROM deliveries WHERE status = 'failed'")
        n = len(failed)
        assert n > 3 and rx.requests == []
        want = (f"refused: {host} resolves to 127.0.0.1, a loopback address; set allow_private = true on "
                f"channel hook ([channels.hook]) in {cfg} to allow it")
        assert all(r["last_error"] == want and r["attempts"] == 1 for r in failed)
        res = run(cfg, "deliver", db=db)
        assert "0 sent" in res.stdout                     # the issue: nothing to send any more

        # status: unhealthy, naming the channel, the reason and the way out.
        res = run(cfg, "status", "--json", db=db)
        data = json.loads(res.stdout)
        assert res.returncode == 1 and data["healthy"] is False
        (problem,) = [p for p in data["problems"] if "deliveries failed" in p]
        assert problem.startswith(f"{n} deliveries failed on channel hook") and "allow_private" in problem
        assert "deliver --retry-failed --channel hook" in problem

        # The operator fixes the config and queues the failed deliveries again.
        hook_config(tmp_path, url, allow_private=True)
        res = run(cfg, "deliver", "--retry-failed", db=db)
        assert res.returncode == 0, res.stdout + res.stderr
        assert f"{n} failed deliveries queued again (hook {n})" in res.stdout
        assert f"deliveries: {n} sent, 0 to retry, 0 failed" in res.stdout
        # Each alert exactly once, with the delivery's own id (a receiver deduplicating by id is safe).
        got = Counter(a["fingerprint"] for env in rx.accepted() for a in env["alerts"])
        assert len(got) == n and set(got.values()) == {1}
        ids = sorted(i for env in rx.accepted() for i in env["delivery_ids"])
        assert ids == sorted(r["id"] for r in failed)
        events = db_rows(db, "SELECT * FROM alert_events WHERE event = 'requeued'")
        assert len(events) == n and all("queued again" in e["detail"] and "allow_private" in e["detail"]
                                        for e in events)
        # Again: nothing is queued, nothing sent twice; status is healthy.
        res = run(cfg, "deliver", "--retry-failed", db=db)
        assert "0 failed deliveries queued again" in res.stdout and len(rx.requests) == n
        res = run(cfg, "status", "--json", db=db)
        assert res.returncode == 0 and json.loads(res.stdout)["healthy"] is True


def test_refusal_of_a_literal_private_address_at_send_time(reports, monkeypatch, db_url):
    """A config loaded before `config check` refused it (a daemon running an
    old file) still gets the message naming the setting, stored and printed."""
    from deliverykit import make_app, webhook

    monkeypatch.setenv("AW_TEST_SECRET", SECRET)
    app = make_app(db_url, webhook("http://10.0.0.5:8080/hook", allow_private=False))
    summary = app.backfill([reports / REPORT_003.name], deliver="each")
    rows = app.store.conn.execute("SELECT status, last_error FROM deliveries").fetchall()
    want = ("refused: 10.0.0.5 is a private address; set allow_private = true on channel hook "
            "([channels.hook]) in the config file to allow it")
    assert rows and all(r["status"] == "failed" and r["last_error"] == want for r in rows)
    assert f"  hook: {want}" in summary.delivery_note          # what `deliver` and the run summary print


@pytest.mark.parametrize("host, words", [
    ("10.0.0.5", "the receiver 10.0.0.5 is a private address"),
    ("127.0.0.1", "the receiver 127.0.0.1 is a loopback address"),
    ("[::1]", "the receiver ::1 is a loopback address"),
    ("169.254.169.254", "the receiver 169.254.169.254 is a link-local address"),
    ("192.168.1.20", "the receiver 192.168.1.20 is a private address"),
    ("localhost", "the receiver localhost is a loopback address"),
])
def test_config_check_refuses_a_private_literal_receiver_without_allow_private(tmp_path, host, words):
    # `config check` reads the configuration alone (no database, no store to choose).
    cfg = hook_config(tmp_path, f"http://{host}:8080/hook", allow_private=None)
    res = run(cfg, "config", "check", db=tmp_path / "x.db")
    assert res.returncode == 2, res.stdout
    assert f"channels.hook.url: {words}: every delivery would be refused; set allow_private = true in " \
           f"[channels.hook]" in res.stderr
    hook_config(tmp_path, f"http://{host}:8080/hook", allow_private=True)
    res = run(cfg, "config", "check", db=tmp_path / "x.db")
    assert res.returncode == 0 and "OK" in res.stdout, res.stderr


def test_config_check_accepts_a_public_literal_receiver(tmp_path):
    cfg = hook_config(tmp_path, "https://8.8.8.8/hook", allow_private=None)
    res = run(cfg, "config", "check", db=tmp_path / "x.db")
    assert res.returncode == 0 and "warning" not in res.stdout, res.stdout + res.stderr


def test_retry_failed_never_resends_acked_silenced_withdrawn_or_delivered(tmp_path, db_url):
    report = tmp_path / "r.txt"
    text = REPORT_003.read_text(encoding="utf-8")
    report.write_text(text, encoding="utf-8")
    db = db_url
    with Receiver(default=400) as rx:                   # refuses everything for good: every delivery fails
        cfg = hook_config(tmp_path, rx.url)
        assert run(cfg, "backfill", str(report), "--deliver", db=db).returncode == 0
        alerts = {r["id"]: r for r in db_rows(db, "SELECT id, fingerprint, kind FROM alerts")}
        failed = {r["alert_id"]: r["id"] for r in db_rows(db, "SELECT * FROM deliveries WHERE status = 'failed'")}
        assert set(failed) == set(alerts) and len(alerts) >= 5
        kinds = Counter(a["kind"] for a in alerts.values())

        # Withdrawn: the report is republished without the total mismatch.
        report.write_text(text.replace("其中:轿车11辆", "其中:轿车1辆"), encoding="utf-8")
        assert run(cfg, "backfill", str(report), "--deliver", db=db).returncode == 0
        withdrawn = {r["id"] for r in db_rows(db, "SELECT id FROM alerts WHERE status = 'withdrawn'")}
        assert len(withdrawn) == 1
        rest = [i for i in sorted(alerts) if i not in withdrawn]
        # Acknowledged: one alert. Silenced: every alert of a kind that occurs once.
        acked = rest[0]
        assert run(cfg, "alerts", "ack", str(acked), "--by", "张审计", "--comment", "已转办", db=db).returncode == 0
        once = [i for i in rest[1:] if kinds[alerts[i]["kind"]] == 1]
        silenced = once[0]
        res = run(cfg, "silence", "--kind", alerts[silenced]["kind"], "--by", "张审计", "--comment", "已知", db=db)
        assert res.returncode == 0, res.stderr
        # Delivered since: the receiver accepts again and one alert is queued and sent anew.
        rx.default = 200
        delivered = next(i for i in rest if i not in (acked, silenced))
        from worker.app import App
        from worker.config import load
        from worker.storage import Store
        from alerts.outbox import queue

        app = App(load(str(cfg)), Store(db))
        with app.store.tx() as c:
            assert queue(c, app.cfg, alerts[delivered]["fingerprint"]) == 1
        app.store.close()
        assert run(cfg, "deliver", db=db).returncode == 0
        assert len(rx.accepted()) == 1
        before = len(rx.requests)

        # --alert picks one; --alert alone and an unknown channel are usage errors naming what is valid.
        res = run(cfg, "deliver", "--alert", "1", db=db)
        assert res.returncode == 2 and "--retry-failed" in res.stderr
        res = run(cfg, "deliver", "--retry-failed", "--channel", "nope", db=db)
        assert res.returncode == 2 and "no channel 'nope'" in res.stderr and "configured: hook" in res.stderr
        owed = [i for i in rest if i not in (acked, silenced, delivered)]
        res = run(cfg, "deliver", "--retry-failed", "--alert", str(owed[0]), "--channel", "hook", db=db)
        assert res.returncode == 0 and "1 failed deliveries queued again (hook 1)" in res.stdout, res.stdout
        assert [a["id"] for env in rx.accepted()[1:] for a in env["alerts"]] == [owed[0]]

        res = run(cfg, "deliver", "--retry-failed", db=db)
        assert res.returncode == 0, res.stdout + res.stderr
        assert f"{len(owed) - 1} failed deliveries queued again" in res.stdout
        assert "4 cancelled instead" in res.stdout
        sent_now = Counter(a["id"] for env in rx.accepted() for a in env["alerts"])
        assert sent_now == Counter({i: 1 for i in owed + [delivered]})
        assert len(rx.requests) == before + len(owed)
    why = {r["alert_id"]: r["last_error"] for r in db_rows(
        db, "SELECT * FROM deliveries WHERE status = 'cancelled' AND kind = 'firing'")}
    assert "acknowledged" in why[acked] and "silenced" in why[silenced]
    assert "withdrawn" in why[next(iter(withdrawn))] and "superseded by delivery" in why[delivered]
    assert not db_rows(db, "SELECT * FROM deliveries WHERE status = 'failed'")
    history = {r["alert_id"] for r in db_rows(db, "SELECT alert_id FROM alert_events WHERE event = 'requeued'")}
    assert history == set(owed)


# -- item 2: a dead channel makes status unhealthy ------------------------------------------------
@pytest.mark.parametrize("dead", ["nothing listening", "answers 500"])
def test_status_is_unhealthy_while_a_channel_is_dead(tmp_path, dead, db_url):
    db = db_url
    extra = "max_attempts = 2\n"

    def exercise(url):
        cfg = hook_config(tmp_path, url, extra=extra)
        res = run(cfg, "backfill", str(REPORT_003), "--deliver", db=db)
        assert res.returncode == 0, res.stderr
        ok = run(cfg, "status", "--json", db=db)          # retrying, not failed yet
        assert json.loads(ok.stdout)["retrying"], ok.stdout
        res = run(cfg, "deliver", db=db)                  # second and last attempt
        assert res.returncode == 1 and "failed" in res.stdout
        return cfg

    if dead == "nothing listening":
        cfg = exercise(f"http://127.0.0.1:{free_port()}/hook")
        reason = "webhook unreachable"
    else:
        with Receiver(default=500) as rx:
            cfg = exercise(rx.url)
        reason = "webhook answered 500"
    n = len(db_rows(db, "SELECT id FROM deliveries WHERE status = 'failed'"))
    res = run(cfg, "status", "--json", db=db)
    data = json.loads(res.stdout)
    assert res.returncode == 1 and data["healthy"] is False
    assert any(p.startswith(f"{n} deliveries failed on channel hook (last error: {reason}")
               for p in data["problems"]), data["problems"]
    text = run(cfg, "status", db=db)
    assert text.returncode == 1 and "UNHEALTHY" in text.stdout and "deliveries failed on channel hook" in text.stdout


def test_status_turns_unhealthy_while_a_dead_channel_is_still_retrying(tmp_path, db_url):
    """A channel that keeps failing is a problem before max_attempts gives up (hours with the defaults)."""
    db = db_url
    cfg = hook_config(tmp_path, f"http://127.0.0.1:{free_port()}/hook",
                      extra="max_attempts = 8\nunhealthy_after_attempts = 2\n")
    assert run(cfg, "backfill", str(REPORT_003), "--deliver", db=db).returncode == 0     # first attempt fails
    res = run(cfg, "status", "--json", db=db)
    data = json.loads(res.stdout)
    assert res.returncode == 0 and data["healthy"] is True and data["retrying"][0]["attempts"] == 1, res.stdout
    run(cfg, "deliver", db=db)                                                          # second attempt fails
    res = run(cfg, "status", "--json", db=db)
    data = json.loads(res.stdout)
    assert res.returncode == 1 and data["healthy"] is False
    assert not data["failed_deliveries"]                       # nothing has failed for good yet
    assert any("on channel hook are still being retried after 2 failed attempts (last error: webhook unreachable"
               in p for p in data["problems"]), data["problems"]


# -- item 11 (a): a clean stop is not a live daemon -----------------------------------------------
def daemon_config(tmp_path: Path, db_url: str) -> Path:
    """The daemon's config: its database in [database] (an SQLite path, or the PostgreSQL URL)."""
    cfg = tmp_path / "daemon.toml"
    # SQLite: the heartbeat's default place, <db>.heartbeat. A URL names no place on this machine
    # (the default would be a path made of the URL): on PostgreSQL the file is named.
    database = f'url = "{db_url}"\n' if is_pg(db_url) else 'path = "dd.db"\n'
    heartbeat = 'heartbeat_file = "dd.db.heartbeat"\n' if is_pg(db_url) else ""
    cfg.write_text(f'[database]\n{database}[schedule]\npoll = "1s"\nmin_poll_seconds = 1\n{heartbeat}'
                   '[channels.log]\ntype = "file"\npath = "alerts.jsonl"\n', encoding="utf-8")
    return cfg


def start_daemon(cfg: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "worker.cli", "--config", str(cfg), "daemon"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cfg.parent, text=True)


def test_status_after_a_clean_sigterm_says_stopped_and_a_killed_daemon_goes_stale(tmp_path, db_url):
    cfg = daemon_config(tmp_path, db_url)
    heartbeat = tmp_path / "dd.db.heartbeat"
    proc = start_daemon(cfg)
    try:
        assert wait_for(heartbeat.exists), proc.stderr.read() if proc.poll() is not None else "no heartbeat"
        live = json.loads(run(cfg, "status", "--json").stdout)["heartbeat"]
        assert live["state"] == "running" and live["pid"] == proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert proc.returncode == 0
    t_stop = time.time()
    res = run(cfg, "status", "--json")
    hb = json.loads(res.stdout)["heartbeat"]
    assert res.returncode == 0 and hb["state"] == "stopped" and hb["healthy"] is True
    from datetime import datetime

    assert abs(datetime.fromisoformat(hb["stopped_at"]).timestamp() - t_stop) < 10
    text = run(cfg, "status")
    assert f"daemon stopped at {hb['stopped_at']}" in text.stdout and "heartbeat: ok" not in text.stdout
    time.sleep(2.5)                                   # past twice the poll interval: still a clean stop
    res = run(cfg, "status", "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["heartbeat"]["state"] == "stopped"

    # A daemon that dies without a clean stop: its heartbeat goes stale, status fails.
    proc = start_daemon(cfg)
    try:
        assert wait_for(lambda: json.loads(run(cfg, "status", "--json").stdout)["heartbeat"]["state"] == "running")
    finally:
        proc.kill()
        proc.communicate(timeout=60)
    time.sleep(2.5)
    res = run(cfg, "status", "--json")
    hb = json.loads(res.stdout)["heartbeat"]
    assert res.returncode == 1 and hb["state"] == "stale" and not hb["healthy"]
    assert any("daemon heartbeat is" in p for p in json.loads(res.stdout)["problems"])


# -- item 11 (b): the secrets' variables, however the config is found -----------------------------
def test_config_check_names_an_unset_secret_variable_without_config_option(tmp_path, db_url):
    hook_config(tmp_path, "https://8.8.8.8/hook")          # ./config.toml, found without --config
    unset = {"AW_I14_SECRET": None, "AUDIT_WORKER_CONFIG": None}
    res = run(tmp_path / "config.toml", "config", "check", config=False, env=unset)
    assert res.returncode == 2, res.stdout
    assert "channels.hook.secret_env: environment variable AW_I14_SECRET is not set" in res.stderr
    res = run(tmp_path / "config.toml", "config", "check", config=False, env={"AUDIT_WORKER_CONFIG": None})
    assert res.returncode == 0 and "OK" in res.stdout, res.stderr
    # Found through $AUDIT_WORKER_CONFIG: config check requires it; other commands do not.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"AW_I14_SECRET": None, "AUDIT_WORKER_CONFIG": str(tmp_path / "config.toml")}
    res = run(tmp_path / "config.toml", "config", "check", config=False, env=env, cwd=elsewhere)
    assert res.returncode == 2 and "AW_I14_SECRET is not set" in res.stderr
    res = run(tmp_path / "config.toml", "--db", db_url, "deliver", config=False, env=env,
              cwd=elsewhere)
    assert res.returncode == 0 and "0 sent" in res.stdout, res.stdout + res.stderr


# -- item 11 (c): channels test takes the channel's name -------------------------------------------
def test_channels_test_accepts_the_channel_name_and_lists_valid_names(tmp_path):
    # `channels test` opens no database (worker/cli/base.py NO_DATABASE): one store is enough.
    with SMTPServer() as smtp:
        cfg = tmp_path / "c.toml"
        mail = (f'[channels.mail]\ntype = "email"\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
                f'sender = "audit@example.org"\n')
        cfg.write_text(mail + 'groups = [{name = "ops", to = ["ops@example.org"]}]\n', encoding="utf-8")
        res = run(cfg, "channels", "test", "mail", db=tmp_path / "x.db")
        assert res.returncode == 0 and "OK   mail/ops: delivered" in res.stdout, res.stdout + res.stderr
        assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "ops@example.org"
        cfg.write_text(mail + 'groups = [{name = "auditors", to = ["a@example.org"]}, '
                              '{name = "leaders", to = ["boss@example.org"]}]\n'
                              '[channels.log]\ntype = "file"\npath = "a.jsonl"\n', encoding="utf-8")
        res = run(cfg, "channels", "test", "mail", db=tmp_path / "x.db")
        assert res.returncode == 1 and "mail/auditors, mail/leaders" in res.stderr and len(smtp.messages) == 1
        res = run(cfg, "channels", "test", "mial", db=tmp_path / "x.db")
        assert res.returncode == 1 and "no channel 'mial'" in res.stderr
        assert "configured: mail, log, mail/auditors, mail/leaders" in res.stderr
        res = run(cfg, "channels", "test", "mail/leaders", db=tmp_path / "x.db")
        assert res.returncode == 0 and smtp.messages[1]["To"] == "boss@example.org"


# -- item 11 (d): the HTML email links the source -------------------------------------------------
def test_html_email_links_an_http_source_and_never_another_scheme(tmp_path, db_url):
    from test_sources import SEED, html_page

    with Portal() as portal, SMTPServer() as smtp:
        portal.add("/list/index.html", "<html><body><ul class='list'><li><a href='/art/1.html?id=7&amp;t=\"x\"'>"
                                       "玉林市大数据发展和政务服务局2024年度部门决算</a></li></ul></body></html>")
        portal.add("/art/1.html", html_page("玉林市大数据发展和政务服务局2024年度部门决算", SEED["002"]))
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[fetch]\nper_host_interval_seconds = 0.0\nretries = 0\n'
                       f'[channels.mail]\ntype = "email"\nhost = "127.0.0.1"\nport = {smtp.port}\n'
                       f'security = "none"\nsender = "audit@example.org"\n'
                       f'groups = [{{name = "ops", to = ["ops@example.org"]}}]\n'
                       f'[[sources]]\nname = "portal"\nkind = "html_index"\n'
                       f'url = "{portal.url("/list/index.html")}"\nlink_selector = "ul.list a"\n'
                       f'allow_private = true\n', encoding="utf-8")
        res = run(cfg, "run", "--once", db=db_url)
        assert res.returncode == 0, res.stdout + res.stderr
        res = run(cfg, "backfill", str(REPORT_003), "--deliver", db=db_url)
        assert res.returncode == 0, res.stderr
    assert len(smtp.messages) == 2
    web, local = smtp.messages
    page = web.get_body(("html",)).get_content()
    # The link's URL as stored (quotes and all), escaped by hand: & and " would end the attribute.
    escaped = portal.url("/art/1.html") + "?id=7&amp;t=&quot;x&quot;"
    assert f'<p>来源:<a href="{escaped}">{escaped}</a></p>' in page, page
    assert '&t=' not in page and 't="x"' not in page         # escaped in the attribute and the text
    plain = local.get_body(("html",)).get_content()
    assert "<a href" not in plain and f"来源:{REPORT_003}</p>" in plain


def test_source_html_links_only_http_and_https():
    from alerts.format import source_html

    assert source_html("https://a.example/x?a=1&b=<2>") == \
        '<a href="https://a.example/x?a=1&amp;b=&lt;2&gt;">https://a.example/x?a=1&amp;b=&lt;2&gt;</a>'
    assert source_html("javascript:alert(1)") == "javascript:alert(1)"
    assert source_html('http://a.example/"onmouseover="x') == \
        '<a href="http://a.example/&quot;onmouseover=&quot;x">http://a.example/&quot;onmouseover=&quot;x</a>'
    assert source_html("/data/reports/a<b>.txt") == "/data/reports/a&lt;b&gt;.txt"


def test_retry_failed_email_goes_only_to_the_recipients_still_owed(tmp_path, reports, db_url):
    """a@ accepts at once, b@ is deferred (451), then the retry's DATA is
    refused for good (554): failed. Queued again, it goes to b@ alone."""
    from test_delivery_smtp import Mailhost, mail

    from alerts.outbox import flush
    from alerts.requeue import requeue_failed
    from deliverykit import make_app

    busy = lambda addr, n: "451 4.2.0 mailbox busy" if addr == "b@example.org" and n == 0 else None  # noqa
    data = lambda n: "554 5.7.1 message rejected" if n == 1 else None  # noqa
    with Mailhost(rcpt=busy, data=data) as smtp:
        app = make_app(db_url, mail(smtp.port, ["a@example.org", "b@example.org"]))
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        flush(app)
        rows = app.store.conn.execute("SELECT * FROM deliveries").fetchall()
        assert rows and all(r["status"] == "failed" and "554" in r["last_error"] for r in rows)
        done = requeue_failed(app.store, app.cfg)
        assert done.n == len(rows) and done.queued == {"mail/team": len(rows)}
        res = flush(app)
    assert res.sent == len(rows) and res.failed == 0
    # One message to a@ (the first attempt), none for the rejected DATA, one to b@ after the re-queue.
    assert [m[0] for m in smtp.messages] == [["a@example.org"], ["b@example.org"]]
    per = {(r["delivery_id"], r["recipient"]): r["status"]
           for r in app.store.conn.execute("SELECT * FROM delivery_recipients")}
    assert set(per.values()) == {"accepted"} and len(per) == 2 * len(rows)
