"""HTML pages to text and table grids.

Portal pages wrap a report in navigation, breadcrumbs, share widgets and
footers; those are dropped. Data tables (tables without nested tables) are
expanded cell by cell, colspan and rowspan included, and rendered one row a
line so every cell keeps offsets in the text; positions a merged cell covers
are empty cells pointing at it. A table's caption is its <caption>, else the
short lines just above it (title, unit line).
"""
from __future__ import annotations

import re

from lxml import etree, html

from worker.extract.pagedates import page_dates
from worker.extract.sheet import Slot, Writer, compact, describe, span_rows
from worker.listpage import LinkStats, measure
from worker.parse.tables import Table

_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "button",
              "select", "option", "object", "embed", "svg", "canvas", "template", "head")
_BOILER = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumb|crumb|footer|foot|header|head-?top|topbar|share|bdshare|jiathis|"
    r"sidebar|side-?bar|toolbar|tools|print|fontsize|font-size|copyright|banner|search|login|related|xgxx|bottom|"
    r"gotop|location|position|dqwz)(?:$|[\s_-])", re.I)
_CONTENT = re.compile(r"(?:content|article|main|zoom|trs_editor|detail|text|zw|xxgk_content|news_con|con)", re.I)
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article",
          "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "center", "hr", "caption", "table", "tbody"}
_WITH_IDENT = etree.XPath("descendant-or-self::*[@class or @id]")
# libxml2 silently drops what lies deeper than 255 elements, so a page that
# deep would lose text without a word; real portal pages stay under ~60.
MAX_DEPTH = 200


class HtmlError(Exception):
    pass


def extract_html(source: str) -> tuple[str, list[Table], list[str]]:
    text, tables, warnings, _ = extract_page(source)
    return text, tables, warnings


def extract_page(source: str) -> tuple[str, list[Table], list[str], "LinkStats | None"]:
    """The page's text and tables, its warnings, and how much of it is links
    (worker/listpage.py tells a list page from a report by that)."""
    text, tables, warnings, links, _ = extract_dated(source)
    return text, tables, warnings, links


def extract_dated(source: str) -> tuple[str, list[Table], list[str], "LinkStats | None", list[dict]]:
    """`extract_page` and the page's publication dates (worker/extract/pagedates.py),
    read from the whole page before its navigation is dropped."""
    warnings: list[str] = []
    if not source.strip():
        return "", [], warnings, None, []
    parser = html.HTMLParser(remove_comments=True, recover=True, huge_tree=False)
    try:
        root = html.fromstring(source, parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise HtmlError(f"HTML 无法解析:{e}") from None
    if root is None:
        return "", [], warnings, None, []
    if _depth_exceeds(root, MAX_DEPTH):
        raise HtmlError(f"HTML 嵌套超过 {MAX_DEPTH} 层:不像正常网页,拒绝处理")
    if not re.search(r"</html\s*>", source[-2000:], re.I) and re.search(r"<html", source[:2000], re.I):
        warnings.append("网页没有结束标记 </html>:内容可能不完整")
    title = ""
    t = root.find(".//title")
    if t is not None and t.text:
        title = t.text.strip()
    dates = page_dates(root)
    body = main_content(root)
    links = measure(body)
    out = _Writer()
    _walk(body, out)
    text = out.text()
    if title and title not in text[:500]:
        text = title + "\n" + text
        shift = len(title) + 1
        for g in out.tables:
            _shift(g, shift)
    return text, out.tables, warnings, links, dates


_DEEP: dict[int, etree.XPath] = {}


def _depth_exceeds(root, limit: int) -> bool:
    """Whether a node (element, comment, PI) lies deeper than `limit` below
    root: an element `limit` levels down that has a child. One XPath, not a
    Python step per element."""
    if limit < 1:
        return limit < 0 or len(root) > 0
    xp = _DEEP.get(limit)
    if xp is None:
        xp = _DEEP[limit] = etree.XPath(
            "boolean(" + "/".join(["*"] * limit) + "[* or comment() or processing-instruction()])")
    return xp(root)


def _remove(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    parent.remove(el)
    if tail and tail.strip():
        prev = parent
        prev.text = (prev.text or "") + tail


def _main_block(root):
    best, best_len = None, 0
    total = len(root.text_content())
    for el in root.iter("div", "td", "article", "section"):
        ident = " ".join(filter(None, [el.get("class"), el.get("id")]))
        if ident and _CONTENT.search(ident):
            n = len(el.text_content())
            if n > best_len:
                best, best_len = el, n
    if best is not None and best_len >= 200 and best_len >= total * 0.3:
        return best
    body = root.find(".//body")
    return body if body is not None else root


MAX_CAPTION_LINE = 60   # a longer line above a table is narrative, not its title


class _Writer(Writer):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.table_end = 0      # captions are looked for after the previous table

    def newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.write("\n")

    def table(self, grid: list[list[tuple[str, tuple[int, int]]]], caption: str, head: int) -> None:
        """Render a grid: a merged cell's text once, at its own position; the
        positions it covers are empty cells pointing at it (span_from)."""
        slots: list[list[Slot]] = [[text if origin == (r, c) else origin for c, (text, origin) in enumerate(row)]
                                   for r, row in enumerate(grid)]
        slots, kept = compact(slots)
        if not slots:
            return
        self.newline()
        if caption:
            # A <caption> is printed above the table, so its title has offsets.
            spans_lines = ([self.line(caption)], [caption])
        else:
            spans_lines = self.caption(self.table_end, max_len=MAX_CAPTION_LINE)
        start = self.length
        rendered, rows = span_rows(slots, start)
        self.write(rendered + "\n")
        t = Table(rows=rows, start=start, end=start + len(rendered), kind="grid", aligned=True)
        describe(t, *spans_lines, caption=caption or None)
        t.header_rows = sum(1 for k in kept if k < head) or None
        self.tables.append(t)
        self.table_end = self.length


def _shift(t: Table, by: int) -> None:
    t.start += by
    t.end += by
    if t.title_span:
        t.title_span = (t.title_span[0] + by, t.title_span[1] + by)
    for r in t.rows:
        for c in r:
            c.start += by
            c.end += by


_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def _clean(s: str) -> str:
    return _SPACES.sub(" ", s)


def _walk(el, out: _Writer) -> None:
    # Iterative walk: deep pages must not exhaust Python's stack.
    stack: list[tuple[object, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if isinstance(node, str):
                out.write(_clean(node))
                continue
            if node.tag in _BLOCK:
                out.newline()
            if node.tail and node.tail.strip():
                out.write(_clean(node.tail.replace("\n", " ")))
            continue
        if isinstance(node, str):
            if node.strip():
                out.write(_clean(node))
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "table" and node.find(".//table") is None:
            if node.getparent() is not None and tag in _BLOCK:
                out.newline()
            caption = node.find("caption")
            grid, head = _grid(node)
            out.table(grid, re.sub(r"\s+", " ", caption.text_content()).strip() if caption is not None else "", head)
            if node.tail and node.tail.strip():
                out.write(_clean(node.tail.replace("\n", " ")))
            continue
        if tag in _BLOCK:
            out.newline()
        if tag == "br":
            out.write("\n")
        stack.append((node, True))
        for child in reversed(list(node)):
            stack.append((child, False))
        if node.text and node.text.strip():
            stack.append((_clean(node.text.replace("\n", " ")), False))


def _grid(table) -> tuple[list[list[tuple[str, tuple[int, int]]]], int]:
    """Expand a table's cells into a rectangular grid (colspan and rowspan):
    each position holds (text, position of the cell it comes from); and the
    number of leading header rows (<thead>, or rows of <th> only)."""
    rows = [tr for tr in table.iter("tr")]
    head = 0
    for tr in rows:
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        parent = tr.getparent()
        if cells and (all(c.tag == "th" for c in cells) or (parent is not None and parent.tag == "thead")):
            head += 1
        else:
            break
    grid: list[list[tuple[str, tuple[int, int]]]] = []
    pending: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
    for r, tr in enumerate(rows):
        row: list[str] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
            # \s+ → one space, stripped; a cell without children holds just its .text
            text = " ".join((cell.text or "").split() if len(cell) == 0 else cell.text_content().split())
            try:
                cs = max(1, min(50, int(cell.get("colspan", "1") or 1)))
                rs = max(1, min(200, int(cell.get("rowspan", "1") or 1)))
            except ValueError:
                cs, rs = 1, 1
            for k in range(cs):
                row.append((text, (r, c)))
                for dr in range(1, rs):
                    pending[(r + dr, c + k)] = (text, (r, c))
            c += cs
        while (r, c) in pending:
            row.append(pending.pop((r, c)))
            c += 1
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    for r, row in enumerate(grid):
        while len(row) < width:
            row.append(("", (r, len(row))))
    return grid, head


def main_content(root):
    """The page's content block: scripts, navigation, footers and share
    widgets removed (in place), then the block holding the text. Used by the
    extractor and by the list-page test, so both look at the same text."""
    for el in list(root.iter(*_DROP_TAGS)):
        _remove(el)
    # Only elements with a class or an id can be boilerplate: XPath finds them
    # (in document order) without a Python step per element.
    for el in _WITH_IDENT(root):
        if el.getparent() is None:
            continue
        ident = " ".join(filter(None, [el.get("class"), el.get("id")]))
        if ident and _BOILER.search(ident) and len(el.text_content()) < 2000:
            _remove(el)
    return _main_block(root)
