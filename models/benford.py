"""First digits far from Benford's law (benford_deviation).

Amounts that arise naturally (spending lines of many sizes) have first
digits following Benford's law; invented figures tend not to. A report is
judged only with at least `min_amounts` distinct amounts (Nigrini asks for
thousands; below about a hundred, summary figures scatter too much), by Nigrini's mean
absolute deviation (first digit: above 0.015 is nonconformity) — raised to
`noise_factor` times the deviation a sample of that size shows by chance, as
Nigrini's thresholds assume thousands of records — and only when a
chi-square test also rejects the law at `chi2_p`.
"""
from __future__ import annotations

from models.registry import family, model
from rules.base import Finding, r

family("benford", doc=__doc__, min_amounts=120, mad_threshold=0.015, chi2_p=0.001, noise_factor=2.5)


def expected_mad(n: int) -> float:
    """The MAD a sample of n Benford-distributed digits shows by chance alone."""
    import math

    from models.features import BENFORD

    return sum(math.sqrt(p * (1 - p)) for p in BENFORD) / 9 * math.sqrt(2 / math.pi) / math.sqrt(n)


def chi2_critical(p: float, dof: int = 8) -> float:
    from scipy.stats import chi2

    return float(chi2.ppf(1 - p, dof))


@model("models.benford.first_digit", "benford_deviation", severity="medium when MAD ≥ 2× the threshold, else low")
def first_digit(ctx) -> dict:
    """The report's amounts' first digits against Benford's law (MAD and chi-square)."""
    crit = chi2_critical(ctx.opts["chi2_p"])
    out: dict = {}
    for row in ctx.rows():
        n, mad_, chi2 = row.get("n_amounts") or 0, row.get("benford_mad"), row.get("benford_chi2")
        bar = max(ctx.opts["mad_threshold"], ctx.opts["noise_factor"] * expected_mad(n)) if n else 1.0
        if n < ctx.opts["min_amounts"] or mad_ is None or mad_ <= bar or chi2 < crit:
            continue
        sev = "medium" if mad_ >= 2 * bar else "low"
        title = f"金额首位数字分布异常:{n}个金额的平均绝对偏差{r(mad_, 4)},超过{ctx.opts['mad_threshold']}"
        message = (f"报告中{n}个不同金额的首位数字与本福特定律的平均绝对偏差为{r(mad_, 4)}"
                   f"(Nigrini:超过{ctx.opts['mad_threshold']}为不符合),卡方值{r(chi2)},远超临界值{r(crit)}。"
                   f"自然产生的支出金额通常符合该定律,明显偏离可能意味着数字经过编造或人为调整,建议抽查明细。")
        out.setdefault(row["report_id"], []).append(Finding(
            "benford_deviation", "models.benford.first_digit", sev, title, message,
            {"amounts": n, "mad": r(mad_, 4), "chi2": r(chi2), "critical": r(crit)}, ("benford",), []))
    return out
