"""Stated percentages and differences that do not follow from their operands
(stated_value_mismatch).

Every 占…的x%, 比上年增加…增长x%, 完成…预算的x% and 比年初预算…减少x万元 is
recomputed from the figures it speaks of, under the rounding rule. Where the
words admit more than one base (总收入 or 本年收入), the statement is accepted
if any reading fits: only a figure that fits no reading is reported.
"""
from __future__ import annotations

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r
from rules.registry import detector, family
from rules.statements import ledger_accepts
from worker.facts import Claim, FundingRow, ParsedReport

family("stated", doc=__doc__, check_guessed_bases=False, check_scores=True)


def _share_fits(stated, numerator, base) -> tuple[bool, tol.Interval | None]:
    iv = tol.ratio_pct(tol.interval(numerator), tol.interval(base))
    if iv is None:
        return True, None
    return tol.consistent(stated, iv, abs(stated.value)), iv


def _mismatch(rule, claim: Claim, computed: float, what: str, detail: str, evidence: dict, key: tuple,
              severity: str = "medium") -> Finding:
    title = f"{what}与数据不符:{claim.subject or ''}报告{printed(claim.stated)},按数据计算为{tol.fmt(computed)}%"
    message = f"{detail}报告所述{what}与其依据的数字不一致,可能是计算错误、引用了错误的基数或数字有误。"
    evidence = {"stated": num(claim.stated), "computed": r(computed), **evidence}
    # Anchored on the printed figure: with the ledger's check of the same
    # statement (statements.*) it makes one alert, not two.
    return Finding("stated_value_mismatch", rule, severity, title, message,
                   {k: v for k, v in evidence.items() if v is not None}, key, [q(claim.quote)],
                   anchor=(claim.stated.start, claim.stated.end))


def _sev(stated: float, computed: float) -> str:
    gap = abs(abs(stated) - abs(computed))
    return "high" if gap >= 10 else "medium" if gap >= 1 else "low"


@detector("stated.share", "stated_value_mismatch", severity="by the gap: high ≥ 10 points, medium ≥ 1, else low")
def share(report: ParsedReport, opts: dict) -> list[Finding]:
    """A share (占…的x%) that does not equal the part divided by the whole the
    sentence names, nor any other whole its words could mean."""
    out = []
    for c in report.of(Claim):
        if c.type != "share" or c.numerator is None or c.base is None:
            continue
        if c.base_role == "guessed" and not opts["check_guessed_bases"]:
            continue
        if c.base.value <= 0 or ledger_accepts(report, c.stated):
            continue
        ok, iv = _share_fits(c.stated, c.numerator, c.base)
        if ok or any(_share_fits(c.stated, c.numerator, b)[0] for b in c.candidates if b.value > 0):
            continue
        computed = tol.mid(iv)
        detail = (f"报告称{c.subject}{printed(c.numerator)}占{c.base_name or '总额'}的{printed(c.stated)};"
                  f"按{printed(c.base)}计算应为{tol.fmt(computed)}%。")
        out.append(_mismatch("stated.share", c, computed, "占比", detail,
                             {"numerator": num(c.numerator), "base": num(c.base)},
                             ("share", num(c.numerator), num(c.stated)), _sev(c.stated.value, computed)))
    return out


def growth_interval(c: Claim, current) -> tol.Interval | None:
    """Percentage change implied by a current figure and a stated change."""
    if c.delta is not None:
        cur = tol.interval(current)
        d = tol.interval(c.delta)
        base = tol.sub(cur, d) if c.direction >= 0 else tol.add(cur, d)
        return tol.ratio_pct(d, base)
    if c.base is not None:
        # current / base − 1 on the intervals directly: the difference taken
        # first would let the two ends of one base vary independently.
        q = tol.ratio_pct(tol.interval(current), tol.interval(c.base))
        if q is None:
            return None
        iv = (q[0] - 100, q[1] - 100)
        return (abs(iv[0]), abs(iv[1])) if iv[0] >= 0 else (min(abs(iv[0]), abs(iv[1])), max(abs(iv[0]), abs(iv[1])))
    return None


@detector("stated.growth", "stated_value_mismatch", severity="by the gap: high ≥ 10 points, medium ≥ 1, else low")
def growth(report: ParsedReport, opts: dict) -> list[Finding]:
    """A growth or fall (比上年增加X,增长Y%) that does not follow from the
    current figure and the stated change. The base is the current figure minus
    the increase (plus the decrease)."""
    out = []
    for c in report.of(Claim):
        if c.type != "growth" or c.numerator is None:
            continue
        if c.delta is not None and c.delta.value == 0 or ledger_accepts(report, c.stated):
            continue
        iv = growth_interval(c, c.numerator)
        if iv is None:
            continue       # a zero base: undefined_ratio's business
        if tol.consistent(c.stated, iv, abs(c.stated.value)):
            continue
        if any((alt := growth_interval(c, a)) is not None and tol.consistent(c.stated, alt, abs(c.stated.value))
               for a in c.candidates):
            continue
        computed = tol.mid(iv)
        base_v = (c.numerator.value - c.delta.value * (1 if c.direction >= 0 else -1)) if c.delta else (
            c.base.value if c.base else None)
        detail = (f"报告称{c.subject + ' ' if c.subject else ''}{printed(c.numerator)},"
                  f"{'增加' if c.direction >= 0 else '减少'}{printed(c.delta) if c.delta else ''},"
                  f"{'增长' if c.direction >= 0 else '下降'}{printed(c.stated).lstrip('-')};"
                  f"由此推得上年(基数)为{tol.fmt(base_v or 0)}万元,变动率应为{tol.fmt(computed)}%。")
        out.append(_mismatch("stated.growth", c, computed, "增减幅度", detail,
                             {"current": num(c.numerator), "delta": num(c.delta), "base": r(base_v)},
                             ("growth", num(c.numerator), num(c.stated)), _sev(c.stated.value, computed)))
    return out


@detector("stated.completion", "stated_value_mismatch", severity="by the gap: high ≥ 10 points, medium ≥ 1, else low")
def completion(report: ParsedReport, opts: dict) -> list[Finding]:
    """A completion or execution rate (完成年初预算的x%, 预算执行率x%) that does
    not equal the outturn divided by the budget the sentence names."""
    out = []
    for c in report.of(Claim):
        if c.type == "completion" and c.base is None and c.delta is not None and c.numerator is not None:
            out += _completion_by_difference(c)
            continue
        if c.type != "completion" or c.numerator is None or c.base is None or c.base.value <= 0:
            continue
        if ledger_accepts(report, c.stated):
            continue
        ok, iv = _share_fits(c.stated, c.numerator, c.base)
        if ok or any(b.value > 0 and _share_fits(c.stated, c.numerator, b)[0] for b in c.candidates):
            continue
        computed = tol.mid(iv)
        base_word = {"initial": "年初预算", "budget": "预算", "arrangement": "预算安排"}.get(c.base_role, "预算")
        detail = (f"报告称{c.subject + ' ' if c.subject else ''}{base_word}{printed(c.base)},"
                  f"决算(支出){printed(c.numerator)},完成{base_word}的{printed(c.stated)};"
                  f"实际应为{tol.fmt(computed)}%。")
        out.append(_mismatch("stated.completion", c, computed, "完成率", detail,
                             {"budget": num(c.base), "executed": num(c.numerator)},
                             ("completion", num(c.numerator), num(c.base), num(c.stated)),
                             _sev(c.stated.value, computed)))
    return out


def completion_by_difference_interval(c: Claim) -> tol.Interval | None:
    """完成预算P%, 决算数大于(小于)预算数D: the budget is the outturn less
    (plus) D; the completion outturn / budget, None over a zero budget."""
    x, d = tol.interval(c.numerator), tol.interval(c.delta)
    return tol.ratio_pct(x, tol.sub(x, d) if c.direction > 0 else tol.add(x, d))


def _completion_by_difference(c: Claim) -> list[Finding]:
    """P must be outturn / (outturn ∓ D)."""
    iv = completion_by_difference_interval(c)
    if iv is None or tol.consistent(c.stated, iv, abs(c.stated.value)):
        return []
    computed = tol.mid(iv)
    b = c.numerator.value - c.delta.value if c.direction > 0 else c.numerator.value + c.delta.value
    word = "大于" if c.direction > 0 else "小于"
    detail = (f"报告称{c.subject + ' ' if c.subject else ''}决算{printed(c.numerator)},完成预算的{printed(c.stated)},"
              f"又称决算数{word}预算数{printed(c.delta)};由此预算数应为{tol.fmt(b)}万元,完成率应为{tol.fmt(computed)}%。")
    return [_mismatch("stated.completion", c, computed, "完成率", detail,
                      {"executed": num(c.numerator), "difference": num(c.delta), "budget": r(b)},
                      ("completion_difference", num(c.numerator), num(c.delta), num(c.stated)),
                      _sev(c.stated.value, computed))]


@detector("stated.difference", "stated_value_mismatch", severity="medium")
def difference(report: ParsedReport, opts: dict) -> list[Finding]:
    """A stated difference (比年初预算X万元减少Y万元, 持平, 保持一致) that is not
    the difference of the two figures."""
    out = []
    for c in report.of(Claim):
        if c.type != "difference" or c.numerator is None or c.base is None:
            continue
        diff = tol.sub(tol.interval(c.base), tol.interval(c.numerator))
        if c.delta is None:
            stated_v, label = 0.0, "持平"
            u = tol.unit(c.numerator)
            if diff[0] - u <= 0 <= diff[1] + u:
                continue
        elif c.direction == 0:
            # 差值为X: unsigned, either way round.
            if tol.consistent(c.delta, tol.magnitude(diff)):
                continue
            stated_v, label = c.delta.value, "相差" + printed(c.delta)
        else:
            want = c.delta.value if c.direction < 0 else -c.delta.value
            if tol.consistent(c.delta, diff, want):
                continue
            stated_v, label = c.delta.value, ("减少" if c.direction < 0 else "增加") + printed(c.delta)
        computed = c.base.value - c.numerator.value
        title = (f"差额与数据不符:{printed(c.numerator)}与{printed(c.base)}相比,报告称{label},"
                 f"实际相差{tol.fmt(abs(computed), 4)}万元")
        message = (f"报告称决算{printed(c.numerator)},比{printed(c.base)}{label};两数实际相差"
                   f"{tol.fmt(abs(computed), 4)}万元。差额计算有误或其中一个数字有误。")
        evidence = {"stated": r(stated_v, 4), "computed": r(abs(computed), 4), "current": num(c.numerator),
                    "base": num(c.base)}
        out.append(Finding("stated_value_mismatch", "stated.difference", "medium", title, message, evidence,
                           ("difference", num(c.numerator), num(c.base)), [q(c.quote)]))
    return out


@detector("stated.execution_rate", "stated_value_mismatch", severity="by the gap: high ≥ 10 points, medium ≥ 1, else low")
def table_rate(report: ParsedReport, opts: dict) -> list[Finding]:
    """The 执行率 column of a funding table that does not equal 执行数 over the
    budget of its row (read as a percentage or, failing that, as a ratio)."""
    out = []
    for f in report.of(FundingRow):
        budget = f.budget or f.initial_budget
        if f.stated_rate is None or f.executed is None or budget is None or budget.value <= 0:
            continue
        iv = tol.ratio_pct(tol.interval(f.executed), tol.interval(budget))
        if iv is None or tol.consistent(f.stated_rate, iv):
            continue
        if f.stated_rate.kind == "ratio_or_percent":
            as_pct = (f.stated_rate.value * 100)
            u = 10 ** -f.stated_rate.precision * 100
            if iv[0] - u <= as_pct <= iv[1] + u:
                continue        # a ratio in a % column: unit.ratio_for_percent
        computed = tol.mid(iv)
        title = f"执行率与数据不符:{f.owner}·{f.label} 报告{printed(f.stated_rate, '%')},计算为{tol.fmt(computed)}%"
        message = (f"“{f.owner}”资金表“{f.label}”行:预算{printed(budget)},执行{printed(f.executed)},"
                   f"执行率应为{tol.fmt(computed)}%,表中为{printed(f.stated_rate, '%')}。")
        evidence = {"stated": num(f.stated_rate), "computed": r(computed), "budget": num(budget),
                    "executed": num(f.executed)}
        out.append(Finding("stated_value_mismatch", "stated.execution_rate", _sev(f.stated_rate.value, computed),
                           title, message, evidence, ("exec_rate", num(f.executed), num(budget)), [q(f.quote)]))
    return out


@detector("stated.score", "stated_value_mismatch", severity="low; medium when the score exceeds its weight")
def score(report: ParsedReport, opts: dict) -> list[Finding]:
    """The budget-execution score of a self-evaluation table (分值 × 执行率 =
    得分) that does not follow from its weight and rate, or exceeds its weight."""
    if not opts["check_scores"]:
        return []
    out = []
    for f in report.of(FundingRow):
        if not f.is_total or f.weight is None or f.score is None:
            continue
        budget = f.budget or f.initial_budget
        rate = None
        if f.stated_rate is not None:
            v = f.stated_rate.value * (100 if f.stated_rate.kind == "ratio_or_percent" and f.stated_rate.value <= 1.5 else 1)
            rate = (v - tol.half(f.stated_rate) * (100 if v != f.stated_rate.value else 1),
                    v + tol.half(f.stated_rate) * (100 if v != f.stated_rate.value else 1))
        elif f.executed is not None and budget is not None and budget.value > 0:
            rate = tol.ratio_pct(tol.interval(f.executed), tol.interval(budget))
        if rate is None:
            continue
        capped = (min(rate[0], 100.0), min(rate[1], 100.0))
        expected = (f.weight.value * capped[0] / 100, f.weight.value * capped[1] / 100)
        over = f.score.value > f.weight.value + 1e-9
        if not over and tol.consistent(f.score, expected):
            continue
        computed = tol.mid(expected)
        title = f"预算执行得分与执行率不符:{f.owner} 得分{printed(f.score, '分')},按执行率应为{tol.fmt(computed)}分"
        message = (f"“{f.owner}”预算执行分值{printed(f.weight, '分')},执行率{tol.fmt(tol.mid(rate))}%,"
                   f"按“分值×执行率”应得{tol.fmt(computed)}分,表中为{printed(f.score, '分')}。")
        evidence = {"stated": num(f.score), "computed": r(computed), "weight": num(f.weight),
                    "rate": r(tol.mid(rate))}
        out.append(Finding("stated_value_mismatch", "stated.score", "medium" if over else "low", title, message,
                           evidence, ("score", num(f.score), num(f.weight)), [q(f.quote)]))
    return out
