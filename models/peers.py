"""Values far from their peers (statistical_outlier).

Peers are reports of the same fiscal year and administrative level; a value
is judged only when at least `min_peers` peers report the same measure, by
its robust z-score (median and MAD, which one wild value cannot drag):
|z| ≥ `z_threshold` in the direction an auditor worries about — low
execution, high 三公经费 per person, fast-growing 机关运行经费, low
satisfaction, an unusual self-evaluation score. Within one report, a
satisfaction figure far below its siblings is reported too. A value must also differ from the median by at least
`min_relative_gap` of it, and a measure a rule already flagged in the same
report (a low execution rate, a missed satisfaction target) is not repeated.
"""
from __future__ import annotations

from models.features import LABELS, material_quotes
from models.registry import family, model
from models.stats import mad, median, robust_z
from rules.base import Finding, r

family("peer", doc=__doc__, z_threshold=3.5, min_peers=10, min_relative_gap=0.15,
       measures=["exec_rate", "sangong_per_staff", "admin_growth", "satisfaction_mean", "self_score"])

# A measure already judged by a rule of the same report needs no second alert.
COVERED_BY = {"exec_rate": "execution_rate_low", "project_exec_min": "execution_rate_low",
              "satisfaction_mean": "satisfaction_below_target"}
family("within", doc="A satisfaction figure far below the others of the same report.",
       min_siblings=3, gap_points=15.0)

# The direction that matters: -1 low values, +1 high values, 0 both.
DIRECTION = {"exec_rate": -1, "sangong_per_staff": 1, "admin_growth": 1, "satisfaction_mean": -1,
             "self_score": 0, "project_exec_min": -1}


def fit_peers(pop, opts) -> dict:
    """Median and MAD of each measure per (year, level) group with enough peers."""
    groups: dict = {}
    for (year, level), g in pop.groupby(["year", "level"], dropna=False):
        for m in opts["measures"]:
            if m not in g:
                continue
            vals = [float(v) for v in g[m].dropna()]
            if len(vals) >= opts["min_peers"]:
                med = median(vals)
                groups[f"{year}|{level}|{m}"] = {"median": med, "mad": mad(vals, med), "n": len(vals)}
    return {"groups": groups}


@model("models.peer.outlier", "statistical_outlier", fit=fit_peers,
       severity="medium when |z| ≥ 2·z_threshold, else low")
def peer_outlier(ctx) -> dict:
    """A report's measure far from the same measure of its peers (same year
    and level), by robust z-score."""
    out: dict = {}
    groups = ctx.state.get("groups", {})
    thr = ctx.opts["z_threshold"]
    for row in ctx.rows():
        for m in ctx.opts["measures"]:
            v = row.get(m)
            g = groups.get(f"{row['year']}|{row['level']}|{m}")
            if v is None or g is None or v != v:
                continue
            z = robust_z(float(v), g["median"], g["mad"])
            d = DIRECTION.get(m, 0)
            if abs(z) < thr or (d < 0 and z > 0) or (d > 0 and z < 0):
                continue
            if abs(float(v) - g["median"]) < ctx.opts["min_relative_gap"] * max(abs(g["median"]), 1e-9):
                continue        # far in z, near in substance: peers that barely vary
            if COVERED_BY.get(m) in ctx.covered.get(row["report_id"], ()):
                continue
            label = LABELS.get(m, m)
            title = f"与同类单位相比异常:{label}为{r(v)},同年同级{g['n']}个单位的中位数为{r(g['median'])}"
            message = (f"{row['issuer']}{row['year']}年度的{label}为{r(v)},同一年度、同一层级的{g['n']}个单位中位数为"
                       f"{r(g['median'])}(中位绝对偏差{r(g['mad'], 4)}),稳健z值{r(z)}。偏离同类单位这么远的数值,"
                       f"要么反映了真实的异常(支出失控、执行滞后、满意度骤降),要么是填报错误,值得核查。")
            out.setdefault(row["report_id"], []).append(Finding(
                "statistical_outlier", "models.peer.outlier", "medium" if abs(z) >= 2 * thr else "low", title,
                message, {"measure": m, "value": r(v, 4), "median": r(g["median"], 4), "mad": r(g["mad"], 4),
                          "z": r(z), "peers": g["n"]},
                ("peer", m), []))
    return out


@model("models.within.satisfaction", "statistical_outlier", severity="low")
def within_report(ctx) -> dict:
    """A satisfaction figure at least `gap_points` below the median of the
    other satisfaction figures of the same report."""
    out: dict = {}
    for row in ctx.rows():
        sats = ctx.material(row).get("sats", [])
        if len(sats) < ctx.opts["min_siblings"] + 1:
            continue
        for i, s in enumerate(sats):
            others = [x["value"] for j, x in enumerate(sats) if j != i]
            med = median(others)
            if med - s["value"] >= ctx.opts["gap_points"]:
                # The project the figure belongs to, when known: 满意度80% alone names nothing.
                who = f"{s['owner']}·" if s.get("owner") and s["owner"] != "部门整体" else ""
                title = f"满意度明显低于本报告其他满意度:{who}{s['name']}{s['raw']},其他满意度中位数{r(med)}%"
                message = (f"报告中其他{len(others)}项满意度的中位数为{r(med)}%,而“{s['name']}”只有{s['raw']}"
                           f"{'(项目:' + s['owner'] + ')' if s.get('owner') else ''}。同一单位对不同对象的满意度相差这么大,"
                           f"需核实该项目的服务质量或数据来源。")
                out.setdefault(row["report_id"], []).append(Finding(
                    "statistical_outlier", "models.within.satisfaction", "low", title, message,
                    {"indicator": s["name"], "value": s["value"], "siblings_median": r(med)},
                    ("within", s["name"], s["value"]), material_quotes(s)))
    return out
