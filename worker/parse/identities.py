"""收入总计 and 支出总计 as the 情况说明 states them.

The 收入支出决算总表 balances by construction (收入总计 = 本年收入 + 上年结转结余
+ 使用非财政拨款结余; 支出总计 = 本年支出 + 结余分配 + 年末结转和结余; the two
totals are one figure), and its 情况说明 opens with the pair:
收、支总计各是A,B万元 / 收入、支出总计分别为A万元、B万元 / 收入总计A万元,…支出总计B万元.
Read here as a pair so the identity can be checked (rules/balances.py).
"""
from __future__ import annotations

import re

from worker.facts import Fact, GrandTotals, Quote
from worker.numbers import find_numbers

_MONEY = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = r"万元|亿元|元"
# 收、支总计各是A,B万元: one name for both totals, the figures in order.
_PAIR = re.compile(
    r"(?P<name>收[、,]?支(?:出)?总计|收入[、,和与及]支出总计|收入总计[、,和与及]支出总计)"
    r"(?:各|分别|依次)(?:是|为)?\s*:?\s*"
    rf"(?P<a>{_MONEY})(?P<ua>{_UNIT})?\s*[,、和与及]\s*(?P<b>{_MONEY})(?P<ub>{_UNIT})")
# 收入总计A万元 … 支出总计B万元 in one sentence, each named on its own.
_ONE = re.compile(rf"(?P<q>[\u4e00-\u9fff]{{0,12}}?)(?P<side>收入|支出)总计(?:为|是|共|达)?\s*:?\s*(?P<v>{_MONEY})(?P<u>{_UNIT})")
# Words that make a figure a change or another year's, not the total itself.
_NOT_LEVEL = re.compile(r"比|较|同比|增|减|变动|上年|上一年|去年|预算")


# A sentence that goes on to the surplus or deficit between them reads 收入 and
# 支出 as flows (a hospital's 收支结余), not as the two sides of the 总表.
_FLOWS = re.compile(r"结余|差额|盈余|亏损|赤字|超支")


def grand_totals(text: str, s: int, e: int) -> list[Fact]:
    out: list[Fact] = []
    if text.find("总计", s, e) < 0 or _FLOWS.search(text, s, e):
        return out          # both patterns below name a 总计
    for m in _PAIR.finditer(text, s, e):
        if _NOT_LEVEL.search(text[max(s, m.start() - 6):m.start()]):
            continue
        a = _money(text, m.start("a"), m.end("ua") if m.group("ua") else m.end("a"), m.group("ub"))
        b = _money(text, m.start("b"), m.end("ub"), m.group("ub"))
        if a and b:
            out.append(GrandTotals(name=m.group("name"), income=a, expense=b,
                                   quote=Quote(text[m.start():m.end()], m.start(), m.end())))
    if out:
        return out
    found = {}
    for m in _ONE.finditer(text, s, e):
        if m.group("side") in found or _NOT_LEVEL.search(m.group("q")):
            return []       # stated twice, or as a change: not a plain pair
        found[m.group("side")] = m
    if set(found) == {"收入", "支出"}:
        i, x = found["收入"], found["支出"]
        # 财政拨款收入总计 … 支出总计: the second may leave the qualifier implied.
        qi, qx = _qual(i.group("q")), _qual(x.group("q"))
        if i.start() < x.start() and (qx == "" or qx == qi):
            a = _money(text, i.start("v"), i.end("u"), i.group("u"))
            b = _money(text, x.start("v"), x.end("u"), x.group("u"))
            if a and b:
                out.append(GrandTotals(name=f"{qi}收入总计、支出总计", income=a, expense=b,
                                       quote=Quote(text[i.start("side"):x.end()], i.start("side"), x.end())))
    return out


def _qual(words: str) -> str:
    """The words before 收入总计 that qualify it (财政拨款), years and 本年 dropped."""
    w = re.sub(r"\d{4}年度?|本年度?|全年|年度|全部|部门|单位|其中|合计|共|为|的", "", words)
    return w


def _money(text: str, start: int, end: int, unit: str):
    nums = find_numbers(text[start:end], start)
    if len(nums) != 1:
        return None
    n = nums[0].with_unit(unit)
    return n if n.kind == "money" else None
