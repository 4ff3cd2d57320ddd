"""Issue 18 under attack: hostile and broken input to the disclosure duties,
publication and 批复 dates, restatements, and the new alert kinds in every
consumer (CLI, exports, email, webhook, console). Each ends with a reason a
person understands, and the run goes on."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from worker.cli import main
from worker.config import ConfigError, load

ROOT = Path(__file__).resolve().parent.parent
EVIL = '<script>alert(1)</script>\x1b[31m红\x1b[0m[bold]局'


def cli(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def write(tmp_path, text, csv_bytes=None):
    if csv_bytes is not None:
        (tmp_path / "expected.csv").write_bytes(csv_bytes)
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return str(p)


# -- deadlines that are no day of the calendar ------------------------------------------------
@pytest.mark.parametrize("bad", ["02-30", "04-31", "13-01", "9/30", "00-10"])
def test_a_deadline_that_is_no_day_is_refused_naming_its_key(tmp_path, bad):
    with pytest.raises(ConfigError) as e:
        load(write(tmp_path, f'[disclosure]\ndeadline = "{bad}"\n[disclosure.deadlines]\n"北京市" = "{bad}"\n'
                             f'[[expected]]\nname = "甲市财政局"\nyears = [2024]\ndeadline = "{bad}"\n'))
    text = str(e.value)
    for key in ("disclosure.deadline:", "disclosure.deadlines.北京市:", "expected[0].deadline:"):
        assert key in text and repr(bad) in text, (key, text)


def test_the_29th_of_february_stays_a_deadline(tmp_path):
    from worker.duties.settings import expected

    cfg = load(write(tmp_path, '[[expected]]\nname = "甲市财政局"\nyears = [2023, 2024]\ndeadline = "02-29"\n'))
    e = expected(cfg)[0]
    assert str(e.deadline_for(2023)) == "2024-02-29" and str(e.deadline_for(2024)) == "2025-02-28"


# -- the expected-publishers CSV ----------------------------------------------------------------
HEADER = "name,aliases,source,year,types,deadline\n"


def test_a_csv_saved_by_excel_in_gbk_or_with_a_bom_is_read(tmp_path):
    from worker.duties.settings import read_csv

    for enc, data in (("gbk", (HEADER + "北京市通州区财政局,区财政局,,2024,,\n").encode("gbk")),
                      ("bom", ("\ufeff" + HEADER + "北京市通州区财政局,区财政局,,2024,,\n").encode("utf-8"))):
        p = tmp_path / f"{enc}.csv"
        p.write_bytes(data)
        problems: list[str] = []
        assert [(e.name, e.aliases) for e in read_csv(p, problems)] == [("北京市通州区财政局", ["区财政局"])], enc
        assert problems == []


def test_binary_in_place_of_the_csv_is_one_clear_problem(tmp_path):
    from worker.duties.settings import read_csv

    p = tmp_path / "e.csv"
    p.write_bytes(b"\xff\xfe\x00\x00\xff" * 100)
    problems: list[str] = []
    assert read_csv(p, problems) == []
    assert problems == [f"disclosure.expected_csv: {p} is neither UTF-8 nor GBK/GB18030 text"]


def test_a_huge_cell_is_refused_by_its_line_and_the_other_rows_read(tmp_path):
    from worker.duties.settings import read_csv

    p = tmp_path / "e.csv"
    p.write_text(HEADER + "甲市财政局,,,2024,,\n" + "乙" * 200_000 + ",,,2024,,\n"
                 + "丙市财政局," + "别名" * 2000 + ",,2024,,\n丁市财政局,,,2024,,\n", encoding="utf-8")
    problems: list[str] = []
    assert [e.name for e in read_csv(p, problems)] == ["甲市财政局", "丁市财政局"]
    assert len(problems) == 2 and problems[0].startswith(f"{p}:3: not a CSV row") and \
        problems[1] == f"{p}:4: the aliases cell is longer than 2000 characters", problems


def test_a_csv_of_a_hundred_megabytes_is_refused_unread(tmp_path):
    from worker.duties import settings

    p = tmp_path / "e.csv"
    with p.open("wb") as f:
        f.write(HEADER.encode())
        f.truncate(settings.CSV_MAX_BYTES + 1)          # sparse: no 100 MB written to the disk
    with pytest.raises(ConfigError) as e:
        load(write(tmp_path, '[disclosure]\nexpected_csv = "e.csv"\n'))
    assert f"{p} is {settings.CSV_MAX_BYTES + 1:,} bytes" in str(e.value)


def test_a_department_owed_twice_is_refused_naming_both_places(tmp_path):
    with pytest.raises(ConfigError) as e:
        load(write(tmp_path, '[disclosure]\nexpected_csv = "expected.csv"\n[[expected]]\nname = "甲市财政局"\n'
                             'years = [2024]\n', (HEADER + "甲市 财政局,,,2024,,\n乙市财政局,,,2024,,\n"
                                                  "乙市财政局,,,2024,,\n").encode()))
    text = str(e.value)
    assert "expected.csv:2: 甲市 财政局 2024 部门决算 is already expected at expected[0]" in text
    assert "expected.csv:4: 乙市财政局 2024 部门决算 is already expected at expected.csv:3" in text


def test_a_duplicate_is_judged_once():
    from datetime import date

    from worker.duties.due import duties
    from worker.duties.settings import Disclosure, Expected

    es = [Expected("甲市财政局", years=[2024], deadline="09-30"), Expected("甲市财政局", years=[2024], deadline="09-30")]
    assert len(duties(Disclosure(), es, [], {}, date(2026, 1, 1))) == 1


def test_coverage_csv_runs_no_formula_and_the_table_prints_no_escape(tmp_path):
    from worker.storage import Store

    db = tmp_path / "t.db"
    Store(str(db)).close()
    cfg = write(tmp_path, '[disclosure]\ndeadline = "09-30"\nexpected_csv = "expected.csv"\n',
                (HEADER + f"\"=cmd|' /C calc'!A0\",,,2024,,\n\"{EVIL}\",,,2024,,\n").encode())
    out = cli("--config", cfg, "--db", db, "coverage", "--year", "2024", "--format", "csv").output
    assert "\n'=cmd|" in out and "\n=cmd" not in out
    assert "\x1b" not in out and "<script>alert(1)</script>红[bold]局" in out
    table = cli("--config", cfg, "--db", db, "coverage", "--year", "2024").output
    assert "\x1b" not in table and "[bold]局" in table          # markup shown as text, not a style


# -- dates read from pages and reports ---------------------------------------------------------
def test_a_meta_tag_of_megabytes_gives_a_short_quote():
    from lxml import html

    from worker.extract.pagedates import page_dates

    page = ("<html><head><meta name='pubdate' content='2025-08-01 " + "x" * 5_000_000 + "'></head><body>"
            "<h1>某局2024年度部门决算</h1>" + "<p>发布时间:2025-08-02</p>" * 10_000 + "</body></html>")
    got = page_dates(html.fromstring(page))
    assert [(d["from"], d["at"]) for d in got] == [("meta", "2025-08-01"), ("page", "2025-08-02")]
    assert len(got[0]["quote"]) < 300 and got[0]["quote"].startswith('<meta name="pubdate" content="2025-08-01 xxx')


@pytest.mark.parametrize("text, want", [
    ("经区财政局二〇二五年八月一日批复，现公开2024年度部门决算。", "2025-08-01"),
    ("本部门2024年度部门决算已于二〇二五年七月三十一日经市财政局批复。", "2025-07-31"),
    ("经区财政局二〇二五年十二月二十日批复2024年度部门决算", "2025-12-20"),
    ("经区财政局二〇二五年二月三十日批复2024年度部门决算", None),          # no such day: refused
    ("经区财政局2025年2月30日批复2024年度部门决算", None),
    ("经区财政局2025年13月1日批复2024年度部门决算", None),
    ("经区财政局二〇二四年十月一日批复2024年度部门决算", None),            # before the year ended
])
def test_a_batch_date_in_chinese_numerals_is_read_and_an_impossible_one_refused(text, want):
    from worker.parse.approval import find_approval

    got = find_approval(text, 2024)
    assert (got[0] if got else None) == want
    if got:
        assert text[got[1].start:got[1].end] == got[1].text and "批复" in got[1].text


# -- a republished report that cannot be read ---------------------------------------------------
def test_an_empty_or_unreadable_new_version_keeps_the_old_one_and_its_alerts(tmp_path, db_url):
    from worker.storage import Store

    folder = tmp_path / "r"
    folder.mkdir()
    path = folder / "r.txt"
    shutil.copy(sorted((ROOT / "examples" / "reports").glob("004_*.txt"))[0], path)
    assert cli("--db", db_url, "backfill", folder).exit_code == 0
    store = Store(db_url)

    def state():
        rep = store.conn.execute("SELECT status, warnings FROM reports").fetchone()
        alerts = store.conn.execute("SELECT id, status FROM alerts ORDER BY id").fetchall()
        facts = store.conn.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
        return rep["status"], json.loads(rep["warnings"] or "[]"), [tuple(a) for a in alerts], facts

    status, _, alerts, facts = state()
    assert status == "parsed" and alerts and all(s == "open" for _, s in alerts) and facts > 0
    for new in (b"", "某局2024年度 无内容\n".encode()):
        path.write_bytes(new)
        res = cli("--db", db_url, "backfill", folder)
        assert res.exit_code in (0, 1), res.output
        st, warnings, alerts2, facts2 = state()
        assert (st, alerts2, facts2) == ("parsed", alerts, facts)          # nothing lost, nothing withdrawn
        assert len(warnings) == 1 and warnings[0].startswith("重新发布的新内容无法读取(") and \
            warnings[0].endswith("保留上一版本的数据和预警")
        assert cli("--db", db_url, "detect").exit_code == 0
        assert state()[2] == alerts
    store.close()


# -- the new kinds in every consumer ----------------------------------------------------------
def _item(alert, event="firing", delivery_id=1):
    from types import SimpleNamespace

    return SimpleNamespace(alert=alert, event=event, delivery_id=delivery_id, digest=True, recipients=None)


MISSING = {"id": 7, "fingerprint": "f" * 32, "kind": "report_missing", "rule": "duties.report_missing",
           "severity": "medium", "source": "portal", "title": f"未按期公开:{EVIL}2024年度部门决算",
           "message": f"{EVIL}应于2025-09-30前公开2024年度部门决算", "created_at": "2025-10-01T00:00:00+00:00",
           "status": "open", "report": {"id": None, "title": None, "issuer": None, "year": None},
           "evidence": {"duty": {"department": EVIL, "year": 2024, "type": "部门决算", "source": "portal"},
                        "due": "2025-09-30", "quotes": []}}
LATE = {"id": 8, "fingerprint": "e" * 32, "kind": "late_publication", "rule": "duties.late_publication",
        "severity": "low", "source": "http://127.0.0.1/a.html", "title": "逾期公开:甲局2024年度部门决算逾期3天",
        "message": "甲局……逾期3天。", "created_at": "2025-10-01T00:00:00+00:00", "status": "open",
        "report": {"id": 3, "title": "甲局2024年度部门决算", "issuer": "甲局", "year": 2024},
        "evidence": {"quotes": [{"text": '<meta name="PubDate" content="2025-10-03">', "field": "published_at"}]}}


def test_a_webhook_batch_of_a_report_missing_and_a_report_alert_is_sent():
    from alerts.channels.webhook import envelope

    env = envelope([_item(MISSING), _item(LATE, delivery_id=2)], "firing")
    assert env["group_key"] == "report:3,none"
    assert "\x1b" not in json.dumps(env)             # JSON escapes it: \u001b


def test_email_digest_of_a_report_missing_names_the_department_and_escapes_it():
    from alerts.channels.email import build_message

    msg = build_message({"sender": "a@example.org", "to": ["b@example.org"]}, [_item(MISSING), _item(LATE, delivery_id=2)])
    assert "\n" not in msg["Subject"] and "\x1b" not in msg["Subject"] and "<script>alert(1)</script>红[bold]局" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert "\x1b" not in text and "报告:无(此预警不针对某份已收录的报告)" in text
    assert "<script>" not in html_part and "&lt;script&gt;" in html_part
    assert "&lt;meta name=&quot;PubDate&quot;" in html_part       # the meta tag quoted, as text


def test_a_withdrawn_report_missing_says_the_report_was_found():
    from alerts.format import one

    gone = {**MISSING, "evidence": {**MISSING["evidence"], "found_report_id": 12}}
    text = one(gone, "withdrawn")
    assert "已发现该报告(报告 #12)" in text and "重新发布" not in text
    assert "\x1b" not in text


def test_alerts_show_of_a_report_missing_says_it_has_no_report(tmp_path):
    from worker.config import Config
    from worker.storage import Store

    db = tmp_path / "t.db"
    store = Store(str(db))
    with store.tx() as c:
        c.execute("INSERT INTO alerts (fingerprint, kind, rule, severity, report_id, source, title, message, evidence,"
                  " status, created_at, updated_at, last_seen_at) VALUES (?,?,?,?,NULL,?,?,?,?,'open',?,?,?)",
                  ("f" * 32, "report_missing", "duties.report_missing", "medium", "portal", MISSING["title"],
                   MISSING["message"], json.dumps(MISSING["evidence"]), *["2025-10-01T00:00:00+00:00"] * 3))
    store.close()
    assert Config  # the CLI reads no config here
    for lang, want in (("zh", "报告:无(此预警不针对某份已收录的报告)"), ("en", "report: none")):
        out = cli("--db", db, "--lang", lang, "alerts", "show", "1").output
        assert want in out and "#None" not in out and "\x1b" not in out, out
