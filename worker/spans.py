"""Sets of [start, end) text spans (the tables of a report) with logarithmic
lookups: a report of thousands of tables is read line by line against them."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable


class Spans:
    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[list[int]] = []
        for a, b in sorted((a, b) for a, b in spans if b > a):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def __len__(self) -> int:
        return len(self._starts)

    def contains(self, pos: int) -> bool:
        """True when some span has start <= pos < end."""
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]

    def overlaps(self, start: int, end: int) -> bool:
        """True when [start, end) shares a character with some span."""
        if end <= start:
            return self.contains(start)
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self._ends[i] > start
