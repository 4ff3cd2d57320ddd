"""The helpers added to make table reading faster (issue 16) give what the
code they replace gave: the memo of cell numbers, the per-taxonomy heading
order, the XPath depth check, and the scans skipped when a text cannot hold
what they look for."""
from __future__ import annotations

from lxml import etree, html

from worker.extract import charset
from worker.extract.html import _depth_exceeds, extract_html
from worker.numbers import parse_cell_number
from worker.parse import cellnums
from worker.parse.cellnums import cell_number, is_cell_number
from worker.read import numbered, sections
from worker.textnorm import normalize
from rules.taxonomy import default, label_key

CELLS = ["65.19", " 1,234.50万元 ", "-45.59", "100%", "5189台", "3.8亿条", "≥5000台", "完成12项", "科目名称",
         "", "  ", "—", "2023年", "12月", "0.00", "45.6 万元", "1,23", "1e5"]


def test_cell_number_is_parse_cell_number_at_every_offset():
    for text in CELLS:
        for start in (0, 7, 1234):
            assert cell_number(text, start) == parse_cell_number(text, start), (text, start)
        assert is_cell_number(text) == (parse_cell_number(text) is not None), text


def test_cell_number_gives_each_caller_its_own_num():
    a = cell_number("65.19", 10)
    a.value, a.start = -1.0, 0
    b = cell_number("65.19", 20)
    assert (b.value, b.start, b.end, b.raw) == (65.19, 20, 25, "65.19")
    assert b is not a


def test_cell_number_memo_is_dropped_when_full(monkeypatch):
    monkeypatch.setattr(cellnums, "MAX_CACHED", 3)
    monkeypatch.setattr(cellnums, "_READ", {})
    for k in range(10):
        assert cell_number(f"{k}.5").value == k + 0.5
        assert len(cellnums._READ) <= 3


def _section_of_reference(line, tax):
    """The longest heading the line holds, the first of equals in taxonomy order
    (the loop section_of had before it kept the headings sorted)."""
    key = label_key(line)
    best = None
    for s in tax.sections:
        for h in s.headings:
            at = key.find(h)
            if at >= 0 and (best is None or len(h) > best[0]):
                best = (len(h), s, at)
    return best


def test_section_of_picks_the_longest_heading_first_of_equals():
    tax = default()
    heads = [h for s in tax.sections for h in s.headings]
    lines = heads + [a + b for a in heads[:12] for b in heads[:12]] + \
        [f"四、{w}{h}" for w, _ in tax.fund_words()[:3] for h in heads[:10]] + ["没有标题", ""]
    for line in lines:
        ref = _section_of_reference(line, tax)
        got = sections.section_of(line, tax)
        if ref is None:
            assert got is None, line
        else:
            assert got is not None and got.id == ref[1].id, line


def test_placeholders_found_only_where_their_words_are():
    tax = default()
    text = "一、收入情况\n本年收入XX万元,比上年增加××。\n(如持平作持平表述)\nAXXB 不算\n"
    got = [p[0] for p in sections.frame(text, tax, []).placeholders]
    assert got == ["XX", "××", "(如持平作持平表述)"]
    assert sections.frame("一、收入情况\n本年收入10万元。\n", tax, []).placeholders == []


def _numbered_table(lanci: str) -> str:
    cells = ["2023年某中心收支决算表", "", "金额单位:万元", "", "项目", "本年收入", "本年支出", "",
             "科目名称", "合计", "其中:财政拨款收入", "合计", "其中:财政拨款支出", "",
             lanci, "1", "2", "3", "4", "", "合计", "100.00", "80.00", "90.00", "70.00", "",
             "行政运行", "100.00", "80.00", "90.00", "70.00", ""]
    return "".join(f"{c} |\n" if c else "|\n" for c in cells)


def test_numbered_tables_still_read_with_a_spaced_lanci_cell():
    # the quick check for 栏次 must let a cell printed 栏 次 (its key 栏次) through
    plain = numbered.read(normalize(_numbered_table("栏次")).text)
    spaced = numbered.read(normalize(_numbered_table("栏 次")).text)
    assert [(t.n, t.period, t.rows()) for t in plain] == [(4, 6, 2)]
    assert [(t.n, t.period, t.rows()) for t in spaced] == [(4, 6, 2)]
    assert numbered.read(normalize(_numbered_table("栏目")).text) == []


def _depth_reference(root, limit):
    stack = [(root, 0)]
    while stack:
        el, d = stack.pop()
        if d > limit:
            return True
        stack.extend((c, d + 1) for c in el)
    return False


def test_depth_check_counts_every_node_to_the_limit():
    for depth in (3, 4, 5, 6):
        root = html.fromstring("<html><body>" + "<div>" * depth + "x" + "</div>" * depth + "</body></html>")
        for limit in (0, 1, 4, 5, 6, 7, 8):
            assert _depth_exceeds(root, limit) == _depth_reference(root, limit), (depth, limit)
    # a comment as the deepest node counts, as it did
    root = html.fromstring("<html><body><div><p>x</p></div></body></html>")
    root.find(".//p").append(etree.Comment("deep"))
    for limit in range(0, 6):
        assert _depth_exceeds(root, limit) == _depth_reference(root, limit), limit


def test_looks_binary_counts_control_bytes_as_before():
    def reference(data):
        head = data[:8192]
        return sum(1 for b in head if b < 9 or 13 < b < 32) > len(head) * 0.05

    for data in (b"abc\tdef\r\n" * 50, bytes(range(1, 32)) * 10, b"a" * 95 + b"\x01" * 5,
                 b"a" * 94 + b"\x1f" * 6, "中文报告\n".encode() * 100 + b"\x0b\x0c" * 40):
        assert charset.looks_binary(data) == reference(data), data[:20]


def test_boilerplate_found_by_class_or_id_only():
    page = ("<html><body><div id='footer'>版权所有 footer text</div><div class=''>正文开始</div>"
            "<div class='content'><p>一、部门概况</p><table><tr><td>项目</td><td><b>金额</b>(万元)</td></tr>"
            "<tr><td>合计</td><td>10.00</td></tr></table></div></body></html>")
    text, tables, _ = extract_html(page)
    assert "版权所有" not in text and "正文开始" in text
    assert [[c.text for c in r] for r in tables[0].rows] == [["项目", "金额(万元)"], ["合计", "10.00"]]
