"""PDF attachments: narrative text and ruled tables in reading order (pdfplumber).

Each page is parsed once: its characters are split between the tables
pdfplumber finds from ruling lines and the narrative. Narrative lines are
rebuilt from character geometry, so letter-spaced headings, the gaps Word puts
between Chinese and digits, and lines wrapped at the right margin read as the
sentence a person sees. Tables keep merged cells (empty cells with
span_from), their caption (the lines just above them) and their page; a table
that runs onto the next page is one table. A PDF without a text layer is a
scan, and one whose text layer is garbled (cid codes, private-use glyphs) is
unreadable: both are `needs_ocr`, never an empty or garbage report.

Where each piece of text stands is kept too (`Extracted.boxes`): one box per
narrative line and per line inside a table cell, with its offsets in the
text, so a quote can be boxed on the page image (worker/text_boxes.py).
"""
from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from worker.extract import Extracted, ExtractError, Limits
from worker.extract.pdffast import FastDoc
from worker.extract.pdfopen import open_pdf, reraise_memory as _reraise_memory
from worker.extract.sheet import Slot, Writer, compact, describe, parse_unit, span_rows
from worker.parse.tables import Cell, Table

_HEADING = re.compile(r"^(?:第[一二三四五六七八九十百]+部分|[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百]+[)）]"
                      r"|\d{1,2}[、.．)）](?!\d)|注\s*[:：]|说明\s*[:：]|附件|附表)")
_PAGE_NO = re.compile(r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
_CONTINUED = re.compile(r"^(?:续表|续上表|[（(]续表?[)）])")


def _cjk(ch: str) -> bool:
    """Ideographs and full-width punctuation: no space belongs next to them."""
    o = ord(ch) if ch else 0
    return (0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x3000 <= o <= 0x303F or
            0xFF00 <= o <= 0xFFEF or 0x2E80 <= o <= 0x2FDF or 0x20000 <= o <= 0x2FFFF)


def _size(c: dict) -> float:
    return float(c.get("size") or 0) or max(1.0, float(c["bottom"] - c["top"]))


@dataclass
class _Garble:
    """Counts of what the text layer holds instead of readable Chinese."""
    cjk: int = 0
    cid: int = 0
    pua: int = 0
    radical: int = 0        # mapped to the ideograph (NFKC)
    bad_radical: int = 0    # a radical with no ideograph to map to

    def fix(self, chars: list[dict]) -> None:
        for c in chars:
            t = c.get("text") or " "
            o = ord(t[0])
            cid = t.startswith("(cid:")
            if cid or 0xE000 <= o <= 0xF8FF:
                self.cid += cid
                self.pua += not cid
                c["text"] = "\ufffd"   # marked, never read as a digit or a word
            elif 0x2E80 <= o <= 0x2FDF:
                m = unicodedata.normalize("NFKC", t)
                if m != t and 0x3400 <= ord(m[0]) <= 0x9FFF:
                    self.radical += 1
                    c["text"] = m
                else:
                    self.bad_radical += 1
            elif 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or o >= 0x20000:
                self.cjk += 1

    def check(self, warnings: list[str]) -> None:
        bad = self.cid + self.pua + self.bad_radical
        total = self.cjk + self.radical + bad
        if total and bad / total > 0.05:
            what = "、".join(n for n, k in (("cid 编码", self.cid), ("私用区字符", self.pua), ("部首字符", self.bad_radical)) if k)
            raise ExtractError("needs_ocr", f"PDF 文字层乱码:含 {bad:,} 个无法识别的字符({what}),需要文字识别(OCR)")
        if self.radical:
            warnings.append(f"PDF 文字层用康熙部首等 {self.radical:,} 个部首字符代替汉字,已转换为对应汉字(NFKC)")
        if bad:
            warnings.append(f"PDF 文字层含 {bad:,} 个无法识别的字符,已以 \ufffd 标出")


def _group(chars: list[dict]) -> list[list[dict]]:
    """Characters into lines (by vertical middle), each left to right."""
    # Blanks are gaps, and control characters (a missing glyph) are not text.
    items = sorted((c for c in chars if (c.get("text") or "").strip() and c["text"][0] >= " "),
                   key=lambda c: (c["top"] + c["bottom"]) / 2)
    lines: list[list[dict]] = []
    cur: list[dict] = []
    ref = 0.0
    for c in items:
        mid = (c["top"] + c["bottom"]) / 2
        if cur and mid - ref > 0.45 * _size(c):
            lines.append(cur)
            cur = []
        if not cur:
            ref = mid
        cur.append(c)
    if cur:
        lines.append(cur)
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _text(chars: list[dict]) -> tuple[str, bool]:
    """A line's text from its characters' positions. A gap becomes a space,
    except next to Chinese when it is narrow (Word's spacing around digits:
    the parser reads 2023年, XXX万元) and, on a letter-spaced line (most
    characters apart), except where it is no wider than the spacing itself.
    Returns the text and whether the line was letter-spaced."""
    cs: list[dict] = []
    sz: list[float] = []        # each kept character's size, measured once
    for c in chars:
        s = _size(c)
        if cs and c["text"] == cs[-1]["text"] and abs(c["x0"] - cs[-1]["x0"]) < 0.3 * s:
            continue    # fake bold draws a glyph twice
        cs.append(c)
        sz.append(s)
    if not cs:
        return "", False
    gaps = [b["x0"] - a["x1"] for a, b in zip(cs, cs[1:])]
    sizes = [max(a, b) for a, b in zip(sz, sz[1:])]
    visible = [g for g, s in zip(gaps, sizes) if g > 0.15 * s]
    # Letter-spaced: most gaps visible; a short all-Chinese label spaced out
    # to fill its cell (项  目, 合  计) counts too.
    spaced = (len(cs) >= 4 and len(visible) >= 0.75 * len(gaps)) or \
        (1 < len(cs) < 4 and len(visible) == len(gaps) and all(_cjk(c["text"][0]) for c in cs))
    step = statistics.median(visible) if spaced else 0.0
    out = [cs[0]["text"]]
    for a, b, g, s in zip(cs, cs[1:], gaps, sizes):
        ca, cb = _cjk(a["text"][-1]), _cjk(b["text"][0])
        if spaced:
            space = not (ca or cb) and g > step + 0.25 * s
        else:
            space = g > 0.2 * s and not (ca != cb and g < 0.6 * s)
        if space:
            out.append(" ")
        out.append(b["text"])
    return "".join(out), spaced


def _join(a: str, b: str) -> str:
    """Two pieces of one wrapped sentence or cell: no space unless both sides are Latin words."""
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    spaced: bool = False    # letter-spaced (a heading): not a measure of the text block
    noise: bool = False     # running header/footer: in the text, never a caption


def _line(chars: list[dict]) -> _Line:
    text, spaced = _text(chars)
    return _Line(text, min(c["x0"] for c in chars), max(c["x1"] for c in chars),
                 min(c["top"] for c in chars), max(c["bottom"] for c in chars),
                 statistics.median(_size(c) for c in chars), spaced)


# A line's box inside a cell: (offset in the cell's text, end, x0, top, x1, bottom).
_CellBoxes = dict[tuple[int, int], list[tuple[int, int, float, float, float, float]]]
_Grid = tuple[float, list[list[Slot]], _CellBoxes]     # a table's top on the page, its slots, its lines' boxes


def _grid(t, chars: list[dict]) -> _Grid | None:
    """A pdfplumber table as slots. Row and column boundaries are the distinct
    tops and lefts of its cells (as pdfplumber's rows); a position no cell
    starts at is covered by the cell whose box spans it (a merged cell)."""
    cells = t.cells
    if len(cells) < 2:
        return None     # one box around a paragraph is narrative
    xs = sorted({c[0] for c in cells})
    ys = sorted({c[1] for c in cells})
    xi = {x: j for j, x in enumerate(xs)}
    yi = {y: i for i, y in enumerate(ys)}
    owner: list[list[tuple[int, int] | None]] = [[None] * len(xs) for _ in ys]
    for c in cells:
        owner[yi[c[1]]][xi[c[0]]] = (yi[c[1]], xi[c[0]])
    for c in cells:
        i0, j0 = yi[c[1]], xi[c[0]]
        for i in range(i0, bisect.bisect_left(ys, c[3] - 0.5)):
            for j in range(j0, bisect.bisect_left(xs, c[2] - 0.5)):
                if owner[i][j] is None:
                    owner[i][j] = (i0, j0)
    buckets: dict[tuple[int, int], list[dict]] = {}
    boxes: _CellBoxes = {}
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        i, j = bisect.bisect_right(ys, cy) - 1, bisect.bisect_right(xs, cx) - 1
        if i >= 0 and j >= 0 and owner[i][j] is not None:
            buckets.setdefault(owner[i][j], []).append(ch)
    slots: list[list[Slot]] = []
    for i in range(len(ys)):
        row: list[Slot] = []
        for j in range(len(xs)):
            o = owner[i][j]
            if o is None:
                row.append("")
            elif o != (i, j):
                row.append(o)
            else:
                text = ""
                for line in _group(buckets.get(o, [])):
                    piece = _text(line)[0]
                    text = _join(text, piece)
                    boxes.setdefault(o, []).append((len(text) - len(piece), len(text), min(c["x0"] for c in line),
                                                    min(c["top"] for c in line), max(c["x1"] for c in line),
                                                    max(c["bottom"] for c in line)))
                row.append(text)
        slots.append(row)
    return t.bbox[1], slots, boxes


@dataclass
class _Open:
    """The last table of the previous page, which the next page may continue."""
    table: Table
    page: int
    head: list[list[str]]   # its first rows' texts, to spot a repeated header


@dataclass
class _Doc:
    out: Writer = field(default_factory=Writer)
    pages: list[int] = field(default_factory=list)
    grids: list[Table] = field(default_factory=list)
    owed: bool = False              # a newline is owed after the last narrative line
    wrap: bool = False              # ... and that line reached the right margin
    last: _Open | None = None
    prev_edges: tuple[str, str] = ("", "")    # first and last line of the previous page
    tail: str = ""                  # the last narrative line written
    # Boxes of the text written: (page, start, end, x0, top, x1, bottom, page width, page height),
    # in points from the top left of the page's crop box (what a renderer shows).
    boxes: list[tuple] = field(default_factory=list)
    frame: tuple[int, float, float, float, float] = (0, 0.0, 0.0, 0.0, 0.0)    # page, crop box x0, top, w, h

    def settle(self) -> None:
        if self.owed:
            self.out.write("\n")
        self.owed = self.wrap = False

    def mark(self, start: int, end: int, x0: float, top: float, x1: float, bottom: float) -> None:
        if end > start:
            pno, dx, dy, w, h = self.frame
            self.boxes.append((pno, start, end, round(x0 - dx, 1), round(top - dy, 1), round(x1 - dx, 1),
                               round(bottom - dy, 1), w, h))

    def mark_cells(self, rows: list[list[Cell]], keep: list[int], boxes: _CellBoxes) -> None:
        """Boxes of a table's cells as printed (`keep`: the grid row each printed row came from)."""
        for cells, i in zip(rows, keep):
            for j, cell in enumerate(cells):
                lines = boxes.get((i, j))
                if not lines or cell.end <= cell.start:
                    continue
                if lines[-1][1] == cell.end - cell.start:       # printed as read: each line where it is
                    for s, e, *box in lines:
                        self.mark(cell.start + s, cell.start + e, *box)
                else:                                           # changed when printed: the cell's box
                    self.mark(cell.start, cell.end, min(b[2] for b in lines), min(b[3] for b in lines),
                              max(b[4] for b in lines), max(b[5] for b in lines))


def _texts(grid: list[list[Slot]]) -> list[list[str]]:
    return [["".join(s.split()) if isinstance(s, str) else "" for s in row] for row in grid]


def _layout(doc: _Doc, page, garble: _Garble) -> tuple[list[_Line], list[_Grid]]:
    """A page's characters split between its table grids and narrative lines."""
    chars = page.chars
    garble.fix(chars)
    # Table finding intersects every ruling line with every other: a page of
    # vector art (thousands of strokes) is read as text only.
    ruled = len(page.rects) + len(page.lines) <= 5000
    found: list[tuple[Any, list[dict]]] = [(t, []) for t in page.find_tables()] if ruled else []
    # A table's bbox is computed from its cells at each access: once per table, not per character.
    frames = [(t.bbox, inside) for t, inside in found]
    loose: list[dict] = []
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        for b, inside in frames:
            if b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1:
                inside.append(c)
                break
        else:
            loose.append(c)
    grids: list[_Grid] = []
    for t, inside in found:
        g = _grid(t, inside)
        if g is None:
            loose.extend(inside)
        else:
            grids.append(g)
    upright = [c for c in loose if c.get("upright", True)]
    if len(upright) * 2 >= len(loose):
        loose = upright     # rotated stray text (watermarks) is not narrative
    h = float(page.height)
    lines = []
    for ln in map(_line, _group(loose)):
        edge = ln.top < 0.1 * h or ln.bottom > 0.9 * h
        if edge and _PAGE_NO.match(ln.text.strip()):
            continue        # page numbers are furniture, and would cut a wrapped sentence
        ln.noise = edge and ln.text in doc.prev_edges     # a running header or footer
        lines.append(ln)
    if lines:
        doc.prev_edges = (lines[0].text, lines[-1].text)
    return lines, grids


def _page(doc: _Doc, page, pno: int, garble: _Garble) -> None:
    crop = page.cropbox
    doc.frame = (pno, float(crop[0]), float(crop[1]), round(float(crop[2] - crop[0]), 1),
                 round(float(crop[3] - crop[1]), 1))
    lines, grids = _layout(doc, page, garble)
    # The text block's edges, from lines of body text (a letter-spaced
    # heading may stick out on both sides).
    body = [ln for ln in lines if not ln.noise and not ln.spaced] or [ln for ln in lines if not ln.noise]
    left = min((ln.x0 for ln in body), default=0.0)
    right = max((ln.x1 for ln in body), default=0.0)
    # Paragraphs that start indented (two characters) make a line at the left
    # margin a continuation, so a ragged line a few characters short (a long
    # number moved to the next line) still joins.
    indented = any(left + 1.2 * ln.size <= ln.x0 <= left + 2.8 * ln.size for ln in body)

    def reaches(ln: _Line) -> bool:
        # A full line of the block: ends at its right edge, starts at its left
        # (or a paragraph indent), spans half the page at least (on a page of
        # two short lines the longer is not "at the margin").
        if ln.x0 > left + 3 * ln.size or ln.x1 - ln.x0 < 0.5 * float(page.width):
            return False
        return ln.x1 >= right - 1.5 * ln.size or \
            (indented and ln.x1 >= right - 5 * ln.size and not ln.text.endswith(("。", "！", "？", "；", "：")))

    def continues(ln: _Line) -> bool:
        return not ln.noise and ln.x0 <= left + 0.6 * ln.size and not _HEADING.match(ln.text)

    items: list[tuple[float, int, _Line | _Grid]] = [(ln.top, 0, ln) for ln in lines] + [(g[0], 1, g) for g in grids]
    items.sort(key=lambda x: (x[0], x[1]))
    if not (items and isinstance(items[0][2], _Line) and doc.wrap and continues(items[0][2])):
        doc.settle()
    doc.pages.append(doc.out.length)
    # (start, end, text, noise) of the lines begun on this page: the captions.
    placed: list[tuple[int, int, str, bool]] = []
    lo = doc.out.length         # captions are looked for after the previous table on this page
    first = True
    for _, _, item in items:
        if not isinstance(item, _Line):
            _table(doc, item, pno, placed, lo, first)
            first = False
            lo = doc.out.length
        elif doc.wrap and continues(item):
            # The previous line ran to the right margin: same sentence.
            doc.owed = False
            piece = _join(doc.tail, item.text)[len(doc.tail):]
            doc.out.write(piece)
            doc.mark(doc.out.length - len(item.text), doc.out.length, item.x0, item.top, item.x1, item.bottom)
            if placed:
                s, _, text, noise = placed[-1]
                placed[-1] = (s, doc.out.length, text + piece, noise)
        else:
            doc.settle()
            s = doc.out.write(item.text)
            doc.mark(s, s + len(item.text), item.x0, item.top, item.x1, item.bottom)
            placed.append((s, s + len(item.text), item.text, item.noise))
        if isinstance(item, _Line):
            doc.tail = item.text
            doc.owed, doc.wrap = True, reaches(item)


def _table(doc: _Doc, g: _Grid, pno: int, placed: list[tuple[int, int, str, bool]], lo: int,
           first: bool) -> None:
    """Place a table: the continuation of the previous page's last table when
    this page begins with it (nothing above but running headers, 续表 or a
    unit line) and it has that table's columns or repeats its header."""
    doc.settle()
    _, slots, boxes = g
    grid, keep = compact(slots)
    if not grid:
        return
    prev = doc.last
    if prev is not None and first and prev.page == pno - 1 and \
            all(noise or _CONTINUED.match(text) or (parse_unit(text) and len(text) <= 20)
                for s, _, text, noise in placed if s >= doc.pages[-1]):
        rows = _texts(grid)
        head = next((k for k in range(min(4, len(rows), len(prev.head)), 0, -1) if rows[:k] == prev.head[:k]), 0)
        if head or len(grid[0]) == len(prev.table.rows[0]):
            _append(doc, prev, grid[head:], pno, head)
            doc.mark_cells(prev.table.rows[len(prev.table.rows) - len(grid) + head:], keep[head:], boxes)
            return
    start = doc.out.length
    rendered, rows_ = span_rows(grid, start, pages=[pno] * len(grid))
    doc.out.write(rendered + "\n")
    doc.mark_cells(rows_, keep, boxes)
    table = Table(rows=rows_, start=start, end=start + len(rendered), kind="grid", aligned=True, page=pno)
    cap = [ln for ln in placed if ln[0] >= lo and not ln[3]][-3:]
    describe(table, [(s, e) for s, e, _, _ in cap], [t for _, _, t, _ in cap])
    doc.grids.append(table)
    doc.last = _Open(table, pno, _texts(grid[:4]))


def _append(doc: _Doc, prev: _Open, grid: list[list[Slot]], pno: int, head: int) -> None:
    """Rows of a table continued on this page, appended to the open table."""
    table = prev.table
    width = max(len(table.rows[0]), len(grid[0]) if grid else 0)
    for row in table.rows:
        while len(row) < width:
            row.append(Cell("", row[-1].end, row[-1].end, page=row[-1].page))
    grid = [list(r) + [""] * (width - len(r)) for r in grid]
    # Merged cells point at rows of this page's grid, whose first `head` rows
    # (the repeated header) were dropped; a span into them is not kept.
    grid = [[s if not isinstance(s, tuple) else ((s[0] - head, s[1]) if s[0] >= head else "") for s in r]
            for r in grid]
    if grid:
        start = doc.out.length
        rendered, rows = span_rows(grid, start, row_base=len(table.rows), pages=[pno] * len(grid))
        doc.out.write(rendered + "\n")
        table.rows.extend(rows)
        table.end = start + len(rendered)
    table.page_end = pno
    if head and table.header_rows is None:
        table.header_rows = head
    prev.page = pno


def extract_pdf(data: bytes, limits: Limits, fast: bool = True) -> Extracted:
    """`fast`: read pages with pdfium where it reads them as pdfplumber would (the default)."""
    pdf = open_pdf(data, limits)
    warnings: list[str] = []
    doc = _Doc()
    garble = _Garble()
    quick = None
    try:
        with pdf:
            pages = pdf.pages
            if len(pages) > limits.max_pdf_pages:
                warnings.append(f"PDF 共 {len(pages)} 页,只读取前 {limits.max_pdf_pages} 页")
            failed = 0
            quick = FastDoc.open(data, len(pages), limits) if fast else None
            for pno, page in enumerate(pages[: limits.max_pdf_pages], start=1):
                try:
                    # pdfium's reading where it vouches for the page, else pdfplumber's
                    _page(doc, (quick and quick.page(pno - 1, page)) or page, pno, garble)
                except MemoryError:
                    raise       # the document's memory budget is spent: not a bad page
                except Exception as e:  # one unreadable page does not lose the others
                    _reraise_memory(e)
                    failed += 1
                    warnings.append(f"第 {pno} 页无法读取({type(e).__name__}),已跳过")
                    doc.settle()
                    doc.pages += [doc.out.length] * (pno - len(doc.pages))
                page.close()    # free the page's parsed objects: long reports stay small
            doc.settle()
            if failed and failed == min(len(pages), limits.max_pdf_pages):
                raise ExtractError("failed", "PDF 内容无法读取:每一页都无法解析,文件可能损坏或被截断")
    except (ExtractError, MemoryError):
        raise
    except Exception as e:
        _reraise_memory(e)
        raise ExtractError("failed", f"PDF 内容无法读取({type(e).__name__}):文件可能损坏或被截断") from None
    finally:
        if quick is not None:
            quick.close()
    garble.check(warnings)
    text = doc.out.text()
    if not text.strip():
        raise ExtractError("needs_ocr", "PDF 没有文字层(扫描件):需要先做文字识别(OCR)")
    return Extracted(text=text, grids=doc.grids, content_type="application/pdf", warnings=warnings, pages=doc.pages,
                     boxes=doc.boxes)

