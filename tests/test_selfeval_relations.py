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


# -- forms whose cells run together with no separator (real-dev 041) ----------------

RUN_FORM = ("绩效目标自评表(2023年度)项目名称某乡道路维修项目项目负责人张三主管部门某局实施单位某局"
            "资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:50401080.00%8"
            "其中:本年财政拨款5040其他资金年度总体目标完成维修。绩效指标一级指标二级指标三级指标分值年度指标值"
            "全年实际值得分未完成原因及拟采取的改进措施{out}数量指标维修道路公里数{w1}≥5公里5公里{w1}"
            "{ben}社会效益指标通行条件改善{w2}明显明显{w2}{sat}服务对象满意度指标群众满意度{w3}≥90%95%{w3}"
            "总分{total}注:")


def _run_form(out="产出指标(50分)", ben="效益指标(30分)", sat="满意度指标(10分)", total="10098",
              w1="50", w2="30", w3="10"):
    return RUN_FORM.format(out=out, ben=ben, sat=sat, total=total, w1=w1, w2=w2, w3=w3)


def test_run_together_form_weights_that_add_up_are_left_alone():
    # 执行率 10 (50|40|10|80.00%|8: 40/50 = 80%, score 8 ≤ 10) + 50 + 30 + 10 = 100 = 总分 100|98
    text = _run_form()
    (row,) = [f for f in parse_text(text).of(FundingRow) if f.is_total]
    assert (row.budget.value, row.executed.value, row.weight.value, row.score.value) == (50, 40, 10, 8)
    assert row.stated_rate.value == 80
    assert findings(text, "selfeval") == []


def test_run_together_form_weights_over_the_total():
    # 执行率 10 + 产出 60 + 效益 30 + 满意度 10 = 110; 总分 glued 10098 reads 100|98 or 1009|8
    # (or 10098 alone, which is more than 110 so cannot be a score): none is 110.
    text = _run_form(out="产出指标(60分)", w1="60")
    (f,) = findings(text, "selfeval.weights_vs_total")
    assert f.kind == "total_mismatch"
    assert f.evidence["stated"] == 100 and f.evidence["computed"] == 110
    assert f.evidence["readings"] == [8, 98, 100, 1009, 10098]
    assert f.quotes[0][0] == "总分10098" and text[f.quotes[0][1]:f.quotes[0][2]] == "总分10098"
    assert [p["quote"] for p in f.evidence["parts"]][1] == "产出指标(60分)"


def test_run_together_form_total_read_charitably():
    # 总分 printed as one figure 98: it may be the score alone (weight cell empty) - no alert
    assert findings(_run_form(out="产出指标(60分)", w1="60", total="98"), "selfeval.weights_vs_total") == []
    # 总分 11099 reads 110|99: equals 10 + 60 + 30 + 10 = 110 - no alert
    assert findings(_run_form(out="产出指标(60分)", w1="60", total="11099"), "selfeval.weights_vs_total") == []
    # a first-level heading with no points printed (效益指标 then 社会效益指标): the sum is
    # incomplete, so nothing is said even though 10 + 60 + 10 = 80 ≠ 100
    text = _run_form(out="产出指标(60分)", w1="60", ben="效益指标")
    assert findings(text, "selfeval.weights_vs_total") == []


REAL_041 = ('绩效目标自评表(2022年度)项目名称中江县农业水价综合改革精准补贴和节水奖励项目小型水库水标尺制作安装项目负责人及电话谢凯13990260322(办公)主管部门中江县水利局实施单'
            '位中江县水利局资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10其中:本年财政拨款2020其他资金年度总体目标年初'
            '设定目标年度总体目标完成情况综述对农村地区供水计量设施设备进行改进,对项目区农业用水计量,为项目区农业生产夯实基础,对项目区农业用水计量,为项目区农业生产夯实基础,绩效指标一级指标'
            '二级指标三级指标分值年度指标值全年实际值得分未完成原因及拟采取的改进措施产出指标(70分)数量指标安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10质'
            '量指标项目(工程)验收合格率20100%100%20时效指标及时(按期)开工率10≥90%≥90%10及时(按期)完工率10≥90%≥90%10成本指标项目计划总投资1020万元2'
            '0万元10效益指标(20分)经济效益指标社会效益指标受益脱贫(含监测对象)户人口数10≥1000人≥1000人10群众生产生活条件改善状况10显著提升显著提升10满意度指标(10分'
            ')服务对象满意度指标受益脱贫(含监测对象)户满意度10≥95%≥95%10……总分100100注:1')


def test_real_run_together_form_041():
    # real-dev 041 as published (one line, no spaces). By hand: 执行率 分值 10
    # (20|20|10|100.00%|10, 20/20 = 100%) + 产出(70分) + 效益(20分) + 满意度(10分) = 110;
    # 总分100100 reads 100|100, 10010|0 or 100100: none is 110.
    text = REAL_041
    (f,) = findings(text, "selfeval.weights_vs_total")
    assert f.evidence["stated"] == 100 and f.evidence["computed"] == 110
    assert f.quotes[0][0] == "总分100100"
    # the execution rate 20/20 = 100.00% is consistent: no other selfeval alert
    assert [g.rule for g in findings(text, "selfeval")] == ["selfeval.weights_vs_total"]
