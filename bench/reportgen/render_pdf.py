"""PDF rendering with reportlab: A4, ruled grids, landscape pages for wide
tables, a real CJK TrueType font so pdfplumber can extract the text."""
from __future__ import annotations

import os
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate,
                                Paragraph, Spacer, Table, TableStyle)

from .blocks import render
from .document import Report
from .grid import Amt, LTable, text_of

FONT = "CJK"
_registered = False


def font_path() -> str:
    return os.environ.get("CJK_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def register_font() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont(FONT, font_path(), subfontIndex=0))
        _registered = True


def _style(name, size, align=TA_LEFT, leading=None, indent=0, before=0, after=0):
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading or size * 1.5, alignment=align,
                          firstLineIndent=indent, spaceBefore=before, spaceAfter=after, wordWrap="CJK")


class Marker(Flowable):
    """Zero-size flowable recording the page it lands on."""

    def __init__(self, key: str, pages: dict):
        super().__init__()
        self.key, self.pages = key, pages

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        self.pages.setdefault(self.key, self.canv.getPageNumber())


class CellText(Flowable):
    """A table cell's text that records the page it is drawn on."""

    def __init__(self, text: str, size: float, align: str, key: str, pages: dict):
        super().__init__()
        self.text, self.size, self.align, self.key, self.pages = text, size, align, key, pages

    def wrap(self, aw, ah):
        self.aw = aw
        return aw, self.size * 1.2

    def draw(self):
        self.pages.setdefault(self.key, self.canv.getPageNumber())
        self.canv.setFont(FONT, self.size)
        if self.align == "RIGHT":
            self.canv.drawRightString(self.aw, self.size * 0.25, self.text)
        else:
            self.canv.drawString(0, self.size * 0.25, self.text)


class SpacedText(Flowable):
    """A heading drawn with character spacing (letter-spaced in the PDF)."""

    def __init__(self, text: str, size: float, space: float, center: bool = False):
        super().__init__()
        self.text, self.size, self.space, self.center = text, size, space, center

    def wrap(self, aw, ah):
        self.aw = aw
        return aw, self.size * 2.0

    def draw(self):
        w = pdfmetrics.stringWidth(self.text, FONT, self.size) + self.space * (len(self.text) - 1)
        t = self.canv.beginText()
        t.setFont(FONT, self.size)
        t.setCharSpace(self.space)
        t.setTextOrigin((self.aw - w) / 2 if self.center else 0, self.size * 0.5)
        t.textOut(self.text)
        self.canv.drawText(t)


class Renderer:
    def __init__(self, rep: Report, tracked: set):
        register_font()
        self.rep, self.v, self.tracked = rep, rep.variant, tracked
        self.pages: dict = {}
        self.st = {"body": _style("body", 11, indent=22, leading=19), "h1": _style("h1", 15, TA_CENTER, before=6, after=10),
                   "h2": _style("h2", 12.5, before=6, after=4), "h3": _style("h3", 11.5, before=4, after=2),
                   "cover": _style("cover", 26, TA_CENTER, leading=40), "toc": _style("toc", 12, leading=21),
                   "title": _style("title", 14, TA_CENTER, after=4), "unit": _style("unit", 9, TA_RIGHT),
                   "note": _style("note", 9, leading=13), "hdr": _style("hdr", 8, TA_CENTER, leading=10),
                   "cell": _style("cell", 8, leading=10)}

    def story(self) -> list:
        out: list = []
        blocks = self.rep.blocks
        orient = "P"
        for k, b in enumerate(blocks):
            if b.kind == "table" and b.dropped:
                continue
            if b.kind == "cover":
                out += [Marker(b.id, self.pages), Spacer(1, 220)]
                for line in b.lines:
                    txt = render(line)
                    out.append(SpacedText(txt, 24, 6, True) if self.v.get("spaced_headings") else
                               Paragraph(escape(txt), self.st["cover"]))
                out.append(PageBreak())
                continue
            if b.kind == "toc":
                out += [Marker(b.id, self.pages), Paragraph("目  录", self.st["h1"])]
                for line in b.lines:
                    txt = render(line)
                    ind = 0 if txt.startswith("第") else 24
                    out.append(Paragraph(escape(txt), ParagraphStyle("t", parent=self.st["toc"], leftIndent=ind)))
                continue
            if b.kind == "heading" and b.level == 1:
                want = "P"
                if orient != want:
                    out.append(NextPageTemplate("P"))
                    orient = want
                out.append(PageBreak())
            if b.kind == "table" and b.table.key != "units":
                want = "L" if b.table.landscape else "P"
                prev = blocks[k - 1]
                if not (prev.kind == "heading" and prev.level == 1 and want == "P"):
                    if want != orient:
                        out.append(NextPageTemplate(want))
                    out.append(PageBreak())
                orient = want
            out.append(Marker(b.id, self.pages))
            if b.kind == "heading":
                txt = b.text
                if b.spaced and b.level == 1:
                    out.append(SpacedText(txt, 15, 3.5, True))
                else:
                    out.append(Paragraph(escape(txt), self.st[f"h{b.level}"]))
            elif b.kind == "para":
                out.append(Paragraph(escape(b.text), self.st["body"]))
            elif b.kind == "table":
                out += self.table(b.table, orient)
        return out

    def table(self, t: LTable, orient: str) -> list:
        out = []
        if t.pre_title:
            out.append(Paragraph(escape(t.pre_title), self.st["title"]))
        if t.title:
            out.append(Paragraph(escape(t.title), self.st["title"]))
        if t.unit:
            out.append(Paragraph(f"单位：{t.unit}", self.st["unit"]))
        width = (landscape(A4)[0] if orient == "L" else A4[0]) - 36 * mm
        tw = sum(t.widths)
        widths = [width * w / tw for w in t.widths]
        size = self._fit(t, widths)
        split = next((s for s in self.v.get("split", []) if s["table"] == t.key), None)
        nh = len(t.header)
        body = [self._row(t, r, widths, size) for r in range(len(t.rows))]
        header = [[Paragraph(escape(h), self.st["hdr"]) if h else "" for h in row] for row in t.header]
        if split and len(body) >= 4:
            at = max(1, min(len(body) - 1, int(len(body) * split["frac"])))
            chunks = [(0, at, True), (at, len(body), split["repeat"])]
        else:
            chunks = [(0, len(body), True)]
        for n, (a, z, with_header) in enumerate(chunks):
            if n:
                out.append(PageBreak())
            hdr = header if with_header else []
            data = hdr + body[a:z]
            ts = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), size),
                  ("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                  ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                  ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
            for c in t.numeric_cols:
                ts.append(("ALIGN", (c, len(hdr)), (c, -1), "RIGHT"))
            if hdr:
                ts += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in t.hmerges]
                ts.append(("ALIGN", (0, 0), (-1, len(hdr) - 1), "CENTER"))
            for r0, c0, r1, c1 in t.bmerges:
                if a <= r0 < z:
                    ts.append(("SPAN", (c0, r0 - a + len(hdr)), (c1, r1 - a + len(hdr))))
            rep = len(hdr) if (hdr and self.v.get("repeat_header")) else 0
            out.append(Table(data, colWidths=widths, style=TableStyle(ts), repeatRows=rep))
        if t.note:
            out.append(Paragraph(escape(t.note), self.st["note"]))
        if t.empty_note:
            out.append(Paragraph(escape(t.empty_note), self.st["note"]))
        return out

    def _fit(self, t: LTable, widths: list) -> float:
        texts = [(c, text_of(cell, t)) for row in t.rows for c, cell in enumerate(row) if cell is not None]
        for size in (9, 8.5, 8, 7.5, 7):
            if all(pdfmetrics.stringWidth(s, FONT, size) <= widths[c] - 6 for c, s in texts if not self._wraps(t, c)):
                return size
        return 7

    def _wraps(self, t: LTable, c: int) -> bool:
        return self.v.get("wrap_names") and c == 1 and t.key in ("t2", "t3", "t5", "t6", "t8", "t9")

    def _row(self, t: LTable, r: int, widths: list, size: float) -> list:
        out = []
        for c, cell in enumerate(t.rows[r]):
            s = text_of(cell, t)
            if isinstance(cell, Amt) and cell.id in self.tracked:
                out.append(CellText(s, size, "RIGHT", cell.id, self.pages))
            elif isinstance(cell, str) and (self._wraps(t, c) or
                                            pdfmetrics.stringWidth(s, FONT, size) > widths[c] - 6):
                st = ParagraphStyle("c", parent=self.st["cell"], fontSize=size, leading=size * 1.25)
                out.append(Paragraph(escape(s), st))
            else:
                out.append(s)
        return out


def _page_number(canvas, doc):
    canvas.saveState()
    canvas.setFont(FONT, 9)
    w = canvas._pagesize[0]
    canvas.drawCentredString(w / 2, 10 * mm, f"- {doc.page} -")
    canvas.restoreState()


def render_pdf(rep: Report, path: str, tracked: set) -> dict:
    """Write the PDF; returns {block or cell id: page number}."""
    r = Renderer(rep, tracked)
    doc = BaseDocTemplate(path, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                          bottomMargin=18 * mm, title=f"{rep.issuer}{rep.year}年度部门决算", author=rep.issuer,
                          invariant=1)
    on_page = _page_number if rep.variant.get("page_numbers") else None
    pw, ph = A4
    fp = Frame(18 * mm, 18 * mm, pw - 36 * mm, ph - 36 * mm, id="fp")
    fl = Frame(18 * mm, 18 * mm, ph - 36 * mm, pw - 36 * mm, id="fl")
    kw = {"onPage": on_page} if on_page else {}
    doc.addPageTemplates([PageTemplate("P", [fp], pagesize=A4, **kw),
                          PageTemplate("L", [fl], pagesize=landscape(A4), **kw)])
    doc.build(r.story())
    return r.pages
