"""Figures given in turn after 各 / 分别: 收、支总计各是4125.49,4143.91万元;
各减少1267.86,2570.97万元,各下降23.51%、38.28%.

A list is two or more numbers joined only by 、 or a comma, the last one with
its unit (money or percent), the others bare or in the same unit, right after
各 / 分别 (and a verb: 是, 为, 增加, 下降 …). Its figures are of the concepts the
name before 各 names in turn (narrative.toml's `each`), paired in order; a
list of another length is not read.
"""
from __future__ import annotations

import re

from rules.taxonomy import Taxonomy, label_key
from worker.numbers import MONEY_UNITS, PERCENT_UNITS, Num, find_numbers

# 各 / 分别 and the verb before the list; `dw` a change, `pw` a rate.
MARK = re.compile(r"(?:各|分别)(?:(?P<dw>增加|减少|增长|下降|上升|降低)了?|(?P<pw>增幅|降幅)(?:为)?|是|为|达)?$")
_SEP = re.compile(r"\s*[,、,]\s*")


def runs(text: str, s: int, e: int) -> dict[int, list[Num]]:
    """{start of the first figure: the figures} for each list after 各 / 分别
    in text[s:e], bare figures read in the unit of the list's last one."""
    nums = find_numbers(text[s:e], s)
    out: dict[int, list[Num]] = {}
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and _SEP.fullmatch(text, nums[j].end, nums[j + 1].start) and nums[j].kind == "number" \
                and not nums[j].unit:
            j += 1
        # nums[i..j]: bare figures joined by separators, then nums[j] (bare or not); a list
        # may also repeat the unit (100万元、200万元), and go on after a figure with a unit.
        while j + 1 < len(nums) and nums[j].unit and _SEP.fullmatch(text, nums[j].end, nums[j + 1].start) \
                and nums[j + 1].unit == nums[j].unit:
            j += 1
        last = nums[j]
        members = nums[i:j + 1]
        ok = (j > i and last.kind in ("money", "percent") and (last.unit in MONEY_UNITS or last.unit in PERCENT_UNITS)
              and all(n.unit in ("", last.unit) and n.kind in ("number", last.kind) for n in members)
              and MARK.search(text, max(s, members[0].start - 8), members[0].start) is not None)
        if ok:
            out[members[0].start] = [n.with_unit(last.unit) if not n.unit else n for n in members]
            i = j + 1
        else:
            i += 1
    return out


def each_concepts(label: str, tax: Taxonomy) -> tuple[str, ...]:
    """The concepts a name stands for in turn (收、支总计: 收入总计, 支出总计),
    a fund word before it allowed (财政拨款收、支总计); () when it names one."""
    key = label_key(label)
    nn = tax.narrative_names.get(key)
    if nn is None:
        for prefix, _ in tax.fund_words():
            if key.startswith(prefix) and len(key) > len(prefix):
                nn = tax.narrative_names.get(key[len(prefix):])
                break
    return nn.each if nn is not None else ()


def keys_of(key: tuple, label: str, tax: Taxonomy) -> list[tuple] | None:
    """The keys of the figures a name gives in turn, in the context `key` (its
    own reading) carries; None when it names one figure."""
    each = each_concepts(label, tax)
    if not each:
        return None
    _, dims, measure, period = key
    out = []
    for c in each:
        allowed = tax.concepts[c].dims
        out.append((c, tuple((k, v) for k, v in dims if k in allowed), measure, period))
    return out
