"""Spreadsheet attachments (XLSX, XLS), and the grid helpers all extractors share.

Shared helpers (imported by pdf, html and docx): a grid is a list of rows of
`Slot`s, either the text of a real cell or the (row, column) of the merged
cell that covers the position. `span_rows` renders a grid one row a line
(``a | b | c``, the canonical text of extracted tables) with offsets for every
cell; covered positions become empty cells with `span_from`, so a merged
cell's text is printed once. `Writer.caption` / `describe` read a table's
caption, unit and title from the lines printed just above it (`parse_unit`
reads 单位：万元, 金额单位：元, （万元）).

A sheet is read as blocks separated by blank rows: leading rows with a single
filled cell (a title merged across the top) or a unit line are printed as text
above the table and form its caption; the rest is the table.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import Union

from worker.extract import Extracted, ExtractError
from worker.parse.tables import Cell, Table

Slot = Union[str, tuple[int, int]]

# ---------------------------------------------------------------------------
# Shared by every extractor.

_UNIT_WORD = r"(?:人民币)?\s*(百万元|千元|万元|亿元|元)"
_UNIT = re.compile(r"单位\s*[:：]?\s*" + _UNIT_WORD + r"(?![\u4e00-\u9fff])|[（(]\s*" + _UNIT_WORD + r"\s*[)）]")
_TABLE_NO = re.compile(r"^(?:公开\s*\d+\s*表|表\s*\d+|附表\s*\d*|续表)$")


def parse_unit(text: str) -> str:
    """The unit a line declares: 单位：万元, 金额单位：元, （万元） … or ''."""
    m = _UNIT.search(text or "")
    return (m.group(1) or m.group(2)) if m else ""


def clean_cell(s: str) -> str:
    """A cell's text as rendered: no pipes (the separator), one line."""
    return re.sub(r"[\r\n]+", " ", s.replace("|", "/")).strip()


def compact(grid: list[list[Slot]], drop_cols: bool = False) -> tuple[list[list[Slot]], list[int]]:
    """Drop rows (and, if asked, columns) with no text; pad rows to one width;
    re-point covered slots. Returns the grid and the kept row indices."""
    width = max((len(r) for r in grid), default=0)
    g = [list(r) + [""] * (width - len(r)) for r in grid]

    def filled(s: Slot) -> bool:
        return isinstance(s, str) and bool(s.strip())

    keep_r = [r for r, row in enumerate(g) if any(filled(s) for s in row)]
    keep_c = [c for c in range(width) if any(filled(g[r][c]) for r in keep_r)] if drop_cols else list(range(width))
    rmap = {r: i for i, r in enumerate(keep_r)}
    cmap = {c: i for i, c in enumerate(keep_c)}
    out: list[list[Slot]] = []
    for r in keep_r:
        row: list[Slot] = []
        for c in keep_c:
            s = g[r][c]
            if isinstance(s, tuple):
                r0, c0 = s
                ok = r0 in rmap and c0 in cmap and (r0, c0) != (r, c) and isinstance(g[r0][c0], str)
                s = (rmap[r0], cmap[c0]) if ok else ""
            row.append(s)
        out.append(row)
    return out, keep_r


def span_rows(grid: list[list[Slot]], start: int, row_base: int = 0,
              pages: list[int | None] | None = None) -> tuple[str, list[list[Cell]]]:
    """Render a grid at offset `start`; span_from rows are shifted by
    `row_base` (rows appended to a table that already has some)."""
    pos = start
    lines: list[str] = []
    rows: list[list[Cell]] = []
    for r, row in enumerate(grid):
        page = pages[r] if pages else None
        parts: list[str] = []
        cells: list[Cell] = []
        for c, s in enumerate(row):
            if c:
                pos += 3
            if isinstance(s, tuple):
                cells.append(Cell("", pos, pos, page=page, span_from=(s[0] + row_base, s[1])))
                parts.append("")
                continue
            body = clean_cell(s)
            cells.append(Cell(body, pos, pos + len(body), page=page))
            parts.append(body)
            pos += len(body)
        lines.append(" | ".join(parts))
        rows.append(cells)
        pos += 1
    return "\n".join(lines), rows


def span_table(grid: list[list[Slot]], start: int, drop_cols: bool = False) -> tuple[str, Table] | None:
    """A grid as (rendered text, Table) at `start`; None when it has no text."""
    grid, _ = compact(grid, drop_cols)
    if not grid:
        return None
    rendered, rows = span_rows(grid, start)
    return rendered, Table(rows=rows, start=start, end=start + len(rendered), kind="grid", aligned=True)


def caption_spans(text: str, lo: int, hi: int, max_len: int | None = None) -> list[tuple[int, int]]:
    """Spans of the (up to 3) nearest non-empty lines in text[lo:hi], in
    reading order. With `max_len`, a longer line or a sentence (ending in 。)
    is narrative, and ends the search."""
    lo = max(lo, hi - 3000)
    lines: list[tuple[int, int]] = []
    pos = lo
    for part in text[lo:hi].split("\n"):
        lines.append((pos, pos + len(part)))
        pos += len(part) + 1
    spans: list[tuple[int, int]] = []
    for s, e in reversed(lines):
        line = text[s:e]
        body = line.strip()
        if not body:
            continue
        if max_len is not None and (len(body) > max_len or body.endswith("。")):
            break
        lead = len(line) - len(line.lstrip())
        spans.append((s + lead, s + lead + len(body)))
        if len(spans) == 3:
            break
    return spans[::-1]


def title_index(lines: list[str]) -> int | None:
    """Which caption line is the table's title: the nearest naming a 表, else
    the nearest short line that is neither a unit line nor a sentence."""
    order = range(len(lines) - 1, -1, -1)
    for i in order:
        t = lines[i].strip()
        if "表" in t and len(t) <= 60 and not _TABLE_NO.match(t) and not t.startswith(("注", "说明")):
            return i
    for i in order:
        t = lines[i].strip()
        if t and len(t) <= 40 and not parse_unit(t) and not t.endswith(("。", "：", ":", "；")) \
                and not t.startswith(("注", "说明")) and not _TABLE_NO.match(t):
            return i
    return None


def describe(table: Table, spans: list[tuple[int, int]], lines: list[str], caption: str | None = None) -> None:
    """Set a table's caption, unit and title span from the lines above it
    (or a given caption); the unit falls back to the table's first rows."""
    table.caption = caption if caption is not None else "\n".join(lines)
    ti = title_index(lines)
    table.title_span = spans[ti] if ti is not None else None
    table.unit = parse_unit(table.caption) or parse_unit(" ".join(c.text for row in table.rows[:3] for c in row))


class Writer:
    """Text built piece by piece, with the current offset."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def write(self, s: str) -> int:
        start = self.length
        if s:
            self.parts.append(s)
            self.length += len(s)
        return start

    def line(self, s: str) -> tuple[int, int]:
        start = self.write(s)
        self.write("\n")
        return start, start + len(s)

    def text(self) -> str:
        return "".join(self.parts)

    def caption(self, lo: int, max_len: int | None = None) -> tuple[list[tuple[int, int]], list[str]]:
        """Caption lines between offset `lo` and the end of the text so far:
        their spans and texts. Only the last few thousand characters are
        joined, so many tables in a long text stay cheap."""
        base = max(lo, self.length - 3000, 0)
        need = self.length - base
        acc: list[str] = []
        n = 0
        for p in reversed(self.parts):
            if n >= need:
                break
            acc.append(p)
            n += len(p)
        tail = "".join(reversed(acc))
        tail = tail[len(tail) - need:] if need else ""
        spans = caption_spans(tail, 0, len(tail), max_len)
        return [(s + base, e + base) for s, e in spans], [tail[s:e] for s, e in spans]


# ---------------------------------------------------------------------------
# Spreadsheets.

# A hostile sheet (a dimension of XFD1048576, a merge over the whole sheet)
# must not make the reader allocate per position: reading stops at these.
MAX_ROWS = 10_000
MAX_COLS = 200
MAX_SLOTS = 400_000
MAX_MERGES = 20_000


def _fmt(value, number_format: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            m = re.search(r"0\.(0+)%", number_format)
            decimals = len(m.group(1)) if m else 0
            return f"{value * 100:.{decimals}f}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, float):
            return repr(round(value, 10))
        return str(value)
    return str(value).strip()


def _merge(grid: list[list[Slot]], merges: list[tuple[int, int, int, int]]) -> None:
    """Point the positions a merged range covers at its top-left cell
    (0-based, inclusive bounds), only inside the grid that was read."""
    for r0, c0, r1, c1 in merges[:MAX_MERGES]:
        if r0 >= len(grid):
            continue
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if (r, c) != (r0, c0):
                    row[c] = (r0, c0)


def _filled(row: list[Slot]) -> list[str]:
    return [s for s in row if isinstance(s, str) and s.strip()]


def _is_preamble(row: list[Slot]) -> bool:
    cells = _filled(row)
    return len(cells) <= 1 or (len(cells) <= 3 and any(parse_unit(s) for s in cells) and
                               not any(re.fullmatch(r"[-\d.,%]+", s.strip()) for s in cells))


def _is_note(row: list[Slot]) -> bool:
    cells = _filled(row)
    return len(cells) == 1 and cells[0].lstrip().startswith(("注", "说明", "备注", "填报", "制表"))


def _sub(grid: list[list[Slot]], r0: int, r1: int) -> list[list[Slot]]:
    """Rows r0..r1-1 as a grid of their own; merges from outside become plain."""
    out: list[list[Slot]] = []
    for r in range(r0, r1):
        out.append([(s[0] - r0, s[1]) if isinstance(s, tuple) and r0 <= s[0] < r1
                    else ("" if isinstance(s, tuple) else s) for s in grid[r]])
    return out


def _sheet(out: Writer, grids: list[Table], title: str, grid: list[list[Slot]]) -> None:
    """One sheet: its name, then each block of rows (title lines, table, notes)."""
    if not any(_filled(row) for row in grid):
        return
    head = out.line(title)
    lo = out.length
    r, n = 0, len(grid)
    while r < n:
        if all(isinstance(s, str) and not s.strip() for s in grid[r]):
            r += 1
            continue
        end = r
        while end < n and not all(isinstance(s, str) and not s.strip() for s in grid[end]):
            end += 1
        block = _sub(grid, r, end)
        r = end
        top = 0
        while top < len(block) and _is_preamble(block[top]):
            top += 1
            if parse_unit(" ".join(_filled(block[top - 1]))):
                break       # the unit line is the last above the header (which may be merged across)
        bottom = len(block)
        while bottom > top and _is_note(block[bottom - 1]):
            bottom -= 1
        for row in block[:top]:
            if _filled(row):
                out.line(" ".join(s.strip() for s in _filled(row)))
        spans_lines = out.caption(lo)
        made = span_table(_sub(block, top, bottom), out.length, drop_cols=True) if bottom > top else None
        if made is not None:
            rendered, table = made
            out.line(rendered)
            spans = spans_lines[0]
            describe(table, *spans_lines)
            if not spans and not re.fullmatch(r"(?i)sheet\s*\d*|工作表\s*\d*", title.strip()):
                table.caption, table.title_span = title, head
            grids.append(table)
        for row in block[bottom:]:
            out.line(" ".join(s.strip() for s in _filled(row)))
        if made is not None:
            lo = out.length     # notes under a table are not the next one's caption


def _assemble(sheets: list[tuple[str, list[list[Slot]]]], content_type: str, warnings: list[str]) -> Extracted:
    out = Writer()
    grids: list[Table] = []
    for title, grid in sheets:
        _sheet(out, grids, title, grid)
    text = out.text()
    if not text.strip():
        raise ExtractError("empty", "表格文件中没有任何内容")
    return Extracted(text=text, grids=grids, content_type=content_type, warnings=warnings)


def _capped(title: str, nrows: int, warnings: list[str]) -> int:
    if nrows > MAX_ROWS:
        warnings.append(f"工作表 {title} 超过 {MAX_ROWS:,} 行,只读取前 {MAX_ROWS:,} 行")
    return min(nrows, MAX_ROWS)


def _xlsx_merges(data: bytes, path: str | None) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet, read from its XML (read-only openpyxl skips them)."""
    if not path:
        return []
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    out: list[tuple[int, int, int, int]] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z, z.open(path.lstrip("/")) as f:
            for _, el in etree.iterparse(f, events=("end",), huge_tree=False):
                if el.tag.endswith("}mergeCell") and len(out) < MAX_MERGES:
                    c0, r0, c1, r1 = range_boundaries(el.get("ref", ""))
                    out.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
                el.clear()
    except MemoryError:
        raise
    except Exception:       # a sheet without readable merges is still read
        return out
    return out


def extract_xlsx(data: bytes) -> Extracted:
    try:
        import openpyxl

        # Read-only: rows are streamed, so a huge declared dimension costs
        # nothing until the caps below.
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except MemoryError:
        raise
    except Exception as e:
        raise ExtractError("failed", f"XLSX 文件损坏或无法打开({type(e).__name__})") from None
    sheets: list[tuple[str, list[list[Slot]]]] = []
    warnings: list[str] = []
    try:
        for ws in wb.worksheets:
            grid: list[list[Slot]] = []
            slots = 0
            for r, row in enumerate(ws.iter_rows(max_col=MAX_COLS)):
                if r >= MAX_ROWS or slots > MAX_SLOTS:
                    warnings.append(f"工作表 {ws.title} 过大,只读取前 {r:,} 行")
                    break
                vals: list[Slot] = [_fmt(getattr(c, "value", None), getattr(c, "number_format", "") or "") for c in row]
                while vals and vals[-1] == "":
                    vals.pop()
                slots += len(vals)
                grid.append(vals)
            width = max((len(v) for v in grid), default=0)
            for v in grid:
                v.extend([""] * (width - len(v)))
            _merge(grid, _xlsx_merges(data, getattr(ws, "_worksheet_path", None)))
            sheets.append((ws.title, grid))
    except (ExtractError, MemoryError):
        raise
    except Exception as e:
        raise ExtractError("failed", f"XLSX 内容无法读取({type(e).__name__})") from None
    finally:
        wb.close()
    return _assemble(sheets, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", warnings)


def extract_xls(data: bytes) -> Extracted:
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except MemoryError:
        raise
    except Exception as e:
        raise ExtractError("failed", f"XLS 文件损坏或无法打开({type(e).__name__})") from None
    sheets: list[tuple[str, list[list[Slot]]]] = []
    warnings: list[str] = []
    for sh in book.sheets():
        nrows = _capped(sh.name, sh.nrows, warnings)
        ncols = min(sh.ncols, MAX_COLS, max(1, MAX_SLOTS // max(1, nrows)))
        grid: list[list[Slot]] = [[_fmt(sh.cell_value(r, c)) for c in range(ncols)] for r in range(nrows)]
        _merge(grid, [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells])
        sheets.append((sh.name, grid))
    return _assemble(sheets, "application/vnd.ms-excel", warnings)
