"""Totals that do not add up (total_mismatch).

Parts listed after 其中/包括 must not exceed their total; when the list is
complete (a 其他 catch-all, 基本支出+项目支出, 货物+工程+服务, the three 三公
items) they must add up to it. Counts of things are exact (共有公务用车4辆 with
11 sedans and 3 SUVs is wrong); money is judged with the rounding rule.
Scores of an evaluation table must add up to its 总分, and the 款 lines listed
under a 类 to the 类.
"""
from __future__ import annotations

import dataclasses

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r
from rules.registry import detector, family
from worker.facts import LineItem, ParsedReport, PartSet

family("totals", doc=__doc__, check_incomplete_lists=False)


def _slip_fixes(ps: PartSet) -> bool:
    """A part printed in 元 among 万元 figures that closes the sum when read as 万元:
    a unit slip, reported by unit.yuan_for_wan instead."""
    if ps.measure != "money":
        return False
    for i, (_, n) in enumerate(ps.parts):
        if n.unit == "元" and ps.total.unit != "元":
            fixed = [tol.interval(p) for j, (_, p) in enumerate(ps.parts) if j != i]
            fixed.append((n.printed - 0.5 * 10 ** -n.precision, n.printed + 0.5 * 10 ** -n.precision))
            if tol.consistent(ps.total, tol.add(*fixed)):
                return True
    return False


def _adds_to(whole, parts: list, least: int = 2) -> bool:
    return len(parts) >= least and tol.consistent(whole, tol.add(*[tol.interval(p) for p in parts]))


def other_breakdowns(ps: PartSet) -> bool:
    """True when the parts over-run their total only because they hold more than
    one breakdown of it: a part followed by its own breakdown (局本级187人(在职139人、
    退休8人、协管40人)), or a breakdown followed by other figures of the sentence
    (a second breakdown of the whole, 男…女…, or 年末学生人数929人). Read that way
    the parts add up, so no reading says they are wrong."""
    nums = [p for _, p in ps.parts]
    # A part's own breakdown follows it: drop the figures that add up to it.
    kept, i = [], 0
    while i < len(nums):
        kept.append(nums[i])
        j = next((k for k in range(i + 3, len(nums) + 1) if _adds_to(nums[i], nums[i + 1:k])), None)
        i = j if j is not None else i + 1
    if len(kept) < len(nums) and _adds_to(ps.total, kept, least=1):
        return True
    # The list closes on the whole and goes on with other figures.
    return any(_adds_to(ps.total, nums[:k]) for k in range(2, len(nums)))


def _list_interval(n, prec: int):
    """A whole number printed in a list whose other figures carry decimals
    (30万元、30万元、29.99万元) dropped its zeros: it is exact to the list's
    precision, not to the yuan."""
    if n.kind == "money" and n.precision == 0 and prec > 0 and not n.approx:
        return tol.interval(dataclasses.replace(n, precision=prec))
    return tol.interval(n)


def check(ps: PartSet, check_incomplete: bool = False) -> tuple[bool, float, str]:
    """(consistent?, sum of the parts, direction 'over'/'under'/'')."""
    prec = max(p.precision for _, p in ps.parts) if ps.measure == "money" else 0
    ivs = [_list_interval(p, prec) for _, p in ps.parts]
    total_iv = tol.add(*ivs)
    s = sum(p.value for _, p in ps.parts)
    if ps.measure == "count" or (ps.total.kind == "count" and ps.total.scale == 1.0):
        if s > ps.total.value:
            return False, s, "over"
        if s < ps.total.value and (ps.exhaustive or check_incomplete):
            return False, s, "under"
        return True, s, ""
    if tol.consistent(ps.total, total_iv):
        return True, s, ""
    if s > ps.total.value:
        return False, s, "over"
    if ps.exhaustive or check_incomplete:
        return False, s, "under"
    return True, s, ""


@detector("totals.parts", "total_mismatch", severity="high for counts and sums exceeding their total, medium otherwise")
def parts(report: ParsedReport, opts: dict) -> list[Finding]:
    """Parts listed after 其中/包括 that exceed their stated total, or that do
    not add up to it when the list is complete."""
    out = []
    for ps in report.of(PartSet):
        if ps.measure not in ("money", "count") or len(ps.parts) < 1:
            continue
        if _slip_fixes(ps):
            continue
        ok, s, direction = check(ps, opts["check_incomplete_lists"])
        if ok or (direction == "over" and other_breakdowns(ps)):
            continue
        unit = ps.total.unit if ps.measure == "count" else "万元"
        parts_txt = "+".join(f"{printed(p)}" for _, p in ps.parts)
        sev = "high" if ps.measure == "count" or direction == "over" else "medium"
        if direction == "over":
            why = "分项之和大于总数,至少有一个数字是错的"
        else:
            why = "分项已列全,但合计与总数不符"
        title = f"分项合计与总数不符:{ps.name}{printed(ps.total)},分项合计{tol.fmt(s, 4)}{unit}"
        message = (f"报告称“{ps.name}”为{printed(ps.total)},其中列出{len(ps.parts)}项:{parts_txt},"
                   f"合计{tol.fmt(s, 4)}{unit}。{why},需核对原始报表。")
        evidence = {"total": num(ps.total), "parts": [{"name": n, "value": num(p)} for n, p in ps.parts],
                    "computed": r(s, 4), "difference": r(s - ps.total.value, 4)}
        key = ("parts", num(ps.total), r(s, 2))
        out.append(Finding("total_mismatch", "totals.parts", sev, title, message, evidence, key, [q(ps.quote)]))
    return out


@detector("totals.scores", "total_mismatch", severity="medium")
def scores(report: ParsedReport, opts: dict) -> list[Finding]:
    """Indicator scores (and weights) of a self-evaluation table that do not
    add up to the table's 总分 / 自评得分."""
    out = []
    for ps in report.of(PartSet):
        if ps.measure not in ("score", "weight"):
            continue
        ok, s, _ = check(ps, True)
        if ok:
            continue
        what = "得分" if ps.measure == "score" else "分值"
        title = f"各项{what}之和与总分不符:{ps.name} 总分{printed(ps.total, '分')},合计{tol.fmt(s)}分"
        message = (f"自评表各项{what}之和为{tol.fmt(s)}分,表中总分为{printed(ps.total, '分')}。"
                   f"总分与分项不一致,自评结论的可靠性存疑。")
        evidence = {"total": num(ps.total), "computed": r(s), "parts": [{"name": n, "value": num(p)} for n, p in ps.parts]}
        out.append(Finding("total_mismatch", "totals.scores", "medium", title, message, evidence,
                           ("scores", ps.measure, num(ps.total), r(s)), [q(ps.quote)]))
    return out


@detector("totals.functional", "total_mismatch", severity="medium")
def functional(report: ParsedReport, opts: dict) -> list[Finding]:
    """The 款 lines listed under a 类 (or 项 under a 款) whose outturns do not
    add up to the parent's (more than the parent, or fewer when two or more
    children are listed)."""
    out = []
    items = report.of(LineItem)
    for parent in items:
        if parent.final is None or parent.level not in ("类", "款"):
            continue
        kids = [c for c in items if c.parent == parent.name and c is not parent and c.final is not None
                and c.quote.start > parent.quote.start and len(c.path) == 1]
        if not kids:
            continue
        ivs = [tol.interval(c.final) for c in kids]
        s = sum(c.final.value for c in kids)
        if tol.consistent(parent.final, tol.add(*ivs)):
            continue
        if s < parent.final.value and len(kids) < 2:
            continue
        title = f"下级科目合计与上级不符:{parent.name}({parent.level})决算{printed(parent.final)},下级合计{tol.fmt(s, 4)}万元"
        message = (f"“{parent.name}”({parent.level})决算{printed(parent.final)},其下列出的"
                   + "、".join(f"“{c.name}”{printed(c.final)}" for c in kids)
                   + f"合计{tol.fmt(s, 4)}万元,两者不一致。")
        evidence = {"total": num(parent.final), "computed": r(s, 4),
                    "parts": [{"name": c.name, "value": num(c.final)} for c in kids]}
        out.append(Finding("total_mismatch", "totals.functional", "medium", title, message, evidence,
                           ("functional", num(parent.final), r(s, 2)),
                           [q(parent.quote)] + [q(c.quote) for c in kids]))
    return out
