"""The standard tables read into the ledger, and their relations checked.

The department below is made up and its figures were added up by hand:
income 1,000.00 (一般公共预算) + 50.00 (事业) + 10.00 (其他) = 1,060.00; with
40.00 carried in, 总计 1,100.00 = 1,030.00 spent + 70.00 carried out.
Spending: 201 一般公共服务 800.00 (行政运行 500.00 basic, 一般行政管理事务
300.00 project), 208 150.00 and 221 80.00 (basic): basic 730.00, project 300.00.
Of it, fiscal (一般公共预算) 1,010.00: 201 780.00 (500.00 + 280.00), 208 150.00,
221 80.00; fiscal carry-over 30.00 in, 20.00 out.
"""
from __future__ import annotations

import copy

from tests.ledgerkit import document
from worker.facts import ParsedReport, ReportMeta

T1 = [["收入", "<", "支出", "<"],
      ["项目", "决算数", "项目", "决算数"],
      ["一、一般公共预算财政拨款收入", "1,000.00", "一、一般公共服务支出", "800.00"],
      ["二、政府性基金预算财政拨款收入", "", "二、社会保障和就业支出", "150.00"],
      ["三、国有资本经营预算财政拨款收入", "", "三、住房保障支出", "80.00"],
      ["四、上级补助收入", "", "", ""],
      ["五、事业收入", "50.00", "", ""],
      ["六、经营收入", "", "", ""],
      ["七、附属单位上缴收入", "", "", ""],
      ["八、其他收入", "10.00", "", ""],
      ["本年收入合计", "1,060.00", "本年支出合计", "1,030.00"],
      ["使用非财政拨款结余", "", "结余分配", ""],
      ["年初结转和结余", "40.00", "年末结转和结余", "70.00"],
      ["总计", "1,100.00", "总计", "1,100.00"]]

T3 = [["项目", "<", "本年支出合计", "基本支出", "项目支出"],
      ["科目编码", "科目名称", "^", "^", "^"],
      ["合计", "<", "1,030.00", "730.00", "300.00"],
      ["201", "一般公共服务支出", "800.00", "500.00", "300.00"],
      ["20103", "政府办公厅(室)及相关机构事务", "800.00", "500.00", "300.00"],
      ["2010301", "行政运行", "500.00", "500.00", ""],
      ["2010302", "一般行政管理事务", "300.00", "", "300.00"],
      ["208", "社会保障和就业支出", "150.00", "150.00", ""],
      ["20805", "行政事业单位养老支出", "150.00", "150.00", ""],
      ["2080505", "机关事业单位基本养老保险缴费支出", "150.00", "150.00", ""],
      ["221", "住房保障支出", "80.00", "80.00", ""],
      ["22102", "住房改革支出", "80.00", "80.00", ""],
      ["2210201", "住房公积金", "80.00", "80.00", ""]]

T4 = [["收入", "<", "支出", "<", "<", "<", "<"],
      ["项目", "决算数", "项目", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"],
      ["一、一般公共预算财政拨款", "1,000.00", "一、一般公共服务支出", "780.00", "780.00", "", ""],
      ["二、政府性基金预算财政拨款", "", "二、社会保障和就业支出", "150.00", "150.00", "", ""],
      ["三、国有资本经营预算财政拨款", "", "三、住房保障支出", "80.00", "80.00", "", ""],
      ["本年收入合计", "1,000.00", "本年支出合计", "1,010.00", "1,010.00", "", ""],
      ["年初财政拨款结转和结余", "30.00", "年末财政拨款结转和结余", "20.00", "20.00", "", ""],
      ["一、一般公共预算财政拨款", "30.00", "", "", "", "", ""],
      ["二、政府性基金预算财政拨款", "", "", "", "", "", ""],
      ["三、国有资本经营预算财政拨款", "", "", "", "", "", ""],
      ["总计", "1,030.00", "总计", "1,030.00", "1,030.00", "", ""]]

# 款 left out on purpose: 类 = Σ 项 when the table skips a level.
T5 = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
      ["合计", "<", "1,010.00", "730.00", "280.00"],
      ["201", "一般公共服务支出", "780.00", "500.00", "280.00"],
      ["2010301", "行政运行", "500.00", "500.00", ""],
      ["2010302", "一般行政管理事务", "280.00", "", "280.00"],
      ["208", "社会保障和就业支出", "150.00", "150.00", ""],
      ["2080505", "机关事业单位基本养老保险缴费支出", "150.00", "150.00", ""],
      ["221", "住房保障支出", "80.00", "80.00", ""],
      ["2210201", "住房公积金", "80.00", "80.00", ""]]

T6 = [["经济分类科目编码", "科目名称", "决算数", "经济分类科目编码", "科目名称", "决算数"],
      ["301", "工资福利支出", "500.00", "302", "商品和服务支出", "100.00"],
      ["30101", "基本工资", "300.00", "30201", "办公费", "60.00"],
      ["30102", "津贴补贴", "200.00", "30205", "水费", "40.00"],
      ["303", "对个人和家庭的补助", "130.00", "310", "资本性支出", "0.00"],
      ["30302", "退休费", "130.00", "31002", "办公设备购置", "0.00"],
      ["人员经费合计", "<", "630.00", "公用经费合计", "<", "100.00"]]

# Twelve columns under a three-row header with merged cells, as the template prints it.
T7 = [["合计", "<", "因公出国(境)费", "<", "公务用车购置及运行维护费", "<", "<", "<", "<", "<", "公务接待费", "<"],
      ["^", "^", "^", "^", "小计", "<", "公务用车购置费", "<", "公务用车运行维护费", "<", "^", "^"],
      ["预算数", "决算数", "预算数", "决算数", "预算数", "决算数", "预算数", "决算数", "预算数", "决算数", "预算数", "决算数"],
      ["20.00", "15.50", "5.00", "3.00", "10.00", "8.50", "0.00", "0.00", "10.00", "8.50", "5.00", "4.00"]]


def build(tables=None, extra_text: list[str] | None = None):
    """A report text with the standard tables under their titles."""
    tables = tables or {}
    parts: list = ["某某区某某局", "2024年度部门决算", "第二部分 某某区某某局2024年度部门决算表"]
    spec = [("收入支出决算总表", T1), ("支出决算表", T3), ("财政拨款收入支出决算总表", T4),
            ("一般公共预算财政拨款支出决算表", T5), ("一般公共预算财政拨款基本支出决算表", T6),
            ("财政拨款“三公”经费支出决算表", T7)]
    for title, rows in spec:
        parts += [title, "单位:万元", (tables.get(title, rows), "万元")]
    parts += extra_text or []
    return document(parts)


def read_report(tables=None, extra_text=None):
    from worker.read import read

    text, grids = build(tables, extra_text)
    return text, read(text, grids, year=2024)


def fact(rd, table_type: str, label: str, header_end: str):
    tidx = {t.index for t in rd.tables if t.type == table_type}
    hits = [f for f in rd.facts if f.table in tidx and f.label.endswith(label) and f.header.endswith(header_end)]
    assert len(hits) == 1, (table_type, label, header_end, [(f.label, f.header) for f in hits])
    return hits[0]


def test_every_table_is_recognized_and_mapped():
    _, rd = read_report()
    types = [t.type for t in rd.tables]
    assert types == ["income_expense_total", "expense", "fiscal_total", "gpb_expense", "gpb_basic", "sangong"]
    assert all(t.status == "mapped" for t in rd.tables), [(t.type, t.status, t.unmapped) for t in rd.tables]
    assert all(t.unit == "万元" for t in rd.tables)


def test_two_sided_total_table_reads_both_halves():
    _, rd = read_report()
    f = fact(rd, "income_expense_total", "五、事业收入", "决算数")
    assert (f.concept, f.dims, f.num.value) == ("income", (("fund", "business"),), 50.0)
    f = fact(rd, "income_expense_total", "三、住房保障支出", "决算数")
    assert (f.concept, f.dims, f.num.value) == ("expense", (("func", "221"),), 80.0)
    left = [f for f in rd.facts if f.table == 0 and f.label == "总计"]
    assert sorted((f.concept, f.num.value) for f in left) == [("grand_total_in", 1100.0), ("grand_total_out", 1100.0)]
    # A row with no figure at all says nothing; an empty cell beside figures is 0, kept as a blank.
    assert not [f for f in rd.facts if f.label.endswith("四、上级补助收入")]
    f = fact(rd, "expense", "2010301 行政运行", "项目支出")
    assert f.blank and f.num.value == 0


def test_fund_only_rows_take_the_group_they_follow():
    _, rd = read_report()
    t4 = [f for f in rd.facts if f.table == 2 and f.label == "一、一般公共预算财政拨款"]
    assert sorted((f.concept, f.num.value) for f in t4) == [("carry_begin", 30.0), ("income", 1000.0)]
    f = fact(rd, "fiscal_total", "一、一般公共服务支出", "合计")
    assert (f.concept, dict(f.dims)) == ("expense", {"func": "201", "fund": "fiscal"})
    f = fact(rd, "fiscal_total", "一、一般公共服务支出", "一般公共预算财政拨款")
    assert dict(f.dims) == {"func": "201", "fund": "gpb"}


def test_coded_rows_and_merged_headers():
    _, rd = read_report()
    f = fact(rd, "expense", "2010302 一般行政管理事务", "项目支出")
    assert (f.concept, dict(f.dims), f.num.value) == ("expense", {"func": "2010302", "type": "project"}, 300.0)
    f = fact(rd, "expense", "合计", "基本支出")
    assert dict(f.dims) == {"type": "basic"} and f.num.value == 730.0
    f = fact(rd, "gpb_basic", "人员经费合计", "决算数")
    assert dict(f.dims) == {"econ": "personnel", "fund": "gpb", "type": "basic"} and f.num.value == 630.0
    sangong = {(dict(f.dims).get("item", "all"), f.measure): f.num.value for f in rd.facts if f.concept == "sangong"}
    assert sangong[("vehicle_run", "final")] == 8.5
    assert sangong[("vehicle", "budget")] == 10.0      # 小计 under 公务用车购置及运行维护费
    assert sangong[("all", "final")] == 15.5            # 合计 spans two header rows
    assert len(sangong) == 12


def test_consistent_tables_pass_every_relation():
    from rules.relations import check_all
    from rules.taxonomy import default

    _, rd = read_report()
    checks = check_all(rd, default())
    assert len(checks) >= 60
    assert [c for c in checks if not c.ok] == []
    kinds = {c.kind for c in checks}
    assert kinds == {"sum", "identity", "equal"}
    # 基本支出 of 一般公共预算 (表五) = 人员经费 + 公用经费 (表六): a sum across tables.
    assert any("另表" in c.name and rd.facts[c.total].table == 3 for c in checks)


def _report(text, rd):
    return ParsedReport(text=text, meta=ReportMeta(year=2024), reading=rd)


def _findings(text, rd, rule_ids):
    from alerts.engine import evaluate

    return evaluate(_report(text, rd), None, rule_ids, strict=True)


def test_one_wrong_cell_is_one_alert_naming_that_cell():
    t3 = copy.deepcopy(T3)
    t3[3][2] = "810.00"          # 201 本年支出合计: its row, its column and 表一 all say 800.00
    text, grids = build({"支出决算表": t3})
    from worker.read import read

    rd = read(text, grids, year=2024)
    found = _findings(text, rd, ["ledger"])
    assert len(found) == 1
    f = found[0]
    assert f.kind == "total_mismatch" and f.rule == "ledger.sum"
    assert f.evidence["stated"] == 810.0 and f.evidence["computed"] == 800.0
    assert "810.00" in [q[0] for q in f.quotes] and "一般公共服务支出" in [q[0] for q in f.quotes]
    assert all(text[s:e] == q for q, s, e in f.quotes)
    assert len(f.evidence["relations"]) >= 3


def test_a_total_that_only_its_own_parts_contradict():
    t7 = copy.deepcopy(T7)
    t7[3][1] = "17.50"           # 三公 合计 决算数; 3.00 + 8.50 + 4.00 = 15.50
    text, grids = build({"财政拨款“三公”经费支出决算表": t7})
    from worker.read import read

    rd = read(text, grids, year=2024)
    found = _findings(text, rd, ["ledger"])
    assert [(f.kind, f.evidence["stated"], f.evidence["computed"]) for f in found] == [("total_mismatch", 17.5, 15.5)]


def test_rounding_is_not_an_error():
    # 300.004 and 200.004 print as 300.00 and 200.00 but add to 500.01: within the rule.
    t6 = copy.deepcopy(T6)
    t6[1][2] = "500.01"
    t6[6][2] = "630.01"
    t5 = copy.deepcopy(T5)
    text, grids = build({"一般公共预算财政拨款基本支出决算表": t6, "一般公共预算财政拨款支出决算表": t5})
    from worker.read import read

    rd = read(text, grids, year=2024)
    assert _findings(text, rd, ["ledger"]) == []


def test_narrative_figure_against_the_table():
    lines = ["第三部分 某某区某某局2024年度部门决算情况说明",
             "三、支出决算情况说明",
             "本年支出合计1,040.00万元,其中:基本支出730.00万元,占70.87%;项目支出300.00万元,占29.13%。"]
    text, grids = build(extra_text=lines)
    from worker.read import read

    rd = read(text, grids, year=2024)
    found = _findings(text, rd, ["ledger", "statements"])
    conflicts = [f for f in found if f.kind == "text_table_conflict"]
    assert len(conflicts) == 1
    assert conflicts[0].evidence["stated"] == 1040.0 and conflicts[0].evidence["computed"] == 1030.0
    # 730/1030 = 70.87% and 300/1030 = 29.13%: the shares fit the table's total, so no share alert.
    assert [f for f in found if f.kind == "stated_value_mismatch"] == []


def _flat(rows: list[list[str]], sep: str) -> str:
    """A table flattened as portals print it: empty cells and merged cells dropped."""
    return "\n".join(sep.join(c for c in r if c and c not in ("<", "^")) for r in rows) if sep != "\n" else \
        "\n".join(c for r in rows for c in r if c and c not in ("<", "^"))


def test_flattened_tables_are_read_where_the_columns_are_certain():
    from rules.relations import check_all
    from rules.taxonomy import default
    from worker.read import read

    for sep, kind in ((" ", "spaced"), ("\n", "lines")):
        text = "某局\n2024年度部门决算\n支出决算表\n单位:万元\n" + _flat(T3, sep) + "\n注:本表反映部门本年度各项支出情况。\n"
        rd = read(text, [], year=2024)
        (t,) = rd.tables
        assert (t.type, t.kind) == ("expense", kind)
        # 2010301 行政运行 500.00 500.00: 基本支出 or 项目支出? Not guessed, listed.
        assert "行:行政运行" in t.unmapped and "行:一般行政管理事务" in t.unmapped
        f = fact(rd, "expense", "201 一般公共服务支出", "项目支出")
        assert f.num.value == 300.0 and text[f.quote.start:f.quote.end] == "300.00"
        checks = check_all(rd, default())
        assert checks and not [c for c in checks if not c.ok]


def test_a_wrong_figure_in_a_flattened_table_is_found():
    from alerts.engine import evaluate
    from worker.read import read

    t3 = copy.deepcopy(T3)
    t3[2][3] = "740.00"            # 合计 基本支出; 500.00 + 150.00 + 80.00 = 730.00
    text = "某局\n2024年度部门决算\n支出决算表\n单位:万元\n" + _flat(t3, " ") + "\n"
    rd = read(text, [], year=2024)
    found = evaluate(_report(text, rd), None, ["ledger"], strict=True)
    # The rows of 208 and 221 lost their empty 项目支出 cells, so the column cannot be added up;
    # the 合计 row still does not add up: 740.00 + 300.00 = 1,040.00, printed 1,030.00.
    assert [(f.kind, f.evidence["stated"], f.evidence["computed"]) for f in found] == [("total_mismatch", 1030.0, 1040.0)]
    assert 740.0 in found[0].evidence["parts"] and "740.00" in [q[0] for q in found[0].quotes] or \
        "740.00" in found[0].message


def test_the_ministry_form_with_line_and_column_numbers():
    """公开01表 as the Ministry of Finance prints it: 行次 columns and a 栏次 row."""
    from rules.relations import check_all
    from rules.taxonomy import default
    from tests.ledgerkit import document
    from worker.read import read

    t1 = [["收入", "<", "<", "支出", "<", "<"],
          ["项目", "行次", "金额", "项目", "行次", "金额"],
          ["栏次", "", "1", "栏次", "", "2"],
          ["一、一般公共预算财政拨款收入", "1", "1,000.00", "一、一般公共服务支出", "32", "800.00"],
          ["八、其他收入", "8", "60.00", "二、社会保障和就业支出", "33", "150.00"],
          ["", "", "", "三、住房保障支出", "34", "80.00"],
          ["本年收入合计", "9", "1,060.00", "本年支出合计", "57", "1,030.00"],
          ["年初结转和结余", "10", "40.00", "年末结转和结余", "58", "70.00"],
          ["总计", "11", "1,100.00", "总计", "59", "1,100.00"]]
    text, grids = document(["收入支出决算总表", "公开01表", "金额单位:万元", (t1, "万元")])
    rd = read(text, grids, year=2024)
    (t,) = rd.tables
    assert (t.type, t.status) == ("income_expense_total", "mapped"), t.unmapped
    f = fact(rd, "income_expense_total", "八、其他收入", "金额")
    assert (f.concept, dict(f.dims), f.num.value) == ("income", {"fund": "other"}, 60.0)
    assert not [f for f in rd.facts if f.num.value in (1.0, 8.0, 32.0, 59.0)]      # line numbers are not figures
    checks = check_all(rd, default())
    assert len(checks) >= 5 and not [c for c in checks if not c.ok]
