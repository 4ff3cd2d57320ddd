"""Word attachments (DOCX): paragraphs and tables in document order."""
from __future__ import annotations

import io

from worker.extract import Extracted, ExtractError
from worker.parse.tables import grid_table, render_grid


def extract_docx(data: bytes) -> Extracted:
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise ExtractError("failed", f"DOCX 文件损坏或无法打开({type(e).__name__})") from None
    parts: list[str] = []
    grids = []
    length = 0
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            if text:
                parts.append(text + "\n")
                length += len(text) + 1
        elif tag == "tbl":
            table = DocxTable(child, document)
            rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
            rows = [r for r in rows if any(r)]
            if not rows:
                continue
            rendered = render_grid(rows)
            grids.append(grid_table(rendered, length, rows))
            parts.append(rendered + "\n")
            length += len(rendered) + 1
    text = "".join(parts)
    if not text.strip():
        raise ExtractError("empty", "Word 文档中没有文字")
    return Extracted(text=text, grids=grids,
                     content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
