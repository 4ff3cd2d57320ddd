"""The rounding rule of design.md, as interval arithmetic.

A printed number with d decimals stands for value ± 0.5·10^-d. A check is
consistent when the stated value lies within the interval computed from its
operands' intervals, widened by one unit in the last printed place of the
stated value. Counts of things are exact.
"""
from __future__ import annotations

from worker.numbers import Num

Interval = tuple[float, float]


def half(n: Num) -> float:
    """Half a unit in the last printed place (0 for counts of things)."""
    if n.kind == "count" and n.scale == 1.0 and not n.approx:
        return 0.0
    return n.half_ulp()


def interval(n: Num) -> Interval:
    h = half(n)
    return (n.value - h, n.value + h)


def unit(n: Num) -> float:
    """One unit in the last printed place of a stated value."""
    if n.kind == "count" and n.scale == 1.0:
        return 0.0
    return (10 ** -n.precision) * n.scale


def add(*xs: Interval) -> Interval:
    return (sum(x[0] for x in xs), sum(x[1] for x in xs))


def sub(a: Interval, b: Interval) -> Interval:
    return (a[0] - b[1], a[1] - b[0])


def ratio_pct(num: Interval, den: Interval) -> Interval | None:
    """100·num/den for a positive denominator; None when den may be zero."""
    if den[0] <= 0:
        return None
    cands = [100 * num[0] / den[0], 100 * num[0] / den[1], 100 * num[1] / den[0], 100 * num[1] / den[1]]
    return (min(cands), max(cands))


def magnitude(iv: Interval) -> Interval:
    """The interval of |x| for x in iv (an unsigned 差值)."""
    lo, hi = iv
    return (lo, hi) if lo >= 0 else (-hi, -lo) if hi <= 0 else (0.0, max(-lo, hi))


def mul(a: Interval, b: Interval) -> Interval:
    c = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
    return (min(c), max(c))


def consistent(stated: Num, computed: Interval, value: float | None = None) -> bool:
    """Is the stated figure within the computed interval, widened by one unit of its last place?"""
    u = unit(stated)
    v = stated.value if value is None else value
    return computed[0] - u - 1e-9 <= v <= computed[1] + u + 1e-9


def mid(iv: Interval) -> float:
    return (iv[0] + iv[1]) / 2


def fmt(x: float, decimals: int = 2) -> str:
    s = f"{x:.{decimals}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s
