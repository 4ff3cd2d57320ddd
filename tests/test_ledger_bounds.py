"""Reports far bigger than any real one (thousands of tables, a table of
thousands of codes where every total is wrong, a megabyte of digits run
together) are read and checked in bounded time, with a bounded number of
alerts. The time bounds are generous: they prove termination, not speed
(bench/ measures speed)."""
from __future__ import annotations

import html
import time

from alerts.engine import evaluate
from worker.extract import Limits
from worker.ingest import Doc, prepare

BOUND_S = 240.0


def _table(rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table border=1>{body}</table>"


def _page(parts: list[str]) -> bytes:
    head = ["某某区某某局", "2024年度部门决算", "第二部分 某某区某某局2024年度部门决算表"]
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in head)
    return (f"<html><head><meta charset='utf-8'><title>某某区某某局2024年度部门决算</title></head><body>"
            f"{paras}{''.join(parts)}</body></html>").encode()


def _run(data: bytes, name: str):
    t = time.monotonic()
    prep = prepare([Doc(url=name, data=data)], Limits())
    assert prep.status == "parsed", prep.reason
    findings = evaluate(prep.parsed, None, None, strict=True)
    return prep.parsed, findings, time.monotonic() - t


# 收入支出决算总表 whose 本年支出合计 (1,000.00) is not 800 + 150 + 80 = 1,030.
T1 = [["项目", "决算数", "项目", "决算数"],
      ["一、一般公共预算财政拨款收入", "1,000.00", "一、一般公共服务支出", "800.00"],
      ["五、事业收入", "50.00", "二、社会保障和就业支出", "150.00"],
      ["八、其他收入", "10.00", "三、住房保障支出", "80.00"],
      ["本年收入合计", "1,060.00", "本年支出合计", "1,000.00"],
      ["年初结转和结余", "40.00", "年末结转和结余", "70.00"],
      ["总计", "1,100.00", "总计", "1,070.00"]]


def test_a_thousand_copies_of_a_table_are_read_and_checked_in_bounded_time():
    one = "<p>收入支出决算总表</p><p>单位:万元</p>" + _table(T1)
    report, findings, took = _run(_page([one] * 1000), "many.html")
    assert took < BOUND_S
    reading = report.reading
    assert reading is not None and len(reading.tables) == 1000
    sums = [f for f in findings if f.rule == "ledger.sum"]
    # The same wrong total, printed a thousand times, is one problem to an auditor
    # at most a page of alerts, never a thousand.
    assert 1 <= len(sums) <= 40
    assert any("1,030" in f.message or "1030" in f.message for f in sums)


def test_a_table_of_thousands_of_codes_all_wrong_gives_a_bounded_number_of_alerts():
    rows = [["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"],
            ["合计", "", "1.00", "2.00", "4.00"]]
    for lei in range(201, 241):
        rows.append([str(lei), f"类{lei}支出", "100.00", "60.00", "41.00"])
        for kuan in range(1, 11):
            rows.append([f"{lei}{kuan:02d}", f"款{lei}{kuan:02d}", "10.00", "6.00", "3.00"])
            for xiang in range(1, 6):
                rows.append([f"{lei}{kuan:02d}{xiang:02d}", f"项{lei}{kuan:02d}{xiang:02d}", "1.00", "0.70", "0.20"])
    report, findings, took = _run(_page(["<p>支出决算表</p><p>单位:万元</p>" + _table(rows)]), "big.html")
    assert took < BOUND_S
    facts = [f for f in report.reading.facts if f.where == "table"]
    assert len(facts) > 2400 * 3 - 10          # 2,441 rows of three figures, all read
    sums = [f for f in findings if f.rule == "ledger.sum"]
    assert 10 <= len(sums) <= 40


def test_a_megabyte_of_digits_run_together_is_no_table_and_ends():
    text = ("收入支出决算总表\n单位:万元\n项目 决算数\n合计" + "1234567890" * 100_000 + "\n").encode()
    report, findings, took = _run(text, "digits.txt")
    assert took < BOUND_S
    # The table is found by its title; its one "row" is no row, so no figure is made up.
    assert [t.type for t in report.reading.tables] == ["income_expense_total"]
    assert not [f for f in report.reading.facts if f.where == "table"]


def test_thousands_of_sentences_on_one_subject_are_left_unjudged_in_bounded_time():
    from rules.statements import results

    head = "某某区某某局\n2024年度部门决算\n第三部分 某某区某某局2024年度部门决算情况说明\n三、支出决算情况说明\n"
    sents = [f"本年支出合计{1000 + i}.00万元,其中:基本支出{i}.00万元,占{i % 100}.00%;"
             f"项目支出{i + 1}.00万元,比上年增加{i}.00万元,增长{i % 50}.00%。" for i in range(3000)]
    report, findings, took = _run((head + "\n".join(sents) + "\n").encode(), "narrative.txt")
    assert took < BOUND_S
    verdicts = results(report)
    assert len(verdicts) > 3000
    # 本年支出合计 is printed with 3,000 values: no share of it can be held to one.
    shares = [v for v in verdicts.values() if v[2].type == "share"]
    assert shares and all(v[0] is None for v in shares)
