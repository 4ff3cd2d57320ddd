"""Tables: cells with offsets, read from flattened text or given as grids.

Portals flatten tables in two ways that the seeds show:

* ``cell |`` rows: each cell on its own line ending with ``|``; a row ends
  with a run of padding pipes (``||||`` or ``X | |||``), or, in a second
  dialect, each row starts with a lone ``|`` line.
* one cell a line, with no delimiters at all (see `flat_blocks`).

Extracted documents (HTML, spreadsheets, PDF tables) arrive as grids and are
rendered into the report text one row a line (``a | b | c``), so that every
cell still has offsets for quotes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from worker.numbers import Num
from worker.parse.cellnums import cell_number
from worker.spans import Spans


@dataclass
class Cell:
    text: str
    start: int
    end: int
    page: int | None = None     # 1-based page of a PDF cell
    # A position covered by a merged cell holds an empty Cell whose span_from
    # is the (row, column) of the merged cell that carries the text.
    span_from: tuple[int, int] | None = None

    @property
    def key(self) -> str:
        """The cell's text without white space (headers wrap: 年初预 算数)."""
        return "".join(self.text.split())


@dataclass
class Table:
    rows: list[list[Cell]]
    start: int
    end: int
    kind: str = "pipe"          # pipe | grid | flat | lines | spaced
    caption: str = ""           # text just above the table (its title, when it has one)
    unit: str = ""              # unit declared for the table (万元, 元)
    aligned: bool = False       # grid rows are aligned column by column
    flat: list[Cell] = field(default_factory=list)   # for kind == "flat"
    page: int | None = None     # first page of a PDF table
    page_end: int | None = None # last page (a table continued on later pages is one table)
    header_rows: int | None = None   # rows that form the header, when the reader knows
    title_span: tuple[int, int] | None = None   # offsets of the printed title line
    notes: list[str] = field(default_factory=list)   # what the reader could not read, for people


def cell_num(cell: Cell | None, unit: str = "") -> Num | None:
    """The one number a cell holds, read in the table's unit when it prints none."""
    if cell is None:
        return None
    n = cell_number(cell.text, cell.start)
    if n is None:
        return None
    return n.with_unit(unit) if unit else n


_PIPES_ONLY = re.compile(r"^[|\s]+$")


def _line_spans(text: str, start: int, end: int):
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        if nl < 0:
            nl = end
        yield pos, nl
        pos = nl + 1


def pipe_tables(text: str) -> list[Table]:
    """Find and read every ``cell |`` table in the text."""
    lines, is_pipe = [], []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        is_pipe.append("|" in line)
        pos += len(line) + 1
    if not text or text.endswith("\n"):
        lines.pop()             # what follows the last newline is no line (as _line_spans gives them)
        is_pipe.pop()
    tables: list[Table] = []
    i = 0
    n = len(lines)
    while i < n:
        if not is_pipe[i]:
            i += 1
            continue
        j = i
        while j + 1 < n:
            if is_pipe[j + 1]:
                j += 1
                continue
            # Text lines inside a table are cell contents waiting for the
            # "|" that closes them: a few short lines, not sentences, then a
            # lone "|". Narrative before the next table is not a cell.
            k = j + 1
            while k < n and k - j <= 3 and not is_pipe[k] and text[lines[k][0]:lines[k][1]].strip() \
                    and not text[lines[k][0]:lines[k][1]].rstrip().endswith(("。", ":", ";")):
                k += 1
            if k < n and is_pipe[k] and k - j <= 3 and text[lines[k][0]:lines[k][1]].strip() == "|":
                j = k
                continue
            break
        region = lines[i:j + 1]
        table = _read_pipe_region(text, region)
        if table is not None:
            tables.append(table)
        i = j + 1
    return tables


def _read_pipe_region(text: str, region: list[tuple[int, int]]) -> Table | None:
    kinds = []
    for s, e in region:
        line = text[s:e]
        stripped = line.strip()
        if not stripped:
            kinds.append("blank")
        elif "|" not in line:
            kinds.append("text")
        elif _PIPES_ONLY.match(line):
            kinds.append("lone" if stripped == "|" else "pad")
        else:
            kinds.append("cell")
    # Dialect B: rows start with a lone "|"; detect it from what follows a
    # row end (a padding run).
    after_end = [kinds[k + 1] for k in range(len(kinds) - 1)
                 if kinds[k] == "pad" or (kinds[k] == "cell" and _ends_row(text, region[k], kinds[k]))]
    dialect_b = bool(after_end) and sum(1 for x in after_end if x == "lone") * 2 > len(after_end)

    rows: list[list[Cell]] = []
    row: list[Cell] = []
    pending: list[tuple[int, int]] = []

    def flush_pending(close_at: int | None = None) -> None:
        nonlocal pending
        if pending:
            s0, e0 = pending[0][0], pending[-1][1]
            row.append(_cell(text, s0, e0))
            pending = []
        elif close_at is not None:
            row.append(Cell("", close_at, close_at))

    def end_row() -> None:
        nonlocal row
        if pending:
            flush_pending()
        if any(c.text for c in row):
            rows.append(row)
        row = []

    for (s, e), kind in zip(region, kinds):
        line = text[s:e]
        if kind == "blank":
            continue
        if kind == "text":
            pending.append((s, e))
            continue
        if kind == "lone":
            if dialect_b and not pending:
                end_row()
            else:
                flush_pending(close_at=s)
            continue
        if kind == "pad":
            stripped = line.strip()
            if pending:
                flush_pending()
            elif stripped.startswith("| ") or stripped.startswith("|\t"):
                row.append(Cell("", s, s))
            end_row()
            continue
        # A line with content and pipes.
        parts = line.split("|")
        offset = s
        cells_here = []
        nonempty = 0
        for p in parts[:-1]:
            cells_here.append((offset, offset + len(p)))
            offset += len(p) + 1
            if nonempty < 2 and p.strip():      # only 0, 1 or more matters
                nonempty += 1
        tail = parts[-1]
        if nonempty >= 2 or (nonempty == 1 and tail.strip()):
            # A whole row on one line: "a | b | c", or "| a | b |" (markdown):
            # outer pipes of a markdown row enclose; otherwise what follows
            # the last " | " is the last cell, even when empty.
            if pending:
                flush_pending()
                end_row()
            markdown = line.lstrip().startswith("|")
            spans = cells_here[1:] if markdown else cells_here
            for cs, ce in spans:
                row.append(_cell(text, cs, ce))
            if not markdown or tail.strip():
                row.append(_cell(text, e - len(tail), e))
            end_row()
            continue
        first_s, first_e = cells_here[0]
        if pending:
            # "text\nmore text |": the content started on earlier lines.
            first_s = pending[0][0]
            pending = []
        row.append(_cell(text, first_s, first_e))
        padding = len(cells_here) - 1
        if tail.strip():
            # "a | b" with no closing pipe.
            row.append(_cell(text, e - len(tail), e))
            end_row()
        elif padding >= 1:
            end_row()
    end_row()
    if not rows:
        return None
    return Table(rows=rows, start=region[0][0], end=region[-1][1], kind="pipe")


def _ends_row(text: str, span: tuple[int, int], kind: str) -> bool:
    line = text[span[0]:span[1]]
    if kind == "pad":
        return True
    if kind == "cell":
        parts = line.split("|")
        return len(parts) > 2 and not any(p.strip() for p in parts[1:])
    return False


_WRAP = re.compile(r"\s*\n\s*")


def _cell(text: str, s: int, e: int) -> Cell:
    raw = text[s:e]
    lead = len(raw) - len(raw.lstrip())
    body = raw.strip()
    # Keep the cell's own text; internal newlines become spaces for reading.
    if "\n" in body:
        body_text = _WRAP.sub("", body)
    else:
        body_text = body
    return Cell(body_text, s + lead, s + lead + len(body))


# ---------------------------------------------------------------------------
# One cell a line: the table has no delimiters, so it is returned as a flat
# list of non-empty lines after a recognised header; the interpreters that
# know what the table holds (indicators, key/value funding blocks) rebuild
# its rows from the language of its cells.

FLAT_HEADER_WORDS = (
    "一级指标", "二级指标", "三级指标", "指标内容", "具体指标", "指标名称",
)
_ZHIBIAO = re.compile(r"指\s*标")
_STOP = re.compile(
    r"^(?:[0-9]+[.、](?![0-9])|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+部分)"
)


def flat_blocks(text: str, covered: list[tuple[int, int]]) -> list[Table]:
    """Header-led blocks of one-cell-a-line tables outside pipe tables."""
    out: list[Table] = []
    if not _ZHIBIAO.search(text):
        return out              # every header word holds 指标
    inside = Spans(covered)
    spans = [(s, e) for s, e in _line_spans(text, 0, len(text)) if text[s:e].strip()]
    i = 0
    while i < len(spans):
        s, e = spans[i]
        line = text[s:e]
        if "标" in line and "".join(line.split()) in FLAT_HEADER_WORDS and not inside.contains(s):
            # A header: consecutive short lines; the table runs until a
            # section heading, a table title or a long narrative paragraph.
            header: list[Cell] = []
            j = i
            while j < len(spans) and len(re.sub(r"\s+", "", text[spans[j][0]:spans[j][1]])) <= 30 \
                    and _headerish(text[spans[j][0]:spans[j][1]]):
                header.append(_cell(text, *spans[j]))
                j += 1
            body: list[Cell] = []
            k = j
            while k < len(spans):
                line = text[spans[k][0]:spans[k][1]].strip()
                if _STOP.match(line) or line.endswith("情况表") or line.endswith("评价报告") \
                        or line.endswith("自评表") or (len(line) > 160 and "。" in line[:-1]):
                    break
                body.append(_cell(text, *spans[k]))
                k += 1
            if len(header) >= 3 and body:
                out.append(Table(rows=[header], start=s, end=spans[k - 1][1], kind="flat", flat=body))
                i = k
                continue
        i += 1
    return out


_HEADER_WORDS = ("级指标", "指标内容", "具体指标", "指标名称", "指标值", "完成值", "完成指标值", "分值", "得分",
                 "权重", "偏差", "评分", "完成情况")


def _headerish(line: str) -> bool:
    """A header cell of an indicator table, not one of its level labels (产出指标)."""
    key = re.sub(r"\s+", "", line)
    return any(w in key for w in _HEADER_WORDS) and not key.endswith(("类指标",)) and \
        not re.fullmatch(r"[\u4e00-\u9fff]{0,6}(?:产出|效益|满意度|成本|数量|质量|时效|实效|项目完成|可持续影响|社会效益|经济效益|生态效益)指标", key)


def render_grid(rows: list[list[str]]) -> str:
    """Render a grid one row a line: the canonical text of extracted tables."""
    return "\n".join(" | ".join(c.replace("|", "/").replace("\n", " ").strip() for c in r) for r in rows)


def grid_table(text: str, start: int, rows: list[list[str]], caption: str = "", unit: str = "") -> Table:
    """Cells with offsets for a grid rendered by `render_grid` at `start`."""
    out: list[list[Cell]] = []
    pos = start
    for r in rows:
        cells = []
        for idx, c in enumerate(r):
            body = c.replace("|", "/").replace("\n", " ").strip()
            cells.append(Cell(body, pos, pos + len(body)))
            pos += len(body) + (3 if idx < len(r) - 1 else 0)
        pos += 1
        out.append(cells)
    return Table(rows=out, start=start, end=pos - 1, kind="grid", caption=caption, unit=unit, aligned=True)
