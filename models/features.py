"""Per-report features for the statistical detectors (pure: facts in, numbers out).

Every feature is documented here because the risk score's alerts name them:

| feature | meaning |
|---|---|
| exec_rate | the department's budget execution rate, % (stated, or spending over budget) |
| project_exec_min | the lowest execution rate of the report's projects, % |
| sangong_per_staff | 三公经费 per member of staff, 万元 (决算 over 实有人数) |
| admin_growth | change of 机关运行经费 on the previous year, % |
| satisfaction_mean, satisfaction_min | satisfaction indicators' actual values, % |
| self_score | the self-evaluation total scores, mean |
| hug_share | share of indicators whose actual equals a non-trivial target exactly |
| benford_mad | mean absolute deviation of first digits of the report's amounts from Benford's law |
| n_amounts, n_indicators | how many amounts and judged indicators the report has |
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter

from worker.facts import (Amount, Claim, Execution, FundingRow, Indicator, Mention, ParsedReport, PartSet, Project,
                          Quote)
from worker.numbers import Num

FEATURES = ("exec_rate", "project_exec_min", "sangong_per_staff", "admin_growth", "satisfaction_mean",
            "satisfaction_min", "self_score", "hug_share", "benford_mad")
LABELS = {
    "exec_rate": "部门预算执行率(%)", "project_exec_min": "项目最低执行率(%)", "sangong_per_staff": "人均三公经费(万元)",
    "admin_growth": "机关运行经费增幅(%)", "satisfaction_mean": "满意度均值(%)", "satisfaction_min": "最低满意度(%)",
    "self_score": "自评总分", "hug_share": "指标恰好达标占比", "benford_mad": "首位数字偏离本福特定律程度",
}
BENFORD = [math.log10(1 + 1 / d) for d in range(1, 10)]
_SAT = re.compile(r"满意度|满意率")


def _rate(executed: Num | None, budget: Num | None, stated: Num | None) -> float | None:
    if stated is not None:
        v = stated.value
        return v * 100 if stated.kind == "ratio_or_percent" and v <= 1.5 else v
    if executed is not None and budget is not None and budget.value > 0:
        return 100 * executed.value / budget.value
    return None


def table_first_digits(text: str) -> list[int]:
    """First digits of every amount-looking cell value in the report text (tables included)."""
    out = []
    seen = set()
    for m in re.finditer(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d%])", text):
        value = m.group(0)
        if value in seen:
            continue
        seen.add(value)
        s = (m.group(1).replace(",", "") + m.group(2)).lstrip("0")
        if s and float(value.replace(",", "")) >= 1:
            out.append(int(s[0]))
    return out


def benford_mad(digits: list[int]) -> tuple[float | None, float | None]:
    """(MAD against Benford's first-digit law, chi-square statistic)."""
    n = len(digits)
    if n == 0:
        return None, None
    c = Counter(digits)
    mad = sum(abs(c.get(d, 0) / n - BENFORD[d - 1]) for d in range(1, 10)) / 9
    chi2 = sum((c.get(d, 0) - n * BENFORD[d - 1]) ** 2 / (n * BENFORD[d - 1]) for d in range(1, 10))
    return mad, chi2


def judged_for_hugging(report: ParsedReport) -> list[tuple[Indicator, bool]]:
    """Indicators with a non-trivial inequality target, each with whether its
    actual value lands exactly on the target."""
    out = []
    for ind in report.of(Indicator):
        t, a = ind.target, ind.actual
        if ind.target_kind != "number" or t is None or a is None or ind.actual_is_share:
            continue
        if ind.comparator not in (">=", "<=", ">") or ind.comparator_implied and ind.comparator == "<=":
            continue
        if t.value == 0 or (t.kind == "percent" and t.value >= 100):
            continue        # 零事故, 100%合格: landing on them is natural
        out.append((ind, abs(a.value - t.value) < 1e-9))
    return out


def hugging(report: ParsedReport) -> tuple[int, int]:
    """(indicators landing exactly on a non-trivial inequality target, indicators judged)."""
    judged = judged_for_hugging(report)
    return sum(1 for _, hit in judged if hit), len(judged)


def _quote(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _at(*quotes) -> list:
    """Where quotes stand in the report's normalized text: the model alerts
    quote the report from these offsets (worker/quotes.py)."""
    return [[q.start, q.end] for q in quotes if q is not None and q.end > q.start]


def material_quotes(item: dict, report_id: int | None = None) -> list[tuple]:
    """A material item's quotes as a finding carries them: its offsets
    (the alert quotes the report's text there), or, for material stored
    before offsets were kept, its text to be looked up."""
    tail = () if report_id is None else (report_id,)
    if item.get("at"):
        return [("", s, e, *tail) for s, e in item["at"]]
    text = str(item.get("quote", "")).rstrip("…")
    return [(text, 0, 0, *tail)] if text else []


def _hugs(report: ParsedReport) -> list:
    """The indicators that land exactly on their targets, with their rows."""
    return [{"name": ind.name, "owner": ind.owner, "comparator": ind.comparator,
             "target": ind.target.value, "target_text": ind.target_raw.strip(),
             "actual": ind.actual.value, "actual_text": ind.actual_raw.strip(),
             "quote": _quote(ind.quote.text), "at": _at(ind.quote)}
            for ind, hit in judged_for_hugging(report) if hit]


def material(report: ParsedReport) -> dict:
    """What the cross-report detectors need besides numbers, kept small:
    stated changes on the previous year, named headline figures, and the
    satisfaction values with their quotes."""
    from worker.parse.lang import name_key

    sats = _sats(report)
    hugs = _hugs(report)
    ledger = _ledger_material(report)
    if ledger is not None:
        return {**ledger, "sats": sats, "hugs": hugs}
    by_start = {a.num.start: a for a in report.of(Amount)}
    growth = []
    for c in report.of(Claim):
        if c.type != "growth" or c.numerator is None or c.delta is None:
            continue
        if c.quote.text and not any(w in c.quote.text for w in ("上年", "上一年", "去年")) and \
                not re.search(r"(?:比|较)\d{4}年(?:度)?(?:决算|同期)?(?:数)?", c.quote.text):
            continue                    # compared with a budget, not with the previous year
        if re.search(r"(?:比|较)[^,;。]{0,12}预算", c.quote.text):
            continue
        a = by_start.get(c.numerator.start)
        if a is None:
            continue
        growth.append({"name": name_key(a.subject + a.name), "label": a.name, "currents": [c.numerator.value],
                       "current_p": c.numerator.precision, "current_scale": c.numerator.scale,
                       "delta": c.delta.value, "delta_p": c.delta.precision, "delta_scale": c.delta.scale,
                       "dir": c.direction, "stated": c.stated.value, "quote": _quote(c.quote.text),
                       "at": _at(c.quote)})
    amounts = {}
    for a in report.of(Amount):
        if a.role == "delta" or a.section not in ("headline", "admin", "sangong", "procurement", "functional"):
            continue
        k = name_key(a.subject + a.name)
        if k and k not in amounts:
            amounts[k] = {"value": a.num.value, "p": a.num.precision, "scale": a.num.scale, "raw": a.num.raw,
                          "quote": _quote(a.quote.text), "at": _at(a.quote)}
    return {"growth": growth, "amounts": amounts, "sats": sats, "hugs": hugs}


_PREVIOUS_YEAR = re.compile(r"上年|上一年|去年|(?:比|较|与)\s*\d{4}\s*年")


def _ledger_material(report: ParsedReport) -> dict | None:
    """Changes on the previous year and the year's figures from the ledger:
    named by concept and context, so two years' reports name them alike."""
    rd = getattr(report, "reading", None)
    if rd is None or not getattr(rd, "facts", None):
        return None

    def name(key) -> str:
        concept, dims, _, _ = key
        return concept + "|" + ",".join(f"{k}={v}" for k, v in dims)

    amounts: dict = {}
    for f in sorted(rd.facts, key=lambda f: f.where != "table"):      # a table's figure first
        if f.measure != "final" or f.period != "current" or f.blank:
            continue
        label = Quote("", f.label_start, f.label_end) if f.where == "table" and 0 <= f.label_start < f.label_end \
            else None      # a table's figure is quoted with its row's label
        a = amounts.setdefault(name(f.key), {"value": f.num.value, "p": f.num.precision, "scale": f.num.scale,
                                             "raw": f.num.raw, "quote": _quote(f.quote.text), "values": [],
                                             "at": _at(label, f.quote)})
        if f.num.value not in a["values"]:
            a["values"].append(f.num.value)      # every printing: the year's report may disagree with itself
    growth = []
    for st in rd.statements:
        if st.type not in ("growth", "delta") or st.delta is None or not st.base or \
                not _PREVIOUS_YEAR.search(st.quote.text):
            continue
        key = tuple(st.base[0])
        currents = [f for f in rd.facts if f.key == key and not f.blank]
        if not currents:
            continue
        up = -1 if any(w in st.words for w in ("减少", "下降", "降低")) else 1
        growth.append({"name": name(key), "label": currents[0].label or name(key),
                       "currents": sorted({f.num.value for f in currents}),
                       "current_p": min(f.num.precision for f in currents), "current_scale": currents[0].num.scale,
                       "delta": st.delta.value, "delta_p": st.delta.precision, "delta_scale": st.delta.scale,
                       "dir": up, "stated": st.stated.value if st.stated else None, "quote": _quote(st.quote.text),
                       "at": _at(st.quote)})
    return {"growth": growth, "amounts": amounts}


def _sats(report: ParsedReport) -> list:
    sats = []
    for i in report.of(Indicator):
        if _SAT.search(i.name) and i.actual is not None and i.actual.kind == "percent" and not i.actual_is_share:
            sats.append({"name": i.name, "value": i.actual.value, "raw": i.actual.raw, "quote": _quote(i.quote.text),
                         "owner": i.owner, "at": _at(i.quote)})
    for m in report.of(Mention):
        if m.where == "text" and m.num.kind == "percent" and _SAT.search(m.name) and len(m.name) <= 20:
            if not any(abs(s["value"] - m.num.value) < 1e-9 and s["name"] == m.name for s in sats):
                sats.append({"name": m.name, "value": m.num.value, "raw": m.num.raw, "quote": _quote(m.quote.text),
                             "owner": m.owner, "at": _at(m.quote)})
    return sats


def features(report: ParsedReport) -> dict:
    f: dict = {}
    rates = [_rate(e.executed, e.budget, e.stated_rate) for e in report.of(Execution) if e.rate_base == "budget"]
    rates += [_rate(r.executed, r.budget or r.initial_budget, r.stated_rate) for r in report.of(FundingRow)
              if r.owner_kind == "department" and r.is_total]
    rates = [r for r in rates if r is not None]
    projects = report.of(Project)
    prates = [_rate(p.executed, p.budget or p.initial_budget, p.stated_rate) for p in projects]
    prates = [r for r in prates if r is not None]
    if rates:
        f["exec_rate"] = rates[0]
    elif projects:
        b = sum((p.budget or p.initial_budget).value for p in projects if (p.budget or p.initial_budget) and p.executed)
        e = sum(p.executed.value for p in projects if (p.budget or p.initial_budget) and p.executed)
        if b > 0:
            f["exec_rate"] = 100 * e / b
    if prates:
        f["project_exec_min"] = min(prates)
    staff = sum(m.num.value for m in report.of(Mention) if m.num.unit == "人" and "实有人数" in m.name)
    sangong = [a.num.value for a in report.of(Amount) if a.section == "sangong" and "三公" in a.name
               and a.role in ("final", "executed", "")]
    if not sangong:
        sangong = [p.total.value for p in report.of(PartSet) if p.section == "sangong" and p.measure == "money"]
    if staff > 0 and sangong:
        f["sangong_per_staff"] = sangong[0] / staff
    admin = [c.stated.value for c in report.of(Claim) if c.type == "growth" and c.section == "admin"]
    if admin:
        f["admin_growth"] = admin[0]
    sats = [i.actual.value for i in report.of(Indicator) if _SAT.search(i.name) and i.actual is not None
            and i.actual.kind == "percent" and not i.actual_is_share]
    if sats:
        f["satisfaction_mean"] = sum(sats) / len(sats)
        f["satisfaction_min"] = min(sats)
    scores = [p.total.value for p in report.of(PartSet) if p.measure == "score"]
    if scores:
        f["self_score"] = sum(scores) / len(scores)
    hit, total = hugging(report)
    f["n_indicators"] = total
    if total:
        f["hug_share"] = hit / total
    digits = table_first_digits(report.text)
    f["n_amounts"] = len(digits)
    mad, chi2 = benford_mad(digits)
    if mad is not None:
        f["benford_mad"] = mad
        f["benford_chi2"] = chi2
    return f


def feature_text(report: ParsedReport) -> str:
    """One report's features and cross-report material, as stored (pure)."""
    data = features(report)
    data["material"] = material(report)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
