"""Issue 14, item 8: alerts that say what the report says.

A zero-base growth names the base the sentence names (and is as severe as
`rules list` says); a department's alert names the department, not a metric;
no message doubles its punctuation (fixed where the sentence is built, and
guarded where alerts are written and formatted); one printed figure
questioned by two detectors is one alert carrying both readings.
"""
from __future__ import annotations

import re

from tests.conftest import ROOT, findings

HEAD = "某县农业农村局2020年度部门决算\n第三部分 2020年度部门决算情况说明\n"


# -- zero bases -------------------------------------------------------------------------

def test_a_growth_over_a_zero_initial_budget_names_that_budget_and_is_medium():
    text = HEAD + "5、“城乡社区支出”(类)2020年度决算856.68万元,比2020年年初预算增加856.68万元,增长100%。\n"
    (f,) = findings(text, "ratio")
    assert f.title.startswith("2020年年初预算为0却称增长100%")
    assert "上年" not in f.title + f.message
    assert "比2020年年初预算增加856.68万元" in f.message
    assert f.evidence["base_name"] == "2020年年初预算"
    # `rules list`: "medium when money was spent, low for zero over zero" — 856.68万元 was spent.
    assert f.severity == "medium"


def test_a_growth_over_last_year_says_last_year():
    text = HEAD + "“节能环保支出”(类)2020年度决算50.00万元,比上年增加50.00万元,增长100%。\n"
    (f,) = findings(text, "ratio")
    assert f.title.startswith("上年为0却称增长100%") and f.severity == "medium"


# -- severities as documented --------------------------------------------------------------

def documented_severities() -> dict[str, str]:
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    section = doc.split("\n## Severity\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_.]+)` \| (.+?) \|$", section, flags=re.M)
    return {rid: phrase.replace("&#124;", "|") for rid, phrase in rows}


def test_docs_rules_list_and_registry_state_the_same_severities():
    from models.registry import load_all as load_models
    from rules.registry import load_all as load_rules

    registry = {rid: d.severity for rid, d in {**load_rules(), **load_models()}.items()}
    assert all(registry.values()), [rid for rid, s in registry.items() if not s]
    assert documented_severities() == registry


def test_rules_list_prints_the_documented_severity():
    from click.testing import CliRunner

    from worker.cli import main

    res = CliRunner().invoke(main, ["--config", str(ROOT / "config.toml"), "rules", "list"], terminal_width=400)
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if "ratio.zero_base" in ln)
    assert "medium when money was spent" in line


# -- the department is the subject ---------------------------------------------------------

def test_a_department_rate_names_the_department_not_the_metric():
    text = ("雅安市某某局2020年度部门决算\n第三部分 情况说明\n"
            "2020年一般公共预算支出决算数为2278.17,完成预算73.20%。其中:基本支出528.23万元。\n")
    (f,) = findings(text, "execution_rate.department")
    assert f.title == "部门预算执行率仅73.2%:雅安市某某局"
    assert f.message.startswith("部门“雅安市某某局”一般公共预算支出决算数2278.17万元")
    assert f.evidence["subject"] == "雅安市某某局" and f.evidence["measure"] == "一般公共预算支出决算数"


def test_a_department_rate_without_an_issuer_names_no_one():
    text = "第三部分 情况说明\n2020年一般公共预算支出决算数为2278.17,完成预算73.20%。其中:基本支出528.23万元。\n"
    (f,) = findings(text, "execution_rate.department")
    assert f.title == "部门预算执行率仅73.2%"
    assert "一般公共预算支出决算数”" not in f.message and "subject" not in f.evidence


# -- punctuation ----------------------------------------------------------------------------

FLAT = """某县交通运输局2023年度部门决算
项目支出绩效自评表
项目名称
某县乡村道路养护项目
绩效指标完成情况
一级指标
二级指标
三级指标
预期指标值(包含数字及文字描述)
实际完成指标值(包含数字及文字描述)
产出指标
数量指标
养护道路里程
120公里
96公里,另24公里因汛期顺延至次年。
"""


def test_an_actual_value_ending_in_a_full_stop_makes_no_double_stop():
    (f,) = findings(FLAT, "indicator.target")
    assert "顺延至次年。年度绩效目标未完成" in f.message
    assert "。。" not in f.message


def test_a_quoted_sentence_keeps_no_stop_of_its_own_and_the_severity_its_rule_states():
    text = HEAD + "(三)“三公”经费支出情况\n3.公务接待费:年初预算3.00万元,支出3.42万元,完成预算的114.00%。\n"
    (f,) = findings(text, "budget")
    assert "完成预算的114.00%”。“三公”经费" in f.message
    # `rules list`: "high when over by ≥ 10%, else medium" — 114% of the budget is over by 14%.
    assert f.severity == "high"


def test_tidy_keeps_one_mark_the_strongest():
    from alerts.format import tidy

    assert tidy("未实施迁移。。年度目标") == "未实施迁移。年度目标"
    assert tidy("合计14辆,。分项") == "合计14辆。分项"
    assert tidy("甲;。乙、、丙") == "甲。乙、丙"
    assert tidy("报告称“完成年初预算的100%。”。已按") == "报告称“完成年初预算的100%”。已按"
    # Figures and single marks are left alone.
    assert tidy("1,036人次,增长18.59%。") == "1,036人次,增长18.59%。"


def test_stored_and_formatted_alerts_never_double_their_punctuation(app):
    """The guard where alerts are written (engine) and shown (format)."""
    from alerts.engine import store_findings
    from alerts.format import one
    from rules.base import Finding

    with app.store.tx() as conn:
        rid = app.store.upsert_report_row(conn, "k", "src.txt", status="parsed", text="一句话。", issuer="某局")
        row = conn.execute("SELECT * FROM reports WHERE id = ?", (rid,)).fetchone()
        store_findings(app, conn, row, [Finding("impossible_value", "impossible.date", "medium", "标题。。",
                                                "说明,。", {}, ("x",), [("一句话。", 0, 4)])], [], None)
    stored = app.store.conn.execute("SELECT title, message FROM alerts").fetchone()
    assert (stored["title"], stored["message"]) == ("标题。", "说明。")
    old = {"id": 1, "fingerprint": "f" * 32, "kind": "impossible_value", "rule": "impossible.date",
           "severity": "medium", "source": "src.txt", "report": {"id": 1, "issuer": "某局", "year": 2020, "title": ""},
           "title": "标题。。", "message": "说明。。", "evidence": {"quote": "一句话。"}}
    text = one(old)
    assert "。。" not in text and "原文:“一句话。”" in text


# -- one printed figure, one alert -------------------------------------------------------

def test_one_stated_rate_questioned_by_two_detectors_is_one_alert(seeds):
    from alerts.engine import evaluate

    found = [f for f in evaluate(seeds["002"], {}, strict=True) if f.kind == "stated_value_mismatch"
             and any("年初预算为2215万元" in q[0] for q in f.quotes)]
    assert len(found) == 1
    (f,) = found
    # The ledger's check speaks (it tried every reading, the tables included); the
    # sentence's own check (stated.completion) found the same figures, so nothing is lost.
    assert f.rule == "statements.completion"
    assert f.evidence["computed"] == 0.0 and f.evidence["budget"] == 2215.0 and f.evidence["readings"]
    assert all(o.get("budget", 2215.0) == 2215.0 for o in f.evidence.get("also", []))
