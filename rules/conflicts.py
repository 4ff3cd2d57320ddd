"""One quantity given different values in different places of the same report
(text_table_conflict).

The narrative of a project's evaluation and its self-evaluation table speak
of the same things: the money paid out in the year, the count of trainings,
the number of catalogue entries published. A quantity is the same when the
project is the same, the unit agrees and the names agree (the table's
indicator name, without 数/次数/数量 and without its target, ends the text's
name: 培训次数 ↔ 已完成培训38次). Parts listed after 其中 are not the whole.
"""
from __future__ import annotations

import re
from collections import defaultdict

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r
from rules.registry import detector, family
from worker.facts import Indicator, Mention, ParsedReport, Project
from worker.numbers import Num
from worker.parse import lang

family("conflict", doc=__doc__, min_core_length=2)

_TAIL = re.compile(r"(?:不小于|不低于|不少于|大于等于|小于等于|不超过|不高于|大于|小于|≥|≤|>=|<=|>|<|=)\s*\d.*$")
_COUNT_SUFFIX = re.compile(r"(?:人次数|次数|个数|件数|项数|台数|套数|人数|户数|家数|数量|总数|总量|数)$")
_SAME_UNITS = [{"次", "件"}, {"个", "项"}, {"人", "名"}]


def core(name: str) -> str:
    k = lang.name_key(name)
    k = re.sub(r"^指标\d+", "", k)
    k = _TAIL.sub("", k)
    k = re.sub(r"\(.*?\)$", "", k)
    k = _COUNT_SUFFIX.sub("", k)
    return k


def _units_agree(a: Num, b: Num) -> bool:
    if a.kind == "percent" or b.kind == "percent":
        return a.kind == b.kind
    if a.kind != "count" or b.kind != "count":
        return False
    ua, ub = a.unit.replace("万", "").replace("余", ""), b.unit.replace("万", "").replace("余", "")
    return ua == ub or any(ua in s and ub in s for s in _SAME_UNITS)


def _agree(a: Num, b: Num) -> bool:
    """Two statements of one quantity agree within their printed precision."""
    ia, ib = tol.interval(a), tol.interval(b)
    u = max(tol.unit(a), tol.unit(b))
    return ia[0] - u <= ib[1] + 1e-9 and ib[0] - u <= ia[1] + 1e-9


_DONE = re.compile(r"完成|开展|实施|举办|组织|召开|实际|累计|共计")
_LEAD = re.compile(r"^(?:全年|全年度|本年度|本年|年内|截至年底|截至目前|累计|共计|共|已经|已|合计|总计)+")


def _match(mc: str, ic: str, min_len: int) -> int:
    """How well a text name matches an indicator's core (0: not at all).

    Equal names match; otherwise the text must say it did the thing the
    indicator counts (已完成培训 ↔ 培训次数), not merely share its last words.
    """
    if not mc or not ic:
        return 0
    mc = _LEAD.sub("", mc)
    if mc == ic:
        return 100
    if len(ic) >= min_len and mc.endswith(ic) and _DONE.search(mc[:-len(ic)]):
        return len(ic)
    if len(mc) >= 4 and ic.endswith(mc):
        return len(mc)
    return 0


def _same_owner(a: str, b: str) -> bool:
    dept = ("", "部门整体")
    if a in dept or b in dept:
        return a in dept and b in dept
    ka, kb = lang.name_key(a), lang.name_key(b)
    return ka == kb or (min(len(ka), len(kb)) >= 6 and (ka in kb or kb in ka))


@detector("conflict.quantity", "text_table_conflict", severity="medium; high when the table claims more than the text")
def quantity(report: ParsedReport, opts: dict) -> list[Finding]:
    """A count or rate given one value in an indicator table and another in
    the narrative (or a text cell) about the same project."""
    indicators = [m for m in report.of(Mention) if m.where == "indicator"]
    others = [m for m in report.of(Mention) if m.where in ("text", "cell") and not m.is_part]
    cores = [(m, core(m.name)) for m in indicators]
    assigned: dict[int, list[Mention]] = defaultdict(list)
    for m in others:
        mc = core(m.name)
        best, best_score, tie = None, 0, False
        for i, (im, ic) in enumerate(cores):
            if not _same_owner(m.owner, im.owner) or not _units_agree(m.num, im.num):
                continue
            s = _match(mc, ic, opts["min_core_length"])
            if s > best_score:
                best, best_score, tie = i, s, False
            elif s and s == best_score:
                tie = True
        if best is not None and not tie:
            assigned[best].append(m)
    out = []
    for i, ms in assigned.items():
        im, ic = cores[i]
        differing = [m for m in ms if not _agree(m.num, im.num)]
        if not differing:
            continue
        vals = sorted({num(m.num) for m in differing})
        more = im.num.value > max(m.num.value for m in differing)
        table_shown = im.shown or printed(im.num)
        title = (f"同一数据前后不一致:{im.name} 表中为{table_shown},文字中为"
                 + "、".join(printed(m.num) for m in _uniq(differing)))
        message = (f"{'项目“' + im.owner + '”的' if im.owner not in ('', '部门整体') else ''}"
                   f"绩效自评表中“{im.name}”的实际完成值为{table_shown},"
                   f"而报告其他地方写的是" + "、".join(f"{printed(m.num)}(“{m.quote.text[:40]}…”)" for m in _uniq(differing))
                   + "。同一数据出现两种数字,至少一处有误;"
                   + ("表中数字更有利于自评得分,需核实是否夸大了完成情况。" if more else "需核实哪一个是真实完成情况。"))
        evidence = {"quantity": im.name, "table": num(im.num), "text": vals if len(vals) > 1 else vals[0],
                    "table_text": im.quote.text[:120]}
        quotes = [q(im.quote)] + [q(m.quote) for m in _uniq(differing)]
        out.append(Finding("text_table_conflict", "conflict.quantity", "high" if more else "medium", title, message,
                           evidence, ("quantity", im.owner, ic, num(im.num), tuple(vals)), quotes))
    return out


def _uniq(ms: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in ms:
        k = (num(m.num), m.quote.text)
        if k not in seen:
            seen.add(k)
            out.append(m)
    return out


@detector("conflict.project_money", "text_table_conflict", severity="high when the gap is ≥ 1% of the budget, else medium")
def project_money(report: ParsedReport, opts: dict) -> list[Finding]:
    """A project's spending for the year stated one way in its evaluation text
    (完成支付714.52万元) and another in its self-evaluation table (全年执行数
    717.38)."""
    projects = report.of(Project)
    tables = [p for p in projects if p.source == "table" and p.executed is not None]
    texts = [p for p in projects if p.source == "text" and p.executed is not None]
    out = []
    for t in tables:
        for x in texts:
            if not _same_owner(t.name, x.name):
                continue
            if _agree(x.executed, t.executed):
                continue
            gap = abs(x.executed.value - t.executed.value)
            budget = t.budget or t.initial_budget
            sev = "high" if budget is not None and budget.value > 0 and gap / budget.value >= 0.01 else "medium"
            title = f"项目支出金额前后不一致:{t.name} 文字{printed(x.executed)},表中{printed(t.executed)}"
            message = (f"项目“{t.name}”的绩效评价文字称当年支付{printed(x.executed)},"
                       f"项目支出绩效自评表中全年执行数为{printed(t.executed)},相差{tol.fmt(gap, 4)}万元。"
                       f"执行数直接决定执行率和预算执行得分,需核对会计记录确认实际支出。")
            evidence = {"project": t.name, "text": num(x.executed), "table": num(t.executed),
                        "difference": r(gap, 4), "budget": num(budget)}
            out.append(Finding("text_table_conflict", "conflict.project_money", sev, title, message,
                               {k: v for k, v in evidence.items() if v is not None},
                               ("project_money", lang.name_key(t.name), num(t.executed), num(x.executed)),
                               [q(x.quote), q(t.quote)]))
    return out


__all__ = ["core", "Indicator"]
