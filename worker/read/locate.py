"""Where the standard tables are: titles, units, 目录 entries, 空表说明.

Pure text functions over the normalized report text. A title line names a
standard table (by the taxonomy's titles); it is the title of a table when a
table follows it, an entry of the contents (目录) when it sits in a run of
titles with nothing between them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rules.taxonomy import Taxonomy
from rules.taxonomy.model import TableDef

UNIT_RE = re.compile(r"(?:金额)?单位\s*[:]?\s*(万元|元|千元|亿元)|[((]\s*(?:单位\s*[:]?\s*)?(万元|元|千元|亿元)\s*[))]\s*$")
# The 空表说明 a template asks for under an empty table, in its common wordings.
EMPTY_NOTE_RE = re.compile(
    r"本表无数据|故本表(?:无数据|为空|数据为空|为空表)|本表为空|为空表|(?:^|[,。;])(?:此|该)表为空|空表|"
    r"没有[^。\n]{0,40}?(?:收入|支出|经费|数据)|无[^。\n]{0,30}?(?:收入和支出|收入支出|收支|经费支出|支出决算|相关数据)|"
    r"未(?:安排|发生)[^。\n]{0,30}?(?:收入|支出|经费)|不涉及[^。\n]{0,20}?(?:收入|支出|经费)")
_MAX_TITLE = 60


@dataclass
class TitleLine:
    start: int
    end: int
    text: str
    tdef: TableDef


def lines(text: str, start: int = 0, end: int | None = None):
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        nl = end if nl < 0 else nl
        yield pos, nl
        pos = nl + 1


def title_lines(text: str, tax: Taxonomy) -> list[TitleLine]:
    """Every line that names a standard table (short lines only)."""
    out = []
    for s, e in lines(text):
        raw = text[s:e].strip()
        if not raw or len(raw) > _MAX_TITLE or "表" not in raw:
            continue
        # Contents entries end with dots and a page number: 一、收入支出决算总表……5
        core = re.sub(r"[.…·\s]{2,}\d*$|\s+\d{1,3}$", "", raw)
        tdef = tax.table_for_title(core)
        if tdef is not None:
            lead = len(text[s:e]) - len(text[s:e].lstrip())
            out.append(TitleLine(s + lead, s + lead + len(raw), raw, tdef))
    return out


def title_above(text: str, pos: int, floor: int, tax: Taxonomy, max_lines: int = 5) -> TitleLine | None:
    """The title line just above a table starting at `pos` (not above `floor`)."""
    found = 0
    cur = pos
    while cur > floor and found < max_lines:
        ls = text.rfind("\n", floor, max(floor, cur - 1)) + 1
        ls = max(ls, floor)
        le = cur - 1 if cur > 0 and text[cur - 1] == "\n" else cur
        raw = text[ls:le].strip()
        if raw:
            found += 1
            if len(raw) <= _MAX_TITLE:
                tdef = tax.table_for_title(raw)
                if tdef is not None:
                    lead = len(text[ls:le]) - len(text[ls:le].lstrip())
                    return TitleLine(ls + lead, ls + lead + len(raw), raw, tdef)
        if ls <= floor:
            break
        cur = ls
    return None


def unit_near(text: str, start: int, end: int) -> str:
    m = UNIT_RE.search(text, start, end)
    return (m.group(1) or m.group(2)) if m else ""


def empty_note(text: str, start: int, end: int) -> tuple[str, int]:
    """The 空表说明 printed between a table's end and `end` (the next table or heading)."""
    m = EMPTY_NOTE_RE.search(text, start, end)
    if not m:
        return "", -1
    ls = text.rfind("\n", 0, m.start()) + 1
    le = text.find("\n", m.end())
    le = len(text) if le < 0 else le
    return text[max(ls, start):le].strip(), max(ls, start)


def toc_entries(text: str, titles: list[TitleLine], table_spans: list[tuple[int, int]]) -> list[TitleLine]:
    """Title lines of the contents: a run of three or more title lines (or any
    after a 目录 heading) with no table and no figures between them."""
    out: list[TitleLine] = []
    toc_at = None
    m = re.search(r"^\s*目\s*录\s*$", text, re.M)
    if m:
        toc_at = m.end()
    run: list[TitleLine] = []

    def flush():
        if len(run) >= 3 or (run and toc_at is not None and run[0].start >= toc_at and run[0].start - toc_at < 3000):
            out.extend(run)

    for t in titles:
        if run:
            between = text[run[-1].end:t.start]
            if len(between) > 400 or re.search(r"\d+\.\d{2}", between) or \
                    any(run[-1].end <= s < t.start for s, _ in table_spans):
                flush()
                run = []
        if any(s <= t.start < e for s, e in table_spans):
            continue
        run.append(t)
    flush()
    return out
