"""Why a stated figure was or was not judged: each claim read from the
narrative, its operands, every reading tried, and the verdict.

A pure function over the claims (no I/O), used by `rules test --explain` and
by `reports show`, which counts the claims left unjudged (abstentions) so
their rate is visible (design.md, "Precision": silence when unsure).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rules import tolerance as tol
from rules.stated_values import completion_by_difference_interval, growth_interval
from worker.facts import Claim

FITS, MISMATCH, UNJUDGED = "fits", "no reading fits", "unjudged"


@dataclass
class Explained:
    claim: Claim
    verdict: str                                   # fits | no reading fits | unjudged
    why: str = ""                                  # for unjudged: what was missing
    readings: list[tuple[str, float | None, bool]] = field(default_factory=list)  # (reading, computed, fits)

    @property
    def operands(self) -> str:
        c = self.claim
        parts = [f"{k}={v.raw.strip()}" for k, v in
                 (("分子/本期", c.numerator), ("基数", c.base), ("增减额", c.delta)) if v is not None]
        return "、".join(parts)


def _ratio(stated, a, b) -> tuple[float | None, bool]:
    iv = tol.ratio_pct(tol.interval(a), tol.interval(b))
    if iv is None:
        return None, True
    return round(tol.mid(iv), 2), tol.consistent(stated, iv, abs(stated.value))


def _share(c: Claim, check_guessed: bool) -> Explained:
    if c.numerator is None:
        return Explained(c, UNJUDGED, "未找到所占的数额")
    if c.base is None:
        return Explained(c, UNJUDGED, f"所称基数“{c.base_name}”未印出")
    if c.base_role == "guessed" and not check_guessed:
        return Explained(c, UNJUDGED, "基数只能按位置猜测,不作判断")
    rs = []
    for label, b in [(f"基数{c.base.raw.strip()}({c.base_role or '所指'})", c.base)] + \
            [(f"基数{b.raw.strip()}(其他可能)", b) for b in c.candidates]:
        if b.value > 0:
            v, ok = _ratio(c.stated, c.numerator, b)
            rs.append((label, v, ok))
    return _verdict(c, rs)


def _growth(c: Claim) -> Explained:
    if c.numerator is None and c.base is None:
        return Explained(c, UNJUDGED, "未找到变动所指的本期数或基期数")
    if c.numerator is None or (c.delta is None and c.base is None):
        return Explained(c, UNJUDGED, "只有变动率,没有可核对的数额")
    rs = []
    for label, cur in [(f"本期{c.numerator.raw.strip()}", c.numerator)] + \
            [(f"本期{a.raw.strip()}(其他可能)", a) for a in c.candidates]:
        iv = growth_interval(c, cur)
        if iv is not None:
            rs.append((label, round(tol.mid(iv), 2), tol.consistent(c.stated, iv, abs(c.stated.value))))
    return _verdict(c, rs)


def _completion(c: Claim) -> Explained:
    if c.numerator is None:
        return Explained(c, UNJUDGED, "未找到决算(执行)数")
    if c.base is None and c.delta is not None:
        iv = completion_by_difference_interval(c)
        if iv is None:
            return Explained(c, UNJUDGED, "预算数为零")
        return _verdict(c, [(f"预算=决算{'−' if c.direction > 0 else '+'}差额", round(tol.mid(iv), 2),
                             tol.consistent(c.stated, iv, abs(c.stated.value)))])
    if c.base is None:
        return Explained(c, UNJUDGED, "所称预算数未印出")
    rs = [(f"预算{b.raw.strip()}", *_ratio(c.stated, c.numerator, b)) for b in [c.base] + list(c.candidates)
          if b.value > 0]
    return _verdict(c, rs) if rs else Explained(c, UNJUDGED, "预算数为零")


def _difference(c: Claim) -> Explained:
    if c.numerator is None or c.base is None:
        return Explained(c, UNJUDGED, "比较的两数未都印出")
    diff = tol.sub(tol.interval(c.base), tol.interval(c.numerator))
    computed = round(abs(c.base.value - c.numerator.value), 4)
    if c.delta is None:
        u = tol.unit(c.numerator)
        return _verdict(c, [("持平:两数之差", computed, diff[0] - u <= 0 <= diff[1] + u)])
    if c.direction == 0:
        return _verdict(c, [("差值=两数之差", computed, tol.consistent(c.delta, tol.magnitude(diff)))])
    want = c.delta.value if c.direction < 0 else -c.delta.value
    return _verdict(c, [("增减额=两数之差", computed, tol.consistent(c.delta, diff, want))])


def _verdict(c: Claim, readings: list) -> Explained:
    if not readings:
        return Explained(c, UNJUDGED, "没有可计算的读法")
    return Explained(c, FITS if any(r[2] for r in readings) else MISMATCH, readings=readings)


def explain(claims: list[Claim], check_guessed_bases: bool = False) -> list[Explained]:
    """Every claim with the readings tried and its verdict, in text order."""
    out = []
    for c in sorted(claims, key=lambda c: c.stated.start):
        if c.type == "share":
            out.append(_share(c, check_guessed_bases))
        elif c.type == "growth":
            out.append(_growth(c))
        elif c.type == "completion":
            out.append(_completion(c))
        elif c.type == "difference":
            out.append(_difference(c))
        else:
            out.append(Explained(c, UNJUDGED, f"{c.type}: 由专门规则核对"))
    return out


def summary(explained: list[Explained]) -> dict:
    """Counts for `reports show`: claims read, judged, fitting, not fitting,
    left unjudged, and the abstention rate."""
    n = len(explained)
    unj = sum(e.verdict == UNJUDGED for e in explained)
    return {"claims": n, "judged": n - unj, "fits": sum(e.verdict == FITS for e in explained),
            "no_reading_fits": sum(e.verdict == MISMATCH for e in explained), "unjudged": unj,
            "abstention_rate": round(unj / n, 3) if n else 0.0}
