"""Indicator rows of a self-evaluation form flattened into a run of cells.

With empty cells lost, an indicator row is recognized by the form's grammar:
its level words (一级 / 二级指标, carried down as the merged cells of the
form carry them), its name, its target, its actual value, its weight and
its score, then perhaps its deviation note (偏差原因). A row is read only
when its weight and score are plain figures with the score within the
weight; the cells of anything else are skipped until the next level word
or the next row that fits.
"""
from __future__ import annotations

import re

from worker.parse.cellnums import cell_number, is_cell_number
from worker.parse.tables import Cell

# 产出指标(50分): a level word carrying its points.
_POINTS = re.compile(r"[((]\s*(\d+(?:\.\d+)?)\s*分\s*[))]$")
_END = re.compile(r"^(?:总分|合计|总计|合计分|自评得分|评价结论|说明|注[::])")
_MAX_SKIP = 40
# Cells of an empty row of the template (指标2, ……): never a deviation note.
_PLACEHOLDER = re.compile(r"^(?:…+|\.{3,}|指标\s*\d+)$")


def _forms():
    from rules.taxonomy import default

    return default().forms


def _level(toks: list[Cell], i: int) -> tuple[str, str, int]:
    """('l1' | 'l2' | '', the level word, tokens used): 经济效益 / 指标 is one word."""
    f = _forms()
    word = _POINTS.sub("", toks[i].text)
    used = 1
    if i + 1 < len(toks) and toks[i + 1].text == "指标" and (word + "指标") in (f.level1 | f.level2):
        word, used = word + "指标", 2
    if word in f.level1 and (word not in f.level2 or _next_is_l2(toks, i + used)):
        return "l1", word, used
    if word in f.level2:
        return "l2", word, used
    return "", "", 0


def _next_is_l2(toks: list[Cell], j: int) -> bool:
    """满意度指标 is a first-level word when a second-level word follows it."""
    if j >= len(toks):
        return False
    word = toks[j].text + ("指标" if j + 1 < len(toks) and toks[j + 1].text == "指标" else "")
    return toks[j].text in _forms().level2 or word in _forms().level2


def _figure(c: Cell) -> float | None:
    n = cell_number(c.text)
    if n is None or "%" in c.text or n.unit:
        return None
    return n.value


def _row_at(toks: list[Cell], i: int) -> bool:
    """Whether a row (name, target, actual, weight, score) starts at token i."""
    if i + 4 >= len(toks):
        return False
    if _level(toks, i)[0] or _END.match(toks[i].text) or is_cell_number(toks[i].text):
        return False
    if any(_level(toks, k)[0] for k in (i + 1, i + 2)):
        return False
    w, s = _figure(toks[i + 3]), _figure(toks[i + 4])
    return w is not None and s is not None and 0 <= s <= w + 1e-9 and w > 0


def indicator_rows(text: str, toks: list[Cell], i: int, roles: list[str], owner: str) -> tuple[list, int]:
    """Indicators from token i on (after the header); where the block ends."""
    from worker.parse.indicatorcells import make_indicator

    if not {"name", "target", "actual", "weight", "score"} <= set(roles):
        return [], i
    if roles.index("target") > roles.index("actual") or roles.index("weight") > roles.index("score") \
            or roles.index("actual") > roles.index("weight"):
        return [], i          # a column order these rows cannot be read by
    has_note = "note" in roles
    out = []
    l1 = l2 = ""
    skipped = 0
    while i < len(toks) and skipped <= _MAX_SKIP:
        if _END.match(toks[i].text):
            break
        lvl, word, used = _level(toks, i)
        if lvl:
            l1, l2 = (word, "") if lvl == "l1" else (l1, word)
            i += used
            continue
        if not _row_at(toks, i):
            skipped += 1
            i += 1
            continue
        name_c, target_c, actual_c, w_c, s_c = toks[i:i + 5]
        j = i + 5
        note = ""
        if has_note and j < len(toks) and not _row_at(toks, j) and not _level(toks, j)[0] \
                and not _END.match(toks[j].text) \
                and (not _starts_row_later(toks, j) or _deducted(w_c, s_c)) \
                and not _PLACEHOLDER.match(toks[j].text):
            note = toks[j].text
            j += 1
        cells = toks[i:j]
        name = re.sub(r"^指标\s*\d+\s*[::]?", "", name_c.text)
        out.append(make_indicator(owner, l1, l2, name, target_c, actual_c, cell_number(w_c.text, w_c.start),
                                  cell_number(s_c.text, s_c.start), note, cells, text))
        skipped = 0
        i = j
    return out, i


def _deducted(w_c: Cell, s_c: Cell) -> bool:
    """A row that lost points: a cell after it more likely explains why
    (偏差原因) than begins the next row's name, so it is kept as the note."""
    return (_figure(s_c) or 0.0) < (_figure(w_c) or 0.0)


def _starts_row_later(toks: list[Cell], j: int) -> bool:
    """A name broken over two cells: the cell at j begins the next row's name."""
    return j + 1 < len(toks) and _row_at(toks, j + 1) and not is_cell_number(toks[j].text) \
        and not re.search(r"[,。;,;]", toks[j].text)
