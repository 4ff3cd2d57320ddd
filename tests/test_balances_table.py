"""Negative year-end balances in tables whose columns are numbered by a 栏次 row
(issue 12, real-dev 045): the table flattened one cell a line, the grid put
back from the 栏次 row, the header's column groups numbered by the template's
grammar. Expected values are worked out by hand in the comments."""
from __future__ import annotations

from conftest import findings

from worker.read import numbered
from worker.textnorm import normalize


def _cells(*cells: str) -> str:
    """One cell a line as the portals flatten it: `text |`, an empty cell `|`."""
    return "".join(f"{c} |\n" if c else "|\n" for c in cells)


def _table(year_end=("-20.00", "-20.00", ""), ticks=8, head_top="年末结转和结余"):
    # 上年结转和结余 | 本年收入 (合计, 其中:财政拨款收入) | 本年支出 (合计, 其中:财政拨款支出)
    # | 年末结转和结余 (合计, 基本支出结转, 项目支出结转和结余): 1 + 2 + 2 + 3 = 8 columns.
    return ("2023年某中心收支决算表 |\n" + _cells(
        "", "金额单位:万元", "",
        "项目", "上年结转和结余", "本年收入", "本年支出", head_top, "",
        "科目编码", "科目名称", "合计", "其中:财政拨款收入", "合计", "其中:财政拨款支出",
        "合计", "基本支出结转", "项目支出结转和结余", "",
        "类款项", "栏次", *[str(k) for k in range(1, ticks + 1)], "",
        "", "合计", "10.00", "100.00", "80.00", "130.00", "80.00", *year_end, "",
        "2080101", "行政运行", "10.00", "100.00", "80.00", "130.00", "80.00", *year_end, ""))


def test_own_table_grid_and_columns():
    t, = numbered.read(normalize(_table()).text)
    # a row is code + name + 8 figures + one padding cell: period 11; two body rows
    assert (t.n, t.period, t.rows(), t.unit) == (8, 11, 2, "万元")
    reads = numbered.readings([[c.key for c in r] for r in t.header], t.n)
    # 收入 / 支出 / 结余 sub-columns go to the group of their kind: one reading only;
    # 年末结转和结余 takes columns 1 + 2 + 2 + 1 = 6, 7, 8
    assert [rd["年末结转和结余"] for rd in reads] == [[6, 7, 8]]


def test_own_table_negative_year_end_balance():
    (f,) = findings(_table(), "balances_table")
    # column 6 of the 合计 row: 10 + 100 - 130 = -20.00 万元
    assert f.kind == "impossible_value"
    assert f.evidence["stated"] == -20 and f.evidence["columns"] == [6] and f.evidence["unit"] == "万元"
    assert f.quotes[0][0] == "-20.00"


def test_own_table_left_alone_when_positive_or_not_placed():
    assert findings(_table(year_end=("5.00", "5.00", "")), "balances_table") == []
    # a 栏次 row of 9 columns for a header of 8: the header cannot be placed, say nothing
    assert findings(_table(year_end=("-20.00", "-20.00", "", ""), ticks=9), "balances_table") == []
    # the year's deficit (收支结余) may be negative: it is not a balance carried over
    assert findings(_table(head_top="收支结余"), "balances_table") == []


REAL_045 = ('2017年医疗卫生计生机构收支决算总表(按功能分类) |\n|\n|\n|\n|\n|\n|\n|\n|\n|\n国卫财01-1表 |\n|\n编制单位:汨罗市中医院[单户表] |\n'
            '|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n金额单位:元 |\n|\n项目 |\n上年结转和结余 |\n本年收入 |\n本年支出 |\n收支结余 |\n用事业基金弥补收支差额 |\n'
            '结余分配 |\n年末结转和结余 |\n|\n支出功能分类科目编码 |\n科目名称 |\n合计 |\n基本支出结转 |\n项目支出结转和结余 |\n经营结余 |\n'
            '合计 |\n其中:财政拨款收入 |\n合计 |\n其中:财政拨款支出 |\n合计 |\n基本支出结转 |\n项目支出结转和结余 |\n经营结余 |\n合计 |\n'
            '交纳所得税 |\n提取职工福利基金 |\n转入事业基金 |\n其他 |\n合计 |\n基本支出结转 |\n项目支出结转和结余 |\n经营结余 |\n|\n小计 |\n'
            '其中:基本建设资金结转和结余 |\n小计 |\n其中:基本建设资金收入 |\n小计 |\n其中:基本建设资金支出 |\n小计 |\n其中:基本建设资金结转和结余 |\n'
            '|\n|\n类款项 |\n栏次 |\n1 |\n2 |\n3 |\n4 |\n5 |\n6 |\n7 |\n8 |\n9 |\n10 |\n11 |\n12 |\n13 |\n'
            '14 |\n15 |\n16 |\n17 |\n18 |\n19 |\n20 |\n21 |\n22 |\n23 |\n24 |\n25 |\n26 |\n|\n|\n合计 |\n'
            '|\n|\n|\n|\n|\n62,011,988.25 |\n1,666,424.00 |\n|\n70,496,088.25 |\n1,666,424.00 |\n'
            '|\n-8,484,100.00 |\n-8,484,100.00 |\n|\n|\n|\n|\n|\n|\n|\n|\n-8,484,100.00 |\n-8,484,100.00 |\n'
            '|\n|\n|\n|\n201 |\n一般公共服务支出 |\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n|\n'
            '|\n|\n|\n|\n')


def test_real_hospital_table_045():
    # real-dev 045 (国卫财01-1, 元), cut after its first coded row. By hand: 26 columns; a row is
    # 2 labels + 26 figures + 1 padding = 29 cells. 年末结转和结余 is the last group (合计, 基本,
    # 项目, 经营: 4 columns); the last 小计 / 其中:基本建设资金结转和结余 pair splits either its
    # 项目支出结转和结余 (5 columns: 合计 is column 26 - 5 + 1 = 22) or 收支结余's (4 columns:
    # column 23). The 合计 row holds -8,484,100.00 in both columns 22 and 23.
    t, = numbered.read(normalize(REAL_045).text)
    assert (t.n, t.period, t.rows()) == (26, 29, 2)
    (f,) = findings(REAL_045, "balances_table.negative_year_end")
    assert f.evidence["stated"] == -8484100.0 and f.evidence["columns"] == [22, 23]
    assert f.evidence["unit"] == "元" and f.quotes[0][0] == "-8,484,100.00"


def test_a_page_that_is_one_final_account_table_is_a_report():
    from worker.parse.meta import looks_like_report

    # 045 names 决算 once, in its title (…收支决算总表), and prints its amounts in 元
    assert looks_like_report(normalize(REAL_045).text)[0] is True
    assert looks_like_report("关于举办春节联欢会的通知:请各科室于1月20日前报名。")[0] is False
