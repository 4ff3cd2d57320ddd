"""The pdfium reading of PDF pages (worker/extract/pdffast.py) against pdfplumber's.

Every page the fast path vouches for must give what pdfplumber gives: the
same characters (text exact, boxes within a fraction of a point), the same
table cells, and, through the whole extraction, the same text, page offsets,
grids (every cell's text, offsets, merged-cell origin and page) and boxes. A
page it cannot vouch for (rotated, text without a unicode map, rotated text,
fonts decoded differently) is read by pdfplumber, so the output never changes.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pdfdraw import Drawing, garbled_pdf, have_font

from worker.extract import ExtractError, Limits
from worker.extract import pdf as pdfmod
from worker.extract import pdffast
from worker.extract.pdffast import FastPage, _cells, fits, read_page

needs_font = pytest.mark.skipif(not have_font(), reason="no CJK TrueType font")
HEAD = [["项目", "预算数", "", "决算数"], ["", "年初", "调整后", ""]]
HEAD_SPANS = (((0, 0), (0, 1)), ((1, 0), (2, 0)), ((3, 0), (3, 1)))


def _pages(data: bytes):
    """Each page as pdfplumber and as the fast path read it (None: refused)."""
    import pdfplumber
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    with pdfplumber.open(io.BytesIO(data)) as pl:
        for i, page in enumerate(pl.pages):
            pp = doc[i]
            yield page, read_page(pp)
            pp.close()
    doc.close()


def _grids(ex) -> list:
    return [(t.kind, t.start, t.end, t.page, t.page_end, t.caption, t.unit, t.header_rows,
             [[(c.text, c.start, c.end, c.span_from, c.page) for c in row] for row in t.rows]) for t in ex.grids]


def same_extraction(data: bytes) -> int:
    """Fast and pdfplumber extractions compared; returns the pages read fast."""
    used = []
    real = pdffast.FastDoc.page

    def counting(self, index, page):
        got = real(self, index, page)
        used.append(got is not None)
        return got

    pdffast.FastDoc.page = counting
    try:
        fast = pdfmod.extract_pdf(data, Limits())
    finally:
        pdffast.FastDoc.page = real
    slow = pdfmod.extract_pdf(data, Limits(), fast=False)
    assert fast.text == slow.text
    assert fast.pages == slow.pages
    assert fast.warnings == slow.warnings
    assert _grids(fast) == _grids(slow), "a table grid differs"
    assert len(fast.boxes) == len(slow.boxes)
    for a, b in zip(fast.boxes, slow.boxes):
        assert a[:3] == b[:3] and a[7:] == b[7:], (a, b)         # page, offsets, page size
        assert max(abs(p - q) for p, q in zip(a[3:7], b[3:7])) <= 0.25, (a, b)
    return sum(used)


def same_page(page, fp: FastPage) -> None:
    """Characters and table cells of one page, pdfplumber's against the fast path's."""
    want = [c for c in page.chars if c["text"].strip()]
    # The same characters (pdfium may list them in another order: the reading sorts them).
    assert sorted(c["text"] for c in fp.chars) == sorted(c["text"] for c in want)
    left: dict[str, list[dict]] = {}
    for c in want:
        left.setdefault(c["text"], []).append(c)
    for a in fp.chars:
        near = [b for b in left[a["text"]] if all(abs(a[k] - b[k]) < 0.2 for k in ("x0", "x1", "top", "bottom", "size"))]
        assert near, f"no character {a} in pdfplumber's"
        left[a["text"]].remove(near[0])
    assert len(fp.lines) == len(page.lines) and len(fp.rects) == len(page.rects)
    ours, theirs = fp.find_tables(), page.find_tables()
    assert len(ours) == len(theirs)
    for t, u in zip(ours, theirs):
        assert len(t.cells) == len(u.cells)
        for c, d in zip(sorted(t.cells), sorted(u.cells)):
            assert max(abs(p - q) for p, q in zip(c, d)) < 0.01, (c, d)


def _report() -> bytes:
    d = Drawing().page()
    d.line("某局2024年度部门决算", 16, align="center")
    d.line("一、收入支出决算总体情况说明")
    d.paragraph("本部门2024年度收入支出总计1234.56万元，与上年相比增加100.00万元，增长8.81%，主要原因是新增"
                "信息化建设项目和人员经费增加，其中基本支出和项目支出分别有所增长。")
    d.line("本年收入合计2946.25万元", char_space=6)
    d.line("收入支出决算总表", 14, align="center")
    d.line("单位：万元", 10, align="right")
    d.table(HEAD + [["一般公共服务支出", "100.00", "120.00", "118.50"], ["教育支出", "50.00", "55.00", "54.00"],
                    ["合计", "150.00", "175.00", "172.50"]], spans=HEAD_SPANS, widths=[150, 80, 80, 80])
    d.line("注：本表反映部门收支总体情况。", 10)
    d.page()
    d.line("一般公共预算财政拨款支出决算表", 14, align="center")
    first = [[f"2050{k:02d}", f"第{k}项支出", f"{k}.00", f"{k}.50"] for k in range(1, 29)]
    d.table(HEAD + first, spans=HEAD_SPANS, widths=[80, 160, 80, 80])
    d.page()
    d.table([[f"2051{k:02d}", f"第{k}项续", f"{k}.00", f"{k}.50"] for k in range(1, 4)], widths=[80, 160, 80, 80])
    d.page(landscape=True)
    top = ["合计", "", "因公出国（境）费", "", "公务用车购置及运行维护费", "", "", "", "", "", "公务接待费", ""]
    mid = ["", "", "", "", "小计", "", "购置费", "", "运行维护费", "", "", ""]
    d.table([top, mid, ["预算数", "决算数"] * 6, ["10.00", "9.00", "2.00", "1.50", "5.00", "4.50", "3.00", "3.00",
                                                 "2.00", "1.50", "3.00", "3.00"]],
            spans=(((0, 0), (1, 1)), ((2, 0), (3, 1)), ((4, 0), (9, 0)), ((4, 1), (5, 1)), ((6, 1), (7, 1)),
                   ((8, 1), (9, 1)), ((10, 0), (11, 1))), widths=[58] * 12)
    return d.pdf()


@needs_font
def test_drawn_report_reads_the_same_fast_and_its_cells_are_right():
    data = _report()
    for page, fp in _pages(data):
        assert fp is not None
        same_page(page, fp)
    assert same_extraction(data) == 4
    ex = pdfmod.extract_pdf(data, Limits())
    head, cont, wide = ex.grids
    # The cells as drawn (checked against the drawing, not the code's output).
    assert [c.text for c in head.rows[2]] == ["一般公共服务支出", "100.00", "120.00", "118.50"]
    assert [c.span_from for c in head.rows[1]] == [(0, 0), None, None, (0, 3)]
    assert (cont.page, cont.page_end, len(cont.rows)) == (2, 3, 2 + 28 + 3)
    assert [c.text for c in cont.rows[-1]] == ["205103", "第3项续", "3.00", "3.50"]
    assert [c.text for c in wide.rows[3]][:3] == ["10.00", "9.00", "2.00"]
    assert wide.rows[0][5].span_from == (0, 4)


@needs_font
def test_generated_reports_read_the_same_on_every_page(tmp_path):
    """The benchmark's standard tables (bench/reportgen): ruled grids, merged
    cells, tables continued over pages, landscape pages, running footers."""
    from bench.reportgen import generate

    generate(tmp_path, pdf=3, xlsx=0, html=0, seed=5)
    files = sorted(tmp_path.glob("*.pdf"))
    assert files
    for f in files:
        data = f.read_bytes()
        n = sum(1 for _ in _pages(data))
        assert same_extraction(data) == n, f"{f.name}: a page fell back to pdfplumber"
    for page, fp in _pages(files[0].read_bytes()):
        same_page(page, fp)


@needs_font
def test_lines_in_forms_and_curves_are_read_as_pdfminer_does():
    """Ruling drawn inside a form XObject (its own matrix), a rounded box of
    Bezier curves, separate strokes and a filled rectangle: the same lines,
    rects and cells."""
    from reportlab.pdfgen import canvas

    d = Drawing().page()
    c: canvas.Canvas = d.c
    c.beginForm("grid")
    for k in range(5):
        c.line(0, k * 20, 300, k * 20)
    for x in (0, 100, 200, 300):
        c.line(x, 0, x, 80)
    c.endForm()
    c.saveState()
    c.translate(100, 500)
    c.scale(1.2, 1.0)
    c.doForm("grid")
    c.restoreState()
    c.roundRect(80, 300, 200, 100, 12)
    c.rect(80, 200, 200, 50, fill=1)
    c.setFont("WQY", 10)
    for k in range(4):
        for j in range(3):
            c.drawString(100 + 1.2 * (j * 100 + 10), 500 + k * 20 + 6, f"格{k}{j}")
    data = d.pdf()
    ((page, fp),) = list(_pages(data))
    assert fp is not None and fp.curves and fp.rects
    same_page(page, fp)
    (t,) = fp.find_tables()
    assert len(t.cells) == 12
    same_extraction(data)


def test_cells_as_pdfplumber_pairs_crossings():
    """_cells is pdfplumber's intersections_to_cells, made fast: a grid with
    merged cells, a gap in a line and a stray crossing."""
    from pdfplumber.table import edges_to_intersections, intersections_to_cells

    def h(y, x0, x1):
        return {"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0, "orientation": "h"}

    def v(x, y0, y1):
        return {"x0": x, "x1": x, "top": y0, "bottom": y1, "width": 0, "height": y1 - y0, "orientation": "v"}

    edges = [h(0, 0, 300), h(20, 0, 300), h(40, 100, 300), h(60, 0, 140), h(60, 160, 300), h(80, 0, 300),
             v(0, 0, 80), v(100, 0, 80), v(200, 20, 80), v(300, 0, 80), v(250, 70, 90)]
    crossings = edges_to_intersections(edges, 3, 3)
    want = intersections_to_cells(crossings)
    assert _cells(crossings) == want
    assert (0, 0, 100, 20) in want and (100, 0, 300, 20) in want     # the merged top right


def _rotated_page() -> bytes:
    import pypdfium2 as pdfium

    d = Drawing().page()
    d.line("旋转的页面上的文字")
    doc = pdfium.PdfDocument(d.pdf())
    doc[0].set_rotation(90)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@needs_font
def test_a_rotated_page_is_left_to_pdfplumber():
    data = _rotated_page()
    ((_, fp),) = list(_pages(data))
    assert fp is None
    assert same_extraction(data) == 0


@needs_font
def test_rotated_text_is_left_to_pdfplumber():
    d = Drawing().page()
    d.line("正文第一行")
    d.c.saveState()
    d.c.translate(300, 400)
    d.c.rotate(45)
    d.c.setFont("WQY", 40)
    d.c.drawString(0, 0, "内部资料")
    d.c.restoreState()
    data = d.pdf()
    ((_, fp),) = list(_pages(data))
    assert fp is None
    same_extraction(data)


def test_text_without_a_unicode_map_is_left_to_pdfplumber():
    # No ToUnicode: pdfminer reads (cid:N), pdfium might guess; the fonts check refuses the page.
    data = garbled_pdf(["一般公共预算财政拨款支出"] * 3, to_unicode=False)
    with pytest.raises(ExtractError) as fast:
        pdfmod.extract_pdf(data, Limits())
    with pytest.raises(ExtractError) as slow:
        pdfmod.extract_pdf(data, Limits(), fast=False)
    assert (fast.value.status, fast.value.reason) == (slow.value.status, slow.value.reason) == \
        ("needs_ocr", slow.value.reason)


def test_unmapped_characters_refuse_the_page():
    """A ToUnicode map that leaves glyphs out: pdfium flags them, the page is refused."""
    import re

    data = garbled_pdf(["收入支出决算总表"])
    # Drop two entries from the map (the byte lengths of the stream change: fix the /Length).
    m = re.search(rb"<< /Length (\d+) >>\nstream\n(/CIDInit.*?)\nendstream", data, re.S)
    cmap = re.sub(rb"<0001> <[0-9A-F]{4}>\n|<0002> <[0-9A-F]{4}>\n", b"", m.group(2))
    cmap = cmap.replace(b"8 beginbfchar", b"6 beginbfchar")
    broken = data[:m.start()] + b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream" + data[m.end():]
    ((_, fp),) = list(_pages(broken))
    assert fp is None
    ((_, fp),) = list(_pages(data))
    assert fp is not None and "".join(c["text"] for c in fp.chars) == "收入支出决算总表"


def test_a_vertical_font_is_left_to_pdfplumber():
    """Identity-V: pdfminer reads the characters top to bottom, pdfium reads
    none. The fonts check refuses the page, and so would the empty reading."""
    import pdfplumber

    from worker.extract.pdffonts import FontCheck

    data = garbled_pdf(["收入支出决算总表", "本年收入合计"]).replace(b"/Identity-H", b"/Identity-V")
    ((_, fp),) = list(_pages(data))
    assert fp is None
    with pdfplumber.open(io.BytesIO(data)) as pl:
        assert not FontCheck().page_ok(pl.pages[0].page_obj.resources)
    horizontal = garbled_pdf(["收入支出决算总表"])
    with pdfplumber.open(io.BytesIO(horizontal)) as pl:
        assert FontCheck().page_ok(pl.pages[0].page_obj.resources)
    assert same_extraction(data) == 0
    assert pdfmod.extract_pdf(data, Limits()).text.startswith("收\n入本\n")


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "shared" / "corpus" / "templates").exists(),
                    reason="shared corpus not present")
def test_word_made_template_reads_the_same():
    """A PDF Word made (the Shanghai 部门决算 template, 23 pages of standard tables)."""
    f = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "templates" / "部门决算模板-上海-2024.pdf"
    assert same_extraction(f.read_bytes()) == 23


def test_a_memory_budget_too_small_for_the_stream_limit_keeps_pdfplumber():
    # pdfium aborts the process when an allocation fails; pdfminer raises MemoryError.
    assert fits(Limits())
    assert not fits(Limits(max_pdf_stream=1000 * 1024 * 1024, document_memory_mb=400))
    assert fits(Limits(document_memory_mb=0))
