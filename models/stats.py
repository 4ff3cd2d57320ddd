"""Robust statistics: median, MAD, robust z-scores."""
from __future__ import annotations

import math


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def mad(xs: list[float], med: float | None = None) -> float:
    m = median(xs) if med is None else med
    return median([abs(x - m) for x in xs])


def robust_z(x: float, med: float, mad_: float, floor: float = 1e-9) -> float:
    """(x − median) / (1.4826·MAD); the constant makes it a z-score for normal data."""
    scale = 1.4826 * mad_
    if scale < floor:
        return 0.0 if abs(x - med) < floor else math.copysign(math.inf, x - med)
    return (x - med) / scale
