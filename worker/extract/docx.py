"""Word attachments (DOCX): paragraphs and tables in document order.

A table's caption is the short paragraphs just before it (title, unit line).
python-docx returns the same cell (same <w:tc>) for every grid position a
merged cell covers; the first position keeps the text, the others point at it.
"""
from __future__ import annotations

import io

from worker.extract import Extracted, ExtractError
from worker.extract.sheet import Slot, Writer, describe, span_table
from worker.parse.tables import Table

MAX_CAPTION_LINE = 60   # a longer paragraph is narrative, not a title


def _grid(table) -> list[list[Slot]]:
    grid: list[list[Slot]] = []
    # Keyed by the <w:tc> element; the element is kept so its id stays unique.
    seen: dict[int, tuple[tuple[int, int], object]] = {}
    for r, row in enumerate(table.rows):
        slots: list[Slot] = [""] * int(getattr(row, "grid_cols_before", 0) or 0)
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                slots.append(seen[key][0])
            else:
                seen[key] = ((r, len(slots)), cell._tc)
                slots.append(cell.text.strip())
        grid.append(slots)
    return grid


def extract_docx(data: bytes) -> Extracted:
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as e:
        raise ExtractError("failed", f"DOCX 文件损坏或无法打开({type(e).__name__})") from None
    out = Writer()
    grids: list[Table] = []
    lo = 0      # captions are looked for after the previous table
    try:
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                text = Paragraph(child, document).text.strip()
                if text:
                    out.line(text)
            elif tag == "tbl":
                made = span_table(_grid(DocxTable(child, document)), out.length)
                if made is None:
                    continue
                rendered, table = made
                describe(table, *out.caption(lo, max_len=MAX_CAPTION_LINE))
                out.line(rendered)
                grids.append(table)
                lo = out.length
    except MemoryError:
        raise
    except Exception as e:
        raise ExtractError("failed", f"DOCX 内容无法读取({type(e).__name__})") from None
    text = out.text()
    if not text.strip():
        raise ExtractError("empty", "Word 文档中没有文字")
    return Extracted(text=text, grids=grids,
                     content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
