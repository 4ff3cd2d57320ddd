"""Tables flattened into text, put back on a grid where that is certain.

A flattened table loses its empty cells and its merged header: `2010301 行政运行
500.00 500.00` may be 本年支出合计 and 基本支出, or 本年支出合计 and 项目支出. The
header's words say which columns hold figures (本年支出合计, 基本支出, 项目支出)
and in which half of a two-sided table (收入 … 支出); a row is placed on the
grid only when its figures fill those columns exactly. Other rows are left out
and listed as not read, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rules.taxonomy import Taxonomy
from worker.parse.tables import Cell, Table
from worker.read.grid import is_code, is_figure_text, key


@dataclass
class _Group:
    labels: list[str] = field(default_factory=list)     # header words of its label columns
    figures: list[Cell] = field(default_factory=list)   # header cells of its figure columns
    side: str = ""


def align(table: Table, tax: Taxonomy, two_sided: bool, coded: bool) -> tuple[Table, list[str]]:
    """A grid with one header row (side, then column words) and the rows that fit;
    the labels of rows that did not fit."""
    h = table.header_rows or 0
    header = [c for r in table.rows[:h] for c in r if key(c.text)]
    groups, sides = _groups(header, tax)
    if not groups or not any(g.figures for g in groups):
        return table, []
    if two_sided and len(groups) == 2 and not any(g.side for g in groups):
        groups[0].side, groups[1].side = sides[:2] if len(sides) >= 2 else ("收入", "支出")
    width = sum(2 + len(g.figures) for g in groups)   # each group: code, name, figures
    head_side: list[Cell] = []
    head_cols: list[Cell] = []
    for g in groups:
        pos = header[0].start if header else table.start
        side = Cell(g.side, pos, pos) if g.side else Cell("", pos, pos)
        head_side += [side, Cell("", pos, pos, span_from=None)] + [Cell("", pos, pos) for _ in g.figures]
        head_cols += [Cell("科目编码", pos, pos), Cell("项目", pos, pos)] + list(g.figures)
    rows: list[list[Cell]] = [head_side, head_cols] if any(g.side for g in groups) else [head_cols]
    skipped: list[str] = []
    for row in table.rows[h:]:
        segs = _segments([c for c in row if key(c.text)], coded)
        placed = _place(segs, groups, tax, coded)
        if placed is None:
            if any(is_figure_text(key(c.text)) for c in row):
                skipped.append("".join(c.text for c in row if not is_figure_text(key(c.text)))[:30] or "(无名称)")
            continue
        out: list[Cell] = []
        for g, seg in zip(groups, placed):
            pos = row[0].start
            if seg is None:
                out += [Cell("", pos, pos), Cell("", pos, pos)] + [Cell("", pos, pos) for _ in g.figures]
                continue
            labels, figs = seg
            code = next((c for c in labels if is_code(c.text)), None)
            names = [c for c in labels if c is not code]
            name = names[0] if len(names) == 1 else (_joined(names) if names else Cell("", pos, pos))
            out += [code or Cell("", pos, pos), name] + figs
        rows.append(out)
    grid = Table(rows=rows, start=table.start, end=table.end, kind=table.kind, caption=table.caption,
                 unit=table.unit, aligned=False, page=table.page, page_end=table.page_end,
                 header_rows=2 if rows[0] is head_side else 1, notes=list(table.notes))
    return grid, skipped


def _joined(cells: list[Cell]) -> Cell:
    return Cell("".join(c.text for c in cells), cells[0].start, cells[-1].end, cells[0].page)


def _groups(header: list[Cell], tax: Taxonomy) -> tuple[list[_Group], list[str]]:
    """Groups of label and figure columns in the header's order (收入 项目 决算数 | 项目 决算数)."""
    groups: list[_Group] = []
    sides: list[str] = []
    cur: _Group | None = None
    for c in header:
        t = tax.term(c.text)
        if t is not None and t.role == "side":
            sides.append(key(c.text))
            continue
        if t is not None and t.role == "label":
            if cur is None or cur.figures:
                cur = _Group()
                groups.append(cur)
            cur.labels.append(key(c.text))
            continue
        if t is not None and (t.measure or t.concept or t.dims or t.role == "total" or t.side_concepts):
            if cur is None:
                cur = _Group()
                groups.append(cur)
            cur.figures.append(c)
    # Label words printed after the figure columns (a second header row: 科目编码 科目名称) belong to the first group.
    groups = [g for g in groups if g.figures] or groups
    for i, g in enumerate(groups):
        if i < len(sides):
            g.side = sides[i]
    return groups, sides


def _segments(cells: list[Cell], coded: bool) -> list[tuple[list[Cell], list[Cell]]]:
    """(labels, figures) runs: 一、xx收入 1,000.00 一、xx支出 800.00 → two runs. In a
    table of classification codes a code is a label and starts a run."""
    segs: list[tuple[list[Cell], list[Cell]]] = []
    labels: list[Cell] = []
    figs: list[Cell] = []
    for i, c in enumerate(cells):
        t = key(c.text)
        # A code starts a run of labels: a name follows it (302 商品和服务支出); a
        # code-shaped integer with no name after it is an amount in 元.
        nxt = key(cells[i + 1].text) if i + 1 < len(cells) else ""
        code = coded and is_code(t) and bool(nxt) and not is_figure_text(nxt)
        if is_figure_text(t) and not code:
            figs.append(c)
            continue
        if figs:
            segs.append((labels, figs))
            labels, figs = [], []
        labels.append(c)
    if labels or figs:
        segs.append((labels, figs))
    return segs


def _place(segs, groups: list[_Group], tax: Taxonomy, coded: bool):
    """Each group's (labels, figures), or None when the row does not fit the header."""
    segs = [s for s in segs if s[1]] + [s for s in segs if not s[1] and s[0]]
    with_figs = [s for s in segs if s[1]]
    if len(groups) == 1:
        if len(with_figs) != 1 or len(with_figs[0][1]) != len(groups[0].figures):
            return None
        labels = [c for s in segs for c in s[0]]
        return [(labels, with_figs[0][1])]
    if len(with_figs) == len(groups):
        if all(len(s[1]) == len(g.figures) for s, g in zip(with_figs, groups)):
            return list(with_figs)
        return None
    if len(with_figs) == 1 and len(groups) == 2:
        labels, figs = with_figs[0]
        if coded and [key(c.text) for c in groups[0].figures] == [key(c.text) for c in groups[1].figures]:
            # Halves alike (经济分类 | 决算数 twice): the code says what the figure is, not the half.
            return [with_figs[0], None] if len(figs) == len(groups[0].figures) else None
        # One half printed: the label says which (本年支出合计, 年末结转和结余 … are of the 支出 half);
        # a 收入 label with its figure dropped may stand before it.
        half = _half("".join(c.text for c in labels), tax)
        if half is None and len(labels) >= 2:
            half = _half(labels[-1].text, tax)
            if half == 1 and _half("".join(c.text for c in labels[:-1]), tax) == 0:
                labels = labels[-1:]
            else:
                half = None
        if half is None or len(figs) != len(groups[half].figures):
            return None
        seg = (labels, figs)
        return [seg, None] if half == 0 else [None, seg]
    return None


_OUT = ("expense", "carry_end", "balance_distribution", "grand_total_out")


def _half(name: str, tax: Taxonomy) -> int | None:
    t = tax.term(name)
    if t is not None and t.concept:
        return 1 if t.concept in _OUT else 0
    if tax.func_class(name):
        return 1
    return None
