"""Too many indicators landing exactly on their targets (target_hugging).

An indicator with target ≥95% that reports exactly 95%, once, is plausible;
most of a report's indicators landing exactly on their targets suggests the
actual values were written to fit. Only inequality targets count, not 0 or
100% (零事故 and 100%合格 land there naturally); a report needs
`min_indicators` of them. It is flagged when its share is at least
`min_share` and above what the population shows is normal (the 90th
percentile plus `margin`, once there are `min_peers` reports to tell).
"""
from __future__ import annotations

from models.features import material_quotes
from models.registry import family, model
from rules.base import Finding, r

family("hugging", doc=__doc__, min_indicators=6, min_share=0.6, margin=0.1, min_peers=20)


def fit_hugging(pop, opts) -> dict:
    if "hug_share" not in pop:
        return {}
    vals = sorted(float(v) for v, n in zip(pop["hug_share"], pop.get("n_indicators", [])) if v == v
                  and n is not None and n >= opts["min_indicators"])
    if len(vals) < opts["min_peers"]:
        return {"n": len(vals)}
    p90 = vals[min(len(vals) - 1, int(0.9 * len(vals)))]
    return {"p90": p90, "n": len(vals)}


@model("models.hugging.share", "target_hugging", fit=fit_hugging, severity="low")
def share(ctx) -> dict:
    """The share of a report's indicators whose actual equals the target."""
    out: dict = {}
    p90 = ctx.state.get("p90")
    bar = max(ctx.opts["min_share"], (p90 + ctx.opts["margin"]) if p90 is not None else 0.0)
    for row in ctx.rows():
        n, s = row.get("n_indicators") or 0, row.get("hug_share")
        if n < ctx.opts["min_indicators"] or s is None or s != s or s < bar:
            continue
        hits = round(s * n)
        hugs = ctx.material(row).get("hugs", [])
        listed = "、".join(f"{h['name']}(目标{h['target_text'] or h['target']},实际{h['actual_text'] or h['actual']})"
                          for h in hugs[:4]) + ("等" if len(hugs) > 4 else "")
        title = f"指标完成值恰好等于目标值的比例过高:{hits}/{n}项"
        message = (f"报告中{n}项有明确比较目标(≥、≤、>)的指标,有{hits}项({r(100 * s, 1)}%)实际完成值恰好等于目标值"
                   + (f",如{listed}" if listed else "")
                   + (f";同类报告的第90百分位为{r(100 * p90, 1)}%" if p90 is not None else "")
                   + "。完成值成批地“刚好达标”,提示实际值可能是按目标填写的,而不是实测的。")
        evidence = {"hits": hits, "indicators": n, "share": r(s, 3),
                    "population_p90": r(p90, 3) if p90 is not None else None,
                    # each indicator that lands on its target: the auditor checks them one by one
                    "landed": [{"indicator": h["name"], "owner": h.get("owner", ""), "target": h["target"],
                                "target_text": h["target_text"], "actual": h["actual"],
                                "actual_text": h["actual_text"]} for h in hugs]}
        out.setdefault(row["report_id"], []).append(Finding(
            "target_hugging", "models.hugging.share", "low", title, message,
            {k: v for k, v in evidence.items() if v is not None}, ("hugging",),
            [q for h in hugs for q in material_quotes(h)]))
    return out
