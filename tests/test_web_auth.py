"""Access to the web view: logins, roles, sessions, CSRF tokens, the proxy header, public reading, the audit log.

Every test goes through the real app (Starlette's test client) over a real
SQLite file whose users were made by the real `users add` command."""
from __future__ import annotations

import sqlite3
from urllib.parse import unquote

import pytest

from tests.conftest import WEB_USERS, db_rows
from tests.webkit import client, csrf_of, get, logged_in, login, post, submit


def first_open_alert(db) -> int:
    return db_rows(db, "SELECT id FROM alerts WHERE status = 'open' AND kind != 'source_failure'"
                       " ORDER BY id LIMIT 1")[0]["id"]


def audit(db, web_only: bool = True) -> list[sqlite3.Row]:
    """The audit log; by default only what was done on the web (not the fixture's `users add`)."""
    where = " WHERE \"user\" IS NULL OR \"user\" NOT LIKE 'cli:%'" if web_only else ""
    return db_rows(db, f"SELECT * FROM web_audit{where} ORDER BY id")


def test_nothing_is_served_without_login(web_db):
    c = client(web_db)
    alert_id = first_open_alert(web_db)
    for url in ("/", f"/alerts/{alert_id}", "/reports/1", "/?severity=high"):
        r = get(c, url)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login?next=")
        assert unquote(r.headers["location"].split("next=", 1)[1]) == url     # back there after the login
    assert get(c, "/login").status_code == 200


def test_login_with_the_right_password_opens_the_inbox_and_records_it(web_db_copy):
    c = client(web_db_copy)
    r = login(c, "vera")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "audit_worker_session=" in cookie
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    page = get(c, "/")
    assert page.status_code == 200 and "预警收件箱" in page.text and "vera" in page.text
    rows = audit(web_db_copy)
    assert [(r["user"], r["role"], r["action"]) for r in rows[-1:]] == [("vera", "viewer", "login")]
    assert db_rows(web_db_copy, "SELECT last_login_at FROM web_users WHERE name = 'vera'")[0][0]


def test_a_wrong_password_or_name_is_refused_the_same_way(web_db_copy):
    c = client(web_db_copy)
    wrong_pw = login(c, "vera", "not-the-password")
    no_user = login(c, "nobody", "whatever-password")
    for r in (wrong_pw, no_user):
        assert r.status_code == 401
        assert "用户名或密码不正确" in r.text
    assert get(c, "/").status_code == 303                   # still not logged in
    assert [(r["user"], r["action"]) for r in audit(web_db_copy)] == [("vera", "login_failed"),
                                                                       ("nobody", "login_failed")]


def test_repeated_failures_lock_the_name_for_a_while(web_db_copy):
    c = client(web_db_copy, max_login_failures=3)
    for _ in range(3):
        assert login(c, "audrey", "guessing-again").status_code == 401
    locked = login(c, "audrey")                              # even the right password now
    assert locked.status_code == 429 and "15" in locked.text
    assert get(c, "/").status_code == 303
    assert audit(web_db_copy)[-1]["action"] == "login_refused"
    assert login(client(web_db_copy, max_login_failures=3), "vera").status_code == 303   # others are not locked


def test_a_login_form_without_its_csrf_token_is_refused(web_db_copy):
    c = client(web_db_copy)
    get(c, "/login")
    r = post(c, "/login", {"name": "vera", "password": WEB_USERS["vera"][1], "next": "/"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = post(c, "/login", {"name": "vera", "password": WEB_USERS["vera"][1], "csrf_token": "forged", "next": "/"})
    assert r.status_code == 403
    assert audit(web_db_copy) == []                          # not even tried


def test_after_login_only_a_path_on_this_site(web_db_copy):
    from worker.web.auth import safe_next

    assert safe_next("/alerts/3?x=1") == "/alerts/3?x=1"
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", None, "",
                "/\r\nSet-Cookie: x"):
        assert safe_next(bad) == "/"
    c = client(web_db_copy)
    token = csrf_of(get(c, "/login").text)
    r = post(c, "/login", {"name": "vera", "password": WEB_USERS["vera"][1], "csrf_token": token,
                           "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_a_viewer_cannot_acknowledge(web_db_copy):
    alert_id = first_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "vera")
    page = get(c, f"/alerts/{alert_id}").text
    assert f'action="/alerts/{alert_id}/ack"' not in page       # no form offered
    r = post(c, f"/alerts/{alert_id}/ack", {"csrf_token": csrf_of(page), "comment": "seen"})
    assert r.status_code == 403 and "审计人员" in r.text
    assert db_rows(web_db_copy, "SELECT status, acked_by FROM alerts WHERE id = ?", alert_id)[0][:] == ("open", None)
    assert [r["action"] for r in audit(web_db_copy)] == ["login"]


def test_an_auditor_acknowledges_with_who_and_why(web_db_copy):
    alert_id = first_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    r = submit(c, f"/alerts/{alert_id}", f"/alerts/{alert_id}/ack", {"comment": "已核对原文"})
    assert r.status_code == 303 and r.headers["location"] == f"/alerts/{alert_id}"
    row = db_rows(web_db_copy, "SELECT status, acked_by, ack_comment FROM alerts WHERE id = ?", alert_id)[0]
    assert tuple(row) == ("acked", "audrey", "已核对原文")
    ev = db_rows(web_db_copy, "SELECT event, detail FROM alert_events WHERE alert_id = ? ORDER BY id DESC LIMIT 1",
                 alert_id)[0]
    assert ev["event"] == "acked" and "audrey" in ev["detail"]
    last = audit(web_db_copy)[-1]
    assert (last["user"], last["role"], last["action"], last["target"], last["detail"]) == \
        ("audrey", "auditor", "ack", f"alert:{alert_id}", "已核对原文")
    assert last["address"]
    page = get(c, f"/alerts/{alert_id}").text
    assert "已阅" in page and f'action="/alerts/{alert_id}/ack"' not in page


def test_an_action_without_the_csrf_token_is_refused(web_db_copy):
    alert_id = first_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    for data in ({"comment": "x"}, {"comment": "x", "csrf_token": ""}, {"comment": "x", "csrf_token": "a" * 43}):
        r = post(c, f"/alerts/{alert_id}/ack", data)
        assert r.status_code == 403 and "CSRF" in r.text
    assert db_rows(web_db_copy, "SELECT status FROM alerts WHERE id = ?", alert_id)[0][0] == "open"
    # a token from another session does not do either
    other = logged_in(web_db_copy, "ada")
    token = csrf_of(get(other, f"/alerts/{alert_id}").text)
    assert post(c, f"/alerts/{alert_id}/ack", {"comment": "x", "csrf_token": token}).status_code == 403
    assert db_rows(web_db_copy, "SELECT status FROM alerts WHERE id = ?", alert_id)[0][0] == "open"


def test_acknowledging_an_unknown_alert_gives_404(web_db_copy):
    c = logged_in(web_db_copy, "audrey")
    token = csrf_of(get(c, "/").text)
    assert post(c, "/alerts/999999/ack", {"comment": "x", "csrf_token": token}).status_code == 404


def test_logout_ends_the_session(web_db_copy):
    c = logged_in(web_db_copy, "vera")
    assert get(c, "/").status_code == 200
    r = submit(c, "/", "/logout")
    assert r.status_code == 303
    assert get(c, "/").status_code == 303
    assert audit(web_db_copy)[-1]["action"] == "logout"


def test_a_stolen_cookie_is_useless_after_password_change_or_disable(web_db_copy):
    from click.testing import CliRunner

    from worker.cli import main

    c = logged_in(web_db_copy, "vera")
    assert get(c, "/").status_code == 200
    res = CliRunner().invoke(main, ["--db", web_db_copy, "users", "passwd", "vera", "--password-stdin"],
                             input="a-brand-new-secret\n")
    assert res.exit_code == 0, res.output
    assert get(c, "/").status_code == 303                   # the old session ended
    assert login(client(web_db_copy), "vera").status_code == 401
    c2 = client(web_db_copy)
    assert login(c2, "vera", "a-brand-new-secret").status_code == 303
    res = CliRunner().invoke(main, ["--db", web_db_copy, "users", "disable", "vera"])
    assert res.exit_code == 0, res.output
    assert get(c2, "/").status_code == 303
    assert login(client(web_db_copy), "vera", "a-brand-new-secret").status_code == 401


def test_a_cookie_signed_with_another_key_is_ignored(web_db_copy, monkeypatch):
    monkeypatch.setenv("AUDIT_WORKER_WEB_SECRET", "one-key-of-enough-length")
    c = logged_in(web_db_copy, "vera")
    cookie = c.cookies.get("audit_worker_session")
    assert cookie and get(c, "/").status_code == 200
    monkeypatch.setenv("AUDIT_WORKER_WEB_SECRET", "another-key-of-enough-length")
    c2 = client(web_db_copy)
    c2.cookies.set("audit_worker_session", cookie)
    assert get(c2, "/").status_code == 303
    monkeypatch.setenv("AUDIT_WORKER_WEB_SECRET", "one-key-of-enough-length")
    c3 = client(web_db_copy)                                 # the same key: a restart keeps sessions
    c3.cookies.set("audit_worker_session", cookie)
    assert get(c3, "/").status_code == 200


def test_the_proxy_header_is_trusted_from_the_configured_address_only(web_db_copy):
    # Starlette's test client connects from "testclient"
    trusted = client(web_db_copy, proxy_user_header="X-Remote-User", trusted_proxies=["testclient"])
    page = get(trusted, "/", headers={"X-Remote-User": "audrey"})
    assert page.status_code == 200 and "audrey" in page.text
    assert get(trusted, "/", headers={"X-Remote-User": "mallory"}).status_code == 303   # not a user
    other = client(web_db_copy, proxy_user_header="X-Remote-User", trusted_proxies=["10.0.0.1"])
    assert get(other, "/", headers={"X-Remote-User": "audrey"}).status_code == 303
    unset = client(web_db_copy, trusted_proxies=["testclient"])
    assert get(unset, "/", headers={"X-Remote-User": "audrey"}).status_code == 303


def test_public_read_serves_pages_but_not_actions(web_db_copy):
    alert_id = first_open_alert(web_db_copy)
    c = client(web_db_copy, public_read=True)
    page = get(c, f"/alerts/{alert_id}")
    assert page.status_code == 200 and f'action="/alerts/{alert_id}/ack"' not in page.text
    assert get(c, "/").status_code == 200
    token = csrf_of(get(c, "/login").text)
    r = post(c, f"/alerts/{alert_id}/ack", {"comment": "x", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert db_rows(web_db_copy, "SELECT status FROM alerts WHERE id = ?", alert_id)[0][0] == "open"


def test_passwords_are_stored_as_scrypt_hashes():
    from worker.web import passwords

    h = passwords.hash_password("correct horse battery")
    assert h.startswith("scrypt$16384$8$1$") and "correct" not in h
    assert passwords.verify("correct horse battery", h)
    assert not passwords.verify("correct horse batterY", h)
    assert h != passwords.hash_password("correct horse battery")         # salted
    for broken in ("", "plain", "scrypt$x$8$1$AA==$AA==", "md5$1$2$3$4$5", None):
        assert not passwords.verify("correct horse battery", broken)


def test_users_commands(web_db_copy):
    from click.testing import CliRunner

    from worker.cli import main

    def run(*args, input=None):
        return CliRunner().invoke(main, ["--db", web_db_copy, "users", *args], input=input)

    res = run("add", "kim", "--role", "auditor", "--password-stdin", input="short\n")
    assert res.exit_code == 2 and "at least 10 characters" in res.output
    res = run("add", "kim", "--role", "auditor", "--password-stdin", input="kim\n")
    assert res.exit_code == 2
    res = run("add", "vera", "--role", "viewer", "--password-stdin", input="long-enough-pw\n")
    assert res.exit_code == 2 and "exists" in res.output
    res = run("add", "kim", "--role", "boss", "--password-stdin", input="long-enough-pw\n")
    assert res.exit_code == 2 and "auditor" in res.output
    res = run("add", "kim", "--role", "auditor", "--password-stdin", input="long-enough-pw\n")
    assert res.exit_code == 0, res.output
    stored = db_rows(web_db_copy, "SELECT role, password_hash FROM web_users WHERE name = 'kim'")[0]
    assert stored["role"] == "auditor" and "long-enough-pw" not in stored["password_hash"]
    assert login(client(web_db_copy), "kim", "long-enough-pw").status_code == 303
    res = run("role", "kim", "viewer")
    assert res.exit_code == 0
    listing = run("list").output
    assert "kim\tviewer" in listing and "vera\tviewer" in listing and "ada\tadmin" in listing
    assert run("passwd", "nobody", "--password-stdin", input="long-enough-pw\n").exit_code == 2
    actions = [(r["action"], r["target"]) for r in audit(web_db_copy, web_only=False)]
    assert ("user_added", "user:kim") in actions and ("role_changed", "user:kim") in actions


def test_users_add_without_a_terminal_asks_for_password_stdin(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    res = subprocess.run([sys.executable, "-m", "worker.cli", "--db", str(tmp_path / "u.db"), "users", "add",
                          "kim", "--role", "viewer"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert res.returncode == 2 and "--password-stdin" in res.stderr


@pytest.mark.parametrize("role,allowed", [("viewer", False), ("auditor", True), ("admin", True)])
def test_roles_are_ordered(role, allowed):
    from worker.web.users import User

    assert User("x", role).can("auditor") is allowed
    assert User("x", role).can("viewer")


def test_every_page_forbids_scripts_and_framing(web_db):
    c = logged_in(web_db, "vera")
    for url in ("/", "/login", "/alerts/999999", "/static/style.css"):
        r = get(c, url)
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp      # so no script may run
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
