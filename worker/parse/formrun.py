"""Self-evaluation forms whose cells run together with no separator.

Some portals strip every space and line break from a 绩效自评表, leaving
`全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10`
and `总分100100`. What stays readable is the form's grammar:

* the funding header, a chain of the taxonomy's column words (with their
  (A) / (B/A) marks), ends at the total row's label (年度资金总额); the
  figures glued after the label are split into as many numbers as the header
  has columns (worker/parse/runsplit.py: number shapes, 执行率 = 执行数/预算数),
  and the split must put the score within the weight;
* the indicator block's first-level headings print their points:
  产出指标(70分), 效益指标(20分), 满意度指标(10分);
* the 总分 row: its weight and score glued, `总分100100`, read in every way
  the number grammar allows.

The 分值 column of the form adds up to its 总分: the execution weight plus
the first-level points. Each reading of the 总分 figures is kept as a
PartSet (measure "form_weight") with the same quote, so that a check can
ask whether any reading fits (rules/selfeval.py).
"""
from __future__ import annotations

import re

from worker.facts import FundingRow, PartSet, Quote
from worker.numbers import Num
from worker.parse.cellnums import cell_number
from worker.parse.runsplit import _piece_options, split_run

_TOTAL_LABEL = re.compile(r"(?:年度)?资金总额[::]?(?=[\d-])")
_DIGITS = re.compile(r"\d[\d.]*")
_RUN = re.compile(r"[-\d.,%]+")
# Between two header words: the rest of a word (数, 全年) and its mark (A), (B/A), (万元).
_GAP = re.compile(r"^[\u4e00-\u9fff]{0,2}(?:[((][A-Za-z/+\-×*万元]{1,6}[))])?[\u4e00-\u9fff]{0,2}$")
_TOTAL_ROW = re.compile(r"(?:总分|合计分|总计分)(?=\d)")
_POINTS_RX = re.compile(r"[((]\s*(\d+(?:\.\d+)?)\s*分\s*[))]")
_OWNER = re.compile(r"项目名称[::]?(.{2,60}?)(?:项目负责人|主管部门|实施单位|预算单位)")


def _forms():
    from rules.taxonomy import default

    return default().forms


def _header_before(text: str, end: int) -> list[tuple[str, int, int]]:
    """The chain of funding column words ending at `end`: (role, start, end)."""
    lo = max(0, end - 120)
    hits: list[tuple[str, int, int]] = []
    p = lo
    while p < end:
        hit = None
        for role, rx in _forms().funding:
            m = rx.search(text[p:min(end, p + 12)])
            if m and m.start() == 0 and m.end() > 0:
                hit = (role, p, p + m.end())
                break
        if hit:
            hits.append(hit)
            p = hit[2]
        else:
            p += 1
    # Keep the words chained to the label: only word rests and marks between them.
    chain: list[tuple[str, int, int]] = []
    edge = end
    for h in reversed(hits):
        if not _GAP.match(text[h[2]:edge]):
            break
        chain.insert(0, h)
        edge = h[1]
    return chain


def _funding_header_ok(roles: list[str]) -> bool:
    return (len(roles) >= 3 and len(set(roles)) == len(roles) and ("budget" in roles or "initial" in roles)
            and "executed" in roles and "weight" in roles)


def _num(text: str, s: int, e: int, unit: str = "") -> Num | None:
    n = cell_number(text[s:e], s)
    return n.with_unit(unit) if n is not None and unit else n


def _owner(text: str, pos: int) -> str:
    window_start = max(0, pos - 600)
    hits = list(_OWNER.finditer(text, window_start, pos))
    return hits[-1].group(1).strip("::") if hits else ""


def _funding(text: str, m: re.Match) -> FundingRow | None:
    """The total row glued after its label, split under the header chained before it."""
    chain = _header_before(text, m.start())
    roles = [r for r, _s, _e in chain]
    if not _funding_header_ok(roles):
        return None
    run = _RUN.match(text, m.end())
    spans = split_run(run.group(), len(roles)) if run else None
    if spans is None:
        return None
    base = run.start()
    cells = {role: (base + a, base + b) for role, (a, b) in zip(roles, spans)}
    if any("%" in text[s:e] for role, (s, e) in cells.items() if role != "rate"):
        return None
    # The form's money unit is printed by the header: 资金情况(万元); 万元 unless it says 元.
    unit = "元" if re.search(r"[((]元[))]", text[max(0, chain[0][1] - 12):m.start()]) else "万元"
    vals = {role: _num(text, s, e, unit if role in ("initial", "budget", "executed", "adjustment") else "")
            for role, (s, e) in cells.items()}
    w, sc = vals.get("weight"), vals.get("score")
    if w is None or (sc is not None and not 0 <= sc.value <= w.value):
        return None          # a split that puts the score above the weight is no reading
    b, x, rate = vals.get("budget") or vals.get("initial"), vals.get("executed"), vals.get("rate")
    if rate is not None and b is not None and x is not None and b.value > 0 and \
            abs(x.value / b.value * 100 - rate.value) > 0.5 * 10 ** -rate.precision + 0.01:
        return None          # glued figures whose rate is not 执行数/预算数: the split is not certain
    label = m.group().rstrip("::")
    quote = Quote(text[m.start():run.end()], m.start(), run.end())
    owner = _owner(text, m.start())
    return FundingRow(owner=owner or "部门整体", owner_kind="project" if owner else "department", label=label,
                      quote=quote, is_total=True, initial_budget=vals.get("initial"),
                      adjustment=vals.get("adjustment"), budget=vals.get("budget"), executed=vals.get("executed"),
                      stated_rate=vals.get("rate"), rate_header="执行率" if "rate" in roles else "",
                      weight=w, score=sc)


def _level_words() -> tuple[list[str], set[str], set[str]]:
    f = _forms()
    words = sorted(f.level1 | f.level2, key=len, reverse=True)
    return words, set(f.level1), set(f.level2)


def level_points(text: str, start: int, end: int) -> list[tuple[str, Num]] | None:
    """The first-level headings of the indicator block with their points,
    产出指标(70分) …; None when a first-level heading prints no points (the
    sum would be incomplete) or one repeats.

    Level words are read longest first (服务对象满意度指标 is second-level,
    not 满意度指标). A first-level word is a heading when it prints points or
    when a second-level word follows it (the merged cells of the form);
    elsewhere it is part of an indicator's name (户满意度)."""
    words, l1, l2 = _level_words()
    out: list[tuple[str, Num]] = []
    p = start
    while p < end:
        w = next((w for w in words if text.startswith(w, p) and p + len(w) <= end), None)
        if w is None:
            p += 1
            continue
        after = p + len(w)
        pm = _POINTS_RX.match(text, after)
        if w in l1 and pm:
            out.append((w, Num(value=float(pm.group(1)), unit="分", kind="count", precision=0,
                               raw=text[p:pm.end()], start=p, end=pm.end())))
            p = pm.end()
            continue
        nxt = next((x for x in words if text.startswith(x, after)), None)
        if w in l1 and nxt is not None and nxt != w and nxt in l2:
            return None          # a first-level heading that prints no points
        p = after
    names = [n for n, _ in out]
    if len(out) < 2 or len(set(names)) != len(names):
        return None
    return out


def total_readings(text: str, m: re.Match) -> list[tuple[float, float | None]]:
    """Every (weight, score) the glued 总分 figures can be read as: two
    well-formed numbers, the score within the weight; and the figures as one
    number (score alone, weight alone)."""
    run = _DIGITS.match(text, m.end())
    if not run:
        return []
    s = run.group()
    opts = [_piece_options(s, i, False) for i in range(len(s))]
    out: list[tuple[float, float | None]] = []
    for j, (_d, _pc, v1) in opts[0]:
        if j == len(s) and v1 is not None:
            out.append((v1, None))
        elif j < len(s):
            for k, (_d2, _pc2, v2) in opts[j]:
                if k == len(s) and v1 is not None and v2 is not None and 0 <= v2 <= v1:
                    out.append((v1, v2))
    return out


def read_runs(text: str) -> tuple[list, list[str]]:
    """Funding totals and 总分 weight sets of run-together forms."""
    facts: list = []
    names: list[str] = []
    if "资金总额" not in text:       # what every _TOTAL_LABEL holds: skip the scan
        return facts, names
    for m in _TOTAL_LABEL.finditer(text):
        fr = _funding(text, m)
        if fr is None:
            continue
        facts.append(fr)
        if fr.owner_kind == "project":
            names.append(fr.owner)
        nxt = _TOTAL_LABEL.search(text, m.end())
        stop = nxt.start() if nxt else len(text)
        tm = _TOTAL_ROW.search(text, fr.quote.end, stop)
        if tm is None:
            continue
        pts = level_points(text, fr.quote.end, tm.start())
        readings = total_readings(text, tm)
        if pts is None or not readings:
            continue
        run_end = _DIGITS.match(text, tm.end()).end()
        quote = Quote(text[tm.start():run_end], tm.start(), run_end)
        weight = Num(value=fr.weight.value, unit="分", kind="count", precision=fr.weight.precision,
                     raw=fr.quote.text, start=fr.quote.start, end=fr.quote.end)
        parts = [["预算执行率", weight]] + [[n, v] for n, v in pts]
        # One PartSet a reading of the 总分 figures: "pair" for either number of
        # a weight|score split, "lone" for the figures read as one number.
        seen: set[tuple[float, str]] = set()
        for w, sc in readings:
            for v in ([w] if sc is None else [w, sc]):
                if (v, "lone" if sc is None else "pair") in seen:
                    continue
                seen.add((v, "lone" if sc is None else "pair"))
                total = Num(value=v, unit="分", kind="count", precision=0, raw=quote.text, start=quote.start,
                            end=quote.end)
                facts.append(PartSet(name=f"{fr.owner}分值", total=total, parts=parts, quote=quote,
                                     exhaustive=True, measure="form_weight",
                                     section="lone" if sc is None else "pair"))
    return facts, names
