"""A PDF page as a PNG, with boxes drawn around quoted text (pypdfium2 and Pillow).

The size is bounded (a scale of 1.5, i.e. 108 dpi, shrunk so that the longer
side is at most MAX_SIDE pixels) and renders run one at a time: PDFium is not
thread-safe, and one page at a time bounds the memory a burst of requests can
take. Box coordinates are PDF points from the top left of the page as
extracted (worker/text_boxes.py), scaled by the rendered size over the page
size recorded with them.
"""
from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass

SCALE = 1.5
MAX_SIDE = 2000
BOX_COLOUR = (220, 20, 60)      # crimson: stands out on black text and on table rules
BOX_WIDTH = 3
PAD = 2                         # pixels between the text and the box
WAIT_SECONDS = 30.0

_LOCK = threading.Lock()


class RenderError(Exception):
    """The page cannot be shown: `status` is the HTTP answer, `why` says which case
    (no_page 404, unreadable 422, busy 503), `values` what the message needs."""

    def __init__(self, status: int, why: str, **values):
        super().__init__(f"{why} {values}")
        self.status = status
        self.why = why
        self.values = values


@dataclass(frozen=True)
class Rendered:
    png: bytes
    width: int
    height: int
    pages: int      # pages of the document


def rectangles(boxes: Iterable, width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Pixel rectangles (left, top, right, bottom) of boxes on an image of width × height, padded, clipped."""
    out = []
    for b in boxes:
        if b.width <= 0 or b.height <= 0:
            continue
        sx, sy = width / b.width, height / b.height
        left, top = max(0, int(b.x0 * sx) - PAD), max(0, int(b.top * sy) - PAD)
        right, bottom = min(width - 1, int(b.x1 * sx + 0.999) + PAD), min(height - 1, int(b.bottom * sy + 0.999) + PAD)
        if right > left and bottom > top:
            out.append((left, top, right, bottom))
    return out


def render(data: bytes, page: int, boxes: Iterable = (), max_pages: int = 500) -> Rendered:
    """Page `page` (from 1) of the PDF `data` as a PNG with `boxes` outlined."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    if not _LOCK.acquire(timeout=WAIT_SECONDS):
        raise RenderError(503, "busy")
    try:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            raise RenderError(422, "unreadable", error=type(e).__name__) from None
        try:
            count = len(pdf)
            if not 1 <= page <= min(count, max_pages):
                raise RenderError(404, "no_page", page=page, pages=count)
            try:
                p = pdf[page - 1]
                w, h = p.get_size()
                if w <= 0 or h <= 0:
                    raise RenderError(422, "unreadable", error="page size")
                scale = min(SCALE, MAX_SIDE / max(w, h))
                image = p.render(scale=scale).to_pil().convert("RGB")
                p.close()
            except pdfium.PdfiumError as e:
                raise RenderError(422, "unreadable", error=type(e).__name__) from None
        finally:
            pdf.close()
    finally:
        _LOCK.release()
    draw = ImageDraw.Draw(image)
    for r in rectangles(boxes, image.width, image.height):
        draw.rectangle(r, outline=BOX_COLOUR, width=BOX_WIDTH)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False, compress_level=6)
    return Rendered(buf.getvalue(), image.width, image.height, count)
