"""Relations of the performance self-evaluation form (绩效自评表).

The form's funding block has a total row (年度资金总额) over its sources
(其中:本年财政拨款, 上年结转资金, 其他资金), each by 年初预算数 / 全年预算数 /
全年执行数, and the total row carries the 执行率 and the budget-execution
得分. Its indicator block gives each indicator a target (年度指标值), an
actual value (实际完成值), a weight (分值) and a score (得分).

* a total row smaller than one of its own sources (an empty total over
  sources with figures);
* the 执行率 of a total row left empty, which cannot be the rate of its
  sources' figures: the self-score was then computed from the empty total;
* points deducted from indicators whose actual value meets the target,
  with no deviation note (偏差原因) to explain the deduction.
"""
from __future__ import annotations

import re

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r
from rules.indicators import judge
from rules.registry import detector, family
from worker.facts import FundingRow, Indicator, ParsedReport, PartSet

family("selfeval", doc=__doc__)

_MONEY = (("initial_budget", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数"))


def _forms(report: ParsedReport) -> list[tuple[FundingRow, list[FundingRow]]]:
    """Each total row with the source rows printed under it (up to the next total)."""
    out: list[tuple[FundingRow, list[FundingRow]]] = []
    for f in sorted(report.of(FundingRow), key=lambda x: x.quote.start):
        if f.is_total:
            out.append((f, []))
        elif out and out[-1][0].owner == f.owner and not f.label.startswith(("合计", "小计", "总计")):
            out[-1][1].append(f)
    return out


def _figures(f: FundingRow) -> list:
    return [getattr(f, k) for k, _ in _MONEY if getattr(f, k) is not None]


def _subject(f: FundingRow) -> str:
    return f"项目“{f.owner}”" if f.owner_kind == "project" else f"部门整体({f.owner})"


@detector("selfeval.total_below_part", "total_mismatch", severity="high")
def total_below_part(report: ParsedReport, opts: dict) -> list[Finding]:
    """A funding total row (年度资金总额) smaller than one of its own source
    rows (其中:本年财政拨款 …): a total cannot be less than its part. Read
    charitably, whichever money column each figure stands in: every figure
    of the source row exceeds every figure of the total row."""
    out = []
    for total, parts in _forms(report):
        tf = _figures(total)
        if not tf:
            continue
        top = max(n.value + tol.half(n) for n in tf)
        for p in parts:
            pf = _figures(p)
            if not pf or min(n.value - tol.half(n) for n in pf) <= top:
                continue
            cols = [{"column": name, "total": num(getattr(total, k)), "part": num(getattr(p, k))}
                    for k, name in _MONEY if getattr(total, k) is not None and getattr(p, k) is not None]
            first = next((c for c in cols if c["part"] is not None), None)
            title = f"资金总额小于其组成部分:{_subject(total)}“{total.label}”小于“{p.label}”"
            message = (f"{_subject(total)}绩效自评表中“{total.label}”行为"
                       f"{'/'.join(printed(n) for n in tf)},而其组成部分“{p.label}”行为"
                       f"{'/'.join(printed(n) for n in pf)}。合计数不应小于其中任何一项,"
                       f"资金总额行疑似漏填,据此计算的执行率和得分也不可靠。")
            evidence = {"subject": total.owner, "total_row": total.label, "part_row": p.label,
                        "stated": first["total"] if first else num(tf[0]),
                        "computed": first["part"] if first else num(pf[0]), "columns": cols}
            out.append(Finding("total_mismatch", "selfeval.total_below_part", "high", title, message, evidence,
                               ("selfeval_total", total.owner, num(tf[0]), num(pf[0])),
                               [q(total.quote), q(p.quote)]))
    return out


def _pct(n) -> float:
    v = n.value
    return v * 100 if n.kind == "ratio_or_percent" and 0 < v <= 1.5 else v


@detector("selfeval.rate_of_empty_total", "stated_value_mismatch", severity="high")
def rate_of_empty_total(report: ParsedReport, opts: dict) -> list[Finding]:
    """The 执行率 printed on a total row whose budget and execution are empty
    (0) while its source rows carry figures: the rate of the sources
    (全年执行数 / 全年预算数, their sums) differs from the printed one, so the
    rate and the self-score were computed from the empty total."""
    out = []
    for total, parts in _forms(report):
        if total.stated_rate is None or any(n.value > 0 for n in _figures(total)):
            continue
        rows = [p for p in parts if p.executed is not None and (p.budget or p.initial_budget) is not None]
        if not rows:
            continue
        executed = tol.add(*(tol.interval(p.executed) for p in rows))
        budget = tol.add(*(tol.interval(p.budget or p.initial_budget) for p in rows))
        iv = tol.ratio_pct(executed, budget)
        if iv is None:
            continue
        stated = _pct(total.stated_rate)
        if tol.consistent(total.stated_rate, iv, stated):
            continue
        ex_sum = sum(p.executed.value for p in rows)
        bu_sum = sum((p.budget or p.initial_budget).value for p in rows)
        computed = 100.0 * ex_sum / bu_sum if bu_sum > 0 else tol.mid(iv)
        base = "全年预算数" if all(p.budget is not None for p in rows) else "年初预算数"
        score_txt = ""
        evidence = {"subject": total.owner, "stated": r(stated), "computed": r(computed),
                    "executed": r(ex_sum, 6), "budget": r(bu_sum, 6), "base": base}
        if total.weight is not None and total.score is not None:
            expected = total.weight.value * min(computed, 100.0) / 100
            evidence.update(weight=num(total.weight), score=num(total.score), expected_score=r(expected))
            score_txt = (f"按分值{printed(total.weight, '分')}应得约{tol.fmt(expected)}分,"
                         f"表中得分为{printed(total.score, '分')}。")
        title = (f"执行率按空白的资金总额计算:{_subject(total)}表列{tol.fmt(stated)}%,"
                 f"按资金来源计算为{tol.fmt(computed)}%")
        message = (f"{_subject(total)}绩效自评表“{total.label}”行预算数和执行数为空(0),表列执行率为"
                   f"{printed(total.stated_rate, '%')};而其资金来源"
                   f"{'、'.join('“' + p.label + '”' for p in rows)}全年执行数{tol.fmt(ex_sum, 4)}"
                   f"/{base}{tol.fmt(bu_sum, 4)}={tol.fmt(computed)}%。{score_txt}"
                   f"执行率和得分是按空白的资金总额计算的,建议补填资金总额并重新计算。")
        out.append(Finding("stated_value_mismatch", "selfeval.rate_of_empty_total", "high", title, message,
                           evidence, ("selfeval_rate", total.owner, r(stated), r(computed)),
                           [q(total.quote)] + [q(p.quote) for p in rows]))
    return out


# A deviation note that says nothing: the row has no explanation.
_EMPTY_NOTE = re.compile(r"^(?:[-—/\\0无]|无偏差|……|…|\.+)?$")


def _deducted_though_met(ind: Indicator) -> bool:
    if ind.weight is None or ind.score is None or ind.target_kind != "number" or ind.actual_is_share:
        return False
    if ind.score.value >= ind.weight.value - 1e-9 or ind.score.value < 0:
        return False
    if not _EMPTY_NOTE.match(re.sub(r"\s+", "", ind.note or "")):
        return False          # the deduction is explained
    ok, _short, _how = judge(ind)
    return ok is True


@detector("selfeval.deduction_with_target_met", "stated_value_mismatch", severity="medium")
def deduction_with_target_met(report: ParsedReport, opts: dict) -> list[Finding]:
    """Points deducted (得分 below 分值) from indicators whose actual value
    meets the target as printed, with no deviation note (偏差原因) to say
    why: by the form's scoring rule a met target earns its full points.
    One alert per form, over all such indicators."""
    by_owner: dict[str, list[Indicator]] = {}
    for ind in report.of(Indicator):
        if _deducted_though_met(ind):
            by_owner.setdefault(ind.owner, []).append(ind)
    out = []
    for owner, rows in by_owner.items():
        weights = sum(i.weight.value for i in rows)
        scores = sum(i.score.value for i in rows)
        items = [{"indicator": i.name, "target": i.target_raw.strip(), "actual": i.actual_raw.strip(),
                  "weight": num(i.weight), "score": num(i.score)} for i in rows]
        listed = "、".join(f"“{i.name}”(目标{i.target_raw.strip()},实际{i.actual_raw.strip()},"
                          f"得分{printed(i.score, '分')}/{printed(i.weight, '分')})" for i in rows[:6])
        subject = f"项目“{owner}”" if owner and owner != "部门整体" else "本"
        title = (f"指标已达目标却扣分:{subject if subject != '本' else ''}{len(rows)}项指标"
                 f"共扣{tol.fmt(weights - scores)}分")
        message = (f"{subject}绩效自评表中{listed}均已达到年度指标值,且未填写偏差原因,"
                   f"但得分低于分值:分值合计{tol.fmt(weights)}分,得分合计{tol.fmt(scores)}分。"
                   f"按评分规则完成目标应得满分,建议核实扣分依据。")
        evidence = {"subject": owner, "stated": r(weights), "computed": r(scores),
                    "deducted": r(weights - scores), "indicators": items}
        out.append(Finding("stated_value_mismatch", "selfeval.deduction_with_target_met", "medium", title,
                           message, evidence, ("selfeval_deduction", owner, r(weights), r(scores)),
                           [q(i.quote) for i in rows]))
    return out


def _weight_sets(report: ParsedReport) -> dict[tuple[int, int], list[PartSet]]:
    """The readings of each form's 总分, grouped by where it is printed."""
    out: dict[tuple[int, int], list[PartSet]] = {}
    for ps in report.of(PartSet):
        if ps.measure == "form_weight":
            out.setdefault((ps.quote.start, ps.quote.end), []).append(ps)
    return out


@detector("selfeval.weights_vs_total", "total_mismatch", severity="medium")
def weights_vs_total(report: ParsedReport, opts: dict) -> list[Finding]:
    """The 总分 of a self-evaluation form against the points it is made of:
    the 分值 of budget execution (执行率) plus the points each first-level
    indicator heading prints (产出指标(50分), 效益指标(30分), 满意度指标(10分)).
    The form's 分值 column adds up to its 总分. Figures printed run together
    (总分100100) are read every way the number grammar allows (100|100,
    10010|0, one number); the alert is raised only when no reading equals
    the sum, and never when the figures could be a score alone."""
    out = []
    for (start, end), sets in _weight_sets(report).items():
        ps = sets[0]
        total = sum(p.value for _, p in ps.parts)
        if any(abs(s.total.value - total) < 0.5 for s in sets):
            continue
        # One number alone may be the score with the weight cell left empty.
        if any(s.section == "lone" and s.total.value <= total + 0.5 for s in sets):
            continue
        pairs = [s.total.value for s in sets if s.section == "pair"]
        stated = min(pairs or [s.total.value for s in sets], key=lambda v: abs(v - total))
        readings = sorted({s.total.value for s in sets})
        subject = ps.name[:-2] if ps.name.endswith("分值") else ps.name
        parts_txt = "+".join(f"{n}{tol.fmt(p.value)}" for n, p in ps.parts)
        title = f"各项分值之和与总分不符:{subject or '自评表'} 总分{tol.fmt(stated)}分,分值合计{tol.fmt(total)}分"
        message = (f"{'项目“' + subject + '”' if subject else ''}绩效自评表的总分为“{ps.quote.text}”,"
                   f"按表列读作{tol.fmt(stated)}分;而预算执行率分值与各一级指标分值之和为"
                   f"{parts_txt}={tol.fmt(total)}分。总分的各种读法"
                   f"({'、'.join(tol.fmt(v) for v in readings)})均不等于分值合计,"
                   f"分值设置或总分有误,自评得分不可靠。")
        evidence = {"subject": subject, "stated": r(stated), "computed": r(total),
                    "readings": [r(v) for v in readings],
                    "parts": [{"name": n, "value": num(p), "quote": p.raw} for n, p in ps.parts]}
        quotes = [q(ps.quote)] + [(p.raw, p.start, p.end) for _, p in ps.parts]
        out.append(Finding("total_mismatch", "selfeval.weights_vs_total", "medium", title, message, evidence,
                           ("selfeval_weights", subject, r(stated), r(total)), quotes))
    return out
