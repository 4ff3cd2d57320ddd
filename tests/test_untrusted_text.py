"""Untrusted text is shown as text: Rich markup and terminal escapes from a
report, a receiver's answer or a file name neither crash a view nor reach the
terminal, and no CSV cell starts a spreadsheet formula."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from worker.cli import main
from worker.safe_text import clean, csv_cell, markup, strip_userinfo

SEED = EXAMPLES / "004_06066fc72a3963be.txt"
ESC = "\x1b"

# Report text as a hostile portal could publish it: markup closing tags Rich
# would reject, colour and screen-clearing escapes, a window-title OSC.
HOSTILE = [
    ("年度培训计划累计已完成培训38次", "年度培训计划[/bold]累计[/]已完成\x1b[31m培训38次"),
    ("月报未按时提交", "月报[/]未按时\x1b[31m提交\x1b]0;pwned\x07"),
    ("购买服务单位满意度", "购买[/]服务单位\x1b[31m满意度"),
    ("政务服务管理局", "政务服务[/bold]管理局\x1b[5m"),
]
# A file name that is a formula in a spreadsheet and markup in a terminal.
FORMULA_NAME = '=HYPERLINK("evil")[b]\x1b[2J.txt'


def cli(*args, **kw):
    return CliRunner().invoke(main, list(args), catch_exceptions=True, **kw)


@pytest.fixture
def hostile_db(tmp_path, monkeypatch, db_url):
    """A real database holding one report backfilled from a hostile file."""
    text = SEED.read_text(encoding="utf-8")
    for old, new in HOSTILE:
        assert old in text
        text = text.replace(old, new)
    monkeypatch.chdir(tmp_path)          # the file is given by its bare name, as an operator would
    (tmp_path / FORMULA_NAME).write_text(text, encoding="utf-8")
    db = db_url
    res = cli("--db", db, "backfill", FORMULA_NAME)
    assert res.exit_code == 0, res.output
    assert "4 new" in res.output and ESC not in res.output
    return db


def assert_shown_as_text(res):
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "MarkupError" not in res.output and "Traceback" not in res.output
    assert ESC not in res.output and "\x07" not in res.output


@pytest.mark.parametrize("args, literal", [
    (["alerts", "list"], "[/]"),
    (["alerts", "show", "1"], "[/bold]"),
    (["alerts", "show", "2"], "[/]"),
    (["reports", "list"], None),
    (["reports", "show", "1"], "[/bold]"),
    (["status"], None),
])
def test_report_text_with_markup_and_escapes_is_shown_as_text(hostile_db, args, literal):
    res = cli("--db", hostile_db, *args)
    assert_shown_as_text(res)
    assert res.exit_code == 0, res.output
    if literal:
        assert literal in res.output             # the report's own brackets, printed as they are


def test_rules_test_on_a_hostile_file_prints_text(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    for old, new in HOSTILE:
        text = text.replace(old, new)
    f = tmp_path / "hostile.txt"
    f.write_text(text, encoding="utf-8")
    res = cli("rules", "test", str(f), "--explain")
    assert_shown_as_text(res)
    assert res.exit_code == 0 and "[/]" in res.output


def test_csv_export_neutralises_a_file_named_as_a_formula(hostile_db):
    res = cli("--db", hostile_db, "alerts", "export", "--format", "csv")
    assert res.exit_code == 0
    rows = list(csv.reader(io.StringIO(res.output)))
    header, body = rows[0], rows[1:]
    assert len(body) == 4
    sources = {r[header.index("source")] for r in body}
    assert sources == {"'" + FORMULA_NAME.replace(ESC + "[2J", "")} or \
        all(s.startswith("'=HYPERLINK") for s in sources), sources
    for r in body:
        for cell in r:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
            assert ESC not in cell
    # The JSON lines contract keeps the data (escaped by JSON), for machines.
    jl = cli("--db", hostile_db, "alerts", "export", "--format", "jsonl")
    assert all(json.loads(line)["source"].startswith("=HYPERLINK") for line in jl.output.splitlines())


def test_a_receivers_error_body_with_markup_is_shown_as_text(tmp_path, monkeypatch, httpserver, db_url):
    monkeypatch.setenv("AW_UT_SECRET", "a-signing-secret")
    httpserver.expect_request("/hook", method="POST").respond_with_data(
        "[/bold] refused [/] \x1b[31mred\x1b[0m \x1b]0;owned\x07 [link=file:///etc/passwd]x[/link]", status=400)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[channels.hook]\ntype = "webhook"\nurl = "{httpserver.url_for("/hook")}"\n'
                   f'secret_env = "AW_UT_SECRET"\nallow_private = true\n', encoding="utf-8")
    db = db_url
    res = cli("--config", str(cfg), "--db", db, "backfill", str(SEED), "--deliver")
    assert ESC not in res.output
    assert len(httpserver.log) >= 1
    st = cli("--config", str(cfg), "--db", db, "status")
    assert_shown_as_text(st)
    assert st.exit_code == 1                            # failed deliveries make status unhealthy
    assert "[/bold] refused [/]" in st.output and "deliveries failed" in st.output
    js = cli("--config", str(cfg), "--db", db, "status", "--json")
    data = json.loads(js.output)
    assert js.exit_code == 1 and not data["healthy"] and data["failed_deliveries"]
    al = cli("--config", str(cfg), "--db", db, "alerts", "list")
    assert_shown_as_text(al)
    assert al.exit_code == 0 and "4 alerts" in al.output


def test_console_channel_prints_no_escape_sequences(tmp_path, capfd, db_url):
    text = SEED.read_text(encoding="utf-8")
    for old, new in HOSTILE:
        text = text.replace(old, new)
    f = tmp_path / "hostile.txt"
    f.write_text(text, encoding="utf-8")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[channels.console]\ntype = "console"\nmin_severity = "info"\n', encoding="utf-8")
    res = cli("--config", str(cfg), "--db", db_url, "backfill", str(f), "--deliver")
    out = res.output + capfd.readouterr().out
    assert res.exit_code == 0
    assert "[/]" in out and "满意度" in out                # the alert was printed, brackets as text
    assert ESC not in out and "\x07" not in out


@pytest.mark.parametrize("raw, shown", [
    ("a[/]b", "a[/]b"), ("\x1b[31mred\x1b[0m", "red"), ("x\r\ny\rz", "x\nyz"), ("t\x1b]0;title\x07u", "tu"),
    ("\x9b31mc1", "c1"), ("bell\x07\x00nul", "bellnul"), ("rtl\u202eevil", "rtlevil"), ("tab\tnl\n", "tab\tnl\n"),
    ("中文[bold]粗[/bold]", "中文[bold]粗[/bold]"),
])
def test_clean_and_markup(raw, shown):
    from rich.console import Console

    assert clean(raw) == shown
    con = Console(file=io.StringIO(), width=200, color_system=None)
    con.print(markup(raw), end="")
    assert con.file.getvalue() == shown.expandtabs(8)      # rich expands tabs, nothing else changes


def test_csv_cell_and_userinfo():
    assert [csv_cell(v) for v in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", 5)] == \
        ["'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok", 5]
    assert strip_userinfo("https://u:p4ss@portal.example/list?x=1") == "https://portal.example/list?x=1"
    assert strip_userinfo("https://portal.example/a@b") == "https://portal.example/a@b"
