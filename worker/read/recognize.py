"""One table in, its figures out as ledger facts (pure).

Columns are read from their headers, never their positions; rows from their
classification codes or labels. Label columns split the table into groups (the
收入 and 支出 halves of a 总表, the two halves of a 基本支出表), and each figure
belongs to the group of the label column on its left. A figure whose row or
column cannot be read is not guessed: its label is listed as unmapped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rules.taxonomy import Taxonomy
from rules.taxonomy.model import TableDef
from worker.facts import Quote
from worker.ledger import LFact, ReadTable, dims_of
from worker.numbers import Num
from worker.read.columns import Piece, header_piece, merge, resolve_totals, term_piece
from worker.read.flatalign import align
from worker.read.grid import Grid, figure, is_code, is_figure_text, key
from worker.parse.tables import Cell, Table

_CODE_HEAD = ("编码", "代码", "科目编码")
_SPLIT_CODE = ("类", "款", "项")
_LINE_NO = ("行次", "序号", "编号")
_COLUMN_NO_ROW = ("栏次", "栏号")


@dataclass
class Group:
    """Label columns and the figure columns to their right."""

    codes: list[int] = field(default_factory=list)
    names: list[int] = field(default_factory=list)
    figures: list[int] = field(default_factory=list)
    side: str = ""
    split_code: list[int] = field(default_factory=list)   # 类 | 款 | 项 columns


def recognize(table: Table, tdef: TableDef | None, tax: Taxonomy, index: int, title: str = "") -> tuple[ReadTable, list[LFact]]:
    g = Grid.of(table)
    rt = ReadTable(index=index, type=tdef.id if tdef else "", title=title, unit=table.unit, kind=table.kind,
                   page=table.page, page_end=table.page_end or table.page, start=table.start, end=table.end,
                   rows=len(table.rows), cols=g.width, notes=list(table.notes))
    if tdef is None or g.width == 0:
        rt.has_figures = any(_nonzero(c) for r in table.rows for c in r)
        rt.status = "unmapped"
        return rt, []
    if _ragged(table):
        table, skipped = align(table if table.header_rows is not None else _with_header(table, tax), tax,
                               tdef.two_sided, tdef.rows in ("func", "econ"))
        rt.unmapped += ["行:" + s for s in skipped]
        g = Grid.of(table)
        rt.cols = g.width
    h = header_count(g, tax) if table.header_rows is None else table.header_rows
    body = list(range(h, len(table.rows)))
    paths = {c: header_path(g, h, c) for c in range(g.width)}
    groups = column_groups(g, body, paths, tax, tdef)
    pieces = {c: header_piece(paths[c], tax) for grp in groups for c in grp.figures}
    resolve_totals(paths, pieces, tax)
    facts: list[LFact] = []
    unit = table.unit or "万元"
    if not table.unit:
        rt.notes.append("表上未注明金额单位,按万元读取")
    for grp in groups:
        for c in grp.figures:
            if not pieces[c].known:
                if any(_nonzero(g.cell(r, c)) for r in body):
                    rt.unmapped.append("列:" + "/".join(paths[c]))
        opened: Piece | None = None
        for r in body:
            row_cells = [g.cell(r, c) for c in grp.figures]
            has_fig = any(c is not None and figure(c) is not None for c in row_cells)
            label, rp = row_piece(g, r, grp, tdef, tax, opened)
            if rp is not None and rp.opens:
                opened = rp
            elif rp is not None and rp.concept and not rp.inherited:
                opened = None
            if not has_fig:
                continue
            if rp is None:
                rt.unmapped.append("行:" + (label or f"第{r + 1}行"))
                continue
            for c, cell in zip(grp.figures, row_cells):
                if cell is None or not pieces[c].known:
                    continue
                n = figure(cell)
                blank = False
                if n is None:
                    if key(cell.text) or not table.aligned:
                        continue
                    n = Num(0.0, "", "number", 2, "", cell.start, cell.start)
                    blank = True
                if n.kind == "percent":
                    continue
                ctx = merge(tax, tdef.defaults, pieces[c], rp)
                if ctx is None:
                    continue
                concept, dims, measure, period = ctx
                n = n.with_unit(unit) if not n.unit else n
                ls, le = _label_span(g, r, grp)
                facts.append(LFact(concept=concept, dims=dims_of(dims), num=n,
                                   quote=Quote(cell.text, cell.start, cell.end), where="table", measure=measure,
                                   period=period, table=index, row=r, col=c, label=label,
                                   header="/".join(paths[c]), page=cell.page, blank=blank,
                                   label_start=ls, label_end=le))
    rt.facts = len(facts)
    rt.has_figures = any(not f.blank and f.num.value != 0 for f in facts) or bool(rt.unmapped) or \
        any(_nonzero(g.cell(r, c)) for r in body for grp in groups for c in grp.figures)
    if not rt.has_figures:
        rt.status = "empty"
    elif facts and not rt.unmapped:
        rt.status = "mapped"
    elif facts:
        rt.status = "partial"
    else:
        rt.status = "unmapped"
    return rt, facts


def _ragged(table: Table) -> bool:
    """A flattened table whose rows lost their empty cells: positions are not columns."""
    if table.aligned or table.kind == "grid":
        return False
    widths = {len(r) for r in table.rows[(table.header_rows or 0):] if any(c.text.strip() for c in r)}
    return table.kind in ("lines", "spaced", "run") or len(widths) > 1


def _with_header(table: Table, tax: Taxonomy) -> Table:
    """The same table with its header rows counted."""
    table.header_rows = header_count(Grid.of(table), tax)
    return table


def _label_span(g: Grid, r: int, grp: Group) -> tuple[int, int]:
    """The row's name cell (else its code cell): an exact piece of the source to quote."""
    for cols in (grp.names, grp.codes):
        cells = [g.cell(r, c) for c in cols]
        cells = [c for c in cells if c is not None and c.text.strip()]
        if cells:
            return cells[0].start, cells[0].end
    return -1, -1


def _nonzero(cell: Cell | None) -> bool:
    if cell is None:
        return False
    n = figure(cell)
    return n is not None and n.value != 0 and not is_code(cell.text)


def header_count(g: Grid, tax: Taxonomy) -> int:
    """The header rows: those above the first row of figures, less the rows
    just above it that are labelled body rows with empty cells."""
    rows = g.table.rows
    first_fig = next((r for r, row in enumerate(rows)
                      if any(is_figure_text(key(c.text)) or is_code(key(c.text)) for c in row)
                      and not _column_numbers(row)), None)
    if first_fig is None:
        # No figure at all (an empty table): the first labelled row starts the body.
        return next((r for r, row in enumerate(rows) if _labelled_body(row, tax)), len(rows))
    r = first_fig - 1
    while r >= 0 and _labelled_body(rows[r], tax):
        r -= 1
    return r + 1


def _column_numbers(row: list[Cell]) -> bool:
    """栏次 | 1 | 2 | 3 …: the form's column numbers, part of the header."""
    first = next((key(c.text) for c in row if key(c.text)), "")
    return first in _COLUMN_NO_ROW


def _labelled_body(row: list[Cell], tax: Taxonomy) -> bool:
    first = next((key(c.text) for c in row if key(c.text)), "")
    if not first or _is_header_row(row, tax):
        return False
    term = tax.term(first)
    return bool((term is not None and (term.concept or term.role == "total" or term.side_concepts)
                 and not term.measure and term.role != "side") or tax.func_class(first))


def _is_header_row(row: list[Cell], tax: Taxonomy) -> bool:
    """A row of column headers: most of its words are measures, label headers or concepts."""
    words = [key(c.text) for c in row if key(c.text)]
    hits = 0
    for w in words:
        t = tax.term(w)
        if t is not None and (t.measure or t.role in ("label", "side")):
            hits += 1
    return hits * 2 >= len(words) and hits > 0


def header_path(g: Grid, h: int, c: int) -> list[str]:
    out: list[str] = []
    for r in range(h):
        if _column_numbers(g.table.rows[r]):
            continue
        t = key(g.text(r, c))
        if t and (not out or out[-1] != t):
            out.append(t)
    return out


def column_groups(g: Grid, body: list[int], paths: dict[int, list[str]], tax: Taxonomy, tdef: TableDef) -> list[Group]:
    kinds: list[str] = []
    texts_of = [[t for t in (key(g.own_text(r, c)) for r in body) if t] for c in range(g.width)]
    named = [bool(texts) and sum(1 for t in texts if not is_figure_text(t)) * 2 > len(texts) for texts in texts_of]
    for c in range(g.width):
        texts = texts_of[c]
        head = "".join(paths[c])
        hp = header_piece(paths[c], tax) if paths[c] else None
        if paths[c] and paths[c][-1] in _LINE_NO:
            kinds.append("lineno")       # 行次: the row's number in the form, not a figure
        elif any(w in head for w in _CODE_HEAD) or (
                # Codes by their shape only beside the names they number: 39800 元 at a
                # row's end is an amount, not 经济分类 39800.
                c + 1 < g.width and named[c + 1] and texts and all(is_code(t) for t in texts)
                and any(len(t) > 3 for t in texts) and tdef.rows in ("func", "econ")):
            kinds.append("code")
        elif paths[c] and paths[c][-1] in _SPLIT_CODE and all(t.isdigit() and len(t) <= 3 for t in texts):
            kinds.append("split")
        elif named[c]:
            kinds.append("name")
        elif not texts and hp is not None and hp.label:
            kinds.append("name")
        else:
            kinds.append("figure")
    groups: list[Group] = []
    cur: Group | None = None
    for c, k in enumerate(kinds):
        if k == "lineno":
            continue
        if k in ("code", "name", "split"):
            if cur is None or cur.figures:
                cur = Group()
                groups.append(cur)
            {"code": cur.codes, "name": cur.names, "split": cur.split_code}[k].append(c)
        else:
            if cur is None:
                cur = Group()
                groups.append(cur)
            cur.figures.append(c)
    for i, grp in enumerate(groups):
        sides = [header_piece(paths[c], tax).side for c in grp.codes + grp.names + grp.figures]
        sides = [s for s in sides if s]
        grp.side = sides[0] if sides else ""
        if not grp.side and tdef.two_sided and len(groups) == 2:
            grp.side = ("income", "expense")[i]
    return [grp for grp in groups if grp.figures]


def row_piece(g: Grid, r: int, grp: Group, tdef: TableDef, tax: Taxonomy, opened: Piece | None) -> tuple[str, Piece | None]:
    """What a row of one group is: (its label as printed, its piece or None)."""
    code = ""
    if grp.split_code:
        parts = [key(g.text(r, c)) for c in grp.split_code]
        code = "".join(parts) if parts and parts[0] else ""
    for c in grp.codes:
        t = key(g.own_text(r, c))
        if is_code(t):
            code = t
    name = "".join(g.own_text(r, c).strip() for c in grp.names if c not in grp.codes)
    if not name:
        name = "".join(g.text(r, c).strip() for c in grp.names)
    label = (code + " " + name).strip()
    if tdef.rows in ("func", "econ") and code:
        dim = tdef.rows
        d = tax.dims[dim]
        if d.is_code(code):
            return label, Piece(dims={dim: code}, words=[code])
        return label, None
    if not name:
        if tdef.rows == "none":
            return label, Piece()
        return label, None
    t = tax.term(name)
    if t is not None and not t.measure and t.role not in ("label", "side"):
        p = term_piece(t, name)
        if p.total:
            return label, Piece(words=[name])
        if p.side_concepts:
            p.concept = p.side_concepts.get(grp.side, "")
            if not p.concept:
                return label, None
        if p.fund_only:
            p.concept = (opened.concept if opened else "") or grp.side or tdef.defaults.get("concept", "")
            p.inherited = True
            if not p.concept:
                return label, None
        return label, p
    fc = tax.func_class(name)
    if fc and tdef.rows in ("terms", "func"):
        return label, Piece(concept="expense" if tdef.rows == "terms" else "", dims={"func": fc}, words=[name])
    if tdef.rows == "none" and t is None and not any(ch.isdigit() for ch in name[:1]):
        return label, None
    return label, None
