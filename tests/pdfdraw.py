"""Real PDFs for extraction tests.

`Drawing` lays out pages with reportlab and a CJK TrueType font (CJK_FONT, or
WenQuanYi Micro Hei): lines at a given alignment or letter spacing, paragraphs
wrapped at the right margin with a two-character indent as Word does, and
ruled tables with merged cells (TableStyle SPAN). `garbled_pdf` writes a page
whose text layer maps glyphs to chosen characters (Kangxi radicals, private
use code points) or to nothing (bare cid codes), as broken converters do.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

from tests.pdfgen import _obj, assemble

FONT_PATH = os.environ.get("CJK_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "WQY"
MARGIN = 72.0


def have_font() -> bool:
    return Path(FONT_PATH).exists()


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, FONT_PATH, subfontIndex=0))


class Drawing:
    def __init__(self) -> None:
        from reportlab.pdfgen import canvas

        _register()
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf)
        self.started = False
        self.width, self.height = 0.0, 0.0
        self.y = 0.0

    def page(self, landscape: bool = False) -> "Drawing":
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.pagesizes import landscape as turn

        if self.started:
            self.c.showPage()
        self.started = True
        size = turn(A4) if landscape else A4
        self.c.setPageSize(size)
        self.width, self.height = size
        self.y = self.height - MARGIN
        return self

    def width_of(self, text: str, size: float) -> float:
        from reportlab.pdfbase import pdfmetrics

        return pdfmetrics.stringWidth(text, FONT, size)

    def line(self, text: str, size: float = 12, align: str = "left", char_space: float = 0,
             y: float | None = None, indent: float = 0) -> "Drawing":
        width = self.width_of(text, size) + char_space * max(0, len(text) - 1)
        x = MARGIN + indent
        if align == "center":
            x = (self.width - width) / 2
        elif align == "right":
            x = self.width - MARGIN - width
        self.c.saveState()      # the character spacing must not leak into later text
        t = self.c.beginText(x, self.y if y is None else y)
        t.setFont(FONT, size)
        t.setCharSpace(char_space)
        t.textOut(text)
        self.c.drawText(t)
        self.c.restoreState()
        if y is None:
            self.y -= size * 1.6
        return self

    def paragraph(self, text: str, size: float = 12) -> list[str]:
        """Wrap at the right margin, first line indented two characters; the lines drawn."""
        right = self.width - MARGIN
        lines: list[str] = []
        cur, x = "", MARGIN + 2 * size
        for ch in text:
            w = self.width_of(ch, size)
            if x + w > right + 0.01:
                lines.append(cur)
                cur, x = "", MARGIN
            cur += ch
            x += w
        lines.append(cur)
        for k, s in enumerate(lines):
            self.line(s, size, indent=2 * size if k == 0 else 0)
        return lines

    def table(self, rows: list[list[str]], spans: tuple = (), widths: list[float] | None = None,
              row_height: float = 20, size: float = 10) -> "Drawing":
        """A ruled table; spans are ((col0, row0), (col1, row1)) as in TableStyle SPAN."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), FONT),
                 ("FONTSIZE", (0, 0), (-1, -1), size), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        style += [("SPAN", a, b) for a, b in spans]
        t = Table(rows, colWidths=widths, rowHeights=row_height, style=TableStyle(style))
        _, h = t.wrapOn(self.c, self.width - 2 * MARGIN, self.height)
        t.drawOn(self.c, MARGIN, self.y - h)
        self.y -= h + 20
        return self

    def pdf(self) -> bytes:
        if not self.started:
            self.page()
        self.c.save()
        return self.buf.getvalue()



def garbled_pdf(lines: list[str], to_unicode: bool = True) -> bytes:
    """One page of text in a font with Identity-H glyph codes. With
    `to_unicode`, a ToUnicode CMap maps each code to the character given
    (whatever it is); without, extractors only see (cid:N)."""
    codes: dict[str, int] = {}
    for line in lines:
        for ch in line:
            codes.setdefault(ch, len(codes) + 1)
    cmap = ["/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    items = list(codes.items())
    for k in range(0, len(items), 100):
        chunk = items[k:k + 100]
        cmap.append(f"{len(chunk)} beginbfchar")
        cmap += [f"<{code:04X}> <{ord(ch):04X}>" for ch, code in chunk]
        cmap.append("endbfchar")
    cmap.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    cmap_bytes = "\n".join(cmap).encode()
    ops = [b"BT /F1 12 Tf 16 TL 72 770 Td"]
    for line in lines:
        ops.append(b"<" + "".join(f"{codes[ch]:04X}" for ch in line).encode() + b"> Tj T*")
    ops.append(b"ET")
    content = b"\n".join(ops)
    objs = [
        _obj(1, b"<< /Type /Catalog /Pages 2 0 R >>"),
        _obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        _obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
                b"/Contents 4 0 R >>"),
        _obj(4, f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"),
        _obj(5, b"<< /Type /Font /Subtype /Type0 /BaseFont /Broken /Encoding /Identity-H /DescendantFonts [6 0 R]"
                + (b" /ToUnicode 8 0 R" if to_unicode else b"") + b" >>"),
        _obj(6, b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Broken /CIDSystemInfo << /Registry (Adobe) "
                b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>"),
        _obj(7, b"<< /Type /FontDescriptor /FontName /Broken /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
                b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"),
        _obj(8, f"<< /Length {len(cmap_bytes)} >>\nstream\n".encode() + cmap_bytes + b"\nendstream"),
    ]
    return assemble(objs)
