"""Performance indicators whose actual value misses the target.

Targets are read with their comparator: ≥ 不低于 不少于 以上 (at least), > 大于
高于 (strictly above), ≤ 不超过 以内 (at most), = , and ranges. A target printed
without a comparator means "at least" — or "at most" for costs and for rates
that are bad when high (超支率, 投诉率, 呼损率 …). An actual printed as a
percentage of a count target (≥8个 → 80%) is a completion share: met only at
100%. Qualitative targets are compared only where both sides name a grade
(优/良/中/合格); dates and free text are not judged.
"""
from __future__ import annotations

import re

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r
from rules.registry import detector, family
from worker.facts import Indicator, ParsedReport
from worker.parse import lang

family("indicator", doc=__doc__, satisfaction_words=["满意度", "满意率"],
       high_shortfall=0.3, medium_shortfall=0.1, satisfaction_high_gap=10.0)

_SAT = re.compile("|".join(["满意度", "满意率"]))


def is_satisfaction(ind: Indicator, words: list[str]) -> bool:
    text = ind.name + ind.level2
    return any(w in ind.name for w in words) or (any(w in ind.level2 for w in words) and bool(_SAT.search(text)))


def judge(ind: Indicator) -> tuple[bool | None, float | None, str]:
    """(met?, shortfall as a fraction of the target, explanation). None: cannot judge."""
    op = ind.comparator
    if ind.target_kind == "grade":
        want = _grade(ind.target_raw)
        got = _grade(ind.actual_raw)
        if want is None or got is None:
            return None, None, ""
        ok = got >= want if op == ">=" else got == want
        return ok, (None if ok else 1.0), f"目标等级“{ind.target_raw}”,实际“{ind.actual_raw}”"
    if ind.target_kind != "number" or ind.target is None or ind.actual is None:
        return None, None, ""
    t, a = ind.target, ind.actual
    if ind.actual_is_share:
        share = a.value
        if op in (">=", ">", "=", ""):
            ok = share >= 100.0 - 1e-9
            return ok, (None if ok else (100.0 - share) / 100.0), f"实际完成目标值的{printed(a)}"
        return None, None, ""
    if not _comparable(t, a):
        return None, None, ""
    lo = a.value
    tv = t.value
    if op == "range" and ind.target_high is not None:
        ok = tv <= lo <= ind.target_high.value
        return ok, (None if ok else abs(lo - tv) / max(abs(tv), 1e-9)), ""
    if op == ">=":
        ok = lo >= tv
    elif op == ">":
        ok = lo > tv
    elif op == "<=":
        ok = lo <= tv
    elif op == "<":
        ok = lo < tv
    elif op == "=":
        # Beyond an exact target in the good direction is not a miss.
        ok = lo >= tv if not lang.LOWER_IS_BETTER.search(ind.name) else lo <= tv
    else:
        return None, None, ""
    if ok:
        return True, None, ""
    short = abs(tv - lo) / abs(tv) if tv else 1.0
    return False, short, ""


def _comparable(t, a) -> bool:
    if t.kind == "percent" or a.kind == "percent":
        return t.kind == a.kind or not a.unit or not t.unit
    if t.kind == "money" or a.kind == "money":
        return t.kind == a.kind
    return True


def _grade(text: str) -> int | None:
    for word in sorted(lang.GRADES, key=len, reverse=True):
        if word in (text or ""):
            return lang.GRADES[word]
    return None


_OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "range": "", "": ""}


def _target_text(ind: Indicator) -> str:
    if ind.target_kind == "number" and ind.target is not None:
        shown = ind.target_raw.strip() if re.search(r"[≥≤><=]|不|以|大于|小于", ind.target_raw) else \
            f"{_OPS.get(ind.comparator, '')}{printed(ind.target)}"
        return shown
    return ind.target_raw


def _actual_text(ind: Indicator) -> str:
    a = ind.actual_raw.strip()
    if len(a) <= 16 or ind.actual is None:
        return a[:16]
    return printed(ind.actual)


def _clause(raw: str) -> str:
    """A cell's text inside a sentence: its own closing punctuation dropped
    (a cell ending in 。 would make 。。)."""
    return raw.strip().rstrip("。.,,;;、::").rstrip()


def _of(owner: str) -> str:
    """The project an indicator belongs to, for a title (项目名·): a metric alone names nothing."""
    return f"{_short(owner)}·" if owner and owner != "部门整体" else ""


def _short(name: str) -> str:
    return name if len(name) <= 30 else name[:29] + "…"


def _finding(rule, kind, ind: Indicator, short, how, opts, satisfaction: bool) -> Finding:
    target = _target_text(ind)
    owner = ind.owner
    if satisfaction:
        gap = (ind.target.value - ind.actual.value) if (ind.target and ind.actual and not ind.actual_is_share) else None
        if gap is not None and gap >= opts["satisfaction_high_gap"]:
            sev = "high"
        else:
            sev = "medium"
        title = f"满意度未达目标:{_of(owner)}{ind.name}(目标{target},实际{_actual_text(ind)})"
        why = "满意度是绩效自评中最直接反映服务对象感受的指标,未达标却常被给予高分"
    else:
        sev = "high" if short is not None and short >= opts["high_shortfall"] else \
            "medium" if short is not None and short >= opts["medium_shortfall"] else "low"
        title = f"绩效指标未达目标:{_of(owner)}{_short(ind.name)}(目标{target},实际{_actual_text(ind)})"
        why = "年度绩效目标未完成,需核实原因以及自评得分是否相应扣减"
    strict = ""
    if ind.comparator == ">" and ind.actual is not None and ind.target is not None and \
            abs(ind.actual.value - ind.target.value) < 1e-9:
        strict = "目标要求严格大于该值,实际恰好等于目标,不满足“>”的要求。"
    full = ""
    if ind.weight is not None and ind.score is not None and ind.score.value >= ind.weight.value - 1e-9:
        full = f"但该指标仍得满分({printed(ind.score, '分')}/{printed(ind.weight, '分')}),自评打分与完成情况不符。"
        if sev == "low":
            sev = "medium"
    implied = "(指标值未写比较符,按“不低于”理解)" if ind.comparator_implied and ind.comparator == ">=" else \
        "(指标值未写比较符,按“不高于”理解)" if ind.comparator_implied else ""
    message = (f"{'项目“' + owner + '”' if owner and owner != '部门整体' else '部门整体'}的指标“{ind.name}”"
               f"年度指标值为{target}{implied},实际完成值为{_clause(ind.actual_raw)}"
               f"{'(' + how + ')' if how else ''}。{strict}{full}{why}。")
    evidence = {"indicator": ind.name, "owner": owner, "target": num(ind.target), "target_text": ind.target_raw,
                "comparator": ind.comparator, "actual": num(ind.actual), "actual_text": ind.actual_raw,
                "weight": num(ind.weight), "score": num(ind.score)}
    if ind.actual_is_share and ind.target is not None and ind.actual is not None:
        evidence["actual_value"] = r(ind.target.value * ind.actual.value / 100.0)
    if ind.note:
        evidence["note"] = ind.note
    evidence = {k: v for k, v in evidence.items() if v not in (None, "")}
    key = (owner, ind.name, num(ind.target), num(ind.actual))
    return Finding(kind=kind, rule=rule, severity=sev, title=title, message=message, evidence=evidence,
                   key=key, quotes=[q(ind.quote)])


@detector("indicator.satisfaction", "satisfaction_below_target", severity="high when the gap is ≥ satisfaction_high_gap points, else medium")
def satisfaction(report: ParsedReport, opts: dict) -> list[Finding]:
    """A satisfaction indicator (满意度, 满意率) whose actual value does not meet
    its target, minding the comparator: actual 90 against >90 is a miss."""
    out = []
    for ind in report.of(Indicator):
        if not is_satisfaction(ind, opts["satisfaction_words"]):
            continue
        ok, short, how = judge(ind)
        if ok is False:
            out.append(_finding("indicator.satisfaction", "satisfaction_below_target", ind, short, how, opts, True))
    return out


@detector("indicator.target", "indicator_target_missed", severity="by shortfall: high ≥ high_shortfall, medium ≥ medium_shortfall, else low; at least medium when full marks were given anyway")
def target(report: ParsedReport, opts: dict) -> list[Finding]:
    """Any other indicator whose actual value (or completion share) does not
    meet its target."""
    out = []
    for ind in report.of(Indicator):
        if is_satisfaction(ind, opts["satisfaction_words"]):
            continue
        ok, short, how = judge(ind)
        if ok is False:
            out.append(_finding("indicator.target", "indicator_target_missed", ind, short, how, opts, False))
    return out


__all__ = ["judge", "is_satisfaction", "tol"]
