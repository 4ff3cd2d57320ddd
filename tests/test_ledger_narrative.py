"""The 情况说明 read into the same ledger, and the checks that use it:
stated shares, growth and completion against the tables, 大于/小于 and 增加/
下降 against the figures, headings of another year or department, template
placeholders, required tables and 空表说明.

Figures are those of tests/test_ledger_tables.py (added up by hand there).
"""
from __future__ import annotations

import copy

from tests.test_ledger_tables import T1, T3, T4, T5, T6, T7, build
from worker.facts import ParsedReport, ReportMeta

GOOD = [
    "第三部分 某某区某某局2024年度部门决算情况说明",
    "一、收入支出决算总体情况说明",
    "某某区某某局2024年度收入支出总计1,100.00万元。与2023年度相比,收入支出总计增加100.00万元,增长10.00%。",
    "二、收入决算情况说明",
    "本年收入合计1,060.00万元,其中:财政拨款收入1,000.00万元,占94.34%;事业收入50.00万元,占4.72%;其他收入10.00万元,占0.94%。",
    "五、一般公共预算财政拨款支出决算情况说明",
    "(一)一般公共预算财政拨款支出决算总体情况",
    "一般公共预算财政拨款支出1,010.00万元,占本年支出合计的98.06%。",
    "(三)一般公共预算财政拨款支出决算具体情况",
    "一般公共预算财政拨款支出年初预算为1,000.00万元,支出决算为1,010.00万元,完成年初预算的101.00%。决算数大于预算数的主要原因是追加了项目经费。",
    "七、财政拨款“三公”经费支出决算情况说明",
    "“三公”经费财政拨款支出年初预算为20.00万元,支出决算为15.50万元,完成预算的77.50%。",
]


def run(lines, tables=None, rules=("ledger", "statements", "wording")):
    """The narrative checks (the tables here are a subset: disclosure is tested below)."""
    from alerts.engine import evaluate
    from worker.read import read

    text, grids = build(tables, lines)
    rd = read(text, grids, year=2024, issuer="某某区某某局")
    report = ParsedReport(text=text, meta=ReportMeta(year=2024), reading=rd)
    return text, rd, evaluate(report, None, list(rules), strict=True)


def test_a_consistent_report_raises_nothing():
    text, rd, found = run(GOOD)
    assert found == [], [(f.rule, f.title) for f in found]
    texts = [f for f in rd.facts if f.where == "text"]
    keys = {(f.concept, dict(f.dims).get("fund", ""), f.measure): f.num.value for f in texts}
    assert keys[("grand_total_in", "", "final")] == 1100.0
    assert keys[("income", "fiscal", "final")] == 1000.0
    assert keys[("expense", "gpb", "budget_initial")] == 1000.0
    assert keys[("sangong", "fiscal", "budget_initial")] == 20.0
    kinds = sorted(s.type for s in rd.statements)
    assert kinds == ["compare", "completion", "completion", "growth", "share", "share", "share", "share"]


def test_share_the_tables_do_not_give():
    lines = copy.copy(GOOD)
    lines[7] = "一般公共预算财政拨款支出1,010.00万元,占本年支出合计的95.00%。"    # 1010/1030 = 98.06%
    _, _, found = run(lines)
    assert [(f.rule, f.evidence["stated"], f.evidence["computed"]) for f in found] == [
        ("statements.share", 95.0, 98.06)]


def test_growth_the_change_does_not_give():
    lines = copy.copy(GOOD)
    lines[2] = "某某区某某局2024年度收入支出总计1,100.00万元。与2023年度相比,收入支出总计增加100.00万元,增长12.00%。"
    _, _, found = run(lines)
    # 100 / (1100 - 100) = 10.00%
    assert [(f.rule, f.evidence["stated"], f.evidence["computed"]) for f in found] == [
        ("statements.growth", 12.0, 10.0)]


def test_completion_and_the_word_for_it():
    lines = copy.copy(GOOD)
    lines[9] = ("一般公共预算财政拨款支出年初预算为1,100.00万元,支出决算为1,010.00万元,完成年初预算的101.00%。"
                "决算数大于预算数的主要原因是追加了项目经费。")
    _, _, found = run(lines)
    got = sorted((f.rule, f.kind) for f in found)
    assert got == [("statements.completion", "stated_value_mismatch"), ("wording.compare", "wording_mismatch")]
    comp = next(f for f in found if f.rule == "statements.completion")
    assert comp.evidence["computed"] == 91.82       # 1010 / 1100


def test_narrative_total_of_zero():
    lines = copy.copy(GOOD)
    lines[4] = "本年收入合计0万元,其中:财政拨款收入1,000.00万元,占94.34%;事业收入50.00万元,占4.72%;其他收入10.00万元,占0.94%。"
    _, _, found = run(lines)
    conflicts = [f for f in found if f.kind == "text_table_conflict"]
    assert len(conflicts) == 1 and conflicts[0].evidence["stated"] == 0 and conflicts[0].evidence["computed"] == 1060.0


def test_increase_called_a_fall():
    lines = copy.copy(GOOD)
    lines[2] = "某某区某某局2024年度收入支出总计1,100.00万元。与2023年度相比,收入支出总计增加100.00万元,下降10.00%。"
    _, _, found = run(lines)
    assert [f.rule for f in found] == ["wording.direction"]


def test_headings_of_another_year_or_department_and_placeholders():
    lines = copy.copy(GOOD)
    lines[0] = "第三部分 某某区某某局2023年度部门决算情况说明"
    lines.insert(1, "第一部分 某某区另一局概况")
    lines[-1] = "“三公”经费财政拨款支出年初预算为20.00万元,支出决算为15.50万元,完成预算的77.50%。主要原因:XXXXXXXX。"
    _, rd, found = run(lines)
    rules = sorted(f.rule for f in found)
    assert rules == ["wording.department", "wording.placeholder", "wording.year"]
    year = next(f for f in found if f.rule == "wording.year")
    assert year.evidence["stated"] == 2023 and year.evidence["report_year"] == 2024
    # Comparisons name other years and are not headings of a year.
    assert not any("与2023年度相比" in q[0] for f in found for q in f.quotes if f.rule == "wording.year")


def test_missing_required_table_listed_in_contents():
    contents = ["目录", "一、收入支出决算总表", "二、收入决算表", "三、支出决算表", "四、财政拨款收入支出决算总表",
                "五、一般公共预算财政拨款支出决算表", "六、一般公共预算财政拨款基本支出决算表",
                "七、财政拨款“三公”经费支出决算表"]
    from alerts.engine import evaluate
    from tests.ledgerkit import document
    from worker.read import read

    parts: list = ["某某区某某局", "2024年度部门决算"] + contents
    for title, rows in [("收入支出决算总表", T1), ("支出决算表", T3), ("财政拨款收入支出决算总表", T4),
                        ("一般公共预算财政拨款支出决算表", T5), ("一般公共预算财政拨款基本支出决算表", T6),
                        ("财政拨款“三公”经费支出决算表", T7)]:
        parts += [title, "单位:万元", (rows, "万元")]
    text, grids = document(parts)
    rd = read(text, grids, year=2024)
    found = evaluate(ParsedReport(text=text, meta=ReportMeta(year=2024), reading=rd), None, ["disclosure"], strict=True)
    missing = sorted(f.evidence["table"] for f in found)
    # 收入决算表 is listed and absent; the 政府性基金 and 国有资本经营 tables are required and absent.
    assert missing == ["国有资本经营预算财政拨款收入支出决算表", "收入决算表", "政府性基金预算财政拨款收入支出决算表"]
    listed = next(f for f in found if f.evidence["table"] == "收入决算表")
    assert listed.evidence["listed_in_contents"] and listed.quotes[0][0] == "二、收入决算表"


def test_empty_table_and_its_note():
    from alerts.engine import evaluate
    from tests.ledgerkit import document
    from worker.read import read

    empty = [["项目", "<", "年初结转和结余", "本年收入", "本年支出", "<", "<", "年末结转和结余"],
             ["科目编码", "科目名称", "^", "^", "合计", "基本支出", "项目支出", "^"],
             ["合计", "<", "", "", "", "", "", ""]]
    base: list = ["某某区某某局", "2024年度部门决算"]
    for title, rows in [("收入支出决算总表", T1), ("支出决算表", T3), ("财政拨款收入支出决算总表", T4),
                        ("一般公共预算财政拨款支出决算表", T5), ("一般公共预算财政拨款基本支出决算表", T6)]:
        base += [title, "单位:万元", (rows, "万元")]
    with_note = base + ["政府性基金预算财政拨款收入支出决算表", "单位:万元", (empty, "万元"),
                        "说明:某某区某某局本年度没有政府性基金预算财政拨款收入和支出,故本表无数据。"]
    without = base + ["政府性基金预算财政拨款收入支出决算表", "单位:万元", (empty, "万元"), "注:本表反映部门本年度政府性基金收支。"]
    for parts, expected in ((with_note, []), (without, ["disclosure.empty_table"])):
        text, grids = document(parts)
        rd = read(text, grids, year=2024)
        found = evaluate(ParsedReport(text=text, meta=ReportMeta(year=2024), reading=rd), None,
                         ["disclosure.empty_table", "disclosure.note_on_filled"], strict=True)
        assert [f.rule for f in found] == expected
    # A 空表说明 under a table with figures contradicts it.
    filled = [r[:] for r in empty]
    filled[2] = ["合计", "<", "0.00", "12.00", "12.00", "0.00", "12.00", "0.00"]
    text, grids = document(base + ["政府性基金预算财政拨款收入支出决算表", "单位:万元", (filled, "万元"),
                                   "说明:本单位本年度没有政府性基金预算财政拨款收入和支出,故本表无数据。"])
    rd = read(text, grids, year=2024)
    found = evaluate(ParsedReport(text=text, meta=ReportMeta(year=2024), reading=rd), None,
                     ["disclosure.note_on_filled"], strict=True)
    assert [f.rule for f in found] == ["disclosure.note_on_filled"]


def test_a_comparison_sentence_speaks_of_what_it_names():
    lines = copy.copy(GOOD)
    lines[-1] = ("“三公”经费财政拨款支出年初预算为20.00万元,支出决算为15.50万元,完成预算的77.50%,其中:"
                 "公务接待费决算为4.00万元,完成预算的80.00%。")
    lines.append("2024年度“三公”经费支出决算数大于预算数的主要原因:公务活动增加。")     # 15.50 < 20.00
    _, _, found = run(lines)
    (f,) = found
    assert f.rule == "wording.compare"
    assert (f.evidence["executed"], f.evidence["budget"]) == (15.5, 20.0)      # the 三公 total, not 公务接待费


def test_a_comparison_of_an_item_the_tables_do_not_print():
    lines = copy.copy(GOOD)
    lines[9:10] = ["一般公共预算财政拨款支出年初预算为1,000.00万元,支出决算为1,010.00万元,完成年初预算的101.00%。",
                   "1、教育支出(类)普通教育(款)初中教育(项)。主要用于:学校运转。",
                   "年初预算为100.00万元,支出决算为90.00万元。决算数大于预算数的主要原因:追加经费。"]
    _, _, found = run(lines)
    (f,) = found
    assert f.rule == "wording.compare" and (f.evidence["executed"], f.evidence["budget"]) == (90.0, 100.0)
    assert any("年初预算为100.00万元" in q[0] for q in f.quotes)
