"""Figures run together with no separator, split back into numbers.

`合计2,946.252,940.056.20` is 合计 | 2,946.25 | 2,940.05 | 6.20 and
`202010100.00%10` is 20 | 20 | 10 | 100.00% | 10: the header's column count,
the shapes of numbers (thousands in groups of three, one count of decimals in
a row) and, among several fits, a percentage that is the ratio of two earlier
numbers decide. When more than one split still fits, there is no split.
"""
from __future__ import annotations

import re
from functools import cache
from itertools import combinations

NUM = re.compile(r"[-－]?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.\d+)?%?|—{1,2}|-|－")

_LIMIT = 200   # more candidate splits than this: ambiguous whatever the tie-breaks
# A row of a disclosure table runs a few dozen figures together at most; a
# longer run (a digit dump, a hostile file) is no row and is not tried.
MAX_RUN = 800


def split_run(s: str, k: int, *, decimals: int | None = None,
              commas: bool | None = None) -> list[tuple[int, int]] | None:
    """Split glued numbers into exactly k (spans in s); None when no or several splits fit.

    Every piece must be a well-formed number (thousands in groups of three,
    grouped as soon as the run or table uses commas). Among the fits, those
    whose plain numbers share one count of decimals are kept (the table's own
    `decimals` first); among several left, one where a percentage is the
    ratio of two earlier numbers (执行率 = 执行数/预算数).
    """
    n = len(s)
    if k < 1 or not s or k > n or n > MAX_RUN:
        return None
    commas = "," in s or bool(commas)
    opts = [_piece_options(s, i, commas) for i in range(n)]

    @cache
    def count(i: int, left: int, d: int | None) -> int:
        if i == n or left == 0:
            return int(i == n and left == 0)
        total = 0
        for j, info in opts[i]:
            if _fits(info, d):
                total += count(j, left - 1, d)
                if total > _LIMIT:
                    break
        return total

    def walk(i: int, left: int, d: int | None):   # the splits count() says exist
        if i == n:
            yield ()
            return
        for j, info in opts[i]:
            if left and _fits(info, d) and count(j, left - 1, d):
                for rest in walk(j, left - 1, d):
                    yield ((i, j, info),) + rest

    decs = sorted({info[0] for o in opts for _, info in o if info[0] is not None and not info[1]})
    # Numbers of a row print the same decimals (percentages and zero markers aside):
    # a split mixing them (2,946.2|5) is never taken.
    for ds in ([[decimals]] if decimals is not None else []) + [decs or [None]]:
        if sum(count(0, k, d) for d in ds) > _LIMIT:
            return None
        found = {split for d in ds for split in walk(0, k, d)}
        if not found:
            continue
        if len(found) > 1:
            found = {sp for sp in found if _ratio_ok([p[2] for p in sp])}
        return [(i, j) for i, j, _ in next(iter(found))] if len(found) == 1 else None
    return None


_Info = tuple[int | None, bool, float | None]   # decimals (None: zero marker), percent, value


def _piece_options(s: str, i: int, commas: bool) -> list[tuple[int, _Info]]:
    out: list[tuple[int, _Info]] = []
    for j in range(i + 1, min(len(s), i + 24) + 1):
        if not NUM.fullmatch(s, i, j):
            continue
        p = s[i:j]
        digits = p.lstrip("-－").rstrip("%")
        if not digits[:1].isdigit():
            out.append((j, (None, False, None)))
            continue
        whole, _, frac = digits.partition(".")
        if commas and "," not in whole and len(whole) > 3:
            continue
        value = float(digits.replace(",", "")) * (-1 if p[0] in "-－" else 1)
        out.append((j, (len(frac), p.endswith("%"), value)))
    return out


def _fits(info: _Info, d: int | None) -> bool:   # d decimals, or a percentage, or a zero marker
    return d is None or info[0] is None or info[1] or info[0] == d


def _ratio_ok(infos: list[_Info]) -> bool:
    """A non-zero percentage equals b/a of two earlier numbers, within printing."""
    for idx, (dp, pct, p) in enumerate(infos):
        if not pct or not p or dp is None:
            continue
        prev = [(d, v) for d, pc, v in infos[:idx] if not pc and v and d is not None]
        for (da, va), (db, vb) in combinations(prev, 2):
            r = vb / va * 100
            if abs(r - p) <= 0.5 * 10 ** -dp + abs(r) * (0.5 * 10 ** -da / abs(va) + 0.5 * 10 ** -db / abs(vb)):
                return True
    return False


def natural_split(s: str, **fmt) -> list[tuple[int, int]] | None:
    """The split of a run whose every number has decimals (count = dots)."""
    k = s.count(".")
    spans = split_run(s, k, **fmt) if k else None
    return spans if spans and all("." in s[a:b] for a, b in spans) else None
