"""`config check` (and every command, on load) refuses what a run would
crash on or leak: bad regexes and selectors, hosts that are not strings,
absurd intervals, non-http(s) receivers, email channels with nowhere to send,
secrets where their variable's name belongs, passwords in source URLs. A
source that still fails at run time is that source's failure alone."""
from __future__ import annotations

import io
import logging

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES
from dbkit import is_pg, scalar

from worker.cli import main

SEED = EXAMPLES / "004_06066fc72a3963be.txt"
SOURCE = '[[sources]]\nname = "s"\nkind = "html_index"\nurl = "https://portal.example.gov.cn/list.html"\n'
GROUPS = 'groups = [{name = "a", to = ["a@example.gov.cn"]}]\n'


@pytest.fixture
def unopened(db_url, tmp_path):
    """(a database a refused command is given, a check that it was never opened): an SQLite
    file never made; on PostgreSQL a database that does not exist (opening it would fail
    with exit 4, "database … does not exist", not 2 with the configuration's error)."""
    if not is_pg(db_url):
        path = tmp_path / "x.db"
        return str(path), lambda: not path.exists()
    import re

    url = re.sub(r"@/[^?]+", "@/never_made", db_url)
    return url, lambda: scalar(db_url, "SELECT count(*) FROM pg_database WHERE datname = 'never_made'") == 0


def check(tmp_path, toml: str, *extra, env=None):
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml, encoding="utf-8")
    return CliRunner(env=env).invoke(main, ["--config", str(cfg), "config", "check", *extra]), cfg


@pytest.mark.parametrize("toml, words", [
    ('[schedule]\npoll = "0s"\n', "schedule.poll: must be a positive interval"),
    ('[schedule]\npoll = "15s"\n', "schedule.poll: '15s' is shorter than 60 s"),
    ('[alerts]\nrealert_after = "1s"\n', "alerts.realert_after: must be at least 60 s"),
    ('[channels.hook]\ntype = "webhook"\nurl = "ftp://receiver.example/x"\nsecret_env = "AW_S"\n',
     "channels.hook.url: expected an http:// or https:// URL"),
    ('[channels.hook]\ntype = "webhook"\nurl = "receiver please"\nsecret_env = "AW_S"\n',
     "channels.hook.url: expected an http:// or https:// URL"),
    ('[channels.hook]\ntype = "webhook"\nurl = "https://receiver.example/x"\n', "channels.hook.secret_env: required"),
    ('[channels.mail]\ntype = "email"\n' + GROUPS, "channels.mail.host: required"),
    ('[channels.mail]\ntype = "email"\nhost = "smtp.example.gov.cn"\n', "channels.mail.groups: required"),
    ('[channels.mail]\ntype = "email"\nhost = "smtp.example.gov.cn"\nusername_env = "AW_U"\n' + GROUPS,
     "username_env and password_env go together"),
    (SOURCE + 'link_pattern = "(决算"\n', "sources[0].link_pattern: not a valid regular expression"),
    (SOURCE + 'link_selector = "ul a[href"\n', "sources[0].link_selector: not a valid CSS selector"),
    (SOURCE + "allowed_hosts = [1]\n", "sources[0].allowed_hosts[0]: expected a host name as a string"),
    (SOURCE + 'allowed_hosts = ["https://cdn.example.gov.cn/x"]\n', "sources[0].allowed_hosts[0]: expected a bare host"),
    ('[[sources]]\nname = "s"\nkind = "rss"\nurl = "file:///etc/passwd"\n', "sources[0].url: expected an http://"),
])
def test_config_check_refuses_what_a_run_would_crash_on(tmp_path, toml, words, unopened):
    res, cfg = check(tmp_path, toml, "--no-env")
    assert res.exit_code == 2, res.output
    assert words in res.output and str(cfg) in res.output
    # The same config stops every command on load, before the database is touched.
    db, never_opened = unopened
    run = CliRunner().invoke(main, ["--config", str(cfg), "--db", db, "backfill", str(SEED)])
    assert run.exit_code == 2 and words in run.output
    assert never_opened()


def test_a_short_poll_is_allowed_when_asked_for(tmp_path):
    res, _ = check(tmp_path, '[schedule]\npoll = "15s"\nmin_poll_seconds = 10\n')
    assert res.exit_code == 0 and "OK" in res.output


def test_a_secret_written_as_the_variable_name_is_refused_and_never_echoed(tmp_path, unopened):
    toml = '[channels.hook]\ntype = "webhook"\nurl = "https://r.example/x"\nsecret_env = "s3cr3t-Value/42"\n'
    res, cfg = check(tmp_path, toml)
    assert res.exit_code == 2
    assert "channels.hook.secret_env: expected the NAME of an environment variable" in res.output
    assert "s3cr3t" not in res.output
    db, never_opened = unopened
    run = CliRunner().invoke(main, ["--config", str(cfg), "--db", db, "status", "--json"])
    assert run.exit_code == 2 and "s3cr3t" not in run.output
    assert never_opened()           # so it is never stored either


def test_environment_variables_named_must_be_set(tmp_path):
    toml = ('[channels.hook]\ntype = "webhook"\nurl = "https://r.example/x"\nsecret_env = "AW_CC_SECRET"\n'
            '[channels.mail]\ntype = "email"\nhost = "smtp.example.gov.cn"\nusername_env = "AW_CC_USER"\n'
            'password_env = "AW_CC_PASS"\n' + GROUPS)
    unset = {"AW_CC_SECRET": None, "AW_CC_USER": None, "AW_CC_PASS": None}
    res, cfg = check(tmp_path, toml, env=unset)
    assert res.exit_code == 2
    for name in unset:
        assert f"environment variable {name} is not set" in res.output
    res, _ = check(tmp_path, toml, env={"AW_CC_SECRET": "hunter2hunter2", "AW_CC_USER": "robot", "AW_CC_PASS": "pw12"})
    assert res.exit_code == 0 and "OK" in res.output and "hunter2" not in res.output
    res, _ = check(tmp_path, toml, "--no-env", env=unset)
    assert res.exit_code == 0


def test_a_password_in_a_source_url_is_refused_and_never_shown(tmp_path, unopened):
    toml = '[[sources]]\nname = "s"\nkind = "html_index"\nurl = "https://robot:hunter2@portal.example/list"\n'
    res, cfg = check(tmp_path, toml)
    assert res.exit_code == 2 and "sources[0].url: contains a user name or password" in res.output
    assert "hunter2" not in res.output
    db, never_opened = unopened
    run = CliRunner().invoke(main, ["--config", str(cfg), "--db", db, "sources", "list"])
    assert run.exit_code == 2 and "hunter2" not in run.output
    assert never_opened()


def test_a_password_in_a_webhook_url_is_refused_as_sending_would(tmp_path):
    """Sending refuses a receiver URL with userinfo (worker/urls.py); the config check says so first."""
    toml = ('[channels.hook]\ntype = "webhook"\nurl = "https://robot:hunter2@receiver.example/hook"\n'
            'secret_env = "AW_CC_SECRET"\n')
    res, _ = check(tmp_path, toml, env={"AW_CC_SECRET": "s3cr3t-value"})
    assert res.exit_code == 2 and "channels.hook.url: contains a user name or password" in res.output
    assert "hunter2" not in res.output


def test_sources_list_never_shows_a_password_already_stored(tmp_path):
    """A URL with credentials from before this check (in the database or a config
    loaded without checks) is shown without them."""
    from worker import views

    with views.console.capture() as cap:
        views.print_sources([{"name": "s", "kind": "html_index", "url": "https://robot:hunter2@portal.example/l",
                              "enabled": True}])
        views.print_reports([{"id": 1, "status": "failed", "issuer": None, "year": None, "title": None,
                              "source": "https://robot:hunter2@portal.example/r.pdf", "error": "x", "alerts": 0,
                              "risk_score": None}])
    out = cap.get()
    assert "hunter2" not in out and "portal.example" in out


def test_bundled_configs_still_pass(monkeypatch):
    from conftest import ROOT

    for cfg in (ROOT / "config.toml",):
        res = CliRunner().invoke(main, ["--config", str(cfg), "config", "check"])
        assert res.exit_code == 0 and "OK" in res.output, res.output


def test_logs_mask_secret_values_and_url_passwords(monkeypatch):
    from worker import logs

    buf = io.StringIO()
    logs.setup("keyvalue", "INFO", stream=buf, secrets=["topsecretvalue"])
    log = logging.getLogger("audit_worker.test")
    log.warning("receiver said %s at %s", "bad signature topsecretvalue", "https://u:pw123@h.example/x")
    try:
        raise RuntimeError("boom topsecretvalue")
    except RuntimeError:
        log.exception("failed")
    logs.setup("json", "INFO", stream=buf, secrets=["topsecretvalue"])
    log.warning("json %s", "topsecretvalue")
    out = buf.getvalue()
    assert "topsecretvalue" not in out and "pw123" not in out
    assert out.count("***") >= 4


def test_one_bad_source_is_that_sources_failure_and_the_others_go_on(tmp_path, httpserver, db_url):
    """Configs loaded without checks (or a fault the checks cannot foresee): the
    crash is recorded against its source; the others are polled, detected, alerted."""
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    httpserver.expect_request("/list.html").respond_with_data(
        '<html><body><a href="/r1.html">2023年度部门决算</a></body></html>', content_type="text/html")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "r.txt").write_bytes(SEED.read_bytes())
    data = {"fetch": {"respect_robots_txt": False, "retries": 0, "per_host_interval_seconds": 0.0},
            "sources": [
                {"name": "bad_regex", "kind": "html_index", "url": httpserver.url_for("/list.html"),
                 "link_pattern": "(决算", "allow_private": True},
                {"name": "bad_hosts", "kind": "html_index", "url": 12345, "allow_private": True},
                {"name": "good", "kind": "local_dir", "path": str(folder)}]}
    app = App(Config(path=None, data=data), Store(db_url))
    try:
        summary = app.run_once(deliver=False)
        errors = {r.source: r.error for r, _ in summary.polls}
        assert set(errors) == {"bad_regex", "bad_hosts", "good"}
        assert errors["good"] is None
        assert "missing )" in errors["bad_regex"]                  # re.error, named
        assert errors["bad_hosts"]                                  # a URL that is no string, recorded
        assert summary.counts["ingested"] == 1 and summary.alerts_new >= 4       # detection ran for the good one
        state = {r["name"]: dict(r) for r in app.store.conn.execute("SELECT * FROM source_state")}
        assert state["bad_regex"]["consecutive_failures"] == 1 and "missing )" in state["bad_regex"]["last_error"]
        assert state["good"]["consecutive_failures"] == 0
    finally:
        app.store.close()
