"""Issue 14, what a newcomer tripped over in the CLI after the first round: filters
that matched nothing, --until leaving out its own day, export cells, cut text,
blank states, counts that disagree, summaries and help texts that mislead."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import tomllib

import pytest
from click.testing import CliRunner

from worker.cli import main

from conftest import EXAMPLES, ROOT


def run(db, *args, lang: str | None = None):
    pre = ["--db", str(db)] + (["--lang", lang] if lang else [])
    return CliRunner().invoke(main, pre + list(args))


def flat(text: str) -> str:
    return " ".join(text.split())


# -- 1. filters that would match nothing are refused, with the valid choices --------------------
@pytest.mark.parametrize("args, option, shown", [
    (["alerts", "list", "--kind", "execution_rate"], "--kind", "execution_rate_low"),
    (["alerts", "list", "--since", "yesterday"], "--since", "ISO date"),
    (["alerts", "list", "--since", "2026-13-01"], "--since", "ISO date"),
    (["alerts", "list", "--until", "2026-11-31"], "--until", "ISO date"),
    (["reports", "list", "--status", "parsd"], "--status", "parsed"),
    (["alerts", "list", "--report", "99"], "--report", "reports list"),
])
def test_filter_matching_nothing_is_refused(examples_db, args, option, shown):
    res = run(examples_db, *args)
    assert res.exit_code == 2, res.output
    assert option in res.output and shown in res.output


def test_export_with_unknown_kind_writes_nothing(examples_db, tmp_path):
    out = tmp_path / "f.csv"
    res = run(examples_db, "alerts", "export", "--format", "csv", "--kind", "satisfaction", "-o", str(out))
    assert res.exit_code == 2, res.output
    assert "satisfaction_below_target" in res.output       # the kind meant, among the choices
    assert not out.exists()


def test_report_statuses_listed_exist_in_code():
    from worker.cli.choices import report_statuses
    from worker.ingest import FINAL_STATUSES

    assert set(FINAL_STATUSES) | {"failed", "out_of_range"} <= set(report_statuses())


def test_known_kind_without_alerts_lists_none(examples_db):
    with sqlite3.connect(examples_db) as c:
        assert c.execute("SELECT count(*) FROM alerts WHERE kind = 'benford_deviation'").fetchone()[0] == 0
    res = run(examples_db, "alerts", "list", "--kind", "benford_deviation", "--json")
    assert res.exit_code == 0, res.output
    assert res.output.strip() == ""
    ok = run(examples_db, "alerts", "list", "--kind", "execution_rate_low", "--report", "4", "--json")
    assert ok.exit_code == 0 and ok.output.strip()


# -- 2. a plain date in --until is the whole day -------------------------------------------------
def test_until_plain_date_includes_that_day(examples_db_copy):
    with sqlite3.connect(examples_db_copy) as c:
        c.execute("UPDATE alerts SET created_at = '2026-11-24T15:30:00+00:00'")
        first = c.execute("SELECT min(id) FROM alerts").fetchone()[0]
        c.execute("UPDATE alerts SET created_at = '2026-11-25T00:00:00+00:00' WHERE id = ?", (first,))
        total = c.execute("SELECT count(*) FROM alerts WHERE status != 'withdrawn'").fetchone()[0]

    def ids(*args):
        res = run(examples_db_copy, "alerts", "list", "--json", *args)
        assert res.exit_code == 0, res.output
        return {json.loads(line)["id"] for line in res.output.splitlines() if line.strip()}

    assert len(ids("--until", "2026-11-24")) == total - 1                 # through 23:59:59 of the 24th
    assert first not in ids("--until", "2026-11-24")
    assert ids("--since", "2026-11-25") == {first}                        # from 00:00 of the 25th
    assert ids("--until", "2026-11-24T15:00") == set()                    # a datetime as given (UTC)
    assert len(ids("--since", "2026-11-24T23:30+08:00", "--until", "2026-11-24")) == total - 1


# -- 3. export: quotes kept apart, not repeated under other evidence -------------------------------
def test_csv_quotes_numbered_and_other_evidence_without_quotes(examples_db):
    res = run(examples_db, "alerts", "export", "--format", "csv", "--kind", "text_table_conflict", lang="en")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert rows
    multi = [r for r in rows if "\n\n[2] " in r["quotes"]]
    assert multi, [r["quotes"] for r in rows]
    for r in rows:
        assert r["quotes"].startswith("[1] ")
        paragraphs = r["quotes"].split("\n\n")
        assert all(re.match(rf"\[{i}\] ", p) for i, p in enumerate(paragraphs, 1))
        assert "quotes:" not in r["other_evidence"] and '"text"' not in r["other_evidence"]
        assert "locations:" not in r["other_evidence"]


def test_xlsx_quotes_numbered(examples_db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "a.xlsx"
    res = run(examples_db, "alerts", "export", "--format", "xlsx", "--kind", "text_table_conflict", "-o", str(out),
              lang="en")
    assert res.exit_code == 0, res.output
    ws = load_workbook(out).active
    head = [c.value for c in ws[1]]
    q, other = head.index("quotes"), head.index("other_evidence")
    cells = [row for row in ws.iter_rows(min_row=2, values_only=True)]
    assert any("\n\n[2] " in (r[q] or "") for r in cells)
    assert all("quotes:" not in (r[other] or "") for r in cells)


# -- 4. text cut in a view ends in "…"; issuers are not cut ----------------------------------------
def test_clip_marks_the_cut():
    from worker.term import clip

    assert clip("较2023年度决算数减少722.58万元", 15) == "较2023年度决算数减少72…"     # 14 characters and the mark
    assert clip("short", 15) == "short"
    assert clip(None, 3) == ""


def test_reports_show_marks_cut_quotes(examples_db, monkeypatch):
    from worker import term

    monkeypatch.setattr(term.console, "width", 1000)     # no column folds: each cell on one line
    cut = 0
    for rid in range(1, 6):
        facts = json.loads(run(examples_db, "reports", "show", str(rid), "--json").output)["facts"]
        res = run(examples_db, "reports", "show", str(rid), "--facts", "claim", lang="zh")
        assert res.exit_code == 0, res.output
        for f in facts:
            text = f["quote"]["qt"][0] if f["kind"] == "claim" else ""     # (text, start, end)
            if len(text) > 50:      # the claims table shows 50 characters: 49 and the mark
                assert text[:49] + "…" in res.output, text
                assert text[:50] + " " not in res.output
                cut += 1
    assert cut        # the examples have long quotes (较2023年度决算数减少722.58万元 was cut to 722.5)


def test_alerts_list_shows_whole_issuer_and_every_state(examples_db_copy):
    with sqlite3.connect(examples_db_copy) as c:
        issuer = c.execute("SELECT r.issuer FROM alerts a JOIN reports r ON r.id = a.report_id"
                           " ORDER BY length(r.issuer) DESC LIMIT 1").fetchone()[0]
        assert len(issuer) > 14                 # the old view cut it at 14
        acked = c.execute("SELECT min(id) FROM alerts").fetchone()[0]
    assert run(examples_db_copy, "alerts", "ack", str(acked), "--by", "t", "--comment", "c").exit_code == 0
    res = run(examples_db_copy, "alerts", "list", lang="en")
    assert res.exit_code == 0, res.output
    assert issuer in res.output
    rows = [ln for ln in res.output.splitlines() if re.match(r"│ \d+ ", ln)]
    states = [ln.split("│")[3].strip() for ln in rows]
    assert states and all(s in ("open", "acked", "silenced", "withdrawn") for s in states), states
    assert "acked" in states and "open" in states
    zh = run(examples_db_copy, "alerts", "list", lang="zh")
    assert "待处理" in zh.output and "已阅" in zh.output


# -- 6. reports show: the heading counts the rows listed ----------------------------------------
def test_reports_show_table_count_agrees_with_rows(examples_db):
    for rid in range(1, 6):
        js = json.loads(run(examples_db, "reports", "show", str(rid), "--json").output)
        ver = js["verification"]
        res = run(examples_db, "reports", "show", str(rid), lang="en")
        m = re.search(r"tables read \((\d+); standard tables recognized: (\d+)\)", res.output)
        assert m, res.output
        assert int(m.group(1)) == len(ver["tables"])
        assert int(m.group(2)) == len(ver["standard_tables_found"])
    res = run(examples_db, "reports", "show", "3", lang="en")
    assert "tables read (2; standard tables recognized: 0)" in res.output
    assert res.output.count("(self-evaluation form)") == 2


# -- 7, 8. backfill summaries ------------------------------------------------------------------------
def test_backfill_since_counts_unchanged_once(examples_db_copy):
    res = run(examples_db_copy, "backfill", str(EXAMPLES), "--since", "2030")
    assert res.exit_code == 0, res.output
    head = next(ln for ln in res.output.splitlines() if "ingested" in ln)
    assert "5 unchanged" in head
    assert not re.search(r"\), \d+ outside", head), head        # not a second bucket of the same reports
    assert "5 of them outside --since/--until" in head


def test_reparse_alone_says_reparsed(examples_db_copy):
    res = run(examples_db_copy, "backfill", "--reparse", "--no-detect")
    assert res.exit_code == 0, res.output
    assert "5 re-parsed" in res.output and "ingested" not in res.output


# -- 9. silence --help says what is refused ---------------------------------------------------------
def test_silence_help_names_what_is_refused(examples_db):
    text = flat(run(examples_db, "silence", "--help").output)
    assert "matches no alert" not in text
    assert "unknown rule or kind" in text and "not stored" in text and "in the past" in text


# -- 10. --lang after the command ----------------------------------------------------------------
@pytest.mark.parametrize("args, zh", [
    (["alerts", "list"], "条预警"),
    (["reports", "list"], "份报告"),
    (["rules", "list"], "检测器"),
    (["silence", "list"], "条静默"),
])
def test_lang_after_the_command(examples_db, args, zh):
    res = run(examples_db, *args, "--lang", "zh")             # tests run with AUDIT_WORKER_LANG=en
    assert res.exit_code == 0, res.output
    assert zh in res.output
    en = run(examples_db, *args, "--lang", "en")
    assert en.exit_code == 0 and zh not in en.output


def test_lang_after_export_and_show(examples_db):
    res = run(examples_db, "alerts", "export", "--format", "csv", "--lang", "zh")
    assert res.exit_code == 0 and res.output.splitlines()[0].startswith("编号")
    assert run(examples_db, "alerts", "show", "1", "--lang", "zh").exit_code == 0
    assert run(examples_db, "reports", "show", "1", "--lang", "en").exit_code == 0
    assert run(examples_db, "status", "--lang", "zh").exit_code in (0, 1)


# -- 11. datasette docs agree with config.toml ------------------------------------------------------
def test_datasette_comment_and_readme_wording():
    meta = (ROOT / "docs" / "datasette" / "metadata.yml").read_text(encoding="utf-8")
    path = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))["database"]["path"]
    head = "\n".join(ln for ln in meta.splitlines() if ln.startswith("#"))
    assert "out/audit.db" not in head
    assert f"{path}: the [database] path of the bundled config.toml" in head
    from worker.config_schema import SCHEMA

    assert f"`audit` ({SCHEMA['database']['path']['default']}: the path used when no config" in head
    readme = flat((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "enter a report number" not in readme
    assert "report_id" in readme and "whose number you enter" not in meta

