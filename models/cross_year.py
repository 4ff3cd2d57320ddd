"""A "比上年" figure that contradicts the previous year's report
(cross_year_mismatch), or whose 增加/减少 says the opposite of it
(wording_mismatch).

比上年增加X万元 says last year's figure was (this year's − X). When the same
department's report for the previous year is stored and states that figure
under the same name, the two must agree within the rounding rule. When they
agree only with the change read the other way (减少 for an increase), the
size is right and the word is wrong.
"""
from __future__ import annotations

from models.features import material_quotes
from models.registry import family, model
from rules.base import Finding, r

family("cross_year", doc=__doc__)


def _pairs(ctx):
    """(row, previous-year row, growth item, previous figure, fits as stated, fits reversed)."""
    for row in ctx.rows():
        prev = ctx.previous(row) if row.get("issuer") and row.get("year") else None
        if prev is None:
            continue
        amounts = ctx.material(prev).get("amounts", {})
        for g in ctx.material(row).get("growth", []):
            p = amounts.get(g["name"])
            if p is None:
                continue
            tol = 0.5 * 10 ** -g["current_p"] * g["current_scale"] + 0.5 * 10 ** -g["delta_p"] * g["delta_scale"] \
                + 1.5 * 10 ** -p["p"] * p["scale"]
            currents = g.get("currents") or [g["current"]]      # material stored by earlier versions has one
            sign = 1 if g["dir"] >= 0 else -1
            # Every printing of this year's figure (text, tables) is a reading; one that fits is enough.
            before = p.get("values") or [p["value"]]   # every printing of last year's figure
            as_stated = any(abs(c - sign * g["delta"] - v) <= tol for c in currents for v in before)
            reversed_ = any(abs(c + sign * g["delta"] - v) <= tol for c in currents for v in before)
            yield row, prev, g, p, currents[0], as_stated, reversed_ and g["delta"] > tol


def _quotes(g: dict, p: dict, prev: dict) -> list[tuple]:
    """This year's sentence, and last year's figure quoted from last year's report."""
    return material_quotes(g) + material_quotes(p, int(prev["report_id"]))


@model("models.cross_year.previous", "cross_year_mismatch", severity="medium; high when off by ≥ 10%")
def previous(ctx) -> dict:
    """Previous-year values implied by 比上年增加/减少 against the stored
    previous-year report of the same issuer."""
    out: dict = {}
    for row, prev, g, p, current, as_stated, reversed_ in _pairs(ctx):
        if as_stated or reversed_:
            continue
        implied = current - g["delta"] * (1 if g["dir"] >= 0 else -1)
        off = abs(implied - p["value"]) / max(abs(p["value"]), 1e-9)
        title = f"与上年报告不符:{g['label']}上年应为{r(implied)}万元,上年报告为{p['raw']}"
        message = (f"本年报告称{g['label']}{r(current)}万元,比上年{'增加' if g['dir'] >= 0 else '减少'}"
                   f"{r(g['delta'])}万元,由此推得上年为{r(implied)}万元;而{row['issuer']}{row['year'] - 1}年度报告"
                   f"所列为{p['raw']}。两份报告对同一数据说法不一,增减额和增幅可能计算有误,或上年数据被调整而未说明。")
        out.setdefault(row["report_id"], []).append(Finding(
            "cross_year_mismatch", "models.cross_year.previous", "high" if off >= 0.1 else "medium", title,
            message, {"name": g["label"], "current": current, "delta": g["delta"], "computed": r(implied),
                      "previous": p["value"], "previous_report": prev["report_id"]},
            ("cross_year", g["name"], r(implied)), _quotes(g, p, prev)))
    return out


@model("models.cross_year.direction", "wording_mismatch", severity="medium")
def direction(ctx) -> dict:
    """比上年减少X万元 where the previous year's report shows the figure rose by
    X (or 增加 where it fell): the amount is right, the word is not."""
    out: dict = {}
    for row, prev, g, p, current, as_stated, reversed_ in _pairs(ctx):
        if as_stated or not reversed_:
            continue
        said = "增加" if g["dir"] >= 0 else "减少"
        truth = "减少" if g["dir"] >= 0 else "增加"
        title = f"增减说反了:{g['label']}比上年实为{truth}{r(g['delta'])}万元,报告写“{said}”"
        message = (f"本年报告称{g['label']}{r(current)}万元,比上年{said}{r(g['delta'])}万元;"
                   f"{row['issuer']}{row['year'] - 1}年度报告所列上年数为{p['raw']},实际是{truth}{r(g['delta'])}万元。"
                   f"增减额对,方向写反了。")
        out.setdefault(row["report_id"], []).append(Finding(
            "wording_mismatch", "models.cross_year.direction", "medium", title, message,
            {"name": g["label"], "current": current, "delta": g["delta"], "stated_word": said, "actual": truth,
             "previous": p["value"], "previous_report": prev["report_id"]},
            ("cross_year_direction", g["name"], r(g["delta"])), _quotes(g, p, prev)))
    return out
