"""Restatements (issue 18): a report republished with other figures or tables is
compared with its earlier version, alerted once as `report_restated`, and the
old version's alerts that no longer hold are withdrawn with a pointer to it.

The report is a 部门决算 of the report generator (bench/reportgen, consistent by
construction) served as HTML by a portal on 127.0.0.1; the earlier version is
the same page with two figures of 《收入支出决算总表》 misprinted and the
“三公” table left out."""
import json
from pathlib import Path

import pytest
from servers import Portal

from worker.app import App
from worker.config import Config
from worker.restate import compare
from worker.storage import Store
from worker.versions import Snapshot, department

DEPT = "济南市历下区市场监督管理局"


# -- the comparison (pure) ------------------------------------------------------------------------
def fig(concept, value, half=0.005, shown=None, table="income_expense_total", label="", dims="{}", where="table",
        row_quote=""):
    return [concept, dims, "final", "current", where, value, half, shown or f"{value:.2f}", table,
            "一、收入支出决算总表" if table else "", label, row_quote or (shown or f"{value:.2f}"), 0, 4]


def snap(figures, tables=(("income_expense_total", "一、收入支出决算总表", True),)):
    return Snapshot([list(f) for f in figures], [list(t) for t in tables])


def test_a_value_printed_with_more_or_fewer_decimals_is_not_a_change():
    old = snap([fig("expense", 6.2, half=0.05, shown="6.2", label="合计")])
    same = snap([fig("expense", 6.20, half=0.005, shown="6.20", label="合计")])
    finer = snap([fig("expense", 6.24, half=0.005, shown="6.24", label="合计")])
    other = snap([fig("expense", 6.30, half=0.005, shown="6.30", label="合计")])
    assert not compare(old, same) and not compare(old, finer)
    ch = compare(old, other)
    assert [(a.shown, b.shown) for a, b in ch.changed] == [("6.2", "6.30")]


def test_moved_rows_are_the_same_figures():
    a = fig("expense", 120.51, dims='{"func": "208"}', label="八、社会保障和就业支出")
    b = fig("expense", 57.04, dims='{"func": "210"}', label="九、卫生健康支出")
    assert not compare(snap([a, b]), snap([b, a]))
    b2 = fig("expense", 57.40, dims='{"func": "210"}', label="九、卫生健康支出")
    ch = compare(snap([a, b]), snap([b2, a]))
    assert [(x.label, x.shown, y.shown) for x, y in ch.changed] == [("九、卫生健康支出", "57.04", "57.40")]


def test_a_table_added_and_an_empty_table_that_gained_figures():
    base = [fig("expense", 100.0, label="合计")]
    sangong = fig("sangong", 6.27, table="sangong", label="合计")
    t1 = ("income_expense_total", "一、收入支出决算总表", True)
    old = snap(base, [t1, ("gov_fund", "八、政府性基金表", False)])
    new = snap(base + [sangong, fig("expense", 3.0, table="gov_fund", label="合计", dims='{"fund": "gov_fund"}')],
               [t1, ("sangong", "七、财政拨款“三公”经费支出决算表", True), ("gov_fund", "八、政府性基金表", True)])
    ch = compare(old, new)
    assert sorted(t.type for t in ch.tables_added) == ["gov_fund", "sangong"]
    assert ch.emptied == {"gov_fund"}
    # The added tables' figures are not listed one by one again.
    assert not ch.changed and not ch.figures_added and not ch.tables_removed
    back = compare(new, old)
    assert sorted(t.type for t in back.tables_removed) == ["gov_fund", "sangong"] and not back.figures_removed


def test_only_wording_changed_is_nothing():
    t = fig("expense", 100.0, label="合计")
    said = fig("expense", 100.0, where="text", table="", label="本年支出合计", row_quote="本年支出合计100.00万元")
    reworded = fig("expense", 100.0, where="text", table="", label="支出合计", row_quote="支出合计为100.00万元")
    assert not compare(snap([t, said]), snap([t, reworded]))
    # A text figure that rewording took out of the reading is listed, but alone is no restatement.
    ch = compare(snap([t, said, fig("income", 5.0, where="text", table="")]), snap([t, said]))
    assert len(ch.figures_removed) == 1 and not ch


def test_a_figure_found_in_one_version_only_is_listed_under_its_table():
    t = fig("expense", 100.0, label="合计")
    extra = fig("expense", 5.0, dims='{"func": "221"}', label="十九、住房保障支出")
    ch = compare(snap([t]), snap([t, extra]))
    assert ch and [(f.table_type, f.label) for f in ch.figures_added] == [("income_expense_total", "十九、住房保障支出")]


def test_department_names_are_compared_without_spaces_punctuation_or_width():
    assert department("济南市 历下区市场监督管理局") == department("济南市历下区市场监督管理局")
    assert department("北京市（丰台区）财政局") == department("北京市(丰台区)财政局")
    assert department("某某局") != department("济南市历下区市场监督管理局")


# -- on a portal ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """(earlier version, corrected version) of one 部门决算 page, as HTML text."""
    from bench.reportgen import build_report
    from bench.reportgen.render_html import render_html

    out = tmp_path_factory.mktemp("restate") / "r.html"
    render_html(build_report(seed=3, index=0, fmt="html", errors=False), str(out))
    page = out.read_bytes().decode("gbk")
    # Both versions: the 空表说明 under the 政府性基金 table is missing (an alert that still holds).
    note = f"<p class=\"note\">说明：{DEPT}本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。</p>"
    assert page.count(note) == 1
    page = page.replace(note, "")
    # The earlier version: 《收入支出决算总表》's 卫生健康支出 57.04 printed 57.40 and its
    # 本年支出合计 1983.59 printed 1993.59 (there only: the same figures of table 4 stay right),
    # and no “三公” table, though the 目录 lists it.
    old = page
    for right, wrong in (('<td>九、卫生健康支出</td><td align="right">57.04</td>',
                          '<td>九、卫生健康支出</td><td align="right">57.40</td>'),
                         ('<td>本年支出合计</td><td align="right">1983.59</td>',
                          '<td>本年支出合计</td><td align="right">1993.59</td>')):
        assert old.count(right) == 2, right            # 《一、收入支出决算总表》, then 《四、财政拨款…总表》
        assert old.index(right) < old.index("二、收入决算表</h3>")
        old = old.replace(right, wrong, 1)
    start = old.index('<p class="pre-title">', old.index("六、一般公共预算财政拨款基本支出决算明细表</h3>"))
    end = old.index('<p class="pre-title">', old.index("七、财政拨款“三公”经费支出决算表</h3>"))
    old = old[:start] + old[end:]
    return old, page


def make_app(tmp_path, db_url, portal) -> App:
    data = {
        "fetch": {"per_host_interval_seconds": 0.0, "timeout_seconds": 5.0, "retries": 0, "backoff_seconds": 0.0},
        "alerts": {"backoff_seconds": 0.0},
        "channels": {"log": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}},
        "sources": [{"name": "portal", "kind": "html_index", "url": portal.url("/list/index.html"),
                     "link_selector": "ul.list a", "link_pattern": "决算", "allow_private": True}],
    }
    return App(Config(path=None, data=data), Store(db_url))


def listing(*paths: str) -> str:
    items = "".join(f"<li><a href='{p}'>{DEPT}2022年度部门决算</a></li>" for p in paths)
    return f"<html><body><ul class='list'>{items}</ul></body></html>"


def sent(tmp_path: Path) -> list[dict]:
    f = tmp_path / "alerts.jsonl"
    return [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()] if f.exists() else []


def alerts(app) -> dict:
    """Every alert, without when it was last seen (a re-check sets it and nothing else)."""
    return {a["id"]: {k: a[k] for k in a.keys() if k != "last_seen_at"}
            for a in app.store.conn.execute("SELECT * FROM alerts ORDER BY id")}


def check_restated(app, tmp_path, before: dict, sent_before: int, new_report: int, old_report: int):
    """The second version's run: one report_restated, the fixed problems withdrawn with the pointer,
    the standing one kept open and not announced again."""
    after = alerts(app)
    new = [a for i, a in after.items() if i not in before]
    assert [a["kind"] for a in new] == ["report_restated"]
    r = new[0]
    assert r["report_id"] == new_report and r["severity"] == "medium"
    assert DEPT in r["title"] and "2022年度" in r["title"]
    assert "2项数字被修改" in r["title"] and "新增《财政拨款“三公”经费支出决算表》" in r["title"]
    ev = json.loads(r["evidence"])
    pairs = sorted((c["label"], c["old"], c["new"], c["table"]) for c in ev["changed"])
    assert pairs == [("九、卫生健康支出", "57.40", "57.04", "收入支出决算总表"),
                     ("本年支出合计", "1993.59", "1983.59", "收入支出决算总表")]
    assert [t["table"] for t in ev["tables_added"]] == ["财政拨款“三公”经费支出决算表"]
    assert ev["old_version"] == 1 and ev["new_version"] == 2 and ev["old_report_id"] == old_report
    text = app.store.report(new_report)["text"]
    for c in ev["changed"]:
        q = c["new_quote"]
        assert text[q["start"]:q["end"]] == q["text"] == c["new"]
        assert c["old_quote"] == c["old"]
    assert "57.40 → 57.04" in r["message"] and "1993.59 → 1983.59" in r["message"]
    # The old version's alerts: the misprints and the missing table fixed, withdrawn with the pointer;
    # the missing 空表说明 still there, open, on the new report.
    kinds_open = sorted(a["kind"] for a in after.values() if a["status"] == "open")
    assert kinds_open == ["disclosure_incomplete", "report_restated"]
    standing = next(a for a in after.values() if a["kind"] == "disclosure_incomplete" and a["status"] == "open")
    assert standing["id"] in before and standing["report_id"] == new_report
    gone = [a for i, a in after.items() if i in before and a["status"] == "withdrawn"]
    assert {a["kind"] for a in gone} >= {"total_mismatch", "disclosure_incomplete"}
    pointer = f"重新发布(版本2,报告#{new_report}),该问题在新版本中不再存在"
    for a in gone:
        assert pointer in json.loads(a["evidence"])["withdrawn"]
        detail = app.store.conn.execute("SELECT detail FROM alert_events WHERE alert_id = ? AND event = 'withdrawn'",
                                        (a["id"],)).fetchone()[0]
        assert pointer in detail
    # Announced: the new alert and the withdrawals, nothing about the standing one.
    out = sent(tmp_path)[sent_before:]
    assert sorted((m["kind"], m["event"]) for m in out) == sorted(
        [("report_restated", "firing")] + [(a["kind"], "withdrawn") for a in gone])


def test_same_address_republished_with_two_figures_changed_and_a_table_added(tmp_path, db_url, versions):
    old, new = versions
    with Portal() as portal:
        portal.add("/list/index.html", listing("/art/1.html"))
        portal.add("/art/1.html", old.encode("gbk"), type="text/html")
        app = make_app(tmp_path, db_url, portal)
        app.run_once()
        before = alerts(app)
        kinds = sorted(a["kind"] for a in before.values())
        assert "total_mismatch" in kinds and kinds.count("disclosure_incomplete") == 2
        n = len(sent(tmp_path))
        rid = app.store.report_by_key(portal.url("/art/1.html"))["id"]
        portal.add("/art/1.html", new.encode("gbk"), type="text/html")
        app.run_once()
        check_restated(app, tmp_path, before, n, rid, rid)
        v = app.store.conn.execute("SELECT report_id, version, successor_id, checked_at FROM report_versions"
                                   ).fetchall()
        assert [(r[0], r[1], r[2]) for r in v] == [(rid, 1, rid)] and v[0][3]
        # Again: nothing new, nothing queued.
        settled, n = alerts(app), len(sent(tmp_path))
        s3 = app.run_once()
        assert s3.alerts_new == s3.alerts_updated == s3.alerts_withdrawn == 0
        assert alerts(app) == settled and len(sent(tmp_path)) == n
        # A re-run of the rules on the stored report changes nothing either.
        from alerts.engine import run_detectors

        res = run_detectors(app, [rid], queue="each", full=True)
        assert res.new == res.withdrawn == res.queued == 0


def test_a_corrected_copy_under_a_new_address_supersedes_the_first(tmp_path, db_url, versions):
    old, new = versions
    with Portal() as portal:
        portal.add("/list/index.html", listing("/art/1.html"))
        portal.add("/art/1.html", old.encode("gbk"), type="text/html")
        app = make_app(tmp_path, db_url, portal)
        app.run_once()
        before = alerts(app)
        n = len(sent(tmp_path))
        first = app.store.report_by_key(portal.url("/art/1.html"))["id"]
        # The corrected copy is a new article; the first stays listed and unchanged.
        portal.add("/art/2.html", new.encode("gbk"), type="text/html")
        portal.add("/list/index.html", listing("/art/2.html", "/art/1.html"))
        app.run_once()
        second = app.store.report_by_key(portal.url("/art/2.html"))["id"]
        assert second != first
        check_restated(app, tmp_path, before, n, second, first)
        settled, n = alerts(app), len(sent(tmp_path))
        s3 = app.run_once()
        assert s3.alerts_new == s3.alerts_withdrawn == 0 and alerts(app) == settled and len(sent(tmp_path)) == n
        # Re-checking both reports: the superseded one raises nothing again, the new one nothing new.
        from alerts.engine import run_detectors

        res = run_detectors(app, [first, second], queue="each", full=True)
        assert res.new == res.withdrawn == res.queued == 0 and alerts(app) == settled


def test_a_backfill_of_two_files_of_one_department_links_nothing(tmp_path, db_url, versions):
    old, new = versions
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.html").write_bytes(old.encode("gbk"))
    (folder / "b.html").write_bytes(new.encode("gbk"))
    app = App(Config(path=None, data={}), Store(db_url))
    app.backfill([folder])
    assert app.store.conn.execute("SELECT COUNT(*) FROM report_versions").fetchone()[0] == 0
    assert not app.store.conn.execute("SELECT 1 FROM alerts WHERE kind = 'report_restated'").fetchall()
