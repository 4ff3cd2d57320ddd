"""The report generator (bench/reportgen) as an independent source of truth:
its accounts satisfy every relation, the rendered PDF/XLSX/HTML tables add up
when read back with pdfplumber / openpyxl, each injected error breaks exactly
what its label says, and a seed gives the same corpus. Nothing here imports
the product (worker/, rules/, models/, alerts/)."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reportgen import build_report, generate, render, report_model  # noqa: E402
from bench.reportgen.blocks import pct_value, render as render_tokens  # noqa: E402
from bench.reportgen.document import TABLE_KEYS  # noqa: E402
from bench.reportgen.grid import cell_text, check_relations, scale  # noqa: E402
from bench.reportgen.model import FUNDS  # noqa: E402

FONT = Path(os.environ.get("CJK_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
NUM = re.compile(r"^-?[\d,]+(?:\.\d+)?$")


def value(s) -> float:
    """A printed amount cell → float (blank, '-' → 0)."""
    if s is None:
        return 0.0
    if isinstance(s, (int, float)):
        return float(s)
    s = s.strip().replace(",", "")
    return 0.0 if s in ("", "-") else float(s)


def close(a: float, b: float, unit: str = "万元") -> bool:
    return abs(a - b) < (0.5 if unit == "元" else 0.005)


# -- the model -------------------------------------------------------------------

@pytest.mark.parametrize("index", range(12))
def test_model_relations(index):
    acc = report_model(seed=11, index=index)
    assert acc.check() == []
    assert acc.grand_total == acc.exp_total + acc.nf_dist + acc.carry_end
    assert acc.fiscal_total == acc.sum("fiscal") + sum(acc.end(f) for f in FUNDS)
    assert acc.personnel + acc.public == acc.sum("gpb_basic")
    for it in acc.items:
        assert it.exp == it.basic + it.project + it.upper + it.operating + it.subsidy
        assert it.inc >= 0 and all(getattr(it, f"{f}_end") >= 0 for f in FUNDS)
    assert acc.sangong_total <= sum(acc.sangong_budget.values())
    assert len(acc.items[0].code) == 7 and len(acc.items[0].kuan) == 5


def test_prior_year_chains_across_a_department_series():
    from bench.reportgen.corpus import accounts_for, plan

    specs = plan(20, 0, 0, seed=4)
    series = [s for s in specs if s.year > s.first_year]
    assert series, "some departments publish several years"
    s = series[0]
    cur, prev = accounts_for(s.profile, s.first_year, s.year), accounts_for(s.profile, s.first_year, s.year - 1)
    assert cur.prev["total"] == prev.grand_total and cur.prev["gpb_exp"] == prev.sum("gpb")
    assert cur.sangong_prev == prev.sangong


# -- clean reports: tables and narrative ----------------------------------------------

def clean(index: int, fmt: str = "pdf"):
    return build_report(seed=21, index=index, fmt=fmt, clean_rate=1.0)


@pytest.mark.parametrize("index", range(8))
def test_clean_tables_and_cross_table_equalities(index):
    rep = clean(index)
    assert rep.labels == []
    t = rep.tables
    for k in TABLE_KEYS:
        assert check_relations(t[k]) == [], k
    cells = {}
    for k in TABLE_KEYS:
        for _, _, a in t[k].amounts():
            cells.setdefault(a.key, set()).add(a.v)
    # every fact printed in two places has one value
    assert all(len(v) == 1 for v in cells.values())
    acc = rep.acc
    assert cells["exp@"] == {acc.exp_total} and cells["gpb@"] == {acc.sum("gpb")}
    assert cells["personnel@"] == {acc.personnel}
    # narrative figures equal the table figures with the same key, percentages follow from their figures
    for s in rep.writer.slots:
        if s.kind == "money" and s.key in cells:
            assert s.value in cells[s.key]
        if s.kind == "pct":
            assert s.value == float(pct_value(s.ctx["num"], s.ctx["den"]))
        assert s.true_text is None


def test_wording_of_clean_narrative():
    for i in range(6):
        rep = clean(i)
        for s in rep.writer.slots:
            if s.role in ("dir_amount", "dir_pct"):
                assert s.text in (("增加", "增长") if s.ctx["up"] else ("减少", "下降"))
            if s.role == "cmp":
                assert s.text == ("大于" if s.ctx["actual"] > s.ctx["budget"] else "小于")
        text = "".join(b.text for b in rep.blocks if b.kind in ("heading", "para"))
        assert "XX" not in text and str(rep.year) in text


# -- rendered outputs read back --------------------------------------------------------

def _pdf_table(pdf, is_title, note: str) -> list[list]:
    """Rows of the table whose title line satisfies is_title, across pages, up to its note."""
    rows, on = [], False
    for page in pdf.pages:
        text = page.extract_text() or ""
        lines = [ln.replace(" ", "") for ln in text.splitlines()]
        if not on and "单位：" in text and any(is_title(ln) for ln in lines):
            on = True
        if on:
            for tb in page.find_tables():
                rows += tb.extract()
            if note in text:
                return rows
    return rows


@pytest.mark.skipif(not FONT.exists(), reason="CJK font not installed")
def test_pdf_tables_add_up_when_read_back(tmp_path):
    import pdfplumber

    rep = clean(3, "pdf")
    rep.variant["split"] = [{"table": "t3", "frac": 0.6, "repeat": False}]
    line = render(rep, tmp_path)
    unit = rep.tables["t3"].unit
    with pdfplumber.open(tmp_path / line["file"]) as pdf:
        assert "年度部门决算" in pdf.pages[0].extract_text().replace(" ", "")
        rows = _pdf_table(pdf, lambda ln: ln.endswith("支出决算表") and "预算" not in ln, "本表反映部门本年度各项支出情况")
        body = [r for r in rows if r[0] and (r[0].replace(" ", "") == "合计" or r[0].isdigit())]
        total = next(r for r in body if r[0].replace(" ", "") == "合计")
        leis = [r for r in body if r[0].isdigit() and len(r[0]) == 3]
        xiang = [r for r in body if r[0].isdigit() and len(r[0]) == 7]
        assert leis and xiang
        for c in range(2, 8):       # 合计 = Σ 类, column by column
            assert close(value(total[c]), sum(value(r[c]) for r in leis), unit)
            assert close(value(total[c]), sum(value(r[c]) for r in xiang), unit)
        for r in body:              # 本年支出合计 = 基本 + 项目 + 上缴 + 经营 + 对附属
            assert close(value(r[2]), sum(value(r[c]) for c in range(3, 8)), unit)
        t1 = _pdf_table(pdf, lambda ln: ln.endswith("决算总表") and "财政拨款" not in ln, "本表反映部门本年度的总收支")
        get = {r[0].replace(" ", ""): r for r in t1 if r and r[0]}
        u1 = rep.tables["t1"].unit
        assert close(value(get["总计"][1]), value(get["本年收入合计"][1]) + value(get["使用非财政拨款结余"][1])
                     + value(get["年初结转和结余"][1]), u1)
        # right-hand side of the same rows: 本年支出合计, 结余分配, 年末结转和结余
        assert close(value(get["总计"][3]), value(get["本年收入合计"][3]) + value(get["使用非财政拨款结余"][3])
                     + value(get["年初结转和结余"][3]), u1)
        wan = lambda v, u: v / 10000 if u == "元" else v  # noqa: E731
        assert abs(wan(value(get["本年收入合计"][3]), u1) - wan(value(total[2]), unit)) < 0.006
        t6 = _pdf_table(pdf, lambda ln: "基本支出决算" in ln, "基本支出明细情况")
        last = next(r for r in t6 if r[0] and "人员经费合计" in r[0].replace(" ", ""))
        u6 = rep.tables["t6"].unit
        expect = rep.acc.sum("gpb_basic")
        assert close(value(last[2]) + value(last[5]), scale(expect, u6), u6)
        text = "".join((p.extract_text() or "") for p in pdf.pages).replace("\n", "").replace(" ", "")
    m = re.search(r"本年支出合计([\d,.]+)万元", text)
    assert m and abs(value(m.group(1)) - rep.acc.exp_total / 100) < 0.006


def test_xlsx_tables_add_up_when_read_back(tmp_path):
    import openpyxl

    rep = clean(5, "xlsx")
    line = render(rep, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / line["file"])
    name = next(n for n in wb.sheetnames if n.startswith("5"))
    ws = wb[name]
    assert any(str(r.coord).startswith("A") for r in ws.merged_cells.ranges)      # merged title row
    rows = [r for r in ws.iter_rows(values_only=True)]
    assert any(isinstance(r[-1], str) and r[-1].startswith("单位：") for r in rows)
    body = [r for r in rows if r[0] is not None and (str(r[0]).replace(" ", "") == "合计" or str(r[0]).isdigit())]
    total = next(r for r in body if str(r[0]).replace(" ", "") == "合计")
    leis = [r for r in body if str(r[0]).isdigit() and len(str(r[0])) == 3]
    unit = rep.tables["t5"].unit
    for c in (2, 3, 4):
        assert close(value(total[c]), sum(value(r[c]) for r in leis), unit)
    for r in body:
        assert close(value(r[2]), value(r[3]) + value(r[4]), unit)
    if rep.variant["xlsx_narrative"]:
        assert "情况说明" in wb.sheetnames
        assert any("收入支出总计" in (r[0] or "") for r in wb["情况说明"].iter_rows(values_only=True))


def test_html_encoding_and_tables(tmp_path):
    for i in range(4):
        rep = clean(i, "html")
        line = render(rep, tmp_path)
        raw = (tmp_path / line["file"]).read_bytes()
        enc = rep.variant["encoding"]
        assert f"charset={enc}".encode() in raw[:300]
        html = raw.decode(enc)
        assert html.count("<table") == 10          # 单位构成 + the nine tables
        assert 'rowspan="2"' in html and "colspan" in html


# -- injected errors ------------------------------------------------------------------

def _reports_with_errors(n=60):
    for i in range(n):
        rep = build_report(seed=33, index=i, fmt=["pdf", "xlsx", "html"][i % 3], clean_rate=0.0)
        yield rep


def _parse_money(s: str) -> float:
    return float(s.replace(",", ""))


def test_each_label_breaks_exactly_what_it_says():
    seen = set()
    for rep in _reports_with_errors():
        assert 1 <= len(rep.labels) <= 3
        cells = {a.id: (t, a) for t in rep.tables.values() for _, _, a in t.amounts()}
        broken_tables = {k for k in TABLE_KEYS if check_relations(rep.tables[k])}
        cell_labels = [lab for lab in rep.labels if lab["_anchor"][0] == "cell"]
        assert broken_tables == {cells[lab["_anchor"][1]][0].key for lab in cell_labels}
        for lab in rep.labels:
            seen.add(lab["kind"])
            assert lab["detail"] and all(isinstance(x, str) for x in lab["text"])
            block_text = "".join(b.text + "".join(render_tokens(x) for x in b.lines) for b in rep.blocks)
            if lab["kind"] == "total_mismatch":
                t, a = cells[lab["_anchor"][1]]
                assert check_relations(t, use_true=True) == []
                assert all(r.parent is a or a in r.children for r in check_relations(t))
                wrong, right = lab["numbers"]
                assert wrong == round(scale(a.v, t.unit), 2) and right == round(scale(a.true, t.unit), 2)
                assert abs(a.v - a.true) >= max(100, 0.01 * abs(a.true))
                assert lab["text"] == [cell_text(a, t)]
            elif lab["kind"] in ("text_table_conflict", "stated_value_mismatch"):
                slots = [s for s in rep.writer.slots if s.true_text is not None and s.text != s.true_text]
                wrong, right = lab["numbers"]
                hit = [s for s in slots if s.kind in ("money", "pct") and NUM.match(s.text)
                       and abs(_parse_money(s.text) - wrong) < 1e-6]
                assert hit, lab
                s = hit[0]
                if lab["kind"] == "text_table_conflict":
                    assert abs(s.value / 100 - right) < 1e-6 and abs(wrong - right) >= max(1.0, 0.01 * right) - 1e-9
                    assert any(a.key == s.key and a.v == s.value for t in rep.present_tables() for _, _, a in t.amounts())
                else:
                    assert float(pct_value(s.ctx["num"], s.ctx["den"])) == right and abs(wrong - right) >= 1.0
                assert any(x in block_text for x in lab["text"])
            elif lab["kind"] == "wording_mismatch":
                assert any(x in block_text or any(x == (t.pre_title or "") for t in rep.tables.values())
                           for x in lab["text"])
            elif lab["kind"] == "disclosure_incomplete":
                key = next(k for k in TABLE_KEYS if rep.tables[k].title == lab["table"])
                t, tb = rep.tables[key], rep.table_block(key)
                has_figures = any(a.v for _, _, a in t.amounts())
                assert tb.dropped or (has_figures == bool(t.empty_note))
    assert seen == {"total_mismatch", "text_table_conflict", "stated_value_mismatch", "disclosure_incomplete",
                    "wording_mismatch"}


def test_wording_errors_contradict_the_figures():
    for rep in _reports_with_errors():
        for s in rep.writer.slots:
            if s.true_text is None or s.kind != "word":
                continue
            if s.role == "dir_amount":
                assert s.text == ("减少" if s.ctx["up"] else "增加")
            if s.role == "cmp":
                assert s.text == ("小于" if s.ctx["up"] else "大于")


# -- the corpus --------------------------------------------------------------------------

@pytest.mark.skipif(not FONT.exists(), reason="CJK font not installed")
def test_generate_is_deterministic_and_labels_files(tmp_path):
    a = generate(tmp_path / "a", pdf=1, xlsx=1, html=1, seed=7)
    b = generate(tmp_path / "b", pdf=1, xlsx=1, html=1, seed=7)
    assert a == b
    for line in a:
        assert (tmp_path / "a" / line["file"]).read_bytes() == (tmp_path / "b" / line["file"]).read_bytes()
        assert set(line) == {"file", "format", "year", "issuer", "clean", "variant", "errors"}
        assert line["clean"] == (not line["errors"]) and 2019 <= line["year"] <= 2025
    lines = (tmp_path / "a" / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == a


def test_scorer_matching():
    from bench.ledger_eval import score

    labels = {"r0001.pdf": {"file": "r0001.pdf", "clean": False, "errors": [
        {"kind": "total_mismatch", "detail": "x", "numbers": [12345600.0, 2345600.0], "text": ["12,345,600.00"]},
        {"kind": "wording_mismatch", "detail": "y", "text": ["收入支出总计减少12.30万元"]}]},
        "r0002.pdf": {"file": "r0002.pdf", "clean": True, "errors": []}}
    alerts = [{"kind": "total_mismatch", "source": "/c/r0001.pdf", "evidence": {"stated": 1234.56, "parts": [234.56]}},
              {"kind": "wording_mismatch", "source": "/c/r0001.pdf",
               "evidence": {"quote": ["与2023年度相比，收入支出总计减少12.30万元，增长5%"], "locations": [{"start": 12}]}},
              {"kind": "total_mismatch", "source": "/c/r0002.pdf", "evidence": {"stated": 1.0}}]
    res = score(labels, alerts)
    assert res["found"] == 2 and res["recall"] == 1.0 and res["false_alarms"] == 1
    assert res["false_alarm_list"][0]["file"] == "r0002.pdf"


@pytest.mark.skipif(not FONT.exists(), reason="CJK font not installed")
def test_label_snippets_are_on_the_labelled_pdf_page(tmp_path):
    import pdfplumber

    checked = 0
    for i in (0, 3):
        rep = build_report(seed=33, index=i, fmt="pdf", clean_rate=0.0)
        line = render(rep, tmp_path)
        with pdfplumber.open(tmp_path / line["file"]) as pdf:
            pages = [re.sub(r"[\s,]", "", p.extract_text() or "") for p in pdf.pages]
        for lab in line["errors"]:
            assert "_anchor" not in lab
            if lab["page"] is None:
                continue
            snippets = [re.sub(r"[\s,]", "", t) for t in lab["text"]]
            assert any(s in pages[lab["page"] - 1] for s in snippets), lab
            checked += 1
    assert checked
