"""Issue 14, newcomer's reading of the alerts as an auditor.

A completion rate names its readings in Chinese (the operands' names and
amounts), says where its operands came from (文中 / 报表) and names the item;
a low rate read from a ratio printed in a percent column is one alert that
says both (the rate as meant, the figure as printed); a department's alert
names the issuer, never the form's 部门名称 cell; a satisfaction outlier names
its project; Chinese titles use Chinese punctuation.
"""
from __future__ import annotations

from tests.conftest import findings, pipe

HEAD = "某市某某局2024年度部门决算\n第三部分 情况说明\n"


# -- 1. completion rates: readings in words, the operands' source, the subject ------------

def test_a_completion_from_the_sentence_alone_says_so_in_chinese():
    text = HEAD + ("四、2024年度政府性基金支出决算情况\n"
                   "某市某某局2024年度政府性基金支出年初预算为500万元,支出决算为0万元,完成年初预算的100%。\n")
    (f,) = findings(text, "statements.completion")
    # The item, the stated rate, and that both operands are the sentence's own figures.
    assert f.title == "完成率与数据不符:政府性基金支出,报告称100%,按文中数字计算为0%"
    assert "按支出决算数0万元、年初预算数500万元算得0%,不是100%" in f.message
    # One reading tried: no claim of having tried "every reading", no code names.
    assert "尝试" not in f.message and "各种口径" not in f.message
    assert "executed" not in f.message and "budget" not in f.message and "=" not in f.message
    assert f.evidence["subject"] == "政府性基金支出"
    assert "_facts" not in f.evidence["readings"][0]


# -- 2. one printed figure, one alert ---------------------------------------------------------

SLIP = ("某市某某局2024年度部门决算\n" + pipe(
    ("部门名称", "综合部门"),
    ("部门预算安排资金", "资金来源", "年初预算数", "调整后预算数", "实际支出数", "预算执行率(%)"),
    ("合计", "3000", "3000", "2800", "93.33%"),
    ("其中:一般公共预算拨款", "1000", "1000", "980", "0.98"),
    ("政府性基金", "2000", "2000", "1820", "0.6"),
))


def test_a_low_rate_printed_as_a_ratio_is_one_alert_that_says_both():
    text = SLIP.replace("1820 | 0.6", "1200 | 0.6")
    got = findings(text, ["execution_rate", "unit"])
    low = [f for f in got if f.kind == "execution_rate_low"]
    unit = [f for f in got if f.kind == "unit_error"]
    (f,) = low
    # 1200 / 2000 = 60%, printed 0.6 in a (%) column: the rate as meant, and as printed.
    assert f.title == "资金来源预算执行率仅60%:政府性基金(执行率印作比值0.6)"
    assert "报告所列执行率为60%(“预算执行率(%)”列印作0.6,是比值而非百分数)" in f.message
    assert "计算为60%" in f.message and "低于90%的关注线" in f.message
    assert "执行率为0.6," not in f.message
    # The row named as printed: no 部门…资金 that the report never prints.
    assert f.evidence["subject"] == "政府性基金"
    # The other row's slip (0.98 = 98%, not low) is still a unit alert, without the 0.6 row.
    (u,) = unit
    assert u.evidence["values"] == [0.98]
    assert "0.6" not in u.title and "(如0.98即98%)" in u.message


def test_the_ratio_stays_with_the_unit_alert_when_execution_rates_are_off():
    text = SLIP.replace("1820 | 0.6", "1200 | 0.6")
    got = findings(text, ["execution_rate", "unit"], {"execution_rate": {"enabled": False}})
    (u,) = got
    assert u.kind == "unit_error" and u.evidence["values"] == [0.98, 0.6]
    # Chinese punctuation in a Chinese title (item 4).
    assert "(0.98、0.6)" in u.title and ", " not in u.title


# -- 3. the department is the issuer; a metric names its project ---------------------------

def test_a_department_form_total_names_the_issuer_not_the_name_cell():
    text = SLIP.replace("2800 | 93.33%", "1800 | 60%")
    (f,) = [f for f in findings(text, "execution_rate.department")]
    assert f.title == "部门预算执行率仅60%:某市某某局"
    assert f.message.startswith("部门“某市某某局”调整后预算3000万元")
    assert "综合部门" not in f.title + f.message
    (u,) = findings(text, "unit")
    assert u.title.startswith("单位错误:某市某某局“预算执行率(%)”列") and "综合部门" not in u.title


def test_an_indicator_title_names_its_project():
    text = "某局2023年度部门决算\n" + pipe(
        ("项目名称", "示范项目"), ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "60%", "10", "6"))
    (f,) = findings(text, "indicator.satisfaction")
    assert f.title.startswith("满意度未达目标:示范项目·群众满意度")
