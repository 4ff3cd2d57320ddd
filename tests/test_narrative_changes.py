"""Year-on-year changes of headline figures read from the 情况说明 (issue 18):
收、支总计 / 收支总计 / 收入、支出总计, 机关运行经费支出合计, lists given in turn
after 各 / 分别, and a subject named in the sentence before. Each sentence is
written here in a form real reports and the template use; the statement
expected and the rates are worked out by hand in the comments.
"""
from __future__ import annotations

import pytest

from worker.facts import ParsedReport, ReportMeta

HEAD = ["第三部分 某某区某某局2024年度部门决算情况说明"]
OVERALL = "一、收入支出决算总体情况说明"
FISCAL = "四、财政拨款收入支出决算总体情况说明"
ADMIN = ["十一、其他重要事项的情况说明", "(一)机关运行经费支出情况"]
SANGONG = "七、财政拨款“三公”经费支出决算情况说明"
# What follows the changes: the next part of the report (not an excerpt cut there).
TAIL = ["(二)政府采购支出情况",
        "2024年度政府采购支出总额100.00万元,其中:政府采购货物支出100.00万元,政府采购服务支出0万元。"]


def read(lines: list[str]):
    from worker.read import read as read_

    text = "\n".join(HEAD + lines + TAIL)
    return text, read_(text, [], year=2024, issuer="某某区某某局")


def changes(lines: list[str]) -> list[tuple]:
    """(type, concept, dims, delta, stated rate, words) of each change statement."""
    _, rd = read(lines)
    return [(s.type, s.base[0][0], dict(s.base[0][1]), s.delta.value if s.delta else None,
             s.stated.value if s.stated else None, s.words)
            for s in rd.statements if s.type in ("growth", "delta")]


def run(lines: list[str], rules: list[str]) -> list:
    from alerts.engine import evaluate

    text, rd = read(lines)
    rep = ParsedReport(text=text, meta=ReportMeta(year=2024, report_type="部门决算", title="某某区某某局2024年度部门决算"),
                       reading=rd)
    return evaluate(rep, None, rules, strict=True)


# -- the forms, one sentence each ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lines, expected", [
    # 收、支总计 (a 、 inside the name): 100 / (500 - 100) = 25%.
    ([OVERALL, "2024年度收、支总计500.00万元,比上年增加100.00万元,增长25.00%。"],
     [("growth", "grand_total_in", {}, 100.0, 25.0, "增加/增长")]),
    # 收支总计, against 较上年: 150 / (600 + 150) = 20%.
    ([OVERALL, "2024年度收支总计600.00万元,较上年减少150.00万元,下降20.00%。"],
     [("growth", "grand_total_in", {}, 150.0, 20.0, "减少/下降")]),
    # The template's form, the name repeated after 与2023年度相比: 100 / 400 = 25%.
    ([OVERALL, "某某区某某局2024年度收入支出总计500.00万元。与2023年度相比,收入支出总计增加100.00万元,增长25.00%。"],
     [("growth", "grand_total_in", {}, 100.0, 25.0, "增加/增长")]),
    # The subject named in the sentence before: 200 / (800 + 200) = 20%.
    ([OVERALL, "2024年度收、支总计800.00万元。比上年减少200.00万元,下降20.00%。"],
     [("growth", "grand_total_in", {}, 200.0, 20.0, "减少/下降")]),
    # 各 before one figure: both moved by it. 60 / (360 - 60) = 20%.
    ([OVERALL, "2024年度收入、支出总计均为360.00万元。与2023年相比,收、支总计各增加60.00万元,增长20.00%。"],
     [("growth", "grand_total_in", {}, 60.0, 20.0, "增加/增长")]),
    # A fund word before it: 财政拨款收、支总计. 50 / (300 - 50) = 20%.
    ([FISCAL, "2024年财政拨款收、支总计300.00万元。与2023年相比,财政拨款收、支总计各增加50.00万元,增长20.00%。"],
     [("growth", "grand_total_in", {"fund": "fiscal"}, 50.0, 20.0, "增加/增长")]),
    # 机关运行经费支出合计, a change without a rate.
    (ADMIN + ["2024年度机关运行经费支出合计49.00万元,比上年减少3.00万元,减少原因:节俭开支。"],
     [("delta", "admin_cost", {}, 3.0, None, "减少")]),
    # The template's 机关运行经费 form: 6 / (30 - 6) = 25%.
    (ADMIN + ["机关运行经费支出30.00万元,比2023年度增加6.00万元,增长25.00%。主要原因是新增人员。"],
     [("growth", "admin_cost", {}, 6.0, 25.0, "增加/增长")]),
    # The template's “三公” form, items after 其中: 10 / 50 = 20%; 4 / 10 = 40%; 5 / 40 = 12.5%; 1 / 10 = 10%.
    ([SANGONG, "2024年度“三公”经费财政拨款支出决算数比2023年度减少10.00万元,下降20.00%,其中:因公出国(境)费支出决算"
               "减少4.00万元,下降40.00%;公务用车购置及运行维护费支出决算减少5.00万元,下降12.50%;公务接待费支出决算"
               "减少1.00万元,下降10.00%。"],
     [("growth", "sangong", {"fund": "fiscal"}, 10.0, 20.0, "减少/下降"),
      ("growth", "sangong", {"fund": "fiscal", "item": "abroad"}, 4.0, 40.0, "减少/下降"),
      ("growth", "sangong", {"fund": "fiscal", "item": "vehicle"}, 5.0, 12.5, "减少/下降"),
      ("growth", "sangong", {"fund": "fiscal", "item": "reception"}, 1.0, 10.0, "减少/下降")]),
])
def test_a_change_of_a_headline_figure_is_read(lines, expected):
    assert changes(lines) == expected


def test_figures_and_changes_given_in_turn_after_ge():
    # 收入总计 400 fell by 100: 100 / 500 = 20%; 支出总计 450 fell by 150: 150 / 600 = 25%.
    lines = [OVERALL, "2024年度收、支总计各是400.00,450.00万元。与2023年相比,收、支总计各减少100.00,150.00万元,"
                      "各下降20.00%、25.00%。主要变动原因是项目收入减少。"]
    _, rd = read(lines)
    facts = [(f.concept, f.num.value) for f in rd.facts if f.where == "text"]
    assert facts == [("grand_total_in", 400.0), ("grand_total_out", 450.0)]
    assert changes(lines) == [("growth", "grand_total_in", {}, 100.0, 20.0, "减少/下降"),
                              ("growth", "grand_total_out", {}, 150.0, 25.0, "减少/下降")]
    assert run(lines, ["statements", "explanations"]) == []
    # The second rate stated wrong (30% for 25%) is found against 支出总计, not 收入总计.
    bad = [OVERALL, lines[1].replace("25.00%", "30.00%")]
    (f,) = run(bad, ["statements"])
    assert f.rule == "statements.growth" and f.evidence["stated"] == 30.0 and f.evidence["computed"] == 25.0


def test_changes_in_turn_without_rates_and_with_thousands():
    lines = [OVERALL, "2024年度收、支总计各是4,125.49、4,143.91万元。与上年相比,收、支总计各减少1,267.86、2,570.97万元。"]
    assert changes(lines) == [("delta", "grand_total_in", {}, 1267.86, None, "减少"),
                              ("delta", "grand_total_out", {}, 2570.97, None, "减少")]


def test_a_list_of_another_length_is_not_read():
    # Three figures for the two totals: which is which cannot be told.
    lines = [OVERALL, "2024年度收入支出总计分别为100.00万元、200.00万元、300.00万元。比上年增加10.00万元,增长11.11%。"]
    _, rd = read(lines)
    assert [f for f in rd.facts if f.where == "text"] == []
    assert changes(lines) == []
    # Rates of no listed change are not paired with anything.
    lines = [OVERALL, "2024年度收、支总计400.00万元。与2023年相比,收、支总计各减少100.00,150.00万元,各下降20.00%、25.00%、30.00%。"]
    assert changes(lines) == [("delta", "grand_total_in", {}, 100.0, None, "减少"),
                              ("delta", "grand_total_out", {}, 150.0, None, "减少")]


def test_a_change_inside_a_reason_is_not_the_subjects():
    # 52.22 and 502.89 are changes of 基本支出 and 项目支出 giving the reason, not of the 收支总计.
    lines = [OVERALL, "2024年度收、支总计3351.34万元。与2023年相比,收、支总计各增加555.11万元,增长19.85%。"
                      "主要变动原因是2024年基本支出增加52.22万元、项目支出增加502.89万元。"]
    # 555.11 / (3351.34 - 555.11) = 19.852%
    assert changes(lines) == [("growth", "grand_total_in", {}, 555.11, 19.85, "增加/增长")]


# -- what the checks make of them --------------------------------------------------------------------------------

def test_change_unexplained_sees_the_total_and_the_admin_cost():
    lines = [OVERALL, "2024年度收、支总计500.00万元,比上年增加100.00万元,增长25.00%。",
             *ADMIN, "2024年度机关运行经费支出合计45.00万元,比上年减少15.00万元,下降25.00%。"]    # 15 / 60
    found = run(lines, ["explanations"])
    assert sorted((f.kind, f.evidence["figure"], f.evidence["stated_rate"]) for f in found) == [
        ("change_unexplained", "收入支出总计", 25.0), ("change_unexplained", "机关运行经费", 25.0)]
    # With their reasons, nothing.
    lines[1] += "主要原因是新增项目。"
    lines[-1] += "主要原因是压减公用经费。"
    assert run(lines, ["explanations"]) == []


def test_a_reason_given_for_the_fiscal_total_covers_the_total():
    # As the seeds print it: the reason once, for 财政拨款收、支总计 (all of the 收、支总计).
    lines = [OVERALL, "2024年度收、支总计700.00万元,比上年增加200.00万元,增长40.00%。",
             FISCAL, "2024年度财政拨款收、支总计700.00万元,比上年增加200.00万元,增长40.00%。主要原因:职责调整,有新增业务。"]
    assert len([c for c in changes(lines) if c[0] == "growth"]) == 2
    assert run(lines, ["explanations", "statements"]) == []


def test_growth_of_a_misstated_total_is_found():
    # 100 / (500 - 100) = 25%, not 30%.
    (f,) = run([OVERALL, "2024年度收、支总计500.00万元,比上年增加100.00万元,增长30.00%。主要原因是新增项目。"],
               ["statements"])
    assert f.rule == "statements.growth" and f.evidence["computed"] == 25.0


# -- the names are data ----------------------------------------------------------------------------------------

def test_narrative_names_are_validated(tmp_path):
    from rules.taxonomy import TaxonomyError, load

    (tmp_path / "narrative.toml").write_text('[[name]]\nnames = ["收支合计数"]\nconcept = "grand_total_in"\n'
                                             'each = ["grand_total_in", "no_such"]\n', encoding="utf-8")
    with pytest.raises(TaxonomyError) as e:
        load((str(tmp_path),))
    assert "unknown concept 'no_such'" in str(e.value) and "narrative.toml" in str(e.value)


def test_a_region_names_a_total_its_own_way(tmp_path):
    from rules.taxonomy import load
    from worker.read import distributive

    (tmp_path / "narrative.toml").write_text('[[name]]\nnames = ["收支合计数"]\nconcept = "grand_total_in"\n'
                                             'each = ["grand_total_in", "grand_total_out"]\n', encoding="utf-8")
    tax = load((str(tmp_path),))
    assert tax.narrative_names["收支合计数"].concept == "grand_total_in"
    assert distributive.each_concepts("财政拨款收支合计数", tax) == ("grand_total_in", "grand_total_out")
    assert distributive.each_concepts("收入总计", tax) == ()
