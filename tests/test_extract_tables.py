"""Tables, captions, units, merged cells and pages from real files: PDFs drawn
with reportlab and a CJK font, an HTML page, an XLSX, a DOCX, and (when the
shared corpus is present) the Shanghai 部门决算 template."""
from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pdfdraw import Drawing, garbled_pdf, have_font

from worker.extract import ExtractError, extract
from worker.parse.tables import Table

# The shared corpus copy, else a copy in the fixtures when one is checked in.
TEMPLATE = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "corpus" / "templates" /
                             "部门决算模板-上海-2024.pdf",
                             Path(__file__).resolve().parent / "fixtures" / "template_shanghai_2024.pdf")
                 if p.exists()), Path("/nonexistent"))
needs_font = pytest.mark.skipif(not have_font(), reason="no CJK TrueType font")

PARA = ("本部门2024年度收入支出总计1234.56万元，与上年相比增加100.00万元，增长8.81%，主要原因是新增信息化"
        "建设项目和人员经费增加，其中基本支出和项目支出分别有所增长。")
HEAD = [["项目", "预算数", "", "决算数"], ["", "年初", "调整后", ""]]
HEAD_SPANS = (((0, 0), (0, 1)), ((1, 0), (2, 0)), ((3, 0), (3, 1)))


def cells(t: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in t.rows]


def spans(t: Table) -> list[list[tuple[int, int] | None]]:
    return [[c.span_from for c in row] for row in t.rows]


def check_offsets(text: str, tables: list[Table]) -> None:
    for t in tables:
        assert len({len(r) for r in t.rows}) == 1, "every row has the same width"
        for row in t.rows:
            for c in row:
                assert text[c.start:c.end] == c.text
        if t.title_span:
            assert t.title_span[0] < t.start


@pytest.fixture(scope="module")
def report():
    """Page 1: narrative, a letter-spaced line, a titled table with merged
    header cells, a note; page 2 blank; page 3 landscape with a wide table."""
    if not have_font():
        pytest.skip("no CJK TrueType font")
    d = Drawing().page()
    d.line("某局2024年度部门决算", 16, align="center")
    d.line("一、收入支出决算总体情况说明")
    wrapped = d.paragraph(PARA)
    d.line("本年收入合计2946.25万元", char_space=6)
    d.line("与 2023 年度相比增加 12.5 万元")
    d.line("收入支出决算总表", 14, align="center")
    d.line("单位：万元", 10, align="right")
    d.table(HEAD + [["一般公共服务支出", "100.00", "120.00", "118.50"], ["教育支出", "50.00", "55.00", "54.00"],
                    ["合计", "150.00", "175.00", "172.50"]], spans=HEAD_SPANS, widths=[150, 80, 80, 80])
    d.line("注：本表反映部门收支总体情况。", 10)
    d.page()
    d.page(landscape=True)
    d.line("财政拨款“三公”经费支出决算表", 14, align="center")
    d.line("金额单位：万元", 10, align="right")
    top = ["合计", "", "因公出国（境）费", "", "公务用车购置及运行维护费", "", "", "", "", "", "公务接待费", ""]
    mid = ["", "", "", "", "小计", "", "购置费", "", "运行维护费", "", "", ""]
    d.table([top, mid, ["预算数", "决算数"] * 6, ["10.00", "9.00", "2.00", "1.50", "5.00", "4.50", "3.00", "3.00",
                                                 "2.00", "1.50", "3.00", "3.00"]],
            spans=(((0, 0), (1, 1)), ((2, 0), (3, 1)), ((4, 0), (9, 0)), ((4, 1), (5, 1)), ((6, 1), (7, 1)),
                   ((8, 1), (9, 1)), ((10, 0), (11, 1))), widths=[58] * 12)
    return wrapped, extract(d.pdf(), "report.pdf")


def test_narrative_reads_like_the_document(report):
    wrapped, ex = report
    assert len(wrapped) == 3        # the paragraph really wraps, mid-number too (增长8 / .81%)
    lines = ex.text.split("\n")
    assert lines[:7] == [
        "某局2024年度部门决算",
        "一、收入支出决算总体情况说明",
        PARA,                                   # wrapped lines joined: one sentence again
        "本年收入合计2946.25万元",               # letter-spaced heading
        "与2023年度相比增加12.5万元",             # no spaces between Chinese and digits
        "收入支出决算总表",
        "单位：万元",
    ]
    # The table stands where it is drawn: after its title, before the note.
    assert lines[7] == "项目 | 预算数 |  | 决算数"
    assert lines[12] == "注：本表反映部门收支总体情况。"
    assert ex.text.index("注：") > ex.grids[0].end


def test_table_with_merged_header_caption_unit_and_page(report):
    _, ex = report
    check_offsets(ex.text, ex.grids)
    t, wide = ex.grids
    assert cells(t) == [["项目", "预算数", "", "决算数"], ["", "年初", "调整后", ""],
                        ["一般公共服务支出", "100.00", "120.00", "118.50"], ["教育支出", "50.00", "55.00", "54.00"],
                        ["合计", "150.00", "175.00", "172.50"]]
    assert spans(t)[:2] == [[None, None, (0, 1), None], [(0, 0), None, None, (0, 3)]]
    assert all(s is None for row in spans(t)[2:] for s in row)
    assert t.caption == "与2023年度相比增加12.5万元\n收入支出决算总表\n单位：万元"
    assert t.unit == "万元" and ex.text[slice(*t.title_span)] == "收入支出决算总表"
    assert (t.page, t.page_end) == (1, None) and {c.page for row in t.rows for c in row} == {1}
    # A merged cell's text is printed once.
    assert ex.text[:wide.start].count("预算数") == 1


def test_landscape_wide_table_and_blank_page(report):
    _, ex = report
    _, wide = ex.grids
    assert len(ex.pages) == 3 and ex.pages[0] == 0
    assert ex.pages[1] == ex.pages[2]       # page 2 is blank
    assert ex.text[ex.pages[2]:].startswith("财政拨款“三公”经费支出决算表\n金额单位：万元\n合计 | ")
    assert wide.page == 3 and wide.caption == "财政拨款“三公”经费支出决算表\n金额单位：万元" and wide.unit == "万元"
    assert len(wide.rows) == 4 and len(wide.rows[0]) == 12
    assert [c.text for c in wide.rows[0]] == ["合计", "", "因公出国（境）费", "", "公务用车购置及运行维护费",
                                              "", "", "", "", "", "公务接待费", ""]
    assert spans(wide)[0] == [None, (0, 0), None, (0, 2), None, (0, 4), (0, 4), (0, 4), (0, 4), (0, 4), None, (0, 10)]
    assert spans(wide)[1] == [(0, 0), (0, 0), (0, 2), (0, 2), None, (1, 4), None, (1, 6), None, (1, 8), (0, 10), (0, 10)]
    assert [c.text for c in wide.rows[1] if c.text] == ["小计", "购置费", "运行维护费"]
    assert [c.text for c in wide.rows[3]][:3] == ["10.00", "9.00", "2.00"]


def _two_page_table(repeat_header: bool, furniture: bool) -> bytes:
    d = Drawing().page()
    if furniture:
        d.line("某局2024年度部门决算", 9, align="center", y=d.height - 40)
        d.line("- 1 -", 9, align="center", y=30)
    d.line("一般公共预算财政拨款支出决算表", 14, align="center")
    d.line("单位：万元", 10, align="right")
    first = [[f"2050{k:02d}", f"第{k}项支出", f"{k}.00", f"{k}.50"] for k in range(1, 29)]
    head = [["科目编码", "科目名称", "决算数", ""], ["", "", "基本支出", "项目支出"]]
    head_spans = (((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (3, 0)))
    d.table(head + first, spans=head_spans, widths=[80, 160, 80, 80])
    d.page()
    if furniture:
        d.line("某局2024年度部门决算", 9, align="center", y=d.height - 40)
        d.line("- 2 -", 9, align="center", y=30)
    second = [[f"2051{k:02d}", f"第{k}项续", f"{k}.00", f"{k}.50"] for k in range(1, 4)]
    if repeat_header:
        d.table(head + second, spans=head_spans, widths=[80, 160, 80, 80])
    else:
        d.table(second, widths=[80, 160, 80, 80])
    d.line("注：本表反映一般公共预算财政拨款支出情况。", 10)
    return d.pdf()


@needs_font
def test_table_continued_on_next_page_is_one_table():
    ex = extract(_two_page_table(repeat_header=False, furniture=True), "t.pdf")
    check_offsets(ex.text, ex.grids)
    (t,) = ex.grids
    assert (t.page, t.page_end) == (1, 2) and len(t.rows) == 2 + 28 + 3
    assert cells(t)[:3] == [["科目编码", "科目名称", "决算数", ""], ["", "", "基本支出", "项目支出"],
                            ["205001", "第1项支出", "1.00", "1.50"]]
    assert spans(t)[:2] == [[None, None, None, (0, 2)], [(0, 0), (0, 1), None, None]]
    assert cells(t)[-1] == ["205103", "第3项续", "3.00", "3.50"]
    assert [r[0].page for r in t.rows] == [1] * 30 + [2] * 3
    # The running header of page 1 is text above the table; page numbers are dropped.
    assert t.caption == "某局2024年度部门决算\n一般公共预算财政拨款支出决算表\n单位：万元"
    assert ex.text[slice(*t.title_span)] == "一般公共预算财政拨款支出决算表"
    assert "- 1 -" not in ex.text and "- 2 -" not in ex.text
    # Page 2 starts with its running header, between the two parts of the table.
    assert ex.text[ex.pages[1]:].startswith("某局2024年度部门决算\n205101 | 第1项续")
    assert t.start < ex.pages[1] < t.end and ex.text[t.end + 1:].startswith("注：")


@needs_font
def test_continued_table_repeating_its_header_drops_the_repeat():
    ex = extract(_two_page_table(repeat_header=True, furniture=False), "t.pdf")
    check_offsets(ex.text, ex.grids)
    (t,) = ex.grids
    assert (t.page, t.page_end, t.header_rows) == (1, 2, 2) and len(t.rows) == 2 + 28 + 3
    assert cells(t)[30] == ["205101", "第1项续", "1.00", "1.50"] and t.rows[30][0].page == 2
    assert ex.text.count("科目编码") == 1
    assert ex.pages[1] == t.rows[30][0].start


@needs_font
def test_a_new_titled_table_on_the_next_page_is_not_a_continuation():
    d = Drawing().page()
    d.line("收入决算表", 14, align="center")
    d.table([["项目", "金额"], ["事业收入", "10.00"]], widths=[200, 100])
    d.page()
    d.line("支出决算表", 14, align="center")
    d.line("单位：元", 10, align="right")
    d.table([["项目", "金额"], ["基本支出", "8.00"]], widths=[200, 100])
    ex = extract(d.pdf(), "t.pdf")
    a, b = ex.grids
    assert (a.caption, a.unit, a.page, a.page_end) == ("收入决算表", "", 1, None)
    assert (b.caption, b.unit, b.page) == ("支出决算表\n单位：元", "元", 2)


def test_kangxi_radicals_are_mapped_with_a_warning():
    ex = extract(garbled_pdf(["⼀般公共预算财政拨款⽀出", "本年收⼊合计100万元"]), "k.pdf")
    assert ex.text == "一般公共预算财政拨款支出\n本年收入合计100万元\n"
    assert any("康熙部首" in w for w in ex.warnings)


def test_private_use_text_layer_needs_ocr():
    with pytest.raises(ExtractError) as e:
        extract(garbled_pdf(["\ue001\ue002\ue003\ue004年度\ue005\ue006\ue007"]), "p.pdf")
    assert e.value.status == "needs_ocr" and "私用区" in e.value.reason and "OCR" in e.value.reason
    with pytest.raises(ExtractError) as e:
        extract(garbled_pdf(["一般公共预算支出"], to_unicode=False), "c.pdf")
    assert e.value.status == "needs_ocr" and "cid" in e.value.reason


def test_a_few_private_use_characters_are_marked_not_fatal():
    line = "本年收入合计一百万元其中财政拨款收入八十万元事业收入二十万元占比合计百分之百" + "\ue010"
    ex = extract(garbled_pdf([line]), "p.pdf")
    assert ex.text == line.replace("\ue010", "\ufffd") + "\n"
    assert any("无法识别" in w for w in ex.warnings)


def test_broken_pdf_fails_cleanly():
    with pytest.raises(ExtractError) as e:
        extract(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "b.pdf")
    assert e.value.status == "failed"


@needs_font
def test_twenty_pages_speed():
    d = Drawing()
    for k in range(20):
        d.page()
        d.line(f"第{k + 1}页说明", 14, align="center")
        d.paragraph(PARA * 2)
        d.line("单位：万元", 10, align="right")
        d.table(HEAD + [[f"项目{j}", "1.00", "2.00", "3.00"] for j in range(20)], spans=HEAD_SPANS,
                widths=[150, 80, 80, 80])
    data = d.pdf()
    t0 = time.perf_counter()
    ex = extract(data, "speed.pdf")
    per_page = (time.perf_counter() - t0) / 20
    print(f"\nPDF extraction: {per_page:.3f} s per page")
    assert len(ex.pages) == 20 and len(ex.grids) == 20
    assert [g.page for g in ex.grids] == list(range(1, 21)) and all(len(g.rows) == 22 for g in ex.grids)
    assert per_page < 1.0


def test_html_caption_unit_and_merged_cells():
    html = ("<html><body><div class='nav'>首页</div><div class='content'>"
            "<p>一、收入支出决算总体情况</p><p>2024年度收入支出总计172.50万元。</p>"
            "<p>收入支出决算总表</p><p>单位：万元</p><table>"
            "<thead><tr><th rowspan='2'>项目</th><th colspan='2'>预算数</th><th rowspan='2'>决算数</th></tr>"
            "<tr><th>年初</th><th>调整后</th></tr></thead>"
            "<tr><td>教育支出</td><td>50.00</td><td>55.00</td><td>54.00</td></tr></table>"
            "<table><caption>表2 支出决算表（万元）</caption><tr><td>基本支出</td><td>8.00</td></tr></table>"
            "</div></body></html>")
    ex = extract(html.encode(), "r.html")
    check_offsets(ex.text, ex.grids)
    a, b = ex.grids
    assert cells(a) == [["项目", "预算数", "", "决算数"], ["", "年初", "调整后", ""], ["教育支出", "50.00", "55.00", "54.00"]]
    assert spans(a)[:2] == [[None, None, (0, 1), None], [(0, 0), None, None, (0, 3)]]
    # The sentence above is narrative, not part of the caption.
    assert a.caption == "收入支出决算总表\n单位：万元" and a.unit == "万元"
    assert ex.text[slice(*a.title_span)] == "收入支出决算总表" and a.header_rows == 2
    assert ex.text.count("预算数") == 1 and ex.text.count("决算数") == 1
    assert (b.caption, b.unit) == ("表2 支出决算表（万元）", "万元")
    assert ex.text[slice(*b.title_span)] == "表2 支出决算表（万元）"


def test_xlsx_title_unit_merged_header_and_two_tables():
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["收入支出决算总表", None, None, None])
    ws.merge_cells("A1:D1")
    ws.append(["编制单位：某局", None, None, "单位：万元"])
    ws.append(["项目", "预算数", None, "决算数"])
    ws.append([None, "年初", "调整后", None])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:C3")
    ws.merge_cells("D3:D4")
    ws.append(["教育支出", 50, 55.5, 54])
    ws.append(["注：本表反映收支情况。", None, None, None])
    ws.append([])
    ws.append(["支出决算表", None, None])
    ws.append(["单位：元", None, None])
    ws.append(["项目", "金额", "占比"])
    ws.append(["基本支出", 8, 0.25])
    ws.cell(ws.max_row, 3).number_format = "0.00%"
    buf = io.BytesIO()
    wb.save(buf)
    ex = extract(buf.getvalue(), "r.xlsx")
    check_offsets(ex.text, ex.grids)
    a, b = ex.grids
    assert cells(a) == [["项目", "预算数", "", "决算数"], ["", "年初", "调整后", ""], ["教育支出", "50", "55.5", "54"]]
    assert spans(a)[:2] == [[None, None, (0, 1), None], [(0, 0), None, None, (0, 3)]]
    assert a.caption == "收入支出决算总表\n编制单位：某局 单位：万元" and a.unit == "万元"
    assert ex.text[slice(*a.title_span)] == "收入支出决算总表"
    assert cells(b) == [["项目", "金额", "占比"], ["基本支出", "8", "25.00%"]]
    assert (b.caption, b.unit) == ("支出决算表\n单位：元", "元")
    assert ex.text.index("注：本表反映收支情况。") > a.end
    assert ex.text.count("预算数") == 1


def test_docx_caption_unit_and_merged_cells():
    import docx

    doc = docx.Document()
    doc.add_paragraph("2024年度部门决算情况说明：本年收入支出总计172.50万元，比上年增加，主要原因是项目支出增加，具体情况如下表所示。")
    doc.add_paragraph("收入支出决算总表")
    doc.add_paragraph("单位：万元")
    t = doc.add_table(rows=3, cols=4)
    for (r, c), v in {(0, 0): "项目", (0, 1): "预算数", (0, 3): "决算数", (1, 1): "年初", (1, 2): "调整后",
                      (2, 0): "教育支出", (2, 1): "50.00", (2, 2): "55.00", (2, 3): "54.00"}.items():
        t.cell(r, c).text = v
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(0, 1).merge(t.cell(0, 2))
    t.cell(0, 3).merge(t.cell(1, 3))
    buf = io.BytesIO()
    doc.save(buf)
    ex = extract(buf.getvalue(), "r.docx")
    check_offsets(ex.text, ex.grids)
    (g,) = ex.grids
    assert cells(g) == [["项目", "预算数", "", "决算数"], ["", "年初", "调整后", ""], ["教育支出", "50.00", "55.00", "54.00"]]
    assert spans(g)[:2] == [[None, None, (0, 1), None], [(0, 0), None, None, (0, 3)]]
    # The long sentence above is narrative, not part of the caption.
    assert g.caption == "收入支出决算总表\n单位：万元" and g.unit == "万元"
    assert ex.text[slice(*g.title_span)] == "收入支出决算总表"


STANDARD = [
    (5, None, "收入支出决算总表"), (6, None, "收入决算表"), (7, None, "支出决算表"),
    (8, 9, "财政拨款收入支出决算总表"), (10, None, "一般公共预算财政拨款支出决算表"),
    (11, None, "一般公共预算财政拨款基本支出决算表"), (12, None, "财政拨款“三公”经费支出决算表"),
    (13, None, "政府性基金预算财政拨款收入支出决算表"), (14, None, "国有资本经营预算财政拨款收入支出决算表"),
]


@pytest.mark.skipif(not TEMPLATE.exists(), reason="shared corpus not present")
def test_shanghai_template_standard_tables():
    ex = extract(TEMPLATE.read_bytes(), TEMPLATE.name)
    check_offsets(ex.text, ex.grids)
    assert len(ex.pages) == 23
    found = [(g.page, g.page_end, ex.text[slice(*g.title_span)]) for g in ex.grids if g.page and g.page >= 5]
    assert found == STANDARD
    for g in ex.grids[1:]:
        assert g.caption.endswith("单位：万元") and g.unit == "万元"
    total = ex.grids[1]
    assert total.caption == "上海市XX局2024年度部门决算表\n收入支出决算总表\n单位：万元"
    assert [c.text for c in total.rows[0]] == ["收入", "", "支出", ""] and total.rows[0][1].span_from == (0, 0)
    assert [c.text for c in total.rows[-1]] == ["总计", "", "总计", ""]
    cont = ex.grids[4]
    assert {c.page for c in cont.rows[-1]} == {9} and cont.rows[0][0].page == 8
    assert [c.text for c in cont.rows[-1]] == ["总计", "", "总计", "", "", "", ""]
    # Wrapped narrative is one sentence; Word's spaces around digits are gone.
    assert "上海市XX局2024年度收入支出总计XXX万元。与2023年度相比，收入支出总计增加（减少）XXX万元" in ex.text


def test_hostile_xlsx_dimension_and_merge_stay_bounded():
    import openpyxl
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["收入决算表"], ["单位：万元"], ["项目", "金额"], ["事业收入", 1]):
        ws.append(row)
    ws.cell(1048576, 16384).value = "x"       # the last cell of the sheet
    buf = io.BytesIO()
    wb.save(buf)
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":     # a merge over (nearly) the whole sheet
                data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                    b'<mergeCell ref="A6:XFD1048576"/></mergeCells>')
            z.writestr(name, data)
    # By default such a sheet is refused before parsing (issue 13); with the
    # check raised, the reader itself stays bounded and reads the real table.
    from worker.extract import Limits

    with pytest.raises(ExtractError, match="XFD1048576.*拒绝处理"):
        extract(out.getvalue(), "big.xlsx")
    t0 = time.perf_counter()
    ex = extract(out.getvalue(), "big.xlsx", limits=Limits(max_sheet_cells=1 << 40))
    assert time.perf_counter() - t0 < 5
    (g,) = ex.grids
    assert cells(g) == [["项目", "金额"], ["事业收入", "1"]] and (g.caption, g.unit) == ("收入决算表\n单位：万元", "万元")
    assert any("只读取前" in w for w in ex.warnings)


def test_xls_merged_ranges(monkeypatch):
    """No XLS writer is installed: xlrd's book is stood in for (same attributes)."""
    import xlrd

    from worker.extract.sheet import extract_xls

    class Sheet:
        name = "收入决算表"
        values = [["收入决算表", "", ""], ["", "", "单位：元"], ["项目", "金额", ""], ["", "年初", "年末"],
                  ["事业收入", 1.0, 2.5]]
        nrows, ncols = 5, 3
        merged_cells = [(0, 1, 0, 3), (2, 4, 0, 1), (2, 3, 1, 3)]     # rlo, rhi, clo, chi (exclusive)

        def cell_value(self, r, c):
            return self.values[r][c]

    class Book:
        def sheets(self):
            return [Sheet()]

    monkeypatch.setattr(xlrd, "open_workbook", lambda **kw: Book())
    ex = extract_xls(b"\xd0\xcf\x11\xe0")
    check_offsets(ex.text, ex.grids)
    (g,) = ex.grids
    assert cells(g) == [["项目", "金额", ""], ["", "年初", "年末"], ["事业收入", "1", "2.5"]]
    assert spans(g)[:2] == [[None, None, (0, 1)], [(0, 0), None, None]]
    assert (g.caption, g.unit) == ("收入决算表\n单位：元", "元")
