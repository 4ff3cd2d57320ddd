"""Flattened 部门决算 tables read back into cells with exact offsets (worker/parse/flatread.py)."""
from hypothesis import HealthCheck, given, settings, strategies as st

from worker.parse.flatread import read_region
from worker.parse.runsplit import split_run

HEAD = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
BODY = [["201", "一般公共服务支出", "120.50", "100.00", "20.50"],
        ["20103", "政府办公厅（室）及相关机构事务", "120.50", "100.00", "20.50"],
        ["2010301", "行政运行", "120.50", "100.00", "20.50"],
        ["合计", "", "120.50", "100.00", "20.50"]]     # 合计 covers the code column too


def read(text, numeric_columns=None):
    return read_region(text, 0, len(text), numeric_columns)


def cells(t):
    return [[c.text for c in row] for row in t.rows]


def body(t):
    return [[c.text for c in row if c.span_from is None] for row in t.rows[t.header_rows:]]


def check_offsets(text, t, joined=()):
    """Every cell is the text at its offsets (a wrapped name: the text without its line break)."""
    for row in t.rows:
        for c in row:
            got = text[c.start:c.end]
            assert (got.replace("\n", "") if c.text in joined else got) == c.text, (c, got)
            assert t.start <= c.start <= c.end <= t.end


def spaced_table(sep=" "):
    return "\n单位：万元\n" + "\n".join(sep.join(c for c in r if c) for r in [HEAD] + BODY) + "\n注：本表反映一般公共预算财政拨款支出。\n"


# -- form 3: spaced, one row a line ------------------------------------------

def test_spaced_rows_read_with_offsets_unit_and_merged_total():
    text = spaced_table()
    t = read(text)
    assert t.kind == "spaced" and t.unit == "万元" and t.header_rows == 1
    assert cells(t) == [HEAD] + BODY
    check_offsets(text, t)
    assert text[t.rows[3][0].start:t.rows[3][0].end] == "2010301"
    # The position under 合计's merged cell points at it; columns read by position.
    assert t.rows[4][1].span_from == (4, 0) and t.aligned
    assert text[t.start:t.start + 5] == "单位：万元" and t.end == text.index("\n注")
    assert not t.notes


def test_spaced_with_tabs_and_several_spaces():
    text = spaced_table(" \t  ")
    t = read(text)
    assert cells(t) == [HEAD] + BODY and t.aligned
    check_offsets(text, t)


def test_whole_table_on_one_line():
    text = spaced_table().replace("\n", " ")
    t = read(text)
    assert t.kind == "spaced" and cells(t) == [HEAD] + BODY
    check_offsets(text, t)


# -- form 2: one cell a line ---------------------------------------------------

def test_one_cell_a_line_with_dropped_empty_cells_and_wrapped_name():
    text = ("\n单位:万元\n科目编码\n科目名称\n合计\n基本支出\n项目支出\n"
            "201\n一般公共服务支出\n120.50\n100.00\n20.50\n"
            "2010301\n行政运行\n100.00\n100.00\n"                       # 项目支出 empty: dropped
            "2010399\n其他政府办公厅（室）及相关机构事务支\n出\n20.50\n-\n20.50\n"
            "- 3 -\n"                                                   # page number
            "合计\n120.50\n100.00\n20.50\n")
    t = read(text)
    assert t.kind == "lines" and t.unit == "万元" and t.header_rows == 1
    assert cells(t)[0] == HEAD
    assert body(t) == [["201", "一般公共服务支出", "120.50", "100.00", "20.50"],
                       ["2010301", "行政运行", "100.00", "100.00"],
                       ["2010399", "其他政府办公厅（室）及相关机构事务支出", "20.50", "-", "20.50"],
                       ["合计", "120.50", "100.00", "20.50"]]
    assert not t.aligned     # a cell was dropped: positions say nothing
    name = t.rows[3][1]
    check_offsets(text, t, joined={name.text})
    assert text[name.start:name.end] == "其他政府办公厅（室）及相关机构事务支\n出"


def test_two_sided_total_table_one_cell_a_line():
    text = ("单位：万元\n收入\n支出\n项目\n决算数\n项目\n决算数\n"
            "一、一般公共预算财政拨款收入\n1,200.00\n一、一般公共服务支出\n800.00\n"
            "二、政府性基金预算财政拨款收入\n二、教育支出\n400.00\n"       # left amount empty
            "三、文化旅游体育与传媒支出\n0.00\n"                          # left side ran out
            "本年收入合计\n1,200.00\n本年支出合计\n1,200.00\n")
    t = read(text)
    assert body(t) == [["一、一般公共预算财政拨款收入", "1,200.00", "一、一般公共服务支出", "800.00"],
                       ["二、政府性基金预算财政拨款收入", "二、教育支出", "400.00"],
                       ["三、文化旅游体育与传媒支出", "0.00"],
                       ["本年收入合计", "1,200.00", "本年支出合计", "1,200.00"]]
    check_offsets(text, t)


def test_two_sided_spaced_keeps_each_cell_in_order():
    text = ("单位：万元\n收入 支出\n项目 决算数 项目 决算数\n"
            "一、一般公共预算财政拨款收入 1,200.00 一、一般公共服务支出 800.00\n"
            "本年收入合计 1,200.00 本年支出合计 1,200.00\n")
    t = read(text)
    assert t.header_rows == 2 and cells(t)[:2] == [["收入", "支出"], ["项目", "决算数", "项目", "决算数"]]
    assert body(t)[1] == ["本年收入合计", "1,200.00", "本年支出合计", "1,200.00"]
    check_offsets(text, t)


def test_vertical_sangong_one_cell_a_line_keeps_its_names():
    text = "项目\n决算数\n因公出国（境）费\n2.00\n公务接待费\n3.00\n合计\n5.00\n"
    t = read(text)
    assert cells(t) == [["项目", "决算数"], ["因公出国（境）费", "2.00"], ["公务接待费", "3.00"], ["合计", "5.00"]]
    assert t.aligned


def test_spaced_column_numbers_stay_in_the_header_and_page_numbers_go():
    text = ("单位：万元\n项目 本年支出合计 基本支出 项目支出\n栏次 1 2 3\n合计 3.00 2.00 1.00\n12\n"
            "一般公共服务支出 3.00 2.00 1.00\n本部门本年度无其他支出,特此说明。\n以下为文字说明 7.00\n")
    t = read(text)
    assert t.header_rows == 2 and cells(t)[1] == ["栏次", "1", "2", "3"] and t.aligned
    assert body(t) == [["合计", "3.00", "2.00", "1.00"], ["一般公共服务支出", "3.00", "2.00", "1.00"]]
    assert t.end == text.index("\n本部门")      # a sentence ends the table


# -- form 4: run together --------------------------------------------------------

def test_split_run_uses_groups_of_three_and_equal_decimals():
    s = "2,946.252,940.056.20"
    assert [s[a:b] for a, b in split_run(s, 3)] == ["2,946.25", "2,940.05", "6.20"]


def test_split_run_uses_the_rate_between_two_numbers():
    # 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分: 20/20 is the 100.00% printed.
    s = "202010100.00%10"
    assert [s[a:b] for a, b in split_run(s, 5)] == ["20", "20", "10", "100.00%", "10"]


def test_split_run_refuses_to_guess():
    assert split_run("100100", 2) is None        # 100|100 or 10010|0
    assert split_run("2020", 2) is None          # 20|20 or 202|0
    assert split_run("2,946.25", 2) is None      # no split at all
    assert split_run("12.0012.00", 3) is None    # 12.00|12.0|0 or 12.00|1|2.00 …
    assert split_run("12.0012.00", 2) == [(0, 5), (5, 10)]
    assert split_run("1,000.00-5.00", 2) == [(0, 8), (8, 13)]      # a sign
    assert split_run("1,000.00-5.00", 3) == [(0, 8), (8, 9), (9, 13)]  # a zero marker


def test_split_run_keeps_thousands_grouping_and_table_decimals():
    assert split_run("1234.561.00", 2) == [(0, 7), (7, 11)]
    assert split_run("1234.561.00", 2, commas=True) is None   # the table groups thousands: 1234.56 is no number
    assert split_run("1.51.5", 2) == [(0, 3), (3, 6)]


def test_run_together_table():
    text = "单位：万元\n" + "\n".join("".join(r) for r in [HEAD] + BODY) + "\n合计2,946.252,940.056.20\n"
    t = read(text)
    assert t.kind == "run" and t.unit == "万元"
    assert body(t) == [[c for c in r if c] for r in BODY] + [["合计", "2,946.25", "2,940.05", "6.20"]]
    check_offsets(text, t)
    last = t.rows[-1]
    assert [text[c.start:c.end] for c in last if c.text] == ["合计", "2,946.25", "2,940.05", "6.20"]


def test_run_together_row_that_cannot_be_split_is_left_whole_with_a_note():
    text = "科目编码 科目名称 合计 基本支出\n201 一般公共服务支出 100.00 50.00\n合计100100\n"
    t = read(text, numeric_columns=2)
    assert body(t)[-1] == ["合计", "100100"]
    assert t.notes == ["第 2 行数字连写,无法唯一拆分:100100"] and not t.aligned
    check_offsets(text, t)


def test_sangong_row_of_twelve_numbers_in_every_form():
    head = ("预算数 决算数\n合计 因公出国（境）费 公务用车购置及运行费 公务接待费 合计 因公出国（境）费 公务用车购置及运行费 公务接待费\n"
            "小计 公务用车购置费 公务用车运行费 小计 公务用车购置费 公务用车运行费\n")
    nums = ["12.00", "2.00", "6.00", "3.00", "3.00", "4.00", "10.50", "1.50", "5.00", "2.00", "3.00", "4.00"]
    spaced = "金额单位：元\n" + head + " ".join(nums) + "\n"
    for text, kind in [(spaced, "spaced"), (spaced.replace(" ", "\n"), "lines"), (spaced.replace(" ", ""), "run")]:
        t = read(text)
        assert t.kind == kind and t.unit == "元" and body(t) == [nums], kind
        check_offsets(text, t)
    assert read(spaced).header_rows == 3


# -- real lines (copied from the development corpus) ----------------------------

def test_self_evaluation_form_flattened_on_one_line_004():
    line = ("附件: 项目支出绩效自评表 (2022年度) 项目名称 委托业务项目 主管部门 219-池州市贵池区棠溪镇人民政府 "
            "实施单位 219001-池州市贵池区棠溪镇人民政府 项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
            "年度资金总额: 0 0 0 10 0 0 其中:本年财政拨款 90 89.974 89.974 上年结转资金 其他资金 年度总体目标 预期目标")
    start, end = line.index("项目资金"), line.index("年度总体目标")
    t = read_region(line, start, end)
    assert t.kind == "spaced" and t.unit == "万元" and not t.aligned
    assert cells(t)[0] == ["项目资金", "(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert body(t) == [["年度资金总额:", "0", "0", "0", "10", "0", "0"],
                       ["其中:本年财政拨款", "90", "89.974", "89.974"], ["上年结转资金"], ["其他资金"]]
    check_offsets(line, t)
    assert t.start == start and t.end == line.index("其他资金") + 4


def test_self_evaluation_funding_040():
    line = ("项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 0 0 0 10 0 0 "
            "其中:本年财政拨款 202.64 132.912 132.912 上年结转资金 其他资金 ")
    t = read(line, numeric_columns=6)
    assert body(t)[1] == ["其中:本年财政拨款", "202.64", "132.912", "132.912"]
    check_offsets(line, t)


def test_run_together_self_evaluation_041():
    line = ("附件:2022年财政衔接资金实施项目绩效自评表中江县水利局2022年12月30日绩效目标自评表(2022年度)"
            "项目名称中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装项目负责人及电话谢凯"
            "13990260322(办公)主管部门中江县水利局实施单位中江县水利局资金情况(万元)全年预算数(A)全年执行数(B)"
            "分值执行率(B/A)得分年度资金总额:202010100.00%10其中:本年财政拨款2020其他资金年度总体目标")
    start, end = line.index("资金情况"), line.index("年度总体目标")
    t = read_region(line, start, end, numeric_columns=5)
    assert t.kind == "run" and t.unit == "万元"
    assert cells(t)[0] == ["资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分"]
    assert body(t)[0] == ["年度资金总额:", "20", "20", "10", "100.00%", "10"]
    # 2020 may be 20|20 or 202|0: left whole, said so.
    assert body(t)[1] == ["其中:本年财政拨款", "2020"] and t.notes == ["第 2 行数字连写,无法唯一拆分:2020"]
    check_offsets(line, t)


SANGONG_025 = ("2016年决算数与2015年决算数对比情况\n年度\n|\n合计\n|\n因公出国(境)经费\n|\n公务接待费\n|\n"
               "公车购置及运行维护费\n|\n合计\n|\n车辆购置\n|\n车辆运行\n|\n2015年\n|\n2840\n|\n90\n|\n1400\n|\n"
               "1350\n|\n73\n|\n1277\n|\n2016年\n|\n2364\n|\n12\n|\n1356\n|\n996\n|\n37\n|\n959\n|\n"
               "2016年比2015年增减%\n|\n-16.77\n|\n-86.62\n|\n-3.14\n|\n-26.24\n|\n-47.95\n|\n-24.98\n|")


def test_pipe_table_one_cell_a_line_025():
    start = SANGONG_025.index("\n") + 1
    t = read_region(SANGONG_025, start, len(SANGONG_025))
    assert t.kind == "pipe" and t.header_rows == 1
    assert cells(t)[0] == ["年度", "合计", "因公出国(境)经费", "公务接待费", "公车购置及运行维护费", "合计", "车辆购置", "车辆运行"]
    assert body(t) == [["2015年", "2840", "90", "1400", "1350", "73", "1277"],
                       ["2016年", "2364", "12", "1356", "996", "37", "959"],
                       ["2016年比2015年增减%", "-16.77", "-86.62", "-3.14", "-26.24", "-47.95", "-24.98"]]
    check_offsets(SANGONG_025, t)


# 045.txt: a hospital's 收支决算总表, every cell closed by " |" on its own line, no row ends.
CELLS_045 = (["国卫财01-1表", "", "编制单位:汨罗市中医院[单户表]"] + [""] * 10 + ["金额单位:元", "", "项目",
             "上年结转和结余", "本年收入", "本年支出", "收支结余", "用事业基金弥补收支差额", "结余分配", "年末结转和结余", "",
             "支出功能分类科目编码", "科目名称"] + ["合计", "基本支出结转", "项目支出结转和结余", "经营结余"]
             + ["合计", "其中:财政拨款收入", "合计", "其中:财政拨款支出"]
             + ["合计", "基本支出结转", "项目支出结转和结余", "经营结余"]
             + ["合计", "交纳所得税", "提取职工福利基金", "转入事业基金", "其他"]
             + ["合计", "基本支出结转", "项目支出结转和结余", "经营结余", "", "小计", "其中:基本建设资金结转和结余",
                "小计", "其中:基本建设资金收入", "小计", "其中:基本建设资金支出", "小计", "其中:基本建设资金结转和结余",
                "", "", "类款项", "栏次"] + [str(i) for i in range(1, 27)]
             + ["", "", "合计", "", "", "", "", "", "62,011,988.25", "1,666,424.00", "", "70,496,088.25", "1,666,424.00",
                "", "-8,484,100.00", "-8,484,100.00"] + [""] * 8 + ["-8,484,100.00", "-8,484,100.00"] + [""] * 4
             + ["201", "一般公共服务支出"] + [""] * 27)


def test_pipe_cells_without_row_ends_045():
    text = "".join(c + " |\n" if c else "|\n" for c in CELLS_045)
    t = read(text)
    assert t.kind == "pipe" and t.unit == "元" and t.header_rows == 1
    head = cells(t)[0]
    assert head[:3] == ["项目", "上年结转和结余", "本年收入"] and "栏次" in head and "" not in head
    assert not any("国卫财" in c or "编制单位" in c or "单位:元" in c for row in cells(t) for c in row)
    rows = body(t)
    assert [c for c in rows[0] if c] == ["合计", "62,011,988.25", "1,666,424.00", "70,496,088.25", "1,666,424.00"] \
        + ["-8,484,100.00"] * 4
    assert rows[1][:2] == ["201", "一般公共服务支出"] and set(rows[1][2:]) == {""}
    check_offsets(text, t)


def test_pipe_rows_one_a_line_with_a_unit_line():
    text = "单位：万元\n项目 | 本年支出合计 | 基本支出 | 项目支出\n栏次 | 1 | 2 | 3\n合计 | 3.00 | 2.00 | 1.00\n"
    t = read(text)
    assert t.kind == "pipe" and t.unit == "万元" and t.header_rows == 2 and t.aligned
    assert body(t) == [["合计", "3.00", "2.00", "1.00"]]
    check_offsets(text, t)


# -- units and empty tables ------------------------------------------------------

def test_units():
    for line, unit in [("单位：万元", "万元"), ("金额单位：元", "元"), ("单位:万元", "万元"),
                       ("单位： 千元", "千元"), ("单位：亿元", "亿元"), ("", "")]:
        text = f"{line}\n项目 决算数\n合计 1.00\n"
        assert read(text).unit == unit, line


def test_only_an_empty_table_note_is_no_table():
    assert read("\n本单位无政府性基金收支,故本表无数据\n") is None
    assert read("\n（本部门2022年度无国有资本经营预算财政拨款支出）\n") is None


def test_header_without_body_is_a_table():
    text = "\n单位：万元\n项目\n本年收入\n本年支出\n年末结转和结余\n本单位无政府性基金收支,故本表无数据\n"
    t = read(text)
    assert t.header_rows == 1 and cells(t) == [["项目", "本年收入", "本年支出", "年末结转和结余"]]
    assert t.unit == "万元" and not t.aligned and t.end == text.index("年末结转和结余") + 7


# -- property: any grid reads back in every form that keeps it --------------------

NAMES = ["一般公共服务支出", "行政运行", "机关服务", "其他一般公共服务支出", "政府办公厅（室）及相关机构事务",
         "教育支出", "普通教育", "小学教育", "社会保障和就业支出", "行政事业单位养老支出", "机关事业单位基本养老保险缴费支出",
         "卫生健康支出", "住房保障支出", "住房公积金", "基本工资", "津贴补贴", "办公费", "公务接待费"]
CODES = ["201", "20101", "2010101", "2010102", "20103", "2010301", "205", "20502", "2050202", "208",
         "20805", "2080505", "221", "22102", "2210201", "30101", "30102", "30201", "30217"]
NUMHEAD = ["合计", "基本支出", "项目支出", "上缴上级支出"]

money = st.integers(min_value=-10**6, max_value=10**10).map(lambda c: f"{c / 100:,.2f}")


@st.composite
def grids(draw):
    k = draw(st.integers(1, 4))
    n = draw(st.integers(1, 5))
    codes = draw(st.lists(st.sampled_from(CODES), min_size=n, max_size=n, unique=True))
    rows = [[c, draw(st.sampled_from(NAMES))] + draw(st.lists(money, min_size=k, max_size=k)) for c in codes]
    if draw(st.booleans()):
        rows.append(["合计"] + draw(st.lists(money, min_size=k, max_size=k)))
    return ["科目编码", "科目名称"] + NUMHEAD[:k], rows


def render(form, head, rows, sep):
    if form == "lines":
        return "单位：万元\n" + "\n".join(head + [c for r in rows for c in r]) + "\n"
    if form == "run":
        return "单位：万元\n" + "\n".join("".join(r) for r in [head] + rows) + "\n"
    lines = [sep.join(r) for r in [head] + rows]
    return "单位：万元\n" + ("\n" if form == "spaced" else " ").join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(), st.sampled_from(["lines", "spaced", "one-line", "run"]), st.sampled_from([" ", "  ", "\t", " \t"]),
       st.data())
def test_any_grid_reads_back_in_every_form(grid, form, sep, data):
    head, rows = grid
    if form != "run":   # a kept empty cell ("-", "—") reads back; glued to a number it would be a sign
        rows = [[c if i < 2 or not data.draw(st.integers(0, 5)) == 0 else data.draw(st.sampled_from(["-", "—"]))
                 for i, c in enumerate(r)] for r in rows]
    text = render(form, head, rows, sep)
    t = read(text)
    assert t.unit == "万元" and t.kind == {"one-line": "spaced"}.get(form, form)
    assert body(t) == rows
    if form != "run":     # a run-together header is one cell
        assert cells(t)[0] == head and t.aligned
    check_offsets(text, t)
