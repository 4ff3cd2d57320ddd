"""Counts and balance identities (issue 12): a count and the list naming its
units, a total count and its year-start and added parts, 收入总计 = 支出总计.

Each relation is tried on sentences written for the test and on the real
excerpt it came from (real-dev 026, 005, 001). Expected figures are counted
or computed by hand in the comments."""
from __future__ import annotations

from conftest import findings

HEAD = "某局2023年度部门决算\n"


# -- a count and its list ----------------------------------------------------------

def test_count_followed_by_a_list_of_other_length():
    # Four names (…中心, …站, …站, …所) for a stated 4: consistent; stated 5: one missing.
    ok = "本局直属事业单位4个,即县农业技术推广中心、县植保站、县土肥站和县农机监理所。\n"
    assert findings(HEAD + ok, "counts.list") == []
    (f,) = findings(HEAD + ok.replace("4个", "5个"), "counts.list")
    assert f.evidence["stated"] == 5 and f.evidence["computed"] == 4
    assert f.quotes[0][0].startswith("本局直属事业单位5个,即县农业技术推广中心")


def test_count_before_its_noun_and_a_numbered_list():
    # 1.办公室 2.财务科 3.业务科 4.信息科: four numbered names for a stated 3.
    text = "内设3个科室:1.办公室;2.财务科;3.业务科;4.信息科。\n"
    (f,) = findings(HEAD + text, "counts.list")
    assert f.evidence["stated"] == 3 and f.evidence["computed"] == 4
    # Written in words: 内设机构三个 with three names.
    assert findings(HEAD + "内设机构三个,分别为:办公室、政务服务管理科、政务服务发展科。\n", "counts.list") == []


def test_partial_or_unclear_lists_are_not_counted():
    partial = [
        "直属单位5个,主要包括县农业技术推广中心、县植保站。\n",       # 主要包括: a selection
        "下设办公室、财务股、业务股等6个股室。\n",                     # 等N个: closes a partial list
        "直属单位5个,其中县农业技术推广中心、县植保站为公益一类。\n",  # 其中: some of them
        "直属单位3个,即县农业技术推广中心、县植保站,县土肥站。\n",     # the list may go on after the comma
        "直属单位3个,县农业技术推广中心、县植保站。\n",                 # no word introduces a list
    ]
    for text in partial:
        assert findings(HEAD + text, "counts.list") == [], text


def test_a_name_with_he_inside_is_one_name():
    # 人力资源和社会保障科 is one office: two names for a stated 2.
    text = "内设2个科室,分别为人力资源和社会保障科、办公室。\n"
    assert findings(HEAD + text, "counts.list") == []


def test_real_count_and_list_026():
    # real-dev 026: 10 stated, nine names listed (counted by hand: 国库集中支付, 财政信息, 工资统发,
    # 财政投资评审, 政府债务研究评估, 财政预算编审, 国有资产服务, 会计服务 中心 and 经济开发区财政所);
    # the 3 units listed after 单位有3个 are three.
    real = ("南县财政局2020年度部门决算\n"
            "内设副科级事业单位2个,财政事务中心和南县国库集中支付中心。下设办公室、预算股、人事教育股、国库股、"
            "科教文化股、乡镇财政等16个股室;直属事业单位10个,即县国库集中支付中心、县财政信息中心、县工资统发中心、"
            "县财政投资评审中心、县政府债务研究评估中心、县财政预算编审中心、县国有资产服务中心、县会计服务中心、"
            "县经济开发区财政所。\n"
            "2020年,纳入南县财政局部门预算编制范围的单位有3个,分别为南县财政局机关本级、南县财政事务中心和"
            "南县国库集中支付中心。\n")
    (f,) = findings(real, "counts")
    assert f.rule == "counts.list"
    assert f.evidence["stated"] == 10 and f.evidence["computed"] == 9
    assert f.evidence["items"][-1] == "县经济开发区财政所"


# -- a total count and its parts ---------------------------------------------------

def test_total_count_against_year_start_and_added_parts():
    # 7 + 4 = 11 projects, stated 12.
    text = "全年共实施项目12个,年初预算安排7个项目,年中追加4个项目。\n"
    (f,) = findings(HEAD + text, "counts.sum")
    assert f.evidence["stated"] == 12 and f.evidence["computed"] == 11
    assert f.quotes[0][0] == "全年共实施项目12个,年初预算安排7个项目,年中追加4个项目"
    # 7 + 5 = 12: consistent.
    assert findings(HEAD + text.replace("追加4个", "追加5个"), "counts.sum") == []


def test_count_parts_with_other_roles_are_not_summed():
    others = [
        # a project cancelled: 7 + 4 − 1 may well be 10
        "全年共实施项目10个,年初预算安排7个项目,年中追加4个项目,取消1个项目。\n",
        # a third count of the unit whose role the words do not say
        "全年共实施项目12个,年初预算安排7个项目,年中追加4个项目,已完成9个项目。\n",
        # no year-start count: 新增 alone is not a breakdown of the total
        "全年共实施项目12个,新增4个项目。\n",
    ]
    for text in others:
        assert findings(HEAD + text, "counts.sum") == [], text


def test_real_project_counts_005():
    # real-dev 005: 年初批复预算8个项目 + 年中增加8个项目 = 16, stated 共15个; the counts in
    # parentheses (含…5个, 含1个…) are parts of the parts.
    real = ("红河州数据发展中心2024年度项目支出绩效单位自评报告\n"
            "2024年,红河州数据发展中心(以下简称“州数据发展中心”)实施项目共15个(含2023年转列暂付性款项项目5个),"
            "年初批复预算8个项目985万元(含1个年初结转结余项目50万元),调整预算后项目预算861.46万元,"
            "年中增加8个项目(含2023年转列暂付性款项项目5个),实际到位资金334.67万元。\n")
    (f,) = findings(real, "counts.sum")
    assert f.evidence["stated"] == 15 and f.evidence["computed"] == 16
    assert [p["value"] for p in f.evidence["parts"]] == [8, 8]


# -- 收入总计 = 支出总计 -------------------------------------------------------------

def test_grand_totals_stated_unequal():
    # 1200.50 vs 1180.25: 20.25 apart, far beyond one unit of the last place (0.01).
    text = "一、收入支出决算总体情况说明\n2023年度收、支总计分别为1,200.50万元、1,180.25万元。\n"
    (f,) = findings(HEAD + text, "balances.grand_totals")
    assert f.evidence["stated"] == 1200.5 and f.evidence["computed"] == 1180.25
    assert f.evidence["difference"] == 20.25
    # Equal totals, also when printed each on its own; 1200.5 and 1200.50 are one figure.
    assert findings(HEAD + "2023年度收入总计1,200.50万元,支出总计1,200.50万元。\n", "balances.grand_totals") == []
    assert findings(HEAD + "收、支总计各是1200.5,1200.50万元。\n", "balances.grand_totals") == []


def test_grand_totals_named_apart_and_other_readings():
    (f,) = findings(HEAD + "本年收入总计500.00万元,支出总计480.00万元。\n", "balances.grand_totals")
    assert f.evidence["computed"] == 480.0
    silent = [
        # changes of the totals, not the totals
        "与上年相比,收、支总计各减少120.00,140.00万元。\n",
        # a qualified 收入总计 against another qualifier's 支出总计
        "财政拨款收入总计500.00万元,非财政拨款支出总计480.00万元。\n",
        # flows with their surplus: not the two sides of the 总表
        "本年收入总计500.00万元,支出总计480.00万元,收支结余20.00万元。\n",
    ]
    for text in silent:
        assert findings(HEAD + text, "balances.grand_totals") == [], text
    # Outside a 决算/预算 (a hospital's 收支 do not balance by construction).
    assert findings("某医院2023年运营情况\n收入总计500.00万元,支出总计480.00万元。\n", "balances.grand_totals") == []


def test_real_grand_totals_001():
    # real-dev 001: 收总计 4125.49 (= 本年收入合计) against 支总计 4143.91 (= 本年支出合计): 18.42 apart.
    real = ("第二部分 2022年度单位决算情况说明\n一、收入支出决算总体情况说明\n"
            "2022年度收、支总计各是4125.49,4143.91万元。与2021年相比,收、支总计各减少1267.86,2570.97万元,"
            "各下降23.51%、38.28%。主要变动原因是天府旅游名县创建工作完成,项目收入减少。\n"
            "二、收入决算情况说明\n2022年本年收入合计4125.49万元,其中:一般公共预算财政拨款收入3859.16万元,占93.54%;"
            "其他收入266.33万元,占6.46%。\n"
            "三、支出决算情况说明\n2022年本年支出合计4143.91万元,其中:基本支出1140.27万元,占27.52%;"
            "项目支出3003.64万元,占72.48%。\n")
    (f,) = findings(real, "balances")
    assert (f.evidence["stated"], f.evidence["computed"]) == (4125.49, 4143.91)
    assert f.evidence["difference"] == -18.42
    assert f.evidence["income_this_year"] == 4125.49 and f.evidence["expense_this_year"] == 4143.91
    assert f.quotes[0][0] == "收、支总计各是4125.49,4143.91万元"
