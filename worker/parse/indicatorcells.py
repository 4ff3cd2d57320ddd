"""Indicator cells: a target cell read with its comparator, an actual value,
and the Indicator fact they make (shared by every form reader)."""
from __future__ import annotations

import re

from worker.facts import Indicator, Quote
from worker.numbers import Num, find_numbers
from worker.parse.cellnums import cell_number
from worker.parse import lang
from worker.parse.tables import Cell


def quote_row(row: list[Cell], text: str = "") -> Quote:
    """A row as its cells joined by " | "; offsets span the row in the text.
    Cells repeated from rows above (rowspan) do not move the row's start."""
    cells = [c for c in row if c is not None]
    last = cells[-1]
    line_start = text.rfind("\n", 0, last.start) + 1 if text else 0
    own = [c for c in cells if c.start >= line_start or not text] if "|" in text[line_start:last.start + 1] else cells
    own = own or cells
    s, e = min(c.start for c in own), max(c.end for c in own)
    return Quote(" | ".join(c.text for c in cells), s, e)


_WS = re.compile(r"\s+")
_RANGE = re.compile(r"^(?P<a>\d+(?:\.\d+)?)(?P<ua>%|百分比)?[-~至到](?P<b>\d+(?:\.\d+)?)(?P<ub>%|百分比)?$")
_OP = re.compile(r"(≥|≤|>=|<=|=>|=<|>|<|=|大于等于|小于等于|不小于|不低于|不少于|不大于|不高于|不超过|大于|小于|高于|低于|等于)")
_YEAR_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:止|前|底|内|以前)?")
_MONTH_DATE = re.compile(r"\d{1,2}月(?:\d{1,2}日)?(?:止|前|底)?")
_LEADING_FIGURE = re.compile(r"^(\d+(?:\.\d+)?(?:万|亿)?余?(?:%|百分比|[\u4e00-\u9fff/]{1,4})?)(?:[((].*)?$")
_DIGITS = re.compile(r"[-+]?[\d,.]+")


def read_target(raw: str) -> tuple[str, Num | None, Num | None, str, str]:
    """Target cell → (comparator, value, upper bound, kind, name prefix)."""
    t = _WS.sub("", raw)
    if not t or t in ("—", "——", "-", "/", "无"):
        return "", None, None, "text", ""
    grade = _grade_in(t)
    if grade is not None and not re.search(r"\d", t):
        return (">=" if re.search(r"以上|及以上|不低于", t) else "="), None, None, "grade", ""
    m = _RANGE.match(t)
    if m:
        lo = cell_number(m.group("a") + (m.group("ua") or m.group("ub") or ""))
        hi = cell_number(m.group("b") + (m.group("ub") or m.group("ua") or ""))
        return "range", lo, hi, "number", ""
    prefix = ""
    m = _OP.search(t)
    if m and m.start() > 0 and not re.search(r"\d", t[:m.start()]):
        prefix, t = t[:m.start()], t[m.start():]
    op, rest = lang.split_comparator(t)
    rest = re.sub(r"^[::]", "", rest)
    if _YEAR_DATE.fullmatch(rest) or _MONTH_DATE.fullmatch(rest):
        return op, None, None, "date", prefix
    n = cell_number(rest)
    if n is None:
        m2 = _LEADING_FIGURE.match(rest)
        if m2:
            n = cell_number(m2.group(1))
    if n is None:
        return op, None, None, "text", prefix
    if n.kind == "date":
        return op, None, None, "date", prefix
    if n.approx and not op:
        op = ">="
    return op, n, None, "number", prefix


def _place(n: Num | None, cell: Cell) -> Num | None:
    """Give a number read from a cleaned cell its offsets in the report text."""
    if n is None:
        return None
    digits = _DIGITS.match(n.raw)
    probe = digits.group(0) if digits else n.raw
    idx = cell.text.find(probe)
    if idx < 0:
        return n
    lead = 0
    raw = n.raw
    if not cell.text.startswith(raw, idx):
        raw = probe
    return Num(value=n.value, unit=n.unit, kind=n.kind, precision=n.precision, raw=raw, start=cell.start + idx + lead,
               end=cell.start + idx + len(raw), scale=n.scale, approx=n.approx)


def read_actual(raw: str, start: int) -> Num | None:
    t = raw.strip()
    if not t:
        return None
    m = re.match(r"^(?:实际|完成|达到|共|累计)?\s*", t)
    lead = m.end() if m else 0
    nums = find_numbers(t[lead:], start + (len(raw) - len(raw.lstrip())) + lead)
    if not nums:
        return None
    n = nums[0]
    if n.start - start - (len(raw) - len(raw.lstrip())) - lead > 0:
        return None          # a number further into a sentence is not "the" actual
    if n.kind == "date":
        return None
    return n


_RATE_NAME = re.compile(r"(?:率|满意度)$")


def _as_pct(n: Num) -> Num:
    return Num(value=n.value, unit="%", kind="percent", precision=n.precision, raw=n.raw, start=n.start,
               end=n.end)


_GRADES_LONGEST_FIRST = sorted(lang.GRADES, key=len, reverse=True)


def _grade_in(t: str) -> int | None:
    for word in _GRADES_LONGEST_FIRST:
        if word in t:
            return lang.GRADES[word]
    return None


def make_indicator(owner, l1, l2, name, target_c, actual_c, weight, score, note, row_cells, text="") -> Indicator:
    target_raw = target_c.text if target_c is not None else ""
    actual_raw = actual_c.text if actual_c is not None else ""
    op, target, high, tkind, _prefix = read_target(target_raw)
    if target_c is not None:
        target = _place(target, target_c)
        high = _place(high, target_c)
    if tkind == "number" and target is not None and not target.unit and target.kind != "percent" \
            and _RATE_NAME.search(name):
        # A rate's bare figure (工程完工率 | 100) is a percentage.
        target = _as_pct(target)
        high = _as_pct(high) if high is not None else None
    implied = False
    if tkind == "number" and not op:
        implied = True
        op = "<=" if (lang.LOWER_IS_BETTER.search(name) or "成本" in l2 or "成本" in l1) else ">="
    actual = read_actual(actual_raw, actual_c.start) if actual_c is not None else None
    share = False
    if actual is not None and target is not None:
        if actual.kind == "percent" and target.kind not in ("percent",) and target.unit not in ("%", "百分比"):
            share = True
        elif not actual.unit and target.kind == "percent":
            actual = Num(value=actual.value, unit="", kind="percent", precision=actual.precision,
                         raw=actual.raw, start=actual.start, end=actual.end)
        elif not actual.unit and target.unit:
            actual = Num(value=actual.value * target.scale, unit="", kind=target.kind,
                         precision=actual.precision, raw=actual.raw, start=actual.start, end=actual.end,
                         scale=target.scale)
    elif actual is not None and target is None and tkind in ("text", "date", "grade"):
        pass
    if tkind == "grade":
        op = ">=" if re.search(r"以上|不低于", target_raw) else "="
    return Indicator(owner=owner or "部门整体", name=name, quote=quote_row(row_cells, text), level1=l1, level2=l2,
                     target_raw=target_raw, comparator=op, target=target, target_high=high,
                     target_kind=tkind, actual_raw=actual_raw, actual=actual, actual_is_share=share,
                     weight=weight, score=score, note=note, comparator_implied=implied)


