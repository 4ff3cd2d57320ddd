"""Issue 14, item 7: every quote of every alert is the report's own text.

The check is the auditor's: open the report as stored (`reports.original_text`,
or `reports.text` when normalizing changed nothing), go to the quote's offsets
and read the quote there, word for word; for a PDF, on the page the alert
names. It runs over the bundled examples (the demo) and over small documents
written here: a traditional-character HTML page with mirror-site pinyin
artefacts (so normalized and original offsets differ), a self-evaluation
table flattened one cell a line, and a two-page PDF rendered with a real CJK
font.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdfdraw import Drawing, have_font

from tests.conftest import EXAMPLES, ROOT, STORES, fresh_db
from tests.dbkit import connect

# Alerts about a computed feature of a whole report: nothing in the text to quote.
UNQUOTED_RULES = {"models.peer.outlier", "models.iforest.risk", "models.benford.first_digit"}


def run_cli(*args: str) -> str:
    """The CLI as a user runs it, in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "worker.cli", "--config", str(ROOT / "config.toml"), *args],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def backfill(db: str, path: Path) -> list[dict]:
    run_cli("--db", str(db), "backfill", str(path))
    return [json.loads(line) for line in run_cli("--db", str(db), "alerts", "export", "--format", "jsonl").splitlines()
            if line.strip()]


def originals(db: str) -> dict[int, str]:
    conn = connect(db)
    try:
        return {rid: (orig if orig is not None else text)
                for rid, text, orig in conn.execute("SELECT id, text, original_text FROM reports")}
    finally:
        conn.close()


def quote_problems(alerts: list[dict], stored: dict[int, str]) -> list[str]:
    """Every quote that is not, word for word, the stored original at its offsets."""
    bad = []
    for a in alerts:
        ev = a["evidence"]
        quotes = ev.get("quotes")
        if not isinstance(quotes, list) or "quote" in ev or "locations" in ev:
            bad.append(f"#{a['id']} {a['rule']}: evidence is not in the contract's shape: {sorted(ev)}")
            continue
        if not quotes and a["rule"] not in UNQUOTED_RULES:
            bad.append(f"#{a['id']} {a['rule']}: no quote")
        for q in quotes:
            original = stored[q.get("report", a["report"]["id"])]
            s, e, text = q.get("start"), q.get("end"), q.get("text")
            if not text or s is None or e is None or original[s:e] != text:
                bad.append(f"#{a['id']} {a['rule']}: {text!r} is not at {s}-{e}: "
                           f"{original[s:e] if s is not None else None!r}")
            elif text != text.strip():
                bad.append(f"#{a['id']} {a['rule']}: quote starts or ends with white space: {text!r}")
            if "normalized" in q and q["normalized"] == text:
                bad.append(f"#{a['id']} {a['rule']}: `normalized` given though equal to the text")
    return bad


# -- the demo ---------------------------------------------------------------------------

@pytest.fixture(scope="module", params=STORES)
def demo(request, tmp_path_factory):
    db, drop = fresh_db(request, tmp_path_factory, request.param, "demo")
    alerts = backfill(db, EXAMPLES)
    yield db, alerts
    drop()


def test_every_demo_quote_is_word_for_word_in_the_report(demo):
    db, alerts = demo
    assert len(alerts) >= 20
    assert quote_problems(alerts, originals(db)) == []


def test_a_table_row_flattened_one_cell_a_line_is_quoted_as_printed(demo):
    db, alerts = demo
    a = next(a for a in alerts if a["rule"] == "conflict.project_money")
    texts = [q["text"] for q in a["evidence"]["quotes"]]
    # The source prints this row one cell a line, each cell closed by " |".
    assert "年度资金总额 |\n717.38 |\n717.38 |\n717.38 |\n10 |\n100% |\n10" in texts
    assert not any(" | " in t for t in texts)


def test_a_traditional_report_is_quoted_in_traditional_characters(demo):
    db, alerts = demo
    a = next(a for a in alerts if a["rule"] == "ratio.zero_base" and a["source"].endswith("001_ad24cd6417ee7602.txt"))
    q = a["evidence"]["quotes"][0]
    assert q["text"] == "5、“城鄉社區支出”(類)2020年度決算856.68萬元,比2020年年初預算增加856.68萬元,增長100%。"
    assert q["normalized"] == "5、“城乡社区支出”(类)2020年度决算856.68万元,比2020年年初预算增加856.68万元,增长100%。"


def test_a_model_alert_quotes_where_its_figure_stands(demo):
    """The within-report satisfaction outlier used to carry offsets 0-0."""
    db, alerts = demo
    a = next(a for a in alerts if a["rule"] == "models.within.satisfaction")
    (q,) = a["evidence"]["quotes"]
    assert q["start"] > 0 and q["text"] == "满意度80%"
    original = originals(db)[a["report"]["id"]]
    # The figure's own place: inside the 招商活动相关工作经费 project the alert names.
    assert "招商活动相关工作经费" in original[max(0, q["start"] - 3000):q["start"]]


def test_target_hugging_names_and_quotes_each_indicator_on_its_target(demo):
    db, alerts = demo
    a = next(a for a in alerts if a["rule"] == "models.hugging.share")
    ev = a["evidence"]
    landed = ev["landed"]
    assert len(landed) == ev["hits"] == 8
    assert len(ev["quotes"]) == 8
    for item, q in zip(landed, ev["quotes"]):
        assert item["actual"] == item["target"]
        assert item["indicator"] in q["text"] and item["target_text"] in q["text"]
    # Read by hand in 002: the four kinds of target the report's rows land on.
    pairs = {(i["target_text"], i["actual_text"]) for i in landed}
    assert {(">90百分比", "90"), ("≥95百分比", "95"), ("≤12元/件", "12"), ("≤150元/套", "150")} <= pairs


# -- documents of our own -------------------------------------------------------------

TRADITIONAL_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某縣農業農村局2020年度部門決算</title></head>
<body>
<h1>某縣農業農村局2020年度部門決算</h1>
<h2>第一部分 部門概況</h2>
<p>本部門主要職責是統籌研究和組織實施農業農村發展戰略。</p>
<h2>第三部分 2020年度部門決算情況說明</h2>
<p>一、收入支出決算總體情況說明。2020年度收入總計1,200.00萬元,支出總計1,200.00萬元。</p>
<p>二、一般公共預(yù)算財政撥款支出決算情況說明。</p>
<p>1、“城鄉社區支出”(類)2020年度決算856.68萬元,比2020年年初預(yù)算增加856.68萬元,增長100%。</p>
<p>2、“農林水支出”(類)2020年度年初預(yù)算300.00萬元,支出決算為240.00萬元,完成年初預(yù)算的90%。</p>
</body></html>
"""

FLAT_TABLE = """某县交通运输局2023年度部门决算
第三部分 2023年度部门决算情况说明
本年支出合计520.00万元,其中:基本支出320.00万元,项目支出200.00万元。
项目支出绩效自评表
(2023年度)
项目名称
某县乡村道路养护项目
预算单位
某县交通运输局
预算执行情况(万元)
预算数:
200万元
执行数:
190万元
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
96公里
质量指标
道路验收合格率
95%
96%
满意度指标
服务对象满意度指标
沿线群众满意度
≥90%
70%
"""


def two_page_pdf() -> bytes:
    d = Drawing().page()
    d.line("某县水利局2023年度部门决算", 16, align="center")
    d.line("第一部分 部门概况")
    d.paragraph("本部门主要职责是负责全县水资源的合理开发利用和保护,组织实施水利工程建设与管理。")
    d.page()
    d.line("第三部分 2023年度部门决算情况说明")
    d.paragraph("一、收入支出决算总体情况说明。2023年度收入总计800.00万元,支出总计800.00万元。")
    d.paragraph("二、一般公共预算财政拨款支出决算情况说明。农林水支出(类)2023年度年初预算400.00万元,"
                "支出决算为300.00万元,完成年初预算的90%。")
    return d.pdf()


@pytest.fixture(scope="module", params=STORES)
def own(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("own")
    (folder / "trad.html").write_text(TRADITIONAL_HTML, encoding="utf-8")
    (folder / "flat.txt").write_text(FLAT_TABLE, encoding="utf-8")
    if have_font():
        (folder / "water.pdf").write_bytes(two_page_pdf())
    db, drop = fresh_db(request, tmp_path_factory, request.param, "own")
    yield folder, db, backfill(db, folder)
    drop()


def by_file(alerts, name):
    return [a for a in alerts if Path(a["source"]).name == name]


def test_every_quote_of_our_documents_is_word_for_word(own):
    _, db, alerts = own
    assert quote_problems(alerts, originals(db)) == []


def test_traditional_html_is_quoted_as_printed_through_the_pinyin_artefacts(own):
    _, db, alerts = own
    found = {a["rule"]: a for a in by_file(alerts, "trad.html")}
    zero = found["ratio.zero_base"]["evidence"]["quotes"][0]
    # The stored original keeps 預(yù)算; the normalized text dropped "(yù)", so the
    # offsets of the two texts differ from there on.
    assert zero["text"] == "1、“城鄉社區支出”(類)2020年度決算856.68萬元,比2020年年初預(yù)算增加856.68萬元,增長100%。"
    assert zero["normalized"] == "1、“城乡社区支出”(类)2020年度决算856.68万元,比2020年年初预算增加856.68万元,增长100%。"
    (rate,) = [a for a in by_file(alerts, "trad.html") if a["kind"] == "stated_value_mismatch"]
    rate = rate["evidence"]["quotes"][0]
    assert rate["text"].startswith("2、“農林水支出”(類)") and rate["text"].endswith("完成年初預(yù)算的90%。")
    assert rate["start"] > zero["end"]


def test_a_flattened_row_is_quoted_from_its_first_cell_to_its_last(own):
    _, db, alerts = own
    found = {a["rule"]: a for a in by_file(alerts, "flat.txt")}
    assert [q["text"] for q in found["indicator.target"]["evidence"]["quotes"]] == ["养护道路里程\n120公里\n96公里"]
    assert [q["text"] for q in found["indicator.satisfaction"]["evidence"]["quotes"]] == ["沿线群众满意度\n≥90%\n70%"]


@pytest.mark.skipif(not have_font(), reason="no CJK TrueType font")
def test_a_pdf_quote_names_the_page_it_stands_on(own):
    from worker.extract import extract

    folder, db, alerts = own
    (a,) = [a for a in by_file(alerts, "water.pdf") if a["kind"] == "stated_value_mismatch"]
    (q,) = a["evidence"]["quotes"]
    assert q["page"] == 2 and "page_end" not in q
    assert q["text"].replace("\n", "").startswith("农林水支出(类)2023年度年初预算400.00万元")
    # The page is checked against the PDF itself: the quote lies between the
    # offsets where page 2 starts and the text ends.
    ex = extract((folder / "water.pdf").read_bytes(), "water.pdf")
    assert ex.pages[1] <= q["start"] < q["end"] <= len(ex.text)
    assert ex.text[q["start"]:q["end"]] == q["text"]


def test_last_years_figure_is_quoted_from_last_years_report(tmp_path, db_url):
    """A cross-year alert quotes two reports: each quote where it stands, in its own report."""
    folder = tmp_path / "years"
    folder.mkdir()
    (folder / "y2023.txt").write_text("某县文化局2023年度部門決算\n第三部分 2023年度部門決算情況說明\n"
                                      "一、收入支出決算總體情況說明\n"
                                      "2023年度本年支出合計100.00萬元,比上年增加10.00萬元,增長11.11%。\n", encoding="utf-8")
    (folder / "y2024.txt").write_text("某县文化局2024年度部门决算\n第三部分 2024年度部门决算情况说明\n"
                                      "一、收入支出决算总体情况说明\n"
                                      "2024年度本年支出合计120.00万元,比上年增加30.00万元,增长33.33%。\n", encoding="utf-8")
    db = db_url
    alerts = backfill(db, folder)
    assert quote_problems(alerts, originals(db)) == []
    (a,) = [a for a in alerts if a["rule"] == "models.cross_year.previous"]
    this, last = a["evidence"]["quotes"]
    assert "report" not in this and this["text"].startswith("2024年度本年支出合计120.00万元,比上年增加30.00万元")
    assert last["report"] == a["evidence"]["previous_report"] != a["report"]["id"]
    assert last["text"] == "2023年度本年支出合計100.00萬元"


# -- the pieces ---------------------------------------------------------------------------

def test_cells_far_apart_are_quoted_one_by_one():
    from worker.quotes import spans

    text = "年度 | 支出 | 人数\n2015年 | 2840 | 73\n2016年 | 2364 | 37\n增减% | -16.77 | -47.95\n"
    shown = "增减% | 2015年 | 73 | 2016年 | 37 | -47.95"      # a row built from three rows' cells
    start, end = text.index("2015年"), text.index("-47.95") + len("-47.95")
    got = [text[s:e] for s, e in spans(shown, start, end, text)]
    assert got == ["2015年", "73", "2016年", "37", "增减%", "-47.95"]


def test_cells_side_by_side_are_one_quote():
    from worker.quotes import spans

    text = "标题\n年度资金总额: 0 0 0 10 0 0\n其中:本年财政拨款 90 89.974 89.974\n"
    start = text.index("年度资金总额")
    end = text.index("\n其中") + 1
    assert [text[s:e] for s, e in spans("年度资金总额: | 0 | 0 | 0 | 10 | 0 | 0", start, end, text)] == \
        ["年度资金总额: 0 0 0 10 0 0"]


def test_a_quote_without_offsets_is_looked_up():
    from worker.quotes import spans

    text = "一、概况。\n招商活动满意度80%。"
    assert spans("满意度80%", 0, 0, text) == [(text.index("满意度80%"), text.index("满意度80%") + 6)]
    assert spans("不在文中", 0, 0, text) == []


def test_quotes_of_alerts_stored_before_the_contract_are_still_read():
    from worker.quotes import of, texts

    assert texts({"quote": "一句话", "locations": [{"start": 3, "end": 6}]}) == ["一句话"]
    assert of({"quote": ["甲", "乙"], "locations": [{"start": 0, "end": 1}, {"start": 5, "end": 6}]}) == \
        [{"text": "甲", "start": 0, "end": 1}, {"text": "乙", "start": 5, "end": 6}]
    assert texts({"quotes": [{"text": "丙", "start": 1, "end": 2}]}) == ["丙"]
