"""Reports written in ways the examples are not: HTML tables, GBK and Big5
pages, full-width digits, 亿元, tables whose columns come in other orders."""
from conftest import FIXTURES, by_name, parse_bytes, parse_text

from worker.facts import Amount, Claim, FundingRow, Indicator, LineItem, PartSet, Project

HTML_REPORT = (FIXTURES / "html_report.html").read_bytes()


def test_html_table_report():
    r = parse_bytes(HTML_REPORT, "report.html")
    assert r.meta.issuer == "某市测试局" and r.meta.year == 2023
    (p,) = [p for p in r.of(Project) if p.source == "table"]
    assert p.name == "测试信息系统运维项目"
    assert (p.initial_budget.value, p.budget.value, p.executed.value, p.stated_rate.value) == (500, 480, 240, 50)
    assert (p.weight.value, p.score.value) == (10, 5)
    checks = by_name(r.of(Indicator), "巡检次数")
    assert (checks.level1, checks.level2, checks.comparator, checks.target.value, checks.actual.value) == \
        ("产出指标", "数量指标", ">=", 12, 10)
    # The rowspan of 产出指标 carries down to the next row.
    assert by_name(r.of(Indicator), "系统可用率").level1 == "产出指标"
    sat = by_name(r.of(Indicator), "使用单位满意度")
    assert sat.actual.value == 85 and sat.note == "响应慢"
    shares = sorted(c.stated.value for c in r.of(Claim) if c.type == "share")
    assert shares == [33.33, 66.67]
    (li,) = r.of(LineItem)
    assert (li.name, li.initial_budget.value, li.final.value, li.rate_base) == ("一般公共服务支出", 1000, 900, "initial")
    # Navigation, footer and scripts are not part of the report.
    assert "版权所有" not in r.text and "var x" not in r.text and "网站导航" not in r.text


GBK_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县财政局2022年度部门决算</title></head><body><div class="article">
<p>某县财政局2022年度部门决算</p>
<p>2022年度收、支总计860.50万元,比上年增加60.50万元,增长7.56%。</p>
<p>2022年度“三公”经费财政拨款决算数12.00万元,比年初预算10.00万元增加2.00万元。</p>
</div></body></html>"""


def test_gbk_page_is_decoded():
    r = parse_bytes(GBK_PAGE.encode("gbk"), "page.html")
    assert r.meta.issuer == "某县财政局" and r.meta.year == 2022 and r.meta.level == "district"
    total = [a for a in r.of(Amount) if a.name == "收支总计"][0]
    assert total.num.value == 860.50
    growth = [c for c in r.of(Claim) if c.type == "growth"][0]
    assert (growth.delta.value, growth.stated.value) == (60.50, 7.56)


def test_big5_page_without_a_declared_charset():
    text = "某市審計局2021年度部門決算\n2021年度本年支出合計1,250.00萬元,其中:基本支出250.00萬元,項目支出1,000.00萬元。\n"
    r = parse_bytes(text.encode("big5"), "page.txt")
    (ps,) = r.of(PartSet)
    assert ps.total.value == 1250.0 and [p.value for _, p in ps.parts] == [250.0, 1000.0]
    assert ps.name == "本年支出合计"      # read in simplified characters


def test_full_width_digits_and_yi_yuan():
    text = ("某区教育局２０２３年度部门决算\n"
            "２０２３年度本年收入合计１．２亿元，比上年增加０．２亿元，增长２０％。\n"
            "其中：财政拨款收入１１５００万元，占收入合计的９５．８３％；其他收入５００万元，占收入合计的４．１７％。\n")
    r = parse_text(text)
    total = [a for a in r.of(Amount) if a.name == "本年收入合计"][0]
    assert total.num.value == 12000.0 and total.num.unit == "亿元" and total.num.precision == 1
    growth = [c for c in r.of(Claim) if c.type == "growth"][0]
    assert growth.delta.value == 2000.0 and growth.stated.value == 20
    shares = [c for c in r.of(Claim) if c.type == "share"]
    assert [(c.numerator.value, c.base.value, c.stated.value) for c in shares] == \
        [(11500.0, 12000.0, 95.83), (500.0, 12000.0, 4.17)]


def test_tables_with_other_column_orders():
    text = ("项目名称 |\n某运维项目 | ||\n"
            "资金来源 |\n实际支出数 |\n预算执行率 |\n调整后预算数 |\n年初预算数 | |\n"
            "合计 |\n45 |\n50% |\n90 |\n100 | |\n"
            "一级指标 |\n二级指标 |\n三级指标 |\n实际完成值 |\n得分 |\n年度指标值 |\n分值 | |\n"
            "产出指标 |\n数量指标 |\n维修台数 |\n8台 |\n8 |\n≥10台 |\n10 | |\n")
    r = parse_text(text)
    (row,) = [f for f in r.of(FundingRow) if f.is_total]
    assert (row.executed.value, row.stated_rate.value, row.budget.value, row.initial_budget.value) == (45, 50, 90, 100)
    ind = by_name(r.of(Indicator), "维修台数")
    assert (ind.actual.value, ind.target.value, ind.comparator, ind.weight.value, ind.score.value) == (8, 10, ">=", 10, 8)


def test_targets_in_words():
    text = ("一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值\n"
            "产出指标 | 质量指标 | 投诉率 | 3%以内 | 2%\n"
            "产出指标 | 数量指标 | 接待人次 | 不少于1万人次 | 9800人次\n"
            "产出指标 | 时效指标 | 完成时间 | 2023年12月31日前 | 按期完成\n"
            "效益指标 | 社会效益指标 | 评价等级 | 良及以上 | 优\n"
            "成本指标 | 经济成本指标 | 印刷单价 | 12元/件 | 13元/件\n")
    r = parse_text(text)
    assert by_name(r.of(Indicator), "投诉率").comparator == "<="
    visits = by_name(r.of(Indicator), "接待人次")
    assert visits.comparator == ">=" and visits.target.value == 10000 and visits.actual.value == 9800
    assert by_name(r.of(Indicator), "完成时间").target_kind == "date"
    grade = by_name(r.of(Indicator), "评价等级")
    assert grade.target_kind == "grade" and grade.comparator == ">="
    price = by_name(r.of(Indicator), "印刷单价")
    assert price.comparator == "<=" and price.comparator_implied       # a cost: "at most"
