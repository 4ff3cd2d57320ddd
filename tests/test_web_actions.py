"""The auditor's actions on the web view (worker/web/actions.py): silence, verdict, the alert's history and the
audit log page — by the real app over a real backfilled database, checked in SQLite directly."""
from __future__ import annotations

import html
import re
import sqlite3
from datetime import datetime, timedelta, timezone

from tests.conftest import db_rows
from tests.webkit import csrf_of, get, logged_in, post, submit
from tests.dbkit import session


def an_open_alert(db) -> sqlite3.Row:
    return db_rows(db, "SELECT id, rule, kind, report_id, severity, fingerprint FROM alerts WHERE status = 'open'"
                       " AND kind != 'source_failure' AND report_id IS NOT NULL ORDER BY id LIMIT 1")[0]


def snapshot(db) -> tuple:
    """Everything an action may change: a refused one leaves all of it as it was."""
    return tuple(tuple(map(tuple, db_rows(db, sql))) for sql in (
        "SELECT * FROM silences ORDER BY id", "SELECT * FROM alert_verdicts ORDER BY id",
        "SELECT id, status, acked_by FROM alerts ORDER BY id", "SELECT id, status FROM deliveries ORDER BY id",
        "SELECT * FROM alert_events ORDER BY id", "SELECT * FROM web_audit ORDER BY id"))


def audit_rows(db, action: str) -> list[sqlite3.Row]:
    return db_rows(db, "SELECT * FROM web_audit WHERE action = ? ORDER BY id", action)


def error_of(page: str) -> str:
    m = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert m, "no error shown"
    return html.unescape(m.group(1))


# -- silence -----------------------------------------------------------------------
def test_auditor_silences_this_alerts_report_until_a_time(web_db_copy):
    a = an_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    page = get(c, f"/alerts/{a['id']}").text
    # the three choices are offered, prefilled from the alert
    for matcher, value in (("rule", a["rule"]), ("report", str(a["report_id"])), ("kind", a["kind"])):
        assert f'name="matcher" value="{matcher}"' in page and html.escape(value) in page
    r = submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/silence",
               {"matcher": "report", "value": "999999",          # the value comes from the alert, not the form
                "until": "2099-06-30T18:00+08:00", "comment": "整改中,暂不提醒"})
    assert r.status_code == 303 and r.headers["location"] == f"/alerts/{a['id']}"
    (s,) = db_rows(web_db_copy, "SELECT * FROM silences")
    assert (s["matcher"], s["value"], s["created_by"], s["comment"]) == ("report", str(a["report_id"]), "audrey",
                                                                         "整改中,暂不提醒")
    assert s["until"] == "2099-06-30T10:00:00+00:00"            # 18:00 Beijing time is 10:00 UTC
    assert s["expired_at"] is None
    (log,) = audit_rows(web_db_copy, "silence")
    assert (log["user"], log["role"], log["target"]) == ("audrey", "auditor", f"alert:{a['id']}")
    assert f"silence #{s['id']}" in log["detail"] and "整改中,暂不提醒" in log["detail"]
    page = get(c, f"/alerts/{a['id']}").text
    assert "已静默" in page                                      # the alert is open and covered: silenced
    row = re.search(r'<tr data-event="silence">(.*?)</tr>', page, re.S).group(1)
    assert "audrey" in row and "整改中,暂不提醒" in row and "2099-06-30T10:00:00+00:00" in row and "生效中" in row


def test_a_silence_ending_in_the_past_or_unreadable_is_refused_with_the_reason(web_db_copy):
    a = an_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    before = snapshot(web_db_copy)
    url, action = f"/alerts/{a['id']}", f"/alerts/{a['id']}/silence"
    r = submit(c, url, action, {"matcher": "rule", "until": "2020-01-01", "comment": "已知问题"})
    assert r.status_code == 400
    reason = error_of(r.text)
    assert "2020-01-01" in reason and "不在将来" in reason
    assert "已知问题" in r.text                                   # what was typed is kept in the form
    r = submit(c, url, action, {"matcher": "rule", "until": "31/12/2099", "comment": "已知问题"})
    assert r.status_code == 400 and "无法识别" in error_of(r.text) and "31/12/2099" in error_of(r.text)
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = submit(c, url, action, {"matcher": "kind", "until": yesterday, "comment": "已知问题"})
    assert r.status_code == 400 and "不在将来" in error_of(r.text)
    r = submit(c, url, action, {"matcher": "rule", "until": "", "comment": "   "})
    assert r.status_code == 400 and "备注" in error_of(r.text)
    r = submit(c, url, action, {"matcher": "everything", "comment": "已知问题"})
    assert r.status_code == 400
    assert snapshot(web_db_copy) == before                       # nothing stored, no audit row


def test_a_silence_without_an_end_is_kept_until_expired(web_db_copy):
    a = an_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    r = submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/silence", {"matcher": "kind", "comment": "不关注此类"})
    assert r.status_code == 303
    (s,) = db_rows(web_db_copy, "SELECT * FROM silences")
    assert (s["matcher"], s["value"], s["until"]) == ("kind", a["kind"], None)


# -- verdict -----------------------------------------------------------------------
def test_auditor_confirms_an_alert_and_the_verdict_shows_at_the_top(web_db_copy):
    a = an_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    r = submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/verdict",
               {"verdict": "confirmed", "comment": "核对原表,确有差额"})
    assert r.status_code == 303
    (v,) = db_rows(web_db_copy, "SELECT * FROM alert_verdicts")
    assert (v["alert_id"], v["verdict"], v["by"], v["comment"]) == (a["id"], "confirmed", "audrey", "核对原表,确有差额")
    (log,) = audit_rows(web_db_copy, "verdict")
    assert (log["user"], log["role"], log["target"]) == ("audrey", "auditor", f"alert:{a['id']}")
    assert log["detail"].startswith("confirmed: 核对原表")
    page = get(c, f"/alerts/{a['id']}").text
    top = page[:page.index("<h2>")]                               # above the message: the latest verdict
    assert 'data-verdict="confirmed"' in top and "audrey" in top and "核对原表,确有差额" in top and v["at"] in top
    assert "已研判" in top                                        # the state
    # the latest counts: a second verdict replaces it at the top, the first stays in the history
    submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/verdict", {"verdict": "false_alarm", "comment": "口径不同"})
    page = get(c, f"/alerts/{a['id']}").text
    top = page[:page.index("<h2>")]
    assert 'data-verdict="false_alarm"' in top and "口径不同" in top and "核对原表" not in top
    assert len(re.findall(r'<tr data-event="verdict">', page)) == 2
    judged = get(c, "/?status=judged").text
    assert re.findall(r'<td><a href="/alerts/(\d+)">#', judged) == [str(a["id"])]
    en = get(logged_in(web_db_copy, "audrey", lang="en"), f"/alerts/{a['id']}").text
    assert "latest verdict" in en and "false alarm" in en and "what to silence" in en


def test_a_false_alarm_cancels_the_pending_notices(web_db_copy):
    a = an_open_alert(web_db_copy)
    with session(web_db_copy) as conn:
        ts = "2026-01-01T00:00:00+00:00"
        for channel, kind, status, sent in (("hook", "firing", "pending", None),
                                            ("mail/all", "firing", "pending", None), ("log", "firing", "sent", ts)):
            conn.execute("INSERT INTO deliveries (alert_id, channel, kind, status, next_attempt_at, created_at,"
                         " sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)", (a["id"], channel, kind, status, ts, ts, sent))
    c = logged_in(web_db_copy, "audrey")
    r = submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/verdict", {"verdict": "false_alarm", "comment": "口径不同"})
    assert r.status_code == 303
    rows = {d["channel"]: (d["status"], d["last_error"]) for d in
            db_rows(web_db_copy, "SELECT channel, status, last_error FROM deliveries WHERE alert_id = ?", a["id"])}
    assert rows == {"hook": ("cancelled", "judged a false alarm"), "mail/all": ("cancelled", "judged a false alarm"),
                    "log": ("sent", None)}                        # what went out stays as it was
    assert "2 pending notices cancelled" in audit_rows(web_db_copy, "verdict")[0]["detail"]
    page = get(c, f"/alerts/{a['id']}").text
    assert "待发的通知已取消" in page[:page.index("<h2>")]
    delivered = re.search(r'<tr data-event="delivered">(.*?)</tr>', page, re.S).group(1)
    assert "log" in delivered and ts in delivered


def test_a_verdict_needs_a_comment_and_a_known_verdict(web_db_copy):
    a = an_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    before = snapshot(web_db_copy)
    url, action = f"/alerts/{a['id']}", f"/alerts/{a['id']}/verdict"
    r = submit(c, url, action, {"verdict": "confirmed", "comment": "  "})
    assert r.status_code == 400 and "备注" in error_of(r.text)
    r = submit(c, url, action, {"verdict": "maybe", "comment": "看看"})
    assert r.status_code == 400 and "属实或误报" in error_of(r.text)
    r = submit(c, url, action, {"comment": "看看"})
    assert r.status_code == 400
    assert snapshot(web_db_copy) == before


def test_an_action_on_an_unknown_alert_gives_404(web_db_copy):
    c = logged_in(web_db_copy, "audrey")
    token = csrf_of(get(c, "/").text)
    before = snapshot(web_db_copy)
    assert post(c, "/alerts/999999/verdict", {"csrf_token": token, "verdict": "confirmed", "comment": "x"}
                ).status_code == 404
    assert post(c, "/alerts/999999/silence", {"csrf_token": token, "matcher": "rule", "comment": "x"}
                ).status_code == 404
    assert snapshot(web_db_copy) == before


# -- who may act -------------------------------------------------------------------
def test_a_viewer_sees_no_forms_and_is_refused(web_db_copy):
    a = an_open_alert(web_db_copy)
    actions = [f'action="/alerts/{a["id"]}/{x}"' for x in ("ack", "silence", "verdict")]
    auditor_page = get(logged_in(web_db_copy, "audrey"), f"/alerts/{a['id']}").text
    assert all(x in auditor_page for x in actions)
    c = logged_in(web_db_copy, "vera")
    page = get(c, f"/alerts/{a['id']}").text
    assert not any(x in page for x in actions)
    token = csrf_of(page)                                         # the viewer's own, valid token (logout form)
    before = snapshot(web_db_copy)
    for action, data in (("silence", {"matcher": "rule", "comment": "x"}),
                         ("verdict", {"verdict": "false_alarm", "comment": "x"}), ("ack", {"comment": "x"})):
        r = post(c, f"/alerts/{a['id']}/{action}", {"csrf_token": token, **data})
        assert r.status_code == 403 and "审计人员" in r.text
    assert snapshot(web_db_copy) == before


def test_a_form_without_its_csrf_token_is_refused(web_db_copy):
    a = an_open_alert(web_db_copy)
    c = logged_in(web_db_copy, "audrey")
    get(c, f"/alerts/{a['id']}")
    before = snapshot(web_db_copy)
    for action, data in (("silence", {"matcher": "rule", "comment": "x"}),
                         ("verdict", {"verdict": "confirmed", "comment": "x"})):
        assert post(c, f"/alerts/{a['id']}/{action}", data).status_code == 403
        assert post(c, f"/alerts/{a['id']}/{action}", {**data, "csrf_token": "forged"}).status_code == 403
    assert snapshot(web_db_copy) == before


# -- history -----------------------------------------------------------------------
def test_history_is_one_time_ordered_list_with_who_and_why(web_db_copy):
    a = an_open_alert(web_db_copy)
    other_rule = db_rows(web_db_copy, "SELECT rule FROM alerts WHERE rule != ? LIMIT 1", a["rule"])[0][0]
    raised = db_rows(web_db_copy, "SELECT at FROM alert_events WHERE alert_id = ? AND event = 'raised'", a["id"])[0][0]
    t0 = datetime.fromisoformat(raised)

    def at(minutes: int) -> str:
        return (t0 + timedelta(minutes=minutes)).isoformat()

    with session(web_db_copy) as conn:
        conn.execute("INSERT INTO deliveries (alert_id, channel, kind, status, next_attempt_at, created_at, sent_at)"
                     " VALUES (?, 'hook', 'firing', 'sent', ?, ?, ?)", (a["id"], at(1), at(1), at(2)))
        conn.execute("INSERT INTO silences (matcher, value, until, created_by, comment, created_at, expired_at)"
                     " VALUES ('kind', ?, NULL, '李审计', '集中整改', ?, ?)", (a["kind"], at(3), at(6)))
        conn.execute("INSERT INTO silences (matcher, value, until, created_by, comment, created_at)"
                     " VALUES ('rule', ?, NULL, '王审计', '别的规则', ?)", (other_rule, at(4)))   # covers others
        conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'acked', ?, ?)",
                     (a["id"], at(5), "bob: 已转交处室"))
        conn.execute("INSERT INTO alert_verdicts (alert_id, verdict, comment, by, at) VALUES (?, 'confirmed', ?, ?, ?)",
                     (a["id"], "属实", "carol", at(7)))
        conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'withdrawn', ?, ?)",
                     (a["id"], at(8), "finding no longer present in the report"))
    page = get(logged_in(web_db_copy, "vera"), f"/alerts/{a['id']}").text
    rows = re.findall(r'<tr data-event="([a-z_]+)"><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td><td>(.*?)</td></tr>',
                      page, re.S)
    assert [r[0] for r in rows] == ["raised", "delivered", "silence", "acked", "verdict", "withdrawn"]
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)
    who = {r[0]: html.unescape(r[2]) for r in rows}
    assert who == {"raised": "系统", "delivered": "hook", "silence": "李审计", "acked": "bob", "verdict": "carol",
                   "withdrawn": "系统"}
    detail = {r[0]: html.unescape(r[3]) for r in rows}
    assert "已转交处室" in detail["acked"] and "bob" not in detail["acked"]
    assert "集中整改" in detail["silence"] and f"kind = {a['kind']}" in detail["silence"]
    assert f"已结束 {at(6)}" in detail["silence"]
    assert "属实" in detail["verdict"]
    assert "别的规则" not in page                                 # a silence that does not cover this alert


# -- the audit log page ------------------------------------------------------------
def test_audit_log_is_for_admins_only_newest_first_and_paged(web_db_copy):
    a = an_open_alert(web_db_copy)
    for name in ("vera", "audrey"):
        c = logged_in(web_db_copy, name)
        assert get(c, "/audit").status_code == 403
        assert 'href="/audit"' not in get(c, "/").text
    submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/verdict", {"verdict": "confirmed", "comment": "核实"})
    admin = logged_in(web_db_copy, "ada", page_size=3)
    assert 'href="/audit"' in get(admin, "/").text
    expected = [r[0] for r in db_rows(web_db_copy, "SELECT id FROM web_audit ORDER BY id DESC")]
    assert len(expected) > 3
    seen, pages, url = [], [], "/audit"
    while url:
        page = get(admin, url).text
        pages.append(page)
        ids = [int(i) for i in re.findall(r'<tr data-id="(\d+)"', page)]
        assert 0 < len(ids) <= 3
        seen += ids
        m = re.search(r'rel="next" href="([^"]+)"', page)
        url = html.unescape(m.group(1)) if m else None
    assert seen == expected
    (cells,) = re.findall(r'<tr data-id="\d+" data-action="verdict">(.*?)</tr>', "".join(pages), re.S)
    assert "audrey" in cells and "审计人员" in cells and "研判" in cells and "核实" in cells
    assert f'<a href="/alerts/{a["id"]}">' in cells and "testclient" in cells


def test_a_hostile_comment_is_shown_as_text(web_db_copy):
    a = an_open_alert(web_db_copy)
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>\x1b[31m[red]红[/red]'
    c = logged_in(web_db_copy, "audrey")
    assert submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/verdict",
                  {"verdict": "confirmed", "comment": hostile}).status_code == 303
    assert submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/silence",
                  {"matcher": "rule", "comment": hostile}).status_code == 303
    r = submit(c, f"/alerts/{a['id']}", f"/alerts/{a['id']}/silence",
               {"matcher": "rule", "until": "2000-01-01", "comment": hostile})
    assert r.status_code == 400
    for page in (get(c, f"/alerts/{a['id']}").text, r.text, get(logged_in(web_db_copy, "ada"), "/audit").text):
        assert "<script>alert(1)" not in page and "<img src=x" not in page and "\x1b" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in page
        assert "[red]红[/red]" in page
