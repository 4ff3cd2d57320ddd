"""The date a final account was approved (批复), where the report prints it.

"经区财政局2025年8月1日批复", "已于2025年7月28日经XX财政局批复", "《XX财政局关于批复
2024年度部门决算的通知》(X财预〔2025〕12号,2025年8月1日)". Only a full date
printed in the sentence of the 批复 counts: a 文号's year is not a date, and a
budget's approval (年初预算 批复, before the fiscal year ended) is not the final
account's. Pure: text in, (date, quote) out.
"""
from __future__ import annotations

import datetime as dt
import re

from worker.facts import Quote

_DATE = re.compile(r"(?<!\d)(20\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-./](\d{1,2})[-./](\d{1,2})(?!\d))"
                   # 二〇二五年八月一日, as a 公文's date is written
                   r"|(二[〇○零O][〇○零O一二三四五六七八九]{2})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0}
_APPROVED = re.compile(r"批复|批覆|批准")
_STOP = "。;;\n!!"
NEAR = 80           # the date within this many characters of the word 批复
QUOTE_MAX = 160     # a longer sentence is quoted around the date and the word


def find_approval(text: str, year: int | None) -> tuple[str, Quote] | None:
    """The first 批复 date of a final account printed in `text` (ISO date) and
    the sentence it is printed in, with offsets in `text`."""
    for w in _APPROVED.finditer(text):
        if w.group() == "批准" and "决算" not in text[max(0, w.start() - 40):w.end() + 40]:
            continue        # 批准 alone is too common; only with 决算 nearby
        s = max((text.rfind(c, max(0, w.start() - 300), w.start()) for c in _STOP), default=-1) + 1
        e = min((i for i in (text.find(c, w.end(), w.end() + 300) for c in _STOP) if i >= 0),
                default=min(len(text), w.end() + 300))
        sentence = text[s:e]
        if "预算" in sentence and "决算" not in sentence:
            continue        # a budget's approval
        best = None
        for d in _DATE.finditer(text, s, e):
            at = _iso(d)
            if at is None or (year and at <= f"{year}-12-31"):
                continue    # not a date, or before the year's end: not this account's 批复
            gap = max(d.start() - w.end(), w.start() - d.end(), 0)
            if gap <= NEAR and (best is None or gap < best[0]):
                best = (gap, at, d)
        if best is None:
            continue
        _, at, d = best
        qs, qe = s, e
        while text[qs:qe][:1].isspace():
            qs += 1
        while qe > qs and text[qe - 1].isspace():
            qe -= 1
        if qe - qs > QUOTE_MAX:
            lo, hi = min(d.start(), w.start()), max(d.end(), w.end())
            pad = max(0, (QUOTE_MAX - (hi - lo)) // 2)
            qs, qe = max(qs, lo - pad), min(qe, hi + pad)
        return at, Quote(text[qs:qe], qs, qe)
    return None


def _iso(d: re.Match) -> str | None:
    """The ISO date of a match; None for a day not in the calendar (2025年2月30日)."""
    if d.group(6):
        y, m, day = int("".join(str(_CN_DIGIT[c]) for c in d.group(6))), _cn(d.group(7)), _cn(d.group(8))
    else:
        y, m, day = int(d.group(1)), int(d.group(2) or d.group(4)), int(d.group(3) or d.group(5))
    try:
        return dt.date(y, m, day).isoformat()
    except ValueError:
        return None


def _cn(s: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 三十一 → 31 (0 for a form that is no number: refused)."""
    tens, _, ones = s.rpartition("十")
    if "十" not in s:
        return _CN_DIGIT.get(s, 0) if len(s) == 1 else 0
    if len(tens) > 1 or len(ones) > 1:
        return 0
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
