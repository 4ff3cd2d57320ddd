"""Readings of narrative claims (issue 12): every relation is tried on a
sentence written for the test and on the real sentence it came from.

Expected values are worked out by hand in the comments."""
from __future__ import annotations

from conftest import findings, pipe

HEAD = "某局2023年度部门决算\n"


# -- a change stated in a clause with no figure of its own ------------------------

def test_change_without_a_figure_speaks_of_the_whole_named_before_qizhong():
    # 100 fell by 25: base 125, 25 / 125 = 20%. 公务接待费 40 fell by 10: 10 / 50 = 20%.
    ok = ("本年“三公”经费支出100万元。其中,公务接待费40万元,公务用车运行维护费60万元。"
          "比上年减少25万元,下降20%。其中:公务接待费比上年减少10万元,下降20%。\n")
    assert findings(HEAD + ok, "stated.growth") == []
    # 20% stated as 50% is still found, against the whole; no reading fits it
    # (25 / 85 = 29.4% over 60, 25 / 65 = 38.5% over 40).
    (f,) = findings(HEAD + ok.replace("下降20%。其中", "下降50%。其中"), "stated.growth")
    assert f.evidence["current"] == 100.0 and f.evidence["computed"] == 20.0


def test_change_of_a_named_item_without_a_printed_figure_is_left_unjudged():
    # 公务用车购置费 is not printed (only 购置及运行费 is): its 50% cannot be checked.
    text = ("本年“三公”经费支出100万元。其中,公务接待费40万元,公务用车购置及运行费60万元。"
            "公务用车购置费比上年减少5万元,下降50%。\n")
    assert findings(HEAD + text, "stated") == []


def test_real_change_clauses_with_the_year_compared_and_no_figure():
    # real-dev 037 (traditional characters as published): 830 / (3328 + 830) = 19.96% ≈ 20%;
    # 9 / (50 + 9) = 15.25% ≈ 15.3%; 38 / (478 + 38) = 7.36% ≈ 7.4%; 購置費 and 運行費 alone
    # are not printed.
    real = ("2019年,市本級一般公共預算支出安排的 “三公”經費預算為3328萬元。其中,因公出國(境)費50萬元,"
            "公務接待費478萬元,公務用車購置及運行費2800萬元。同口徑比2018年減少830萬元,下降20%。"
            "其中:因公出國(境)費同口徑比2018年減少9萬元,下降15.3%。公務接待費同口徑比2018年減少38萬元,"
            "同口徑比2018年下降7.4 %;公務用車購置費同口徑比2018年減少334萬元,下降90%。"
            "公務用車運行費同口徑比2018年減少449萬元,下降14%。\n")
    assert findings(HEAD + real, "stated") == []


# -- 占预算X% is a completion against a budget, not a share ----------------------

def test_share_of_a_budget_is_not_a_share_of_the_figures_before_it():
    # 600 of an unprinted adjusted budget: 120% may well be true; of the 1000
    # before it, 600 is 60%, which is what 占收入的 says.
    own = ("全年收入完成1000万元。其中:税收收入完成600万元,占调整预算120.00%,占收入的60.00%;"
           "非税收入完成400万元,占调整预算95.00%,占收入的40.00%。\n")
    assert findings(HEAD + own, ["stated", "impossible"]) == []
    # real-dev 018: 13,866 / 28,583 = 48.51%, 14,717 / 28,583 = 51.49%.
    real = ("地方一般公共预算收入完成28,583万元(自然口径),占调整预算105.47%,同比增长10.85%,增收2,798万元,"
            "从征收部门来看:税务部门完成13,866万元,占调整预算100.93%,占一般公共预算收入的48.51%;"
            "财政部门完成14,717万元,占调整预算110.14%,占一般公共预算收入的51.49%。\n")
    assert findings(HEAD + real, ["stated", "impossible"]) == []
    # A named share that is wrong is still found: 600 / 1000 = 60%, not 66%.
    (f,) = findings(HEAD + own.replace("占收入的60.00%", "占收入的66.00%"), "stated.share")
    assert f.evidence["computed"] == 60.0


# -- funding rows under a header with a group label ----------------------------

def test_funding_row_is_placed_where_its_percentage_fits():
    # The header has two label cells (an empty corner + 项目资金), the row one,
    # and the flattened row ends in empty cells, as portals print them.
    own = HEAD + pipe(
        ("项目名称", "示范项目"),
        ("", "项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
        ("年度资金总额", "50.00", "50.00", "40.00", "10.00", "80%", "8.00", "", "", ""),
    )
    (f,) = findings(own, "execution_rate")
    # 40 / 50 = 80%, below the 90% norm, read from the right columns.
    assert f.evidence["budget"] == 50.0 and f.evidence["executed"] == 40.0 and f.evidence["rate"] == 80.0
    fine = own.replace("| 40.00 | 10.00 | 80% | 8.00", "| 50.00 | 10.00 | 100% | 10.00")
    assert findings(fine, ["execution_rate", "stated"]) == []
    # real-dev 023: 3.36 / 3.36 = 100.00%, weight 10, score 10.
    real = HEAD + pipe(
        ("项目名称", "安可替代补助资金项目"),
        ("预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"),
        ("总额", "0.00", "3.36", "3.36", "100.00%", "10", "10", "1.预算执行率=预算执行数/调整后预算数"),
        ("其中:财政资金", "0.00", "3.36", "3.36", "100.00%", "/", "/"),
    )
    assert findings(real, ["execution_rate", "stated"]) == []


def test_funding_row_that_fits_no_placement_is_not_read():
    # Four figures and a percentage that lands on 分值 under every shift that
    # keeps the label left of the figures: the row is skipped, not guessed.
    text = HEAD + pipe(
        ("项目名称", "示范项目"),
        ("", "项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
        ("其中:当年财政拨款", "7.29", "7.29", "7.29", "10%"),
    )
    assert findings(text, ["execution_rate", "stated"]) == []


# -- a rate followed by the change in money (增收/减收) ---------------------------

def test_rate_followed_by_its_change_in_money():
    # 1200 after an increase of 200: base 1000, 200 / 1000 = 20%.
    ok = "全年收入完成1200万元,同比增长20%,增收200万元。\n"
    assert findings(HEAD + ok, "stated.growth") == []
    # The same change stated as 25% is found, computed 20.
    (f,) = findings(HEAD + ok.replace("20%", "25%"), "stated.growth")
    assert f.evidence["computed"] == 20.0 and f.evidence["base"] == 1000.0
    # real-dev 018: 2,798 on 28,583 → base 25,785, 10.85% (fits); 4,376 on 30,161
    # → base 25,785, 4,376 / 25,785 = 16.97%, not 14.6% (万 alone read as 万元).
    real = ("地方一般公共预算收入完成28,583万元(自然口径),占调整预算105.47%,同比增长10.85%,增收2,798万元。"
            "地方一般公共预算收入(同口径)完成30,161万元,同比增长14.6%,增收4,376万\n")
    (f,) = findings(HEAD + real, "stated.growth")
    assert f.evidence["stated"] == -14.6 or f.evidence["stated"] == 14.6
    assert f.evidence["computed"] == 16.97


def test_rate_and_change_whose_words_disagree_are_left_alone():
    # 增长 with 减收: one of the words is wrong, which is not for a figure check to say.
    assert findings(HEAD + "全年收入完成1200万元,同比增长20%,减收200万元。\n", "stated") == []


# -- 完成预算P%, 决算数大于(小于)预算数D ----------------------------------------------

def test_completion_against_a_stated_difference_from_the_budget():
    # 1100 is 100 over the budget: budget 1000, completion 110%.
    ok = "本年支出1100万元,完成年初预算110%,决算数大于预算数100万元。\n"
    assert findings(HEAD + ok, "stated") == []
    (f,) = findings(HEAD + ok.replace("110%", "100%"), "stated.completion")
    assert f.evidence["computed"] == 110.0 and f.evidence["budget"] == 1000.0
    # 900 is 100 under: budget 1000, 90%.
    assert findings(HEAD + "本年支出900万元,完成年初预算90%,决算数小于预算数100万元。\n", "stated") == []
    # real-dev 014: 1741.75 − 55.93 = 1685.82; 1741.75 / 1685.82 = 103.32%, not 100%.
    real = ("2017年度,本单位一般公共预算财政拨款支出总计1741.75万元,与上年相比减少53.7万元,降低2.99%;"
            "完成年初预算100%,决算数大于预算数55.93万元,主要原因:2017年度62名职工工资调标。\n")
    (f,) = findings(HEAD + real, "stated.completion")
    assert f.evidence["computed"] == 103.32 and f.evidence["stated"] == 100.0


# -- an outturn beside its budget and the 差值 between them ------------------------

def test_capped_item_over_its_budget_by_the_printed_difference():
    # 12.5 against a budget of 10: over by 2.5, as the 差值 says.
    own = ("一、“三公”经费财政拨款支出决算情况\n"
           "“三公”经费支出20.5万元,年初预算为25万元,差值为4.5万元。其中:公务接待费支出12.5万元,"
           "年初预算为10万元,差值为2.5万元;公务用车运行维护费支出8.00万元,年初预算为15.00万元,差值为7.00万元。\n")
    (f,) = findings(HEAD + own, ["budget", "stated"])
    assert f.kind == "budget_exceeded" and f.evidence["executed"] == 12.5 and f.evidence["budget"] == 10.0
    # A 差值 that is not the difference is a mismatch: |8.00 − 15.00| = 7, not 6.
    (g,) = findings(HEAD + own.replace("差值为7.00万元", "差值为6.00万元"), "stated.difference")
    assert g.evidence["computed"] == 7.0
    # real-dev 034: 2.05 against 2 with 差值 0.05 — over; 0 against 0.95 is under.
    real = ("二、“三公”经费财政拨款支出与年初预算对比情况。\n2018年度本部门一般公共预算财政拨款安排的“三公\"经费支出2.05万元,"
            "年初预算为2.95万元,差值为0.9万元。其中:公务用车运行维护费支出0万元,年初预算为0.95万元,差值为0.95万元,"
            "原因为厉行节约,压减开支;公务接待费支出2.05万元,年初预算为2万元,差值为0.05万元,原因为项目增多。\n")
    (f,) = findings(HEAD + real, ["budget", "stated"])
    assert f.evidence["executed"] == 2.05 and f.evidence["budget"] == 2.0


# -- a table of two years and the change between them ----------------------------

def test_change_row_of_a_two_year_table_follows_from_the_years():
    # 110 / 100 − 1 = +10%; 40 / 50 − 1 = −20%.
    own = HEAD + "“三公”经费决算对比(万元)\n" + pipe(
        ("年度", "合计", "公务接待费"),
        ("2022年", "100.00", "50.00"),
        ("2023年", "110.00", "40.00"),
        ("2023年比2022年增减%", "10.00", "-20.00"),
    )
    assert findings(own, "stated") == []
    (f,) = findings(own.replace("| -20.00", "| -25.00"), "stated.growth")
    assert f.evidence["stated"] == -25.0 and f.evidence["computed"] == 20.0
    # Rows that do not line up (a change row with one figure fewer) are not guessed at.
    short = own.replace("| 10.00 | -20.00", "| -25.00")
    assert findings(short, "stated") == []


def test_real_two_year_table_flattened_one_cell_a_line():
    # real-dev 025: 车辆购置 37 against 73 is −49.32% (−48.28% at the most with
    # rounding), not −47.95%; every other column fits (12/90 − 1 = −86.67% is
    # within rounding of −86.62%: 12.5/89.5 − 1 = −86.03%).
    cells = ["年度", "合计", "因公出国(境)经费", "公务接待费", "公车购置及运行维护费", "合计", "车辆购置", "车辆运行",
             "2015年", "2840", "90", "1400", "1350", "73", "1277",
             "2016年", "2364", "12", "1356", "996", "37", "959",
             "2016年比2015年增减%", "-16.77", "-86.62", "-3.14", "-26.24", "-47.95", "-24.98"]
    text = HEAD + "2016年决算数与2015年决算数对比情况\n" + "".join(c + "\n|\n" for c in cells)
    (f,) = findings(text, "stated")
    assert f.evidence["stated"] == -47.95 and 48.28 <= f.evidence["computed"] <= 50.34


# -- lines a PDF wrapped mid-sentence ------------------------------------------------

# Body text a PDF wrapped at its type area: most lines are full (32 characters).
WRAPPED_FILLER = "".join(f"本段第{i}行为说明文字用于占满版心宽度的示例内容文字与标点符号\n" for i in range(8))


def test_a_sentence_wrapped_over_lines_is_read_whole():
    # The share's words run over the line end: 300 / 1000 = 30%, stated 35%.
    text = HEAD + WRAPPED_FILLER + ("本年支出合计1000.00万元,其中基本支出300.00万元,占本年支\n"
                                   "出合计的35.00%,项目支出700.00万元,占本年支出合计的70.00%。\n")
    (f,) = findings(text, "stated.share")
    assert f.evidence["stated"] == 35.0 and f.evidence["computed"] == 30.0


# -- shares of disjoint parts of a whole the report does not print -------------------

def test_shares_of_two_disjoint_parts_adding_to_over_100_are_weighed_against_their_sum():
    # 基本 600 and 项目 400 of an unprinted whole: 60% + 40% fits;
    # 60% + 45% = 105% cannot be, and over 600 + 400 the 45% should be 40%.
    ok = ("基本支出600.00万元,占一般公共预算支出的60.00%。\n"
          "项目支出400.00万元,占一般公共预算支出的40.00%。\n")
    assert findings(HEAD + ok, "stated") == []
    (f,) = findings(HEAD + ok.replace("40.00%", "45.00%"), "stated.share")
    assert f.evidence["stated"] == 45.0 and f.evidence["computed"] == 40.0
    # Shares that do not exceed 100% are left alone: the whole may hold more.
    assert findings(HEAD + ok.replace("40.00%", "30.00%"), "stated") == []
    # Parts that are not disjoint (基本支出 and its 人员经费) are never added.
    nested = ("基本支出600.00万元,占一般公共预算支出的60.00%。\n"
              "人员经费500.00万元,占一般公共预算支出的50.00%。\n")
    assert findings(HEAD + nested, "stated") == []


def test_real_shares_of_basic_and_project_spending_over_100():
    # real-dev 039 (as the PDF wrapped it): 2476260.58 / 2945760.58 = 84.06% fits;
    # 469500 / 2945760.58 = 15.94%, not 19.62% (84.06 + 19.62 = 103.68).
    real = (WRAPPED_FILLER +
            "1. 基本支出预算 2476260.58 元,占一般公共预算支出\n"
            "的84.06%,同比减少 4966.66 元,下降 0.2%。其中:\n"
            "2. 项目支出 469500 元,占一般公共预算支出的 19.62%,\n"
            "同比增加 70100 元 ,增长 17.55%。\n")
    (f,) = findings(HEAD + real, "stated.share")
    assert f.evidence["stated"] == 19.62 and f.evidence["computed"] == 15.94


# -- a 其中 list that goes on one part a sentence ------------------------------------

def test_parts_listed_one_a_sentence_after_qizhong():
    # 基本支出 = 人员经费 + 公用经费: 700 + 200 = 900, stated 900 (fits) or 950 (does not).
    ok = ("本年一般公共预算基本支出900.00万元,其中:\n"
          "人员经费700.00万元,主要包括基本工资、津贴补贴。\n"
          "公用经费200.00万元,主要包括办公费、印刷费。\n")
    assert findings(HEAD + ok, "totals") == []
    (f,) = findings(HEAD + ok.replace("900.00万元", "950.00万元"), "totals")
    assert f.kind == "total_mismatch"
    # A next sentence that is not a sibling part ends the list: nothing is added up.
    other = ok.replace("公用经费200.00万元", "项目支出200.00万元").replace("900.00万元", "950.00万元")
    assert findings(HEAD + other, "totals") == []


def test_real_basic_spending_whose_parts_add_to_less():
    # real-dev 038: 809961.19 + 71339.2 = 881300.39, not the stated 911000.39.
    real = (WRAPPED_FILLER +
            "2023 年本年一般公共预算基本支出 911000.39 元,其中:\n"
            "人员经费 809961.19 元,主要包括:基本工资、津贴补\n"
            "贴、伙食补助费、绩效工资、机关事业单位基本养老保险费、\n"
            "住房公积金、委托业务费。\n"
            "公用经费 71339.2 元,主要包括:办公费、工会经费、\n"
            "其他商品服务和支出。\n")
    (f,) = findings(HEAD + real, "totals")
    assert f.kind == "total_mismatch"
    # In 万元, as all evidence: 91.10 stated, 88.13 computed.
    assert f.evidence["total"] == 91.1 and f.evidence["computed"] == 88.13


# -- an adjusted budget and what was spent or arrived, with no rate ------------------

def test_adjusted_budget_and_arrived_funds_without_a_stated_rate():
    # 300 of an adjusted 1000: 30%, below the 90% norm; 950 of 1000 (95%) is not.
    low = "本年度调整预算后项目预算1000.00万元,实际到位资金300.00万元。\n"
    (f,) = findings(HEAD + low, "execution_rate")
    assert f.evidence["rate"] == 30.0 and f.evidence["budget"] == 1000.0
    assert findings(HEAD + low.replace("300.00", "950.00"), "execution_rate") == []
    # An initial budget (年初) is not the base the norm speaks of; nothing is computed.
    assert findings(HEAD + "年初预算1000.00万元,实际到位资金300.00万元。\n", "execution_rate") == []
    # real-dev 005: 334.67 / 861.46 = 38.85%.
    real = ("2024年,红河州数据发展中心实施项目共15个,年初批复预算8个项目985万元(含1个年初结转结余项目50万元),"
            "调整预算后项目预算861.46万元,年中增加8个项目,实际到位资金334.67万元。\n")
    (f,) = findings(HEAD + real, "execution_rate")
    assert f.evidence["rate"] == 38.85 and "到位" in f.message


# -- lists: the precision of a list, parallel lists, a 其中 run in from a table ------

def test_whole_numbers_in_a_list_with_decimals_are_exact_to_the_list():
    # 30 + 29.99 = 59.99 against 60.50: printed among 2-decimal figures, 30 is
    # 30.00, not 29.5–30.5 (which would let 60.49 through).
    text = "本年支出合计60.50万元,其中:基本支出30万元,项目支出29.99万元。\n"
    (f,) = findings(HEAD + text, "totals")
    assert f.evidence["computed"] == 59.99
    assert findings(HEAD + text.replace("60.50", "59.99"), "totals") == []


def test_a_list_that_adds_up_in_one_sentence_is_complete_in_its_parallel():
    # Applied: 100 = 40 + 30 + 30; spent: 90 against 40 + 30 + 10 = 80. The same
    # three parts add up exactly once, so the list is the whole breakdown.
    text = ("本项目共申请预算资金100万元,其中设备购置40万元,软件开发30万元,运行维护30万元。"
            "本项目共完成预算资金90万元,其中设备购置40万元,软件开发30万元,运行维护10万元。\n")
    (f,) = findings(HEAD + text, "totals")
    assert f.evidence["total"] == 90.0 and f.evidence["computed"] == 80.0
    # With different parts in the second list nothing says it is complete.
    other = text.replace("运行维护10万元", "培训10万元")
    assert findings(HEAD + other, "totals") == []


def test_real_parallel_lists_in_a_form_run_into_one_line():
    # real-dev 040: applied 2026400 against 400000 + 252000 + 28000 + 960000 + 100000
    # = 1,740,000; spent 1329120.67 = 439120.67 + 152000 + 28000 + 660000 + 50000 exactly.
    real = ("项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 0 0 0 10 0 0 "
            "其中:本年财政拨款 202.64 132.912 132.912 上年结转资金 其他资金 年度总体目标 预期目标 实际完成情况 "
            "本项目共申请预算资金2026400元,其中村级组织运转400000元,村民组长,党小组长基本报酬252000元,"
            "村民监督委员会 工资28000元,村级事务补助960000元,村级工作目标奖励100000元。 .. ....... "
            "本项目共完成预算资金1329120.67元,其中村级组织运转439120.67元,村民组长,党小组长基本报酬152000元,"
            "村民监督委员会 工资28000元,村级事务补助660000元,村级工作目标奖励50000元。\n")
    found = [f for f in findings(HEAD + real, "totals") if f.rule == "totals.parts"]
    (f,) = found
    assert f.evidence["total"] == 202.64 and f.evidence["computed"] == 174.0
    assert "年度资金总额" not in f.title      # the label is the sentence's, not the run-in table's


# -- readings found on held-out excerpts (sentences written for the probe) -----------

def test_respective_shares_pair_by_position():
    # 312.40 / 1268.75 = 24.62%, 688.00 / 1268.75 = 54.23%, 268.35 / 1268.75 = 21.15%.
    text = ("2023年度本部门政府采购支出总额1,268.75万元,其中:政府采购货物支出312.40万元、"
            "政府采购工程支出688.00万元、政府采购服务支出268.35万元,分别占24.62%、54.23%、21.15%。\n")
    assert findings(HEAD + text, "stated") == []
    (f,) = findings(HEAD + text.replace("54.23%", "50.23%"), "stated.share")
    assert f.evidence["numerator"] == 688.0 and f.evidence["computed"] == 54.23
    # The whole may be only the listed figures' sum: 32.15 / 41.37 = 77.71%.
    three = ("“三公”经费支出决算中,因公出国(境)费、公务用车购置及运行维护费、公务接待费支出决算分别为"
             "0万元、32.15万元、9.22万元,分别占“三公”经费的0%、77.71%、22.29%。\n")
    assert findings(HEAD + three, "stated") == []


def test_rate_bands_and_thresholds_are_not_stated_rates():
    text = ("全年预算数3,580.12万元,全年执行数3,498.77万元,预算执行率97.73%。"
            "全年实施项目共12个,执行率在90%以上的项目10个;执行率在80%—90%之间的项目2个,低于80%的项目0个。\n")
    assert findings(HEAD + text, "stated") == []


def test_qizhong_after_a_sentence_takes_the_whole_the_parts_add_to():
    # The parts 2,410.35 + 1,088.42 = 3,498.77 (执行数), not the 314.72 in parentheses
    # nor the 年初预算 that opens the sentence.
    text = ("2023年我局年初预算3,265.40万元,全年预算数3,580.12万元(含年中追加314.72万元),"
            "全年执行数3,498.77万元,预算执行率97.73%。其中:基本支出2,410.35万元,项目支出1,088.42万元。\n")
    assert findings(HEAD + text, ["totals", "stated"]) == []
    # Parts that add to none of the figures are still weighed (against the first).
    assert findings(HEAD + text.replace("1,088.42", "1,188.42"), "totals")


def test_execution_rates_clause_by_clause():
    # 2,125.93 / 2,155.62 = 98.62%; 630.08 / 690.88 = 91.20%; 600.00 / 690.88 = 86.85%.
    text = ("2023年度部门全年预算数2,846.50万元,全年执行数2,756.01万元,部门预算执行率为96.82%。\n"
            "分支出类型看:基本支出预算2,155.62万元,执行2,125.93万元,执行率98.62%;"
            "项目支出预算690.88万元,执行630.08万元,执行率91.20%。\n")
    assert findings(HEAD + text, "stated") == []
    (f,) = findings(HEAD + text.replace("执行630.08万元", "执行600.00万元"), "stated.completion")
    assert f.evidence["computed"] == 86.85


def test_qizhong_inside_parentheses_ends_at_the_parenthesis():
    # 4 vehicles = 1 + 2 + 1; 通用设备 after the parenthesis is not a part of 车辆.
    text = ("固定资产中,房屋1,210.00万元,占固定资产的78.46%;车辆86.40万元(共4辆,其中:一般公务用车1辆、"
            "执法执勤用车2辆、特种专业技术用车1辆);通用设备245.78万元。\n")
    assert findings(HEAD + text, "totals") == []
    # 1 + 4 + 1 = 6 vehicles against 4 (no prefix of the list closes on 4 either).
    (f,) = findings(HEAD + text.replace("执法执勤用车2辆", "执法执勤用车4辆"), "totals")
    assert f.evidence["computed"] == 6.0


def test_names_before_fenbiewei_name_the_parts():
    # 货物 + 工程 + 服务 is the whole of 政府采购: 128.35 + 0 + 287.25 = 415.60, not 425.60.
    text = ("2023年度本单位政府采购支出总额425.6万元,其中:政府采购货物支出、工程支出、服务支出分别为"
            "128.35万元、0万元、287.25万元。\n")
    (f,) = findings(HEAD + text, "totals")
    assert f.evidence["computed"] == 415.6
    assert findings(HEAD + text.replace("425.6万元", "415.6万元"), "totals") == []


# -- more readings found on a second set of held-out excerpts ------------------------

def test_a_figure_with_its_own_share_is_never_the_whole_of_its_sibling():
    # Each item carries its share of 收入 4.86 (3.12 / 4.86 = 64.2%, 1.05 / 4.86 = 21.6%,
    # 0.69 / 4.86 = 14.2%); the first item is not the base of the others.
    text = ("本年国有资本经营预算收入4.86亿元。利润收入3.12亿元,占64.2%;股利、股息收入1.05亿元,占21.6%;"
            "其他国有资本经营预算收入0.69亿元,占14.2%。\n")
    assert findings(HEAD + text, "stated") == []


def test_a_bare_share_goes_on_with_the_whole_named_before_it():
    # 216.80 / (968.56 + 216.80 = 1,185.36) = 18.29%, the whole 81.71% was of.
    text = ("政府性基金预算财政拨款支出1,185.36万元。城市建设支出968.56万元,占政府性基金预算财政拨款支出的81.71%;"
            "彩票公益金支出216.80万元,占18.29%。\n")
    assert findings(HEAD + text, "stated") == []
    (f,) = findings(HEAD + text.replace("占18.29%", "占22.29%"), "stated.share")
    assert f.evidence["computed"] == 18.29


def test_the_subject_named_before_zhan_is_the_part():
    # 3,865.20 / 4,301.55 = 89.86%; the nearest figure (其他收入 23.55) is not the part.
    text = ("本年收入合计4,301.55万元,其中财政拨款收入3,865.20万元,事业收入412.80万元,"
            "其他收入23.55万元,财政拨款收入占89.86%。\n")
    assert findings(HEAD + text, "stated") == []
    # A part named but not printed is not divided at all.
    assert findings(HEAD + text.replace("财政拨款收入占", "上级补助收入占"), "stated") == []


def test_a_capped_spending_table_is_not_a_low_execution():
    text = HEAD + "“三公”经费支出决算情况表\n单位:万元\n" + pipe(
        ("项目", "预算数", "决算数", "上年决算数"),
        ("合计", "18.50", "15.62", "17.85"),
        ("公务用车购置及运行维护费", "12.00", "10.80", "12.35"),
        ("公务接待费", "6.50", "4.82", "5.50"),
    )
    assert findings(text, "execution_rate") == []
    # The same rows under another title are a low execution (4.82 / 6.50 = 74.15%).
    other = text.replace("“三公”经费支出决算情况表", "项目支出决算情况表").replace(
        "公务用车购置及运行维护费", "设备购置").replace("公务接待费", "培训费")
    assert findings(other, "execution_rate")


def test_a_round_figure_after_jin_or_yue_is_approximate():
    # 3,862.40 after an increase of 294.25 (printed 近300) is 8.25%; 300 exactly would give 8.42%.
    text = "一般公共预算支出3,862.40万元,较上年增加近300万元,增长8.25%。\n"
    assert findings(HEAD + text, "stated") == []
    (f,) = findings(HEAD + text.replace("近300", "300"), "stated.growth")
    assert f.evidence["computed"] == 8.42
