"""Shares, growth and completion rates of the 情况说明, recomputed from the
ledger (stated_value_mismatch).

A statement is checked against every figure the ledger holds for its
operands: the figures of the sentence and the same facts in the tables. It is
reported only when no reading fits: no base the grammar allows (the total the
sentence names, the whole its 其中 splits, the part's section total) and no
printing of the figures (text or table) gives the stated rate within the
rounding rule.
"""
from __future__ import annotations

from dataclasses import replace

from rules import evidence as ev
from rules import tolerance as tol
from rules.base import Finding, r, said
from rules.registry import detector, family
from worker.facts import ParsedReport
from worker.ledger import LFact, Reading, Statement

family("statements", doc=__doc__)

_BUDGETS = ("budget", "budget_initial", "budget_adjusted")
# The direction a change word says.
DIRECTION = {"增加": 1, "增长": 1, "上升": 1, "增": 1, "提高": 1, "增幅": 1,
             "减少": -1, "下降": -1, "降低": -1, "减": -1, "降幅": -1}


def figures(rd: Reading, key: tuple, measures: tuple[str, ...] | None = None,
            alts: dict[int, float] | None = None) -> list[LFact]:
    """Every printing of a fact: text and table, blanks left out; with `alts`
    (evidence.corrections), a table figure found wrong also as its corrected value.

    Printings that stand for the same interval are given once (the first):
    they read alike, and a report that prints one table a thousand times must
    not cost a million readings."""
    concept, dims, measure, period = key
    index, memo = _index(rd)
    mkey = (key, measures, id(alts) if alts else None)
    if mkey in memo:
        return memo[mkey]
    out: list[LFact] = []
    seen: set[tuple[float, float]] = set()
    idxs = sorted(i for m in dict.fromkeys(measures or (measure,))
                  for i in index.get((concept, dims, m, period), ()))
    for i in idxs:
        f = rd.facts[i]
        for g in (f, replace(f, num=replace(f.num, value=alts[i]))) if alts and i in alts else (f,):
            iv = tol.interval(g.num)
            if iv not in seen:
                seen.add(iv)
                out.append(g)
    memo[mkey] = out
    return out


def _index(rd: Reading) -> tuple[dict[tuple, list[int]], dict]:
    """Facts by key, and the printings already looked up: built once per reading."""
    cached = getattr(rd, "_by_key", None)
    if cached is None or cached[0] != len(rd.facts):
        idx: dict[tuple, list[int]] = {}
        for i, f in enumerate(rd.facts):
            if not f.blank:
                idx.setdefault(f.key, []).append(i)
        cached = (len(rd.facts), idx, {})
        rd._by_key = cached
    return cached[1], cached[2]


# A fact printed with more distinct values than this in one report is no
# figure a sentence can be held to: its statements are left unjudged.
MAX_PRINTINGS = 12


class _Unsure(Exception):
    """Too many printings of an operand to say which one a sentence means."""


def _few(printings: list[LFact]) -> list[LFact]:
    if len(printings) > MAX_PRINTINGS:
        raise _Unsure
    return printings


def _subject_values(rd: Reading, s: Statement, alts) -> list[LFact]:
    if s.subject < 0 or s.subject >= len(rd.facts):
        return []
    subj = rd.facts[s.subject]
    return [subj] + [f for f in _few(figures(rd, subj.key, alts=alts)) if f is not subj]


class _ZeroBase(Exception):
    """A rate over a zero budget: undefined, not wrong (undefined_ratio's business)."""


def _share(rd: Reading, s: Statement, alts):
    subs = _subject_values(rd, s, alts)
    for bkey in s.base:
        for b in _few(figures(rd, tuple(bkey), alts=alts)):
            if b.num.value > 0:
                for a in subs:
                    yield tol.ratio_pct(tol.interval(a.num), tol.interval(b.num)), \
                        {"part": r(a.num.value, 6), "base": r(b.num.value, 6), "base_where": ev.where(rd, b),
                         FACTS: {"part": a, "base": b}}


def _growth(rd: Reading, s: Statement, alts):
    key = tuple(s.base[0])
    currents = _few([f for b in s.base for f in figures(rd, tuple(b), alts=alts)])
    priors = _few([p for p in figures(rd, (key[0], key[1], key[2], "prior"), alts=alts) if p.num.value > 0])
    # 增加…下降 contradicts itself (wording.direction says so); the rate may fit either way.
    ups = {DIRECTION.get(w, 0) for w in s.words.split("/")} - {0} or {1}
    for c in currents:
        for up in sorted(ups) if s.delta is not None else ():
            d = tol.interval(s.delta)
            base = tol.sub(tol.interval(c.num), d) if up > 0 else tol.add(tol.interval(c.num), d)
            yield tol.ratio_pct(d, base), {"current": r(c.num.value, 6), "delta": r(s.delta.value, 6),
                                           "current_where": ev.where(rd, c), FACTS: {"current": c}}
        for p in priors:
            diff = tol.sub(tol.interval(c.num), tol.interval(p.num))
            change = (min(abs(diff[0]), abs(diff[1])) if diff[0] * diff[1] > 0 else 0.0, max(abs(diff[0]), abs(diff[1])))
            yield tol.ratio_pct(change, tol.interval(p.num)), {"current": r(c.num.value, 6), "previous": r(p.num.value, 6),
                                                              FACTS: {"current": c, "previous": p}}


def _completion(rd: Reading, s: Statement, alts):
    key = tuple(s.base[0])
    finals = _few(figures(rd, (key[0], key[1], "final", key[3]), alts=alts))
    for b in _few(figures(rd, key, _BUDGETS if key[2] == "budget" else (key[2],), alts=alts)):
        if b.num.value <= 0:
            raise _ZeroBase
        for a in finals:
            yield tol.ratio_pct(tol.interval(a.num), tol.interval(b.num)), \
                {"executed": r(a.num.value, 6), "budget": r(b.num.value, 6), "budget_where": ev.where(rd, b),
                 FACTS: {"executed": a, "budget": b}}


_READINGS = {"share": _share, "growth": _growth, "completion": _completion}
# A reading's operands as ledger facts (for the alert's words; never in evidence).
FACTS = "_facts"


def _readings(rd: Reading, s: Statement, alts: dict | None = None) -> tuple[bool | None, list[dict]]:
    """(fits, readings tried); fits is None when the operands are not known."""
    tried: list[dict] = []
    if s.stated is None or s.type not in _READINGS or not s.base:
        return None, tried
    try:
        for iv, info in _READINGS[s.type](rd, s, alts):
            if iv is None:
                continue
            tried.append({**info, "computed": r(tol.mid(iv))})
            if tol.consistent(s.stated, iv, abs(s.stated.value)):
                return True, tried
    except (_ZeroBase, _Unsure):
        return None, tried
    return (False, tried) if tried else (None, tried)


def results(report: ParsedReport) -> dict[tuple[int, int], tuple[bool | None, list[dict], Statement]]:
    """Each statement's verdict, keyed by the offsets of its stated figure (computed once)."""
    cached = getattr(report, "_statement_results", None)
    if cached is None:
        cached = {}
        rd = ev.reading(report)
        if rd is not None and not rd.blank_form:
            alts = ev.corrections(report)
            for s in rd.statements:
                if s.stated is not None and s.type in ("share", "growth", "completion"):
                    fits, tried = _readings(rd, s, alts)
                    cached[(s.stated.start, s.stated.end)] = (fits, tried, s)
        report._statement_results = cached
    return cached


def ledger_accepts(report: ParsedReport, stated) -> bool:
    """True when some reading of the ledger fits this stated figure: a sentence
    whose own figures do not give it may still be right against the tables."""
    res = results(report).get((stated.start, stated.end))
    return bool(res and res[0])


_WHAT = {"share": "占比", "growth": "增减幅度", "completion": "完成率"}
_BUDGET_WORDS = {"budget_initial": "年初预算数", "budget_adjusted": "调整预算数", "budget": "预算数"}


def _operand_name(role: str, f: LFact | None) -> str:
    """An operand in the auditor's words: 支出决算数, 年初预算数, 基数 …"""
    if role == "budget":
        return _BUDGET_WORDS.get(f.measure if f is not None else "budget", "预算数")
    return {"executed": "支出决算数", "part": "分项数", "base": "基数", "current": "本年数",
            "previous": "上年数", "delta": "增减额"}.get(role, role)


def _reading_text(t: dict) -> str:
    """按支出决算数0万元、年初预算数2215万元(均为文中数字)算得0%."""
    facts = t.get(FACTS, {})
    ops = [(k, v) for k, v in t.items() if isinstance(v, (int, float)) and k != "computed"]
    words = "、".join(f"{_operand_name(k, facts.get(k))}{tol.fmt(v, 6)}万元{_place(facts.get(k))}" for k, v in ops)
    return f"按{words}算得{tol.fmt(t['computed'])}%"


def _place(f: LFact | None) -> str:
    """Where a table operand was printed ((《表》第n页“行”)); nothing for the sentence's own figures."""
    if f is None or f.where != "table":
        return ""
    page = f"第{f.page}页" if f.page else ""
    return f"(报表{page}“{f.label.strip()}”行)" if f.label.strip() else f"(报表{page})"


def _source(t: dict) -> str:
    """Where a reading's operands came from: 文中 (the sentence's own figures), 报表, or both."""
    wheres = {f.where for f in t.get(FACTS, {}).values()}
    if wheres == {"text"}:
        return "按文中数字"
    if wheres == {"table"}:
        return "按报表数据"
    return "按文中与报表数字"


def _subject_name(rd, subj: LFact | None, best: dict) -> str:
    """The item the statement is about, as printed: the subject's own words, or
    those of the operand that names it (支出决算为0万元 beside 政府性基金支出年初预算)."""
    if subj is not None and subj.label.strip():
        return subj.label.strip()
    for f in best.get(FACTS, {}).values():
        if f.where == "text" and f.label.strip():
            return f.label.strip()
    return ""


def _public(t: dict) -> dict:
    return {k: v for k, v in t.items() if k != FACTS}


def _check(report: ParsedReport, kind: str, rule: str) -> list[Finding]:
    rd = ev.reading(report)
    out = []
    for (start, end), (fits, tried, s) in results(report).items():
        if s.type != kind or fits is not False:
            continue
        subj = rd.facts[s.subject] if 0 <= s.subject < len(rd.facts) else None
        best = min(tried, key=lambda t: abs(t["computed"] - s.stated.value))
        name = _subject_name(rd, subj, best)
        what = _WHAT[kind]
        stated = s.stated.raw.strip()
        title = (f"{what}与数据不符:{name + ',' if name else ''}报告称{stated},"
                 f"{_source(best)}计算为{tol.fmt(best['computed'])}%")
        shown = tried[:6]
        readings = ";".join(_reading_text(t) for t in shown)
        if len(tried) > 1:
            more = "等" if len(tried) > len(shown) else ""
            tried_txt = f"已按句中与报表中的数字尝试{len(tried)}种口径:{readings}{more},均不能得到{stated}"
        else:
            tried_txt = f"{readings},不是{stated}"
        message = f"报告称“{said(s.quote.text)}”。{tried_txt}。所述{what}与其依据的数字不一致。"
        evidence = {"stated": r(s.stated.value, 6), "computed": best["computed"],
                    "readings": [_public(t) for t in tried[:10]]}
        if name:
            evidence["subject"] = name
        if s.page:
            evidence["page"] = s.page
        for k in ("part", "base", "current", "delta", "executed", "budget", "previous"):
            if k in best:
                evidence[k] = best[k]
        out.append(Finding("stated_value_mismatch", rule, ev.severity(s.stated.value, best["computed"]), title,
                           message, evidence, (kind, subj.key if subj else (), r(s.stated.value)),
                           [(s.quote.text, s.quote.start, s.quote.end)], anchor=(start, end),
                           # the ledger's verdict (every reading tried, the tables included) speaks
                           # for the alert when stated.* questions the same figure
                           priority=1))
    return out


@detector("statements.share", "stated_value_mismatch", severity="by the gap: high ≥ 5 %, medium ≥ 0.5 %, else low")
def share(report: ParsedReport, opts: dict) -> list[Finding]:
    """A share in the 情况说明 (…占 x%, 占本年支出合计的 x%) that no base gives:
    neither the total the sentence names, nor the whole its 其中 splits, nor the
    section's total, taken from the sentence or from the tables."""
    return _check(report, "share", "statements.share")


@detector("statements.growth", "stated_value_mismatch", severity="by the gap: high ≥ 5 %, medium ≥ 0.5 %, else low")
def growth(report: ParsedReport, opts: dict) -> list[Finding]:
    """A growth or fall (增加 X 万元, 增长 y%) that the stated change and the
    current figure (in the text or the tables) do not give: y = X ÷ (current − X)
    for an increase, X ÷ (current + X) for a decrease; or the two years' figures
    where both are printed."""
    return _check(report, "growth", "statements.growth")


@detector("statements.completion", "stated_value_mismatch", severity="by the gap: high ≥ 5 %, medium ≥ 0.5 %, else low")
def completion(report: ParsedReport, opts: dict) -> list[Finding]:
    """A completion rate (完成年初预算的 x%) that the outturn and the budget it
    names (in the sentence or in a table with budget columns) do not give."""
    return _check(report, "completion", "statements.completion")
