"""PDF attachments: text outside tables, and tables as grids (pdfplumber).

A PDF whose pages carry no text layer is a scan: it is recorded as
`needs_ocr`, never silently stored as an empty report.
"""
from __future__ import annotations

import io

from worker.extract import Extracted, ExtractError, Limits
from worker.parse.tables import grid_table, render_grid


def extract_pdf(data: bytes, limits: Limits) -> Extracted:
    try:
        import pdfplumber

        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:  # pdfminer raises many types for broken files
        raise ExtractError("failed", f"PDF 文件损坏或无法解析({type(e).__name__})") from None
    warnings: list[str] = []
    parts: list[str] = []
    grids = []
    length = 0
    try:
        with pdf:
            pages = pdf.pages
            if len(pages) > limits.max_pdf_pages:
                warnings.append(f"PDF 共 {len(pages)} 页,只读取前 {limits.max_pdf_pages} 页")
            for page in pages[: limits.max_pdf_pages]:
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]
                if boxes:
                    def outside(obj, boxes=boxes):
                        x0, top, x1, bottom = obj.get("x0", 0), obj.get("top", 0), obj.get("x1", 0), obj.get("bottom", 0)
                        return not any(x0 >= b[0] - 1 and x1 <= b[2] + 1 and top >= b[1] - 1 and bottom <= b[3] + 1
                                       for b in boxes)
                    body = page.filter(outside).extract_text() or ""
                else:
                    body = page.extract_text() or ""
                if body.strip():
                    parts.append(body.strip() + "\n")
                    length += len(parts[-1])
                for t in tables:
                    rows = [[(c or "").replace("\n", "") for c in row] for row in (t.extract() or [])]
                    rows = [r for r in rows if any(x.strip() for x in r)]
                    if not rows:
                        continue
                    rendered = render_grid(rows)
                    g = grid_table(rendered, length, rows)
                    grids.append(g)
                    parts.append(rendered + "\n")
                    length += len(parts[-1])
    except ExtractError:
        raise
    except Exception as e:
        raise ExtractError("failed", f"PDF 内容无法读取({type(e).__name__}):文件可能损坏或被截断") from None
    text = "".join(parts)
    if not text.strip():
        raise ExtractError("needs_ocr", "PDF 没有文字层(扫描件):需要先做文字识别(OCR)")
    return Extracted(text=text, grids=grids, content_type="application/pdf", warnings=warnings)
