"""A PDF page read with pdfium instead of pdfminer, for pdfplumber's table finder.

pdfplumber's cost is pdfminer's content-stream interpretation in Python
(about 50 ms a page); pdfium does the same in C. This module builds from
pdfium what worker/extract/pdf.py reads of a pdfplumber page, as pdfminer
and pdfplumber would have computed it:

* characters: text, x0/x1 (origin and advance), top/bottom (baseline plus
  the font's descent, one em high), size;
* ruling: path objects classified as pdfminer does (a single segment is a
  line, a closed axis-aligned four-sided path a rect, anything else a curve)
  and turned into edges as pdfplumber does, so pdfplumber's TableFinder
  finds the same cells.

A page it cannot vouch for gives None and is read by pdfplumber (pdf.py):
rotated or offset page boxes, fonts whose text pdfminer and pdfium may decode
differently (worker/extract/pdffonts.py), characters without a unicode
mapping, and text that is not upright.
"""
from __future__ import annotations

import ctypes
import functools
from dataclasses import dataclass, field
from typing import Any

# pdfium path segment types (fpdf_edit.h)
_LINETO, _BEZIERTO, _MOVETO = 0, 1, 2
_TEXT, _PATH, _FORM = 1, 2, 5     # FPDF_PAGEOBJ_TEXT, _PATH, _FORM
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: _Matrix, n: _Matrix) -> _Matrix:
    """m then n (PDF row-vector convention: p · m · n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


@dataclass
class FastPage:
    """The parts of a pdfplumber Page that pdf.py and TableFinder use."""
    width: float
    height: float
    cropbox: tuple[float, float, float, float]
    chars: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    rects: list[dict] = field(default_factory=list)
    curves: list[dict] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)

    @property
    def edges(self) -> list[dict]:
        from pdfplumber import utils

        return [utils.line_to_edge(x) for x in self.lines] + \
            [e for r in self.rects for e in utils.rect_to_edges(r)] + \
            [e for c in self.curves for e in utils.curve_to_edges(c)]

    def find_tables(self) -> list:
        """pdfplumber's TableFinder with its default settings, its slowest step (pairing the
        ruling lines' crossings into cells) done by `_cells` with the same result."""
        from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

        finder = TableFinder.__new__(TableFinder)
        finder.page, finder.settings = self, TableSettings.resolve(None)     # type: ignore[assignment]
        s = finder.settings
        crossings = edges_to_intersections(finder.get_edges(), s.intersection_x_tolerance,
                                           s.intersection_y_tolerance)
        return [Table(self, group) for group in cells_to_tables(_cells(crossings))]   # type: ignore[arg-type]

    def close(self) -> None:
        pass


def _cells(crossings: dict) -> list[tuple]:
    """pdfplumber.table.intersections_to_cells, each crossing's edges made a set
    once instead of at every comparison: for each crossing in order, the
    nearest crossings below and to the right joined to it by a common edge,
    and the corner they make joined to both."""
    from pdfplumber.utils import obj_to_bbox

    v = {p: {obj_to_bbox(e) for e in d["v"]} for p, d in crossings.items()}
    h = {p: {obj_to_bbox(e) for e in d["h"]} for p, d in crossings.items()}
    points = sorted(crossings)
    cols: dict[float, list] = {}
    rows: dict[float, list] = {}
    for p in points:
        cols.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)

    def joined(p1: tuple, p2: tuple) -> bool:
        return bool((p1[0] == p2[0] and not v[p1].isdisjoint(v[p2])) or
                    (p1[1] == p2[1] and not h[p1].isdisjoint(h[p2])))

    cells = []
    for pt in points:
        col, row = cols[pt[0]], rows[pt[1]]
        below = col[col.index(pt) + 1:]     # sorted: same x, further down
        right = row[row.index(pt) + 1:]     # same top, further right
        found = None
        for b in below:
            if not joined(pt, b):
                continue
            for r in right:
                if not joined(pt, r):
                    continue
                corner = (r[0], b[1])
                if corner in crossings and joined(corner, r) and joined(corner, b):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


class FastDoc:
    """A document opened with pdfium beside pdfplumber's, read page by page."""

    def __init__(self, doc: Any) -> None:
        from worker.extract.pdffonts import FontCheck

        self.doc = doc
        self.fonts = FontCheck()

    @classmethod
    def open(cls, data: bytes, n_pages: int, limits: Any) -> "FastDoc | None":
        """None when the limits do not fit pdfium, or it fails or disagrees on the pages."""
        if not fits(limits):
            return None
        try:
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(data)
        except MemoryError:
            raise
        except Exception:
            return None
        if len(doc) != n_pages:
            doc.close()
            return None
        return cls(doc)

    def page(self, index: int, plumber_page: Any) -> FastPage | None:
        """Page `index` read with pdfium, or None: pdfplumber's `plumber_page` is read."""
        if not self.fonts.page_ok(plumber_page.page_obj.resources):
            return None
        try:
            pp = self.doc[index]
        except MemoryError:
            raise
        except Exception:
            return None
        try:
            return read_page(pp)
        except MemoryError:
            raise
        except Exception:
            return None
        finally:
            pp.close()

    def close(self) -> None:
        self.doc.close()


def fits(limits: Any) -> bool:
    """Whether the limits keep pdfium inside the memory budget. pdfium aborts
    the process when an allocation fails, where pdfminer raises MemoryError and
    the sandbox reports the budget spent: with streams allowed to inflate to
    more than an eighth of the budget, pdfplumber reads every page."""
    budget = limits.document_memory_mb * 1024 * 1024
    return not budget or 8 * limits.max_pdf_stream <= budget


class _Refused(Exception):
    """The page has something the fast reading does not reproduce."""


def read_page(page: Any) -> FastPage | None:
    """A pypdfium2 PdfPage as a FastPage, or None when it cannot vouch for it."""
    import pypdfium2.raw as R

    if page.get_rotation() % 360:
        return None
    mb = page.get_mediabox()
    if mb[0] != 0 or mb[1] != 0:
        return None     # pdfminer's coordinates are relative to the media box; keep to the plain case
    height = float(mb[3])
    cb = page.get_cropbox()
    x0, x1 = sorted((cb[0], cb[2]))
    y0, y1 = sorted((cb[1], cb[3]))
    fp = FastPage(width=float(mb[2]), height=height, cropbox=(x0, height - y1, x1, height - y0))
    try:
        fp.chars = _chars(page, height, R)
        texts = _paths(page, fp, R)
    except _Refused:
        return None
    if texts and not fp.chars:
        return None     # text objects pdfium reads no character of (a vertical font it skips)
    return fp


@functools.cache
def _calls() -> tuple:
    """pdfium's per-character calls with plain integer handles: pypdfium2's
    typed pointers cost a conversion on every call, and a text object's
    pointer could not be compared without a cast."""
    from pypdfium2_raw.bindings import _libs

    lib = _libs["pdfium"]
    V, I = ctypes.c_void_p, ctypes.c_int

    def fn(name: str, restype: Any, *argtypes: Any) -> Any:
        f = lib[name]       # a new function object: pypdfium2's own bindings stay as they are
        f.restype, f.argtypes = restype, argtypes
        return f

    return (fn("FPDFText_CountChars", I, V), fn("FPDFText_GetUnicode", ctypes.c_uint, V, I),
            fn("FPDFText_HasUnicodeMapError", I, V, I), fn("FPDFText_GetTextObject", V, V, I),
            fn("FPDFText_GetFontSize", ctypes.c_double, V, I), fn("FPDFText_GetMatrix", I, V, I, V),
            fn("FPDFText_GetLooseCharBox", I, V, I, V), fn("FPDFText_GetText", I, V, I, I, V))


def _chars(page: Any, height: float, R: Any) -> list[dict]:
    count, unicode, unmapped, text_object, font_size, matrix, loose, get_text = _calls()
    tp = page.get_textpage()
    try:
        raw = ctypes.cast(tp.raw, ctypes.c_void_p).value
        n = count(raw)
        # The page's text in one call: one UTF-16 unit a character, unless pdfium
        # left a character out or one is outside the BMP (then character by character).
        buf = (ctypes.c_ushort * (n + 1))()
        get_text(raw, 0, n, ctypes.addressof(buf))
        text = bytes(buf)[:2 * n].decode("utf-16-le", "surrogatepass")
        if len(text) != n or any("\ud800" <= c <= "\udfff" for c in text):
            text = "".join(chr(unicode(raw, i)) for i in range(n))
        rect, m = R.FS_RECTF(), R.FS_MATRIX()
        rect_at, m_at = ctypes.addressof(rect), ctypes.addressof(m)
        sizes: dict[int, float] = {}        # text object -> its characters' height (one em)
        out = []
        for i, ch in enumerate(text):
            if not ch.strip():
                continue    # blanks (and pdfium's generated spaces and line breaks) are not read
            if unmapped(raw, i):
                raise _Refused
            obj = text_object(raw, i)
            size = sizes.get(obj)
            if size is None:
                matrix(raw, i, m_at)
                if m.b != 0 or m.c != 0 or m.a <= 0 or m.d <= 0:
                    raise _Refused      # rotated, skewed or mirrored text: pdfminer's box rules differ
                size = sizes[obj] = font_size(raw, i) * m.d     # pdfminer's char height
            loose(raw, i, rect_at)
            # pdfium's loose box: from the origin to the advance, up from the font's descent
            bottom = height - rect.bottom
            out.append({"text": ch, "x0": rect.left, "x1": rect.right, "top": bottom - size, "bottom": bottom,
                        "size": size, "upright": True})
        return out
    finally:
        tp.close()


def _paths(page: Any, fp: FastPage, R: Any) -> int:
    """The page's path objects (inside forms too) into fp's lines, rects and
    curves; returns the number of text objects seen."""
    m = R.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    texts = 0

    def walk(count: int, get: Any, parent: Any, outer: _Matrix) -> None:
        nonlocal texts
        for k in range(count):
            obj = get(parent, k)
            kind = R.FPDFPageObj_GetType(obj)
            texts += kind == _TEXT
            if kind not in (_PATH, _FORM):
                continue
            if not R.FPDFPageObj_GetMatrix(obj, m):
                raise _Refused
            mat = _mul((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == _FORM:
                walk(R.FPDFFormObj_CountObjects(obj), R.FPDFFormObj_GetObject, obj, mat)
                continue
            segs = []
            for s in range(R.FPDFPath_CountSegments(obj)):
                seg = R.FPDFPath_GetPathSegment(obj, s)
                if not R.FPDFPathSegment_GetPoint(seg, x, y):
                    raise _Refused
                a, b, c, d, e, f = mat
                px, py = x.value, y.value
                segs.append((R.FPDFPathSegment_GetType(seg), round(a * px + c * py + e, 3),
                             round(b * px + d * py + f, 3), bool(R.FPDFPathSegment_GetClose(seg))))
            for sub in _subpaths(segs):
                _classify(sub, fp)

    walk(R.FPDFPage_CountObjects(page), R.FPDFPage_GetObject, page, _IDENTITY)
    return texts


def _subpaths(segs: list[tuple[int, float, float, bool]]) -> list[tuple[str, list[tuple[float, float]]]]:
    """pdfium's segments as pdfminer's subpaths: (shape, points), one letter
    and one point per operator (m, l, c for a Bezier's end, h for the start).
    pdfium stores `re` and `h` as a line back to the start flagged closed."""
    out: list[tuple[str, list[tuple[float, float]]]] = []
    shape, pts = "", []
    bez = 0
    for kind, px, py, closed in segs:
        if kind == _MOVETO:
            if shape:
                out.append((shape, pts))
            shape, pts, bez = "m", [(px, py)], 0
            continue
        if not shape:
            raise _Refused
        if kind == _BEZIERTO:
            bez += 1
            if bez % 3:
                continue    # control points: pdfminer keeps only the curve's end
            shape += "c"
            pts.append((px, py))
            if closed:
                shape += "h"
                pts.append(pts[0])
        elif kind == _LINETO:
            if closed and (px, py) == pts[0]:
                shape += "h"
            else:
                shape += "l"
                if closed:
                    raise _Refused  # pdfium closes with a line to the start: anything else is unexpected
            pts.append((px, py))
        else:
            raise _Refused
    if shape:
        out.append((shape, pts))
    return out


def _classify(sub: tuple[str, list[tuple[float, float]]], fp: FastPage) -> None:
    """pdfminer's paint_path for one subpath, then pdfplumber's object dict."""
    shape, pts = sub
    pts = list(pts)
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        fp.lines.append(_obj("line", pts[:2], fp.height))
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            fp.rects.append(_obj("rect", [pts[0], (pts[2][0], pts[0][1]), pts[2], (pts[0][0], pts[2][1])], fp.height))
        else:
            fp.curves.append(_obj("curve", pts, fp.height))
    elif len(shape) > 1:
        fp.curves.append(_obj("curve", pts, fp.height))
    # a lone "m" paints nothing pdfplumber keeps (pdfminer: a curve of one point, no edge)


def _obj(kind: str, pts: list[tuple[float, float]], height: float) -> dict:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    o = {"object_type": kind, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "width": x1 - x0, "height": y1 - y0,
         "top": height - y1, "bottom": height - y0, "doctop": height - y1}
    if kind == "curve":
        o["pts"] = [(px, height - py) for px, py in pts]
    return o
