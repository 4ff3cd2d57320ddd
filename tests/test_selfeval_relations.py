"""Relations over performance self-evaluation forms (issue 12): forms flattened
into runs of cells, two-row indicator headers, and the selfeval detectors.
Each relation is tried on a form written for the test and on the real
excerpt it came from (real-dev); expected values are worked out by hand in
the comments."""
from __future__ import annotations

from conftest import findings, parse_text, pipe

from worker.facts import FundingRow, Indicator

FORM = "项目支出绩效自评表 (2023年度) 项目名称 测试项目 主管部门 某局 实施单位 某中心 "
FUND_HEAD = "项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
TAIL = " 上年结转资金 其他资金 年度总体目标 预期目标 实际完成情况 完成各项工作。\n"


# -- a flattened form: cells on one line, separated by spaces ---------------------

def test_space_separated_funding_rows_are_read_by_label_and_header():
    text = FORM + FUND_HEAD + "年度资金总额: 50 40 30 10 75% 7.5 其中:本年财政拨款 50 40 30" + TAIL
    rows = {f.label: f for f in parse_text(text).of(FundingRow)}
    total, part = rows["年度资金总额"], rows["其中:本年财政拨款"]
    # six figures under six columns; three under the three money columns
    assert (total.initial_budget.value, total.budget.value, total.executed.value) == (50, 40, 30)
    assert (total.weight.value, total.stated_rate.value, total.score.value) == (10, 75, 7.5)
    assert (part.initial_budget.value, part.budget.value, part.executed.value) == (50, 40, 30)
    assert part.stated_rate is None and total.owner == "测试项目"
    assert findings(text, "selfeval") == []


def test_empty_total_over_a_source_with_figures():
    text = FORM + FUND_HEAD + "年度资金总额: 0 0 0 10 0 0 其中:本年财政拨款 50 40 30" + TAIL
    (f,) = findings(text, "selfeval.total_below_part")
    # the total's 年初预算数 is 0, its source's 50
    assert f.evidence["stated"] == 0 and f.evidence["computed"] == 50
    (g,) = findings(text, "selfeval.rate_of_empty_total")
    # 30 / 40 = 75% against the printed 0; 10 points × 75% = 7.5 expected, 0 printed
    assert g.evidence["stated"] == 0 and g.evidence["computed"] == 75.0
    assert g.evidence["expected_score"] == 7.5 and g.evidence["score"] == 0
    # the rate over an empty budget is not an execution of 0%; the source's own
    # 30 / 40 = 75% is low and is said of the source
    (h,) = findings(text, "execution_rate")
    assert h.rule == "execution_rate.funding_row" and h.evidence["rate"] == 75.0


def test_total_not_below_every_reading_of_its_source_is_left_alone():
    # 20 of the source may stand under 全年执行数 or under 年初预算数: some
    # placement puts it below the total's 50, so no alert.
    text = FORM + FUND_HEAD + "年度资金总额: 50 40 30 10 75% 7.5 其中:本年财政拨款 60 45 20" + TAIL
    assert findings(text, "selfeval.total_below_part") == []
    # a rate matching its sources is fine: 30 / 40 = 75%
    text = FORM + FUND_HEAD + "年度资金总额: 0 0 0 10 75% 7.5 其中:本年财政拨款 50 40 30" + TAIL
    assert findings(text, "selfeval.rate_of_empty_total") == []


REAL_004 = ("附件: 项目支出绩效自评表 (2022年度) 项目名称 委托业务项目 主管部门 219-池州市贵池区棠溪镇人民政府 "
            "实施单位 219001-池州市贵池区棠溪镇人民政府 项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 "
            "年度资金总额: 0 0 0 10 0 0 其中:本年财政拨款 90 89.974 89.974 上年结转资金 其他资金 年度总体目标 预期目标 "
            "实际完成情况 本项目共申请预算资金90万元。 绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 "
            "偏差原因分析及改进措施 产出指标(50分) 数量指标 基建工程委托业务项目数量 ≥50个 50 8 8 质量指标 "
            "委托业务报告合格率 ≥100百分比 100 8 8 经费支出合规性 严格执行相关制度规定 达成预期指标 8 8\n")


def test_real_empty_total_row():
    # real-dev 004: total 0 / 0 / 0 over 90 / 89.974 / 89.974; 89.974 / 89.974 = 100% against the printed 0.
    (f,) = findings(REAL_004, "selfeval.total_below_part")
    assert f.evidence["stated"] == 0 and f.evidence["computed"] == 90
    (g,) = findings(REAL_004, "selfeval.rate_of_empty_total")
    assert g.evidence["stated"] == 0 and g.evidence["computed"] == 100.0
    # its indicators are read (≥50个 → 50 is met, not flagged)
    inds = {i.name: i for i in parse_text(REAL_004).of(Indicator)}
    assert inds["基建工程委托业务项目数量"].target.value == 50 and inds["基建工程委托业务项目数量"].weight.value == 8
    assert findings(REAL_004, ["indicator", "execution_rate"]) == []


# -- a flattened form: one cell a line, header words broken over two cells --------

def _lines(*cells: str) -> str:
    return "\n\n".join(cells) + "\n"


def test_one_cell_a_line_form_low_execution_and_missed_target():
    text = _lines("项目支出绩效自评表", "项目名称", "测试项目", "主管部门", "某局", "项目资金", "(万元)",
                  "年初", "预算数", "全年", "预算数", "全年", "执行数", "分值", "执行率", "得分",
                  "年度资金总额", "50", "50", "40", "10", "80%", "8", "其中:当年财政拨款", "50", "50", "40",
                  "上年结转资金", "其他资金", "年度总体目标", "完成工程",
                  "一级指标", "二级指标", "三级指标", "年度", "指标值", "实际", "完成值", "分值", "得分",
                  "偏差原因分析及改进措施", "产出指标", "数量指标", "指标1工程资金金额", "50", "40", "10", "8",
                  "尾款未付", "质量指标", "指标1工程完工率", "100", "100", "10", "10")
    (f,) = findings(text, "execution_rate")
    # 40 / 50 = 80%, printed 80%
    assert f.rule == "execution_rate.project" and f.evidence["stated"] == 80 and f.evidence["computed"] == 80
    (g,) = findings(text, "indicator.target")
    assert g.evidence["target"] == 50 and g.evidence["actual"] == 40 and g.evidence["score"] == 8
    # 完工率 100 is a percentage; its 100 meets it
    rate = next(i for i in parse_text(text).of(Indicator) if i.name == "工程完工率")
    assert rate.target.kind == "percent" and rate.target.value == 100


def test_real_one_cell_a_line_form():
    # real-dev 017: 37.24 / 43.2 = 86.2%, printed 86%; 指标1工程资金金额 43.2 → 37.24 (score 9 of 10).
    cells = ["项目名称", "办公宿舍楼、食堂及餐厅暖通改造经费", "主管部门", "廊坊市发改委", "实施单位", "廊坊市食品工程学校",
             "项目资金\n(万元)", " ", "年初", "预算数", "全年", "预算数", "全年", "执行数", "分值", "执行率", "得分",
             "年度资金总额", "43.2", "43.2", "37.24", "10", "86%", "9", "其中:当年财政拨款", "43.2", "43.2", "37.24",
             " ", "      上年结转资金", " ", " ", " ", " ", "  其他资金", " ", " ", " ", " ", "年度总体目标", "预期目标",
             "实际完成情况", "43.2", "37.24\n\n\n", "一级指标", "二级指标", "三级指标", "年度", "指标值", "实际", "完成值",
             "分值", "得分", "偏差原因分析及改进措施", "产出指标", "数量指标", "指标1工程资金金额", "43.2", "37.24", "10",
             "9", "已完工,剩余3%尾款未付,且最高限价低于预算金额。提高预算准确度。", "指标2", " ", " ", " ", " ", " ",
             "……", " ", " ", " ", " ", " ", "质量指标", "指标1工程完工率", "100", "100", "10", "10", " "]
    text = "项目支出绩效自评表\n\n" + _lines(*cells)
    (f,) = findings(text, "execution_rate")
    assert f.evidence["stated"] == 86 and f.evidence["computed"] == 86.2
    (g,) = findings(text, "indicator.target")
    assert g.evidence["target"] == 43.2 and g.evidence["actual"] == 37.24
    # the deduction on the missed target is explained and not "with the target met"
    assert findings(text, "selfeval") == []


# -- a two-row indicator header; points deducted though every target is met -------

HEAD2 = [("绩效指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"),
         ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")]


def test_deduction_with_every_target_met():
    rows = HEAD2 + [("产出指标", "数量指标", "培训人次", "≥", "200", "人次", "210", "20", "18", ""),
                    ("质量指标", "培训合格率", "=", "100", "%", "100", "30", "27", ""),
                    ("效益指标", "社会效益指标", "覆盖率", "≥", "90", "%", "95", "30", "30", "")]
    text = "项目支出绩效自评表\n" + pipe(*rows)
    (f,) = findings(text, "selfeval.deduction_with_target_met")
    # 培训人次 210 ≥ 200 lost 2 of 20; 合格率 100 = 100 lost 3 of 30; 覆盖率 has full points
    assert f.evidence["stated"] == 50 and f.evidence["computed"] == 45
    assert [i["indicator"] for i in f.evidence["indicators"]] == ["培训人次", "培训合格率"]
    assert findings(text, "indicator") == []


def test_deduction_explained_or_target_missed_is_not_flagged():
    explained = HEAD2 + [("产出指标", "数量指标", "培训人次", "≥", "200", "人次", "210", "20", "18", "部分学员未考核")]
    assert findings("项目支出绩效自评表\n" + pipe(*explained), "selfeval") == []
    missed = HEAD2 + [("产出指标", "数量指标", "培训人次", "≥", "200", "人次", "180", "20", "18", "")]
    text = "项目支出绩效自评表\n" + pipe(*missed)
    assert findings(text, "selfeval") == []
    # 180 against ≥200: the indicator detector speaks for it
    (f,) = findings(text, "indicator.target")
    assert f.evidence["actual"] == 180


def test_real_two_row_header_deductions():
    # real-dev 021 (traditional characters as published): 72890=72890, 100=100, 100=100, 95≥95;
    # weights 10 + 20 + 20 + 30 = 80, scores 9 + 19 + 19 + 27 = 74 (满意度 has no score printed).
    real = ("| 績效指標 | 年度指標值 | 實際完成值 | 分值 | 得分 | 偏差原因分析及改進措施 | |||||\n"
            "|\n一級 指標 |\n二級指標 | 三級指標 | 指標性質 | 指標值 | 度量單位 | |||||\n"
            "| 產出指標 | 數量指標 | 衛片執法補助經費 | ﹦ | 72890 | 元 | 72890 | 10.00 | 9.00 | ||\n"
            "| 質量指標 | 項目驗收合格率 | ﹦ | 100 | % | 100 | 20 | 19 | |||\n"
            "| 時效指標 | 項目完成及時率 | ﹦ | 100 | % | 100 | 20.00 | 19.00 | |||\n"
            "| 效益指標 | 社會效益指標 | 違法行為責停率 | ≥ | 95 | % | 95 | 30.00 | 27.00 | ||\n"
            "| 滿意度指標 | 服務對象滿意度指標 | 滿意度 | ≥ | 95 | % | 95 | 10.00 |\n")
    text = "2020年度項目支出績效自評表\n" + real
    (f,) = findings(text, "selfeval.deduction_with_target_met")
    assert f.evidence["stated"] == 80 and f.evidence["computed"] == 74
    assert findings(text, ["indicator", "stated"]) == []
