"""Read one flattened 部门决算 table from a region of report text.

The caller finds a standard table's title and hands us the text after it. The
table reaches us flattened in one of four forms (`Table.kind`):

* ``pipe``: ``cell |`` rows, read by `pipe_tables`; when the page closed every
  cell but never a row (one cell a line), rows are rebuilt as for ``lines``;
* ``lines``: one cell a line, empty cells mostly dropped, so rows are rebuilt
  from the stream: a code or a name starts a row, numbers follow it;
* ``spaced``: cells separated by spaces, one row a line, or the whole table on
  one line (rebuilt like ``lines``);
* ``run``: cells run together (``合计2,946.252,940.056.20``); names and numbers
  are told apart by their characters and glued numbers split by `split_run`.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from worker.parse.runsplit import NUM as _NUM, natural_split, split_run
from worker.parse.tables import Cell, Table, pipe_tables

_UNIT_RE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|千元|亿元|元)")
_HEAD_UNIT_RE = re.compile(r"[(（]\s*(万元|千元|亿元|元)\s*[)）]")
# Print furniture that is no cell: who compiled it, form numbers, page numbers.
_META_RE = re.compile(
    r"编制(?:单位|部门)\s*[:：]\s*\S*"
    r"|(?<!\S)\S{0,6}?\d{1,2}(?:-\d{1,2})?表(?!\S)"
    r"|第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?"
    r"|(?m:^\s*[-—]\s*\d{1,4}\s*[-—]\s*$)"
    r"|(?<!\S)续表(?!\S)")
_NOTE_RE = re.compile(r"(?<![^\s\d%])(?:注|备注|说明)\s*[:：]")   # a closing note ends the table
# One printed number: thousands in groups of three, or a zero marker.
_CHUNK = re.compile(r"[-－—]*\d[\d,.%\-－—]*")
_CODE = re.compile(r"[1-3]\d{2}(?:\d{2}){0,2}")       # 201 / 20103 / 2010301 / 30101
_LINE = re.compile(r"[^\n]+")
_PIECE = re.compile(r"\S+")
# Digits that belong to a name: (70分), ≥50个, 1.工资, 2022年, 90万元.
_BEFORE_LABEL = set("(（≥≤<>=＞＜第约~～")
_AFTER_LABEL = set("、.．)）万亿元个米名天次年月日分")
_TOTAL = re.compile(r"合计|总计|小计")
_ORDINAL = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|其中")
_RIGHT = re.compile(r"支出|结余分配|年末")          # right-hand items of 收入支出 tables
_SENTENCE = re.compile(r"[。；;！？]|[，,].{4,}|(?:本(?:单位|部门|级)|我(?:单位|部门)).{0,30}无|无数据|本表|空表")
_HEADER_WORD = re.compile(r"项目|科目|编码|名称|合计|决算|预算|金额|支出|收入|栏次|行次|小计|经费|结余|结转|执行|分值|得分|费")
_HEAD_END = re.compile(r"(?:得分|分值|执行率|执行数|预算数|决算数|支出|合计|金额|小计|收入)(?:[(（][^()（）]{0,6}[)）])?")
@dataclass
class _Atom:
    text: str
    start: int
    end: int
    kind: str            # label | code | num ('' for an empty pipe cell) | run (glued numbers)
    line: int            # line, or pipe row, it sits on
    glued: bool = False  # shared its piece of text with a neighbour (form 4)

    @property
    def filled(self) -> bool:   # a number, not an empty pipe cell
        return self.kind in ("num", "run") and self.text != ""


def read_region(text: str, start: int, end: int, numeric_columns: int | None = None) -> Table | None:
    """Read the flattened table in text[start:end] (see the module doc); None when there is none.

    `numeric_columns` is the number of numeric columns of the table type, used
    to split numbers run together; without it the count is the most common
    one among the body rows.
    """
    note = _NOTE_RE.search(text, start, end)
    end = note.start() if note else end
    region = text[start:end]
    unit = _UNIT_RE.search(text, start, end)
    if sum("|" in ln for ln in region.splitlines()) >= 2:
        atoms, line_mode = _pipe_atoms(text, start, end)
        if atoms:
            return _assemble(text, atoms, line_mode, "pipe", numeric_columns, region, unit)
    masks = sorted((m.start(), m.end()) for r in (_UNIT_RE, _META_RE) for m in r.finditer(text, start, end))
    atoms, lines_form = _flat_atoms(text, start, end, masks)
    line_mode = not lines_form and len({a.line for a in atoms}) > 1   # spaced, one row a line
    return _assemble(text, atoms, line_mode, "lines" if lines_form else "spaced", numeric_columns, region, unit)


def _flat_atoms(text: str, start: int, end: int, masks: list[tuple[int, int]]) -> tuple[list[_Atom], bool]:
    atoms: list[_Atom] = []
    multi = nlines = 0
    for lm in _LINE.finditer(text, start, end):
        pieces = [p for m in _PIECE.finditer(text, lm.start(), lm.end()) for p in _unmasked(m.start(), m.end(), masks)]
        if not pieces:
            continue
        multi += len(pieces) > 1
        for ps, pe in pieces:
            atoms += _chunks(text, ps, pe, nlines)
        nlines += 1
    lines_form = multi * 5 < nlines * 2
    if lines_form:
        # One cell a line: the words of a line are one cell (年初预 算数).
        merged: list[_Atom] = []
        for a in atoms:
            p = merged[-1] if merged else None
            if p and a.kind == p.kind == "label" and a.line == p.line:
                merged[-1] = _Atom(text[p.start:a.end], p.start, a.end, "label", a.line, p.glued or a.glued)
            else:
                merged.append(a)
        atoms = merged
    return atoms, lines_form


def _unmasked(ps: int, pe: int, masks: list[tuple[int, int]]):
    """The parts of a piece outside unit lines and print furniture."""
    for ms, me in masks:
        if ms < pe and me > ps:
            if ms > ps:
                yield ps, ms
            ps = max(ps, me)
    if ps < pe:
        yield ps, pe


def _chunks(text: str, ps: int, pe: int, line: int) -> list[_Atom]:
    """Cut a piece without spaces into names and numbers (form 4 glues them)."""
    if _NUM.fullmatch(text, ps, pe):
        return [_Atom(text[ps:pe], ps, pe, "num", line)]
    parts: list[tuple[int, int, str]] = []
    pos = ps
    for m in _CHUNK.finditer(text, ps, pe):
        cs, ce = m.start(), m.end()
        while ce > cs and text[ce - 1] in ",.":
            ce -= 1
        before = text[cs - 1] if cs > ps else ""
        after = text[ce] if ce < pe else ""
        if before in _BEFORE_LABEL and before or (text[cs:ce].isdigit() and after in _AFTER_LABEL and after):
            continue
        if cs > pos:
            parts.append((pos, cs, "label"))
        parts.append((cs, ce, "num" if _NUM.fullmatch(text, cs, ce) else "run"))
        pos = ce
    if pos < pe:
        parts.append((pos, pe, "label"))
    glued = len(parts) > 1 or parts[0][2] == "run"
    return [_Atom(text[a:b], a, b, k, line, glued) for a, b, k in parts]


def _pipe_atoms(text: str, start: int, end: int) -> tuple[list[_Atom], bool]:
    sub, shift = text[start:end], start
    lines = [ln.strip() for ln in sub.splitlines() if ln.strip()]
    if len(lines) > 1 and "|" not in lines[0] and lines[1] == "|":
        # pipe_tables starts at the first '|' line: let it see the opening cell.
        sub, shift = "|\n" + sub, start - 2
    rows = [r for t in pipe_tables(sub) for r in t.rows]
    atoms: list[_Atom] = []
    for r, row in enumerate(rows):
        for c in row:
            s, e, t = c.start + shift, c.end + shift, c.text
            if s < start or t and (_UNIT_RE.search(t) or _META_RE.fullmatch(t)):
                continue
            atoms.append(_Atom(t, s, e, "num" if not t or _NUM.fullmatch(t) else "label", r))
    return atoms, len(rows) > 1


def _assemble(text: str, atoms: list[_Atom], line_mode: bool, kind: str, numeric_columns: int | None,
              region: str, unit_m: re.Match | None) -> Table | None:
    head, body_atoms = _header_and_body(text, atoms, line_mode, region)
    head_rows = _by_line(head) if line_mode else ([head] if head else [])
    keys = [re.sub(r"\s+", "", a.text) for a in head]
    two_sided = sum(k in ("项目", "收入项目", "支出项目") for k in keys) >= 2 or {"收入", "支出"} <= set(keys) \
        or bool(re.search(r"收入(?:合计|总计)", region) and re.search(r"支出(?:合计|总计)", region))
    fmt = _number_format(body_atoms)
    notes: list[str] = []
    body = _by_line(body_atoms) if line_mode else _stream_rows(body_atoms, two_sided)
    if line_mode and kind != "pipe":
        body = _drop_noise(body, notes, bool(fmt["decimals"]))
    if not body and not any(_HEADER_WORD.search(k) for k in keys):
        return None

    def side(labels: list[_Atom]) -> int:   # which half of a 收入 | 支出 table
        return int(two_sided and bool(labels) and _RIGHT.search(labels[0].text) is not None)

    counts: dict[int, Counter] = {0: Counter(), 1: Counter()}
    for row in body:
        for labels, nums in _segments(row):
            c: int | None = 0
            for a in nums:
                nat = natural_split(a.text, **fmt) if _splittable(a) else [(0, 1)]
                c = None if nat is None or c is None else c + len(nat)
            if labels and c:
                counts[side(labels)][c] += 1
    ks = {s: max(cnt.items(), key=lambda kv: (kv[1], kv[0]))[0] if cnt else None for s, cnt in counts.items()}
    if numeric_columns and not two_sided:
        ks[0] = numeric_columns
    rows: list[list[Cell]] = [[Cell(a.text, a.start, a.end) for a in r] for r in head_rows]
    code_rows = any(a.kind == "code" for a in body_atoms)
    for bi, row in enumerate(body, 1):
        cells: list[Cell] = []
        segs = _segments(row)
        for labels, nums in segs:
            cells += [Cell(a.text, a.start, a.end) for a in labels]
            cells += _number_cells(nums, ks[side(labels)], fmt, notes, bi)
        # 合计 spans the code and name columns: hold the position it covers.
        lab = segs[0][0][0] if len(segs) == 1 and len(segs[0][0]) == 1 else None
        if code_rows and lab and lab.kind == "label" and _TOTAL.search(lab.text) and len(cells) - 1 == ks[0]:
            cells.insert(1, Cell("", lab.end, lab.end, span_from=(len(rows), 0)))
        rows.append(cells)
    used = head + body_atoms
    if not used:
        return None
    s0 = min(used[0].start, unit_m.start()) if unit_m else used[0].start
    unit = unit_m.group(1) if unit_m else ""
    if not unit and (hm := _HEAD_UNIT_RE.search(" ".join(keys))):
        unit = hm.group(1)
    widths = {len(r) for r in rows[len(head_rows):]}
    aligned = len(widths) == 1 and any(len(r) in widths for r in rows[:len(head_rows)])
    if kind != "pipe" and any(a.glued for a in body_atoms):
        kind = "run"
    return Table(rows=rows, start=s0, end=max(a.end for a in used), kind=kind, unit=unit, aligned=aligned,
                 header_rows=len(head_rows), notes=notes)


def _header_and_body(text: str, atoms: list[_Atom], line_mode: bool, region: str) -> tuple[list[_Atom], list[_Atom]]:
    # A sentence ends the table (故本表无数据, narrative after it); leading ones are skipped.
    while atoms and atoms[0].kind == "label" and _SENTENCE.search(atoms[0].text):
        atoms = atoms[1:]
    atoms = atoms[:next((i for i, a in enumerate(atoms) if a.kind == "label" and _SENTENCE.search(a.text)), None)]
    if re.search(r"编码|代码|科目|类款项", region):
        for a, nxt in zip(atoms, atoms[1:]):
            if a.kind == "num" and _CODE.fullmatch(a.text) and nxt.kind == "label" and (not line_mode or nxt.line == a.line):
                a.kind = "code"
    b = _body_start(atoms, line_mode)
    if b is None:
        return [a for a in atoms if a.text], []
    if line_mode:
        b = next(i for i, a in enumerate(atoms) if a.line == atoms[b].line)
    head, body = atoms[:b], atoms[b:]
    first = body[0]
    if not head and first.kind == "label" and first.glued and (cut := _split_head(first)):
        # One-line run: the header is glued to the first name.
        head = [_Atom(text[first.start:cut], first.start, cut, "label", first.line)]
        body = [_Atom(text[cut:first.end], cut, first.end, "label", first.line, True)] + body[1:]
    return (head if line_mode else [a for a in head if a.text]), body   # empty pipe cells place nothing in a header


def _number_cells(nums: list[_Atom], k: int | None, fmt: dict, notes: list[str], bi: int) -> list[Cell]:
    """Cells of a group's numbers, splitting a glued run into the k the group should have."""
    out: list[Cell] = []
    n_split = sum(_splittable(a) for a in nums)
    for a in nums:
        if not _splittable(a):
            out.append(Cell(a.text, a.start, a.end))
            continue
        need = k - (len(nums) - n_split) if k and n_split == 1 else None
        spans = (split_run(a.text, need, **fmt) if need and need > 0 else None) or natural_split(a.text, **fmt)
        if spans is None:
            if a.kind == "run" or (need or 1) > 1:
                notes.append(f"第 {bi} 行数字连写,无法唯一拆分:{a.text}")
            spans = [(0, len(a.text))]
        out += [Cell(a.text[x:y], a.start + x, a.start + y) for x, y in spans]
    return out


def _splittable(a: _Atom) -> bool:
    return a.kind == "run" or (a.kind == "num" and a.glued)


def _body_start(atoms: list[_Atom], line_mode: bool) -> int | None:
    """The first atom of the body: a code, a name followed by a number, or a number."""
    i, n = 0, len(atoms)
    while i < n:
        a = atoms[i]
        if a.kind == "label" and a.text.strip(":： ") == "栏次":   # column numbers belong to the header
            i += 1
            while i < n and atoms[i].kind in ("num", "run"):
                i += 1
            continue
        if a.kind == "code" or a.filled:
            return i
        if a.kind == "label":
            nxt = next((x for x in atoms[i + 1:] if x.kind != "num" or x.text), None)
            # In a stream, a name ending in 费 followed only by numbers is the last
            # column title of a 三公 table, whose body row has no name.
            title = a.text.endswith("费") and all(x.kind in ("num", "run") for x in atoms[i + 1:])
            if nxt is not None and nxt.filled and (nxt.line == a.line if line_mode else not title):
                return i
        i += 1
    return None


def _by_line(atoms: list[_Atom]) -> list[list[_Atom]]:
    return [list(g) for _, g in groupby(atoms, key=lambda a: a.line)]


def _stream_rows(atoms: list[_Atom], two_sided: bool) -> list[list[_Atom]]:
    """Rows of a cell stream: a code or a name after numbers starts a row."""
    rows: list[list[_Atom]] = []
    for a in atoms:
        row = rows[-1] if rows else []
        last = row[-1] if row else None
        if last is None:
            rows.append([a])
        elif a.kind in ("num", "run") or a.kind == "label" and last.kind == "code":
            row.append(a)
        elif a.kind == "label" and last.kind == "label" and a.line != last.line and _fragment(last.text, a.text):
            # A name wrapped onto the next line: 其他文化旅游体育与传媒支 / 出.
            row[-1] = _Atom(last.text + a.text, last.start, a.end, "label", a.line, last.glued)
        elif a.kind == "label" and two_sided and _RIGHT.search(a.text) \
                and not any(x.kind == "label" and _RIGHT.search(x.text) for x in row):
            row.append(a)
        else:
            rows.append([a])
    return rows


def _fragment(prev: str, frag: str) -> bool:
    return len(prev) >= 6 and len(frag) <= 3 and not _TOTAL.search(frag) and not _ORDINAL.match(frag)


def _drop_noise(rows: list[list[_Atom]], notes: list[str], decimals: bool) -> list[list[_Atom]]:
    out: list[list[_Atom]] = []
    for row in rows:
        if decimals and len(row) == 1 and row[0].kind == "num" and re.fullmatch(r"\d{1,3}", row[0].text):
            continue   # a lone page number between rows
        prev = [a.text for a in out[-1] if a.kind == "label"] if out else []
        if len(row) == 1 and row[0].kind == "label" and prev and _fragment(max(prev, key=len), row[0].text):
            notes.append(f"第 {len(out)} 行之后的“{row[0].text}”像是名称折行,未并入")
            continue
        out.append(row)
    return out


def _segments(row: list[_Atom]) -> list[tuple[list[_Atom], list[_Atom]]]:
    """A row as (names, numbers) groups: two-sided tables have two."""
    segs: list[tuple[list[_Atom], list[_Atom]]] = []
    for a in row:
        name = a.kind in ("label", "code")
        if not segs or name and segs[-1][1]:
            segs.append(([], []))
        segs[-1][0 if name else 1].append(a)
    return segs


def _number_format(atoms: list[_Atom]) -> dict:
    """Decimals most numbers of the table print, and whether it groups thousands."""
    decs = Counter(len(a.text.partition(".")[2]) for a in atoms
                   if a.kind == "num" and not a.glued and "." in a.text and not a.text.endswith("%"))
    return {"decimals": decs.most_common(1)[0][0] if decs else None,
            "commas": any("," in a.text for a in atoms if a.kind in ("num", "run"))}


def _split_head(a: _Atom) -> int | None:
    """Where a header glued to the first row's name ends (…得分年度资金总额:)."""
    for n, m in enumerate(_HEAD_END.finditer(a.text)):
        rest = a.text[m.end():]
        if n and rest and (not _HEADER_WORD.search(rest) or _TOTAL.fullmatch(rest)):
            return a.start + m.end()   # at least two column titles before the name
    return None
