"""Hand-checked values extracted from the five example reports.

Every expected value below was read off the report text by a person, not
copied from the parser's output.
"""
from conftest import by_name

from worker.facts import Amount, Claim, Execution, FundingRow, Indicator, LineItem, PartSet, Project


def _project(r, name, source):
    hits = [p for p in r.of(Project) if p.name == name and p.source == source]
    assert hits, [(p.name, p.source) for p in r.of(Project)]
    return hits[0]


def test_002_project_table_with_adjusted_budget(seeds):
    r = seeds["002"]
    p = _project(r, "玉林市市级政务信息化系统建设和运维项目", "table")
    assert p.initial_budget.value == 2000
    assert p.budget.value == 1954.41
    assert p.executed.value == 710.8078 and p.executed.precision == 4
    assert p.stated_rate.value == 36.37 and p.stated_rate.unit == "%"
    # Every number keeps the text it came from.
    assert r.text[p.executed.start:p.executed.end] == "710.8078"


def test_002_strict_satisfaction_target(seeds):
    ind = by_name([i for i in seeds["002"].of(Indicator) if i.owner.startswith("玉林市市级")], "群众满意度")
    assert ind.comparator == ">" and ind.target.value == 90 and ind.actual.value == 90
    assert ind.weight.value == 10 and ind.score.value == 10
    assert ind.level1 == "满意度指标"


def test_002_department_table_with_ratios_in_percent_column(seeds):
    rows = [f for f in seeds["002"].of(FundingRow) if f.owner_kind == "department"]
    total = next(f for f in rows if f.is_total)
    assert (total.budget.value, total.executed.value, total.stated_rate.value) == (3292.554, 1954.425, 59.36)
    fund = next(f for f in rows if f.label == "政府性基金")
    assert (fund.initial_budget.value, fund.budget.value, fund.executed.value) == (2215, 2211.27, 900.67)
    assert fund.stated_rate.value == 0.407 and fund.rate_header == "预算执行率(%)"


def test_002_text_statements(seeds):
    r = seeds["002"]
    zero = [li for li in r.of(LineItem) if li.name == "事业单位医疗"][0]
    assert zero.level == "项" and zero.initial_budget.value == 0 and zero.final.value == 0.6
    assert zero.stated_rate.value == 100.0 and zero.stated_rate.precision == 1 and zero.rate_base == "initial"
    fund = [c for c in r.of(Claim) if c.type == "completion" and c.base is not None and c.base.value == 2215][0]
    assert fund.numerator.value == 0 and fund.stated.value == 100
    text_project = _project(r, "玉林市市级政务信息化系统建设和运维项目", "text")
    assert text_project.executed.value == 710.81 and text_project.stated_rate.value == 36.37
    # 全年预算数 2000 and 调整后预算数 1954.41 are both given; the rate used the latter.
    assert text_project.budget.value == 1954.41


def test_004_satisfaction_and_share_actuals(seeds):
    r = seeds["004"]
    sat = by_name(r.of(Indicator), "购买服务单位满意度")
    assert sat.comparator == ">=" and sat.target.value == 95 and sat.actual.value == 60
    assert sat.score.value == 3 and sat.weight.value == 5 and sat.note == "月报未按时提交"
    training = by_name(r.of(Indicator), "培训次数不小于100次")
    assert training.target.value == 100 and training.target.unit == "次"
    assert training.actual.value == 76 and training.actual_is_share
    licence = by_name(r.of(Indicator), "电子证照应用事项")
    assert licence.target.value == 8 and licence.actual_is_share and licence.actual.value == 80
    p = _project(r, "一网通办便民服务平台——通州区政务服务一体化平台服务项目", "table")
    assert (p.budget.value, p.executed.value, p.weight.value, p.score.value) == (360.5, 360.45, 10, 10)


def test_003_one_cell_a_line_forms_and_indicators(seeds):
    r = seeds["003"]
    p = _project(r, "雅安市政务云平台服务经费项目", "table")
    assert p.budget.value == 1000 and p.executed.value == 592.62
    migr = [i for i in r.of(Indicator) if i.owner == "雅安市政务云平台服务经费项目" and i.target is not None
            and i.target.value == 139][0]
    assert migr.actual.value == 137 and migr.comparator == ">=" and migr.comparator_implied
    sat = by_name([i for i in r.of(Indicator) if i.owner == "雅安市政务信息资源共享平台项目"], "达到各部门满意度")
    assert sat.level2 == "服务对象满意度指标" and sat.target.value == 80 and sat.actual.value == 90
    loss = by_name(r.of(Indicator), "呼损率")
    assert loss.comparator == "<=" and loss.target.value == 6 and loss.actual.value == 0.295
    cars = [ps for ps in r.of(PartSet) if ps.measure == "count" and ps.total.value == 4 and ps.total.unit == "辆"]
    assert [p.value for _, p in cars[0].parts] == [11, 3, 0]
    low = [li for li in r.of(LineItem) if li.name == "其他政府办公厅(室)及相关机构事务支出"]
    assert low and all(li.stated_rate.value == 17.36 and li.rate_base == "budget" and li.final.value == 69.71
                       for li in low)
    dept = r.of(Execution)
    assert any(e.stated_rate.value == 73.20 and e.executed.value == 2278.17 for e in dept)


def test_003_unit_slip_is_kept_as_printed(seeds):
    ps = [p for p in seeds["003"].of(PartSet) if p.total.value == 2278.17 and len(p.parts) == 2][0]
    (_, basic), (_, project) = ps.parts
    assert basic.value == 528.23 and basic.unit == "万元"
    assert project.unit == "元" and abs(project.value - 0.174994) < 1e-12


def test_001_traditional_characters_and_thousands_separators(seeds):
    r = seeds["001"]
    total = [a for a in r.of(Amount) if a.name == "收支总计"][0]
    assert total.num.value == 45597.62 and total.num.raw == "45,597.62万元"
    growth = [c for c in r.of(Claim) if c.type == "growth" and c.numerator is total.num or
              (c.type == "growth" and c.numerator is not None and c.numerator.value == 45597.62)][0]
    assert growth.delta.value == 16803.49 and growth.stated.value == 58.36
    assert r.meta.issuer == "北京市政务服务管理局" and r.meta.year == 2020
    sangong = [c for c in r.of(Claim) if c.type == "difference" and c.numerator is not None
               and c.numerator.value == 72.10][0]
    assert sangong.base.value == 163.55 and sangong.delta.value == 91.45 and sangong.direction == -1
    car = [p for p in r.of(PartSet) if p.total.value == 16.15][0]
    assert [v.value for _, v in car.parts] == [7.5, 2.41, 2.70, 3.53] and car.exhaustive


def test_000_functional_lines_execution_and_projects(seeds):
    r = seeds["000"]
    assert r.meta.issuer == "北京市丰台区政务服务和数据管理局" and r.meta.region == "北京市丰台区"
    assert r.meta.year == 2024 and r.meta.level == "district"
    gps = [li for li in r.of(LineItem) if li.name == "一般公共服务支出"][0]
    assert (gps.level, gps.initial_budget.value, gps.final.value, gps.stated_rate.value, gps.rate_base) == \
        ("类", 4722.52, 3035.87, 64.28, "initial")
    kids = [li for li in r.of(LineItem) if li.parent == "一般公共服务支出"]
    assert sorted(k.final.value for k in kids) == [1.14, 3034.73]
    stated = [x for x in r.of(Execution) if x.stated_rate.value == 98.48]
    assert len(stated) == 2      # the paragraph is printed twice in the report
    assert all(e.budget.value == 7337.715191 and e.executed.value == 7226.379014 for e in stated)
    name = "2024年丰台区政务服务中心信息化软硬件质保续保服务项目"
    assert _project(r, name, "table").executed.value == 717.38
    assert _project(r, name, "text").executed.value == 714.52
    proc = [p for p in r.of(PartSet) if p.total.value == 4189.28][0]
    assert [v.value for _, v in proc.parts] == [3.7, 0, 4185.58] and proc.exhaustive


def test_every_number_points_at_its_printed_text(seeds):
    for key, r in seeds.items():
        for f in r.facts:
            for field, n in f.numbers():
                assert r.text[n.start:n.end].replace(" ", "") == n.raw.replace(" ", ""), (key, f.kind, field, n)
            q = getattr(f, "quote", None)
            if q is not None and f.kind not in ("funding_row", "indicator", "part_set", "project", "mention"):
                assert r.text[q.start:q.end] == q.text, (key, f.kind)
