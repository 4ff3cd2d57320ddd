"""A risk score per report (IsolationForest over the documented features).

Fitted on the whole population of stored reports (at least `min_reports`),
refitted only when the population changes. Every report gets a score in
[0, 1] (its rank among all reports; `reports list --by-risk`); the top
`alert_fraction` that the forest also calls anomalous raise a
statistical_outlier alert naming the features that made them unusual.
"""
from __future__ import annotations

import io
import pickle

from models.features import FEATURES, LABELS
from models.registry import family, model
from models.stats import mad, median
from rules.base import Finding, r

family("iforest", doc=__doc__, min_reports=50, alert_fraction=0.02, n_estimators=200, random_state=0)


def _matrix(pop, cols, centers):
    import numpy as np

    X = np.zeros((len(pop), len(cols)))
    for j, c in enumerate(cols):
        med, scale = centers[c]
        col = pop[c].astype(float) if c in pop else None
        vals = col.fillna(med).to_numpy() if col is not None else np.full(len(pop), med)
        X[:, j] = (vals - med) / scale
    return X


def fit_forest(pop, opts) -> dict:
    if len(pop) < opts["min_reports"]:
        return {}
    from sklearn.ensemble import IsolationForest

    cols = [c for c in FEATURES if c in pop and pop[c].notna().sum() >= max(10, len(pop) // 10)]
    centers = {}
    for c in cols:
        vals = [float(v) for v in pop[c].dropna()]
        med = median(vals)
        centers[c] = (med, max(1.4826 * mad(vals, med), 1e-6))
    X = _matrix(pop, cols, centers)
    forest = IsolationForest(n_estimators=opts["n_estimators"], random_state=opts["random_state"],
                             contamination="auto").fit(X)
    buf = io.BytesIO()
    pickle.dump(forest, buf)
    return {"cols": cols, "centers": centers, "forest": buf.getvalue()}


def _scored(ctx) -> dict:
    """The whole population scored once a run (ranks need every report);
    kept in ctx.shared for the chunks that follow."""
    if "pct" not in ctx.shared:
        st = ctx.state
        forest = pickle.loads(st["forest"])
        pop = ctx.population
        X = _matrix(pop, st["cols"], st["centers"])
        samples = forest.score_samples(X)
        raw = -samples                                   # higher: more unusual
        decision = samples - forest.offset_              # IsolationForest.decision_function, without scoring twice
        order = raw.argsort().argsort()
        ctx.shared.update(X=X, decision=decision, order=order, pct=order / max(1, len(raw) - 1),
                          ids=pop["report_id"].to_numpy(),
                          present={c: pop[c].notna().to_numpy() for c in st["cols"]})
    return ctx.shared


def _where(ctx, rid) -> tuple:
    """(issuer, year) of a report, for the alert's message."""
    pop = ctx.population
    if ctx.source is not None and "issuer" not in pop:
        return ctx.source.issuer_year(rid)
    row = pop.loc[pop["report_id"] == rid].iloc[0]
    return row["issuer"], row["year"]


@model("models.iforest.risk", "statistical_outlier", fit=fit_forest, severity="low")
def risk(ctx) -> dict:
    """Score every report; alert on the most unusual ones, naming the
    features that stand out."""
    st = ctx.state
    if not st:
        return {}
    sc = _scored(ctx)
    X, decision, order, pct, ids, present = (sc[k] for k in ("X", "decision", "order", "pct", "ids", "present"))
    # Scores for every report of this chunk (all of them without a source).
    first, last = ((int(ids.searchsorted(ctx.lo)), int(ids.searchsorted(ctx.hi, "right")))
                   if ctx.source is not None else (0, len(ids)))
    n = len(ids)
    ctx.scores = {}
    out: dict = {}
    for k in range(first, last):
        rid = int(ids[k])
        # X holds robust z-scores already (missing values sit at the median, z = 0).
        zs = {c: float(X[k, j]) for j, c in enumerate(st["cols"]) if present[c][k]}
        top = sorted(zs.items(), key=lambda kv: -abs(kv[1]))[:3]
        ctx.scores[rid] = (float(pct[k]), [{"feature": c, "label": LABELS.get(c, c), "z": r(z)} for c, z in top])
        if rid not in ctx.targets or pct[k] < 1 - ctx.opts["alert_fraction"] or decision[k] >= 0:
            continue
        issuer, year = _where(ctx, rid)
        named = "、".join(f"{LABELS.get(c, c)}(z={r(z)})" for c, z in top)
        title = f"综合风险评分靠前(前{r(100 * ctx.opts['alert_fraction'], 1)}%):{named}"
        message = (f"按{len(st['cols'])}项特征对{n}份报告建模(孤立森林),{issuer}{year}年度报告的"
                   f"异常程度排在第{int(n - order[k])}位。最突出的特征:{named}。这些数值组合在同类报告中少见,"
                   f"建议结合原文核查。")
        out.setdefault(rid, []).append(Finding(
            "statistical_outlier", "models.iforest.risk", "low", title, message,
            {"risk": r(float(pct[k]), 4), "features": [t for t in ctx.scores[rid][1]]},
            ("iforest",), []))
    return out
