"""Detectors, each with cases that must and must not raise an alert.

Texts are written by hand in the forms reports use; expected figures were
computed by hand.
"""
import pytest
from conftest import findings, pipe

from rules import tolerance as tol
from worker.numbers import find_numbers


def n(text):
    (x,) = find_numbers(text)
    return x


# -- the rounding rule of design.md -----------------------------------------

def test_rounding_examples_from_design():
    # 23.65 / (1.75 + 23.65) = 93.11% printed as 93.10%: consistent.
    base = tol.add(tol.interval(n("1.75万元")), tol.interval(n("23.65万元")))
    assert tol.consistent(n("93.10%"), tol.ratio_pct(tol.interval(n("23.65万元")), base))
    # A 26.61% fall that only fits another base: 722.58 / (1964.05 + 722.58) = 26.90%.
    base = tol.add(tol.interval(n("1964.05万元")), tol.interval(n("722.58万元")))
    assert not tol.consistent(n("26.61%"), tol.ratio_pct(tol.interval(n("722.58万元")), base))
    # 7.5 + 2.41 + 2.70 + 3.53 = 16.14 stated as 16.15: consistent.
    parts = [tol.interval(n(x)) for x in ("7.5万元", "2.41万元", "2.70万元", "3.53万元")]
    assert tol.consistent(n("16.15万元"), tol.add(*parts))
    assert not tol.consistent(n("16.25万元"), tol.add(*parts))
    # Counts are exact.
    assert tol.interval(n("11辆")) == (11, 11) and tol.unit(n("4辆")) == 0


# -- execution_rate_low -----------------------------------------------------------

PROJECT_TABLE = pipe(
    ("项目名称", "示范项目"),
    ("项目资金", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
    ("年度资金总额", "1000", "800", "{spent}", "10", "{rate}", "{score}"),
)


def project(spent, rate, score):
    return "某局2023年度部门决算\n" + PROJECT_TABLE.format(spent=spent, rate=rate, score=score)


def test_low_project_execution_from_a_table():
    (f,) = findings(project("400", "50%", "5"), "execution_rate.project")
    assert f.kind == "execution_rate_low" and f.severity == "high"          # 50 < high_below 60
    assert f.evidence["budget"] == 800 and f.evidence["executed"] == 400 and f.evidence["rate"] == 50
    assert "示范项目" in f.title and "50" in f.title
    (f,) = findings(project("600", "75%", "7.5"), "execution_rate.project")
    assert f.severity == "medium"
    assert findings(project("760", "95%", "9.5"), "execution_rate.project") == []


def test_thresholds_come_from_config():
    cfg = {"execution_rate": {"warn_below": 70, "high_below": 40}}
    assert findings(project("600", "75%", "7.5"), "execution_rate.project", cfg) == []
    (f,) = findings(project("400", "50%", "5"), "execution_rate.project", cfg)
    assert f.severity == "medium"
    assert findings(project("400", "50%", "5"), "execution_rate", {"execution_rate": {"enabled": False}}) == []


def test_text_and_table_statements_of_one_rate_are_one_alert():
    text = (project("400", "50%", "5") +
            "“示范项目”自评得分为良,项目全年预算数为800万元,执行数为400万元,完成预算的50%。\n")
    (f,) = findings(text, "execution_rate")
    assert len(f.quotes) == 2


def test_initial_budget_completion_is_not_an_execution_rate_by_default():
    text = "某局2023年度部门决算\n1、“一般公共服务支出”(类)2023年度年初预算1000万元,2023年度决算600万元,完成年初预算的60%。\n"
    assert findings(text, "execution_rate") == []
    (f,) = findings(text, "execution_rate", {"execution_rate": {"include_initial_budget": True}})
    assert f.evidence["rate"] == 60


def test_completion_of_budget_text_forms():
    text = ("某局2020年度部门决算\n"
            "1.一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)一般行政管理事务(项): 支出决算为100.00万元,完成预算40.00 %。\n"
            "2020年一般公共预算支出决算数为2278.17,完成预算73.20%。\n"
            "2020年“三公”经费财政拨款支出决算为5.76万元,完成预算59.65%。\n")
    got = sorted((f.rule, f.evidence["rate"]) for f in findings(text, "execution_rate"))
    # 三公经费 is spending to restrain: under-spending it is not a finding.
    assert got == [("execution_rate.department", 73.2), ("execution_rate.line_item", 40.0)]


def test_department_total_row_and_funding_rows():
    text = "某局2024年度部门决算\n" + pipe(
        ("部门名称", "某局"),
        ("部门预算安排资金", "资金来源", "年初预算数", "年中预算调整数", "调整后预算数", "实际支出数", "预算执行率(%)"),
        ("合计", "3000", "0", "3000", "2700", "90%"),
        ("其中:一般公共预算拨款", "1000", "0", "1000", "990", "0.99"),
        ("政府性基金", "2000", "0", "2000", "1710", "0.855"),
    )
    (f,) = findings(text, "execution_rate")
    assert f.rule == "execution_rate.funding_row" and f.evidence["rate"] == 85.5 and f.evidence["budget"] == 2000


# -- satisfaction_below_target and indicator_target_missed ------------------------

INDICATORS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")


def indicators(*rows):
    return "某局2023年度部门决算\n" + pipe(("项目名称", "示范项目"), INDICATORS, *rows)


def test_strict_versus_inclusive_targets():
    text = indicators(("满意度指标", "服务对象满意度指标", "群众满意度", ">90%", "90%", "10", "10"),
                      ("满意度指标", "服务对象满意度指标", "单位满意度", "≥90%", "90%", "10", "10"))
    (f,) = findings(text, "indicator")
    assert f.kind == "satisfaction_below_target" and f.evidence["indicator"] == "群众满意度"
    assert "满分" in f.message          # the full 10 points were given anyway
    assert f.evidence["comparator"] == ">"


def test_target_forms():
    text = indicators(
        ("产出指标", "数量指标", "培训次数", "≥100次", "76%", "10", "7.6"),       # completion share
        ("产出指标", "数量指标", "上线事项", "≥8个", "100%", "10", "10"),          # share met
        ("产出指标", "质量指标", "投诉率", "3%以内", "2%", "10", "10"),              # at most, met
        ("产出指标", "质量指标", "差错率", "1%", "2%", "10", "8"),                   # bad when high: at most
        ("成本指标", "经济成本指标", "印刷单价", "12元/件", "13元/件", "10", "9"),  # cost: at most
        ("产出指标", "数量指标", "迁移系统", "139个", "137个(其中3个退出)", "10", "9"),  # plain target: at least
        ("产出指标", "时效指标", "完成时间", "2023年12月31日前", "2024年3月", "10", "10"),  # dates not judged
        ("效益指标", "社会效益指标", "评价等级", "良及以上", "中", "10", "8"),       # grades compared
        ("效益指标", "社会效益指标", "综合评价", "达到预期", "基本达到", "10", "10"),  # words not judged
        ("满意度指标", "服务对象满意度指标", "购买服务单位满意度", "≥95%", "60%", "5", "3"),
    )
    got = sorted((f.kind, f.evidence["indicator"]) for f in findings(text, "indicator"))
    assert got == [
        ("indicator_target_missed", "印刷单价"),
        ("indicator_target_missed", "培训次数"),
        ("indicator_target_missed", "差错率"),
        ("indicator_target_missed", "评价等级"),
        ("indicator_target_missed", "迁移系统"),
        ("satisfaction_below_target", "购买服务单位满意度"),
    ]
    sat = [f for f in findings(text, "indicator.satisfaction")][0]
    assert sat.severity == "high" and sat.evidence["target"] == 95 and sat.evidence["actual"] == 60
    share = [f for f in findings(text, "indicator.target") if f.evidence["indicator"] == "培训次数"][0]
    assert share.evidence["actual_value"] == 76.0


# -- total_mismatch ------------------------------------------------------------------

def test_counts_exceeding_their_total():
    text = "某局2020年度部门决算\n截至2020年12月底,单位共有公务用车4辆,其中:轿车11辆、越野车3辆、载客汽车0辆。\n"
    (f,) = findings(text, "totals")
    assert f.kind == "total_mismatch" and f.evidence["total"] == 4 and f.evidence["computed"] == 14
    ok = "某局2020年度部门决算\n单位共有公务用车4辆,其中:轿车1辆、越野车3辆。\n"
    assert findings(ok, "totals") == []


def test_money_parts_with_rounding_and_incomplete_lists():
    base = "某局2020年度部门决算\n"
    ok = base + "2020年度本年支出合计7226.38万元,其中:基本支出1701.38万元,项目支出5525.01万元。\n"
    assert findings(ok, "totals") == []
    bad = base + "2020年度本年支出合计7226.38万元,其中:基本支出1701.38万元,项目支出5515.00万元。\n"
    (f,) = findings(bad, "totals")
    assert f.evidence["computed"] == 7216.38
    # A list that names only some parts may fall short of its total…
    partial = base + "2020年度政府采购支出总额100万元,其中:授予中小企业合同金额60万元。\n"
    assert findings(partial, "totals") == []
    # …but never exceed it.
    over = base + "2020年度政府采购支出总额100万元,其中:授予中小企业合同金额160万元。\n"
    assert len(findings(over, "totals")) == 1


def test_scores_must_add_up_to_the_total():
    text = indicators(("产出指标", "数量指标", "巡检次数", "≥12次", "12次", "50", "50"),
                      ("效益指标", "社会效益指标", "可用率", "≥99%", "99.5%", "50", "45"),
                      ("总分", "100", "100"))
    (f,) = findings(text, "totals.scores")
    assert f.evidence["total"] == 100 and f.evidence["computed"] == 95


def test_kuan_lines_adding_to_their_lei():
    text = ("某局2024年度部门决算\n"
            "1、“一般公共服务支出”(类)2024年度年初预算100万元,2024年度决算90.00万元,完成年初预算的90%。其中:\n"
            "“政府办公厅(室)及相关机构事务”(款)2024年度年初预算60万元,2024年度决算50.00万元,完成年初预算的83.33%。\n"
            "“组织事务”(款)2024年度年初预算40万元,2024年度决算30.00万元,完成年初预算的75%。\n")
    (f,) = findings(text, "totals.functional")
    assert f.evidence["total"] == 90 and f.evidence["computed"] == 80


# -- stated_value_mismatch -------------------------------------------------------------

def test_shares_growth_completion_and_differences():
    text = ("某局2023年度部门决算\n"
            "2023年度本年支出合计1000.00万元,比上年增加100.00万元,增长12.50%,其中:基本支出300.00万元,"
            "占支出合计的30.00%;项目支出700.00万元,占支出合计的75.00%。\n"
            "政府性基金支出年初预算为2215万元,支出决算为0万元,完成年初预算的100%。\n"
            "2023年度“三公”经费财政拨款决算数72.10万元,比年初预算163.55万元减少81.45万元。\n")
    got = sorted((f.rule, f.evidence["stated"], f.evidence["computed"]) for f in findings(text, "stated"))
    assert got == [("stated.completion", 100.0, 0.0),
                   ("stated.difference", 81.45, 91.45),
                   ("stated.growth", 12.5, 11.11),      # 100 / (1000 - 100)
                   ("stated.share", 75.0, 70.0)]


def test_statements_within_rounding_or_fitting_another_base_are_accepted():
    text = ("某局2023年度部门决算\n"
            "“进修及培训”(款)2020年度决算1.75万元,比2020年年初预算减少23.65万元,下降93.10%。\n"
            "本部门2024年度总收入1993.23万元,其中本年收入1964.05万元,较2023年度决算数减少722.58万元,下降26.61%。\n"
            "2023年度本年支出合计4987.68万元,其中:基本支出2018.13万元,占支出合计的40.46%;"
            "项目支出2969.55万元,占支出合计的59.53%。\n")
    assert findings(text, "stated") == []


def test_parts_after_qizhong_are_shares_of_the_whole_before_it_never_of_each_other():
    # 其中 opening a sentence: both parts are shares of the 50.00 named before it.
    ok = ("某局2023年度部门决算\n"
          "本年“三公”经费支出决算为50.00万元。其中公务接待费为30.00万元,占60.00%;"
          "公务用车运行维护费为20.00万元,占40.00%。\n")
    assert findings(ok, "stated.share") == []
    # The real sentence (real-dev 009): 2.52 / 22.62 = 11.14%, not 2.52 / 20.10.
    real = ("2019年实际支出“三公经费”决算为22.62万元。其中公务接待费为20.10万元,占88.86%;"
            "公务用车运行维护费为2.52万元,占11.14%。\n")
    assert findings("某局2019年度部门决算\n" + real, "stated.share") == []
    # A share of that whole that is wrong is still found (20 / 50 = 40%, not 45%).
    (f,) = findings(ok.replace("占40.00%", "占45.00%"), "stated.share")
    assert f.evidence["base"] == 50.0 and f.evidence["computed"] == 40.0


def test_chiping_compares_the_figures_of_its_own_clause():
    head = "某局2023年度部门决算\n"
    assert findings(head + "本年“三公”经费支出决算为50.00万元,与年初预算50.00万元持平。\n", "stated.difference") == []
    (f,) = findings(head + "本年“三公”经费支出决算为50.00万元,与年初预算45.00万元持平。\n", "stated.difference")
    assert f.evidence["computed"] == 5.0
    # 较上年持平 of 40 compares it with a year not printed: nothing to check, and the
    # sentence's first comparison (1969 against 2190) is not what 持平 speaks of (real-dev 010).
    text = ("“三公”经费预算总额为1969万元,较2024年的2190万元减少221万元,下降10.1%;"
            "其中:因公出国(境)经费40万元,较上年持平;公务接待费242万元,较上年减少12万元,下降4.7%。\n")
    assert findings(head + text, "stated.difference") == []


def test_parts_holding_more_than_one_breakdown_of_the_whole_are_read_as_such():
    head = "某局2023年度部门决算\n"
    nested = ("本单位现有人员200人,其中:局本级50人(在职在编40人、退休人员10人),"
              "下属单位150人(在职在编100人、退休人员30人、临聘人员20人)。\n")
    assert findings(head + nested, "totals.parts") == []
    twice = "本单位年末实有人数60人,其中在职人员45人、离退休人员15人,男性35人、女性25人。\n"
    assert findings(head + twice, "totals.parts") == []
    # Read either way, parts that do not add up are still found.
    (f,) = findings(head + nested.replace("下属单位150人", "下属单位160人").replace("退休人员30人", "退休人员40人"),
                    "totals.parts")
    assert f.evidence["total"] == 200
    (f,) = findings(head + "本单位年末实有人数60人,其中在职人员45人、离退休人员16人。\n", "totals.parts")
    assert f.evidence["computed"] == 61
    then = "本单位年末实有人数60人,其中在职人员45人,离退休人员15人;年末学生人数300人。\n"
    assert findings(head + then, "totals.parts") == []
    (f,) = findings(head + then.replace("离退休人员15人", "离退休人员16人"), "totals.parts")
    assert f.evidence["total"] == 60
    # Real-dev 028: 1894 = 187 (139 + 8 + 40) + 1707 (132 + 148 + 272 + 1155).
    real = ("区城管执法局现有人员1894人,其中:局本级187人(在职在编139人、退休人员8人、协管员40人),"
            "环卫处1707人(在职在编132人、退休人员148人、临聘人员272人、3个市场化公司聘用人员1155人)。\n")
    assert findings(head + real, "totals.parts") == []


def test_execution_score_must_follow_weight_times_rate():
    assert findings(project("400", "50%", "5"), "stated.score") == []
    (f,) = findings(project("400", "50%", "9"), "stated.score")
    assert f.evidence["computed"] == 5.0 and f.evidence["stated"] == 9


def test_stated_table_rate_that_is_neither_percent_nor_ratio():
    assert findings(project("400", "50%", "5"), "stated.execution_rate") == []
    (f,) = findings(project("400", "80%", "5"), "stated.execution_rate")
    assert f.evidence["computed"] == 50.0


# -- undefined_ratio and unit_error ---------------------------------------------------------

def test_rates_over_a_zero_base():
    text = ("某局2024年度部门决算\n"
            "5、“卫生健康支出”(类)2024年度年初预算0万元,2024年度决算113.31万元,完成年初预算的100%。\n"
            "3、“科学技术支出”(类)2024年度年初预算0万元,2024年度决算3531.75万元,完成预算资金安排的100%。\n"
            "(二)城市建设支出年初预算为0万元,支出决算为0万元,完成年初预算的100%。\n"
            "5、“城乡社区支出”(类)2020年度决算856.68万元,比2020年年初预算增加856.68万元,增长100%。\n")
    got = sorted((f.evidence.get("executed") or f.evidence.get("current")) for f in findings(text, "ratio"))
    # The 预算资金安排 wording names another base; 0 of 0 is not reported by default.
    assert got == [113.31, 856.68]
    both = findings(text, "ratio", {"ratio": {"flag_zero_over_zero": True}})
    assert len(both) == 3


def test_yuan_printed_for_wan():
    text = ("某局2020年度部门决算\n2020年度部门财政资金支出3112.33万元,其中:年末结转834.16万元,本年支出2278.17万元。"
            "本年支出包括:基本支出528.23万元,项目支出1749.94元。\n")
    (f,) = findings(text, ["unit", "totals"])
    assert f.kind == "unit_error" and f.evidence["value"] == 1749.94 and f.evidence["expected_unit"] == "万元"


def test_ratios_in_a_percent_column():
    text = "某局2024年度部门决算\n" + pipe(
        ("部门名称", "某局"),
        ("部门预算安排资金", "资金来源", "年初预算数", "调整后预算数", "实际支出数", "预算执行率(%)"),
        ("合计", "3000", "3000", "2700", "90%"),
        ("其中:一般公共预算拨款", "1000", "1000", "990", "0.99"),
    )
    (f,) = findings(text, "unit")
    assert f.kind == "unit_error" and f.evidence["values"] == [0.99]


# -- text_table_conflict -----------------------------------------------------------------

def test_quantity_in_text_and_table():
    text = ("某局2023年度部门决算\n一、示范项目支出绩效评价报告\n"
            "示范项目包括四部分。截至目前,年度培训计划累计已完成培训38次,其中线下培训16次,线上培训22次。\n"
            + pipe(("项目名称", "示范项目"), INDICATORS,
                   ("产出指标", "数量指标", "培训次数", "≥100次", "76%", "10", "7.6"),
                   ("产出指标", "数量指标", "维修台数", "≥10台", "12台", "10", "10")))
    (f,) = findings(text, "conflict")
    assert f.evidence["table"] == 76 and f.evidence["text"] == 38
    # Parts after 其中 are not the whole; equal values are no conflict.
    same = text.replace("完成培训38次", "完成培训76次")
    assert findings(same, "conflict") == []


def test_project_spending_in_text_and_table():
    text = ("某局2023年度部门决算\n示范项目支出绩效评价报告\n资金情况:合同金额880万元,2023年度完成支付714.52万元。\n"
            + pipe(("项目名称", "示范项目"),
                   ("项目资金", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
                   ("年度资金总额", "717.38", "717.38", "{x}", "10", "100%", "10")))
    (f,) = findings(text.format(x="717.38"), "conflict.project_money")
    assert f.evidence["text"] == 714.52 and f.evidence["table"] == 717.38
    assert findings(text.format(x="714.52"), "conflict.project_money") == []


# -- budget_exceeded and impossible_value --------------------------------------------------

def test_capped_spending_over_budget():
    text = ("某局2023年度部门决算\n一、“三公”经费财政拨款决算情况\n"
            "2.公务接待费。2023年度决算数12.50万元,比2023年度年初预算数10.00万元增加2.50万元。\n"
            "3.公务用车购置及运行维护费。2023年度决算数5.00万元,比2023年度年初预算数6.00万元减少1.00万元。\n")
    (f,) = findings(text, "budget")
    assert f.kind == "budget_exceeded" and f.evidence["executed"] == 12.5 and f.evidence["budget"] == 10
    assert f.severity == "high"       # 25% over


@pytest.mark.parametrize("row, kind", [
    (("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "105%", "10", "10"), "impossible_value"),
    (("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "99%", "10", "10"), None),
])
def test_rates_above_100_percent(row, kind):
    got = findings(indicators(row), "impossible")
    assert [f.kind for f in got] == ([kind] if kind else [])


def test_negative_balance_and_impossible_dates():
    text = ("某局2023年度部门决算\n9.年末结转和结余-15.15万元,为本年度预算安排的资金。\n"
            + pipe(("项目名称", "示范项目"), INDICATORS,
                   ("产出指标", "时效指标", "完成时间", "2023年2月30日前", "2023年2月30日", "10", "10")))
    kinds = sorted(f.rule for f in findings(text, "impossible"))
    assert kinds == ["impossible.date", "impossible.negative_balance"]
