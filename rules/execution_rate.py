"""Budget execution rates that are low (execution_rate_low).

An execution rate is spending against the budget available for the year:
全年预算数 / 调整后预算数 / 预算数, as in 预算执行率 or 完成预算的x%. Spending
against the *initial* budget (完成年初预算的x%) mostly measures mid-year budget
adjustments, not execution; it is only judged when `include_initial_budget`
is set. 三公经费 and 机关运行经费 are spending the accounts ask to restrain:
under-spending them is not a finding (over-spending is, see budget.py).
"""
from __future__ import annotations

from rules import tolerance as tol
from rules.base import Finding, num, printed, q, r
from rules.registry import detector, family
from worker.facts import Claim, Execution, FundingRow, LineItem, ParsedReport, Project

family("execution_rate", doc=__doc__,
       warn_below=90.0, high_below=60.0, min_budget=0.0, include_initial_budget=False)

RESTRAINED = ("三公", "因公出国", "公务接待", "公务用车", "机关运行经费")


def _rate(stated, executed, budget) -> tuple[float | None, str]:
    """The rate to judge and how it was had: "stated" (a percentage as
    printed), "slip" (a ratio printed in a percent column, 0.407 for 40.7%,
    read as the report evidently meant it when the figures confirm it) or
    "computed" (no rate printed)."""
    computed = None
    if executed is not None and budget is not None and budget.value > 0:
        computed = 100.0 * executed.value / budget.value
    if stated is not None:
        v = stated.value
        if is_slip(stated, computed):
            return v * 100, "slip"
        return v, "stated"
    if computed is not None:
        return computed, "computed"
    return None, ""


def is_slip(stated, computed: float | None) -> bool:
    """A ratio where a percentage is meant: ≤ 1.5 in a column that may hold
    either, and nearer the computed rate ×100 than as printed."""
    if stated is None or stated.kind != "ratio_or_percent" or stated.value > 1.5 or stated.value == 0:
        return False
    v = stated.value
    return computed is None or abs(v * 100 - computed) < abs(v - computed)


def _severity(rate: float, opts: dict) -> str:
    return "high" if rate < opts["high_below"] else "medium"


_PRIORITY = {"execution_rate.project": 3, "execution_rate.department": 3, "execution_rate.line_item": 2,
             "execution_rate.funding_row": 1, "execution_rate.initial_budget": 0}


def _finding(rule, subject_kind, name, rate, how, stated, budget, executed, quote, opts, base_word="预算",
             executed_word="实际支出", header: str = "") -> Finding:
    pct = tol.fmt(rate, 2)
    parts = []
    if budget is not None:
        parts.append(f"{base_word}{printed(budget)}")
    if executed is not None:
        parts.append(f"{executed_word}{printed(executed)}")
    computed = 100.0 * executed.value / budget.value if (
        stated is not None and executed is not None and budget is not None and budget.value > 0) else None
    if how == "slip":
        # The figure as the report means it, and as it was printed: one alert says both.
        col = f"“{header}”列" if header else "执行率栏"
        stated_txt = (f"报告所列执行率为{pct}%({col}印作{stated.raw.strip()},是比值而非百分数)"
                      + (f",按{base_word}和{executed_word}计算为{tol.fmt(computed, 2)}%" if computed is not None else ""))
    elif stated is not None and how == "stated":
        stated_txt = f"报告所列执行率为{printed(stated)}"
    else:
        stated_txt = f"计算得执行率{pct}%"
    # Without a name (a department the report does not name) the alert says nothing rather than guess.
    title = f"{subject_kind}预算执行率仅{pct}%" + (f":{name}" if name else "") + (
        f"(执行率印作比值{stated.raw.strip()})" if how == "slip" else "")
    who = f"{subject_kind}“{name}”" if name else subject_kind
    message = (f"{who}{','.join(parts) + ',' if parts else ''}{stated_txt},低于{tol.fmt(opts['warn_below'])}%的关注线。"
               + ("执行率应以百分数填列,印作比值易被误读为不到1%。" if how == "slip" else "")
               + "执行率偏低可能意味着项目推进滞后、资金闲置或预算编制不实,建议核实未执行原因、资金结转及是否存在“以拨代支”。")
    evidence = {"subject": name or None, "rate": r(rate), "stated": num(stated), "budget": num(budget),
                "executed": num(executed), "threshold": opts["warn_below"]}
    if how == "slip":
        evidence["printed_as_ratio"] = num(stated)
        evidence["header"] = header or None
    if computed is not None:
        evidence["computed"] = r(computed)
    evidence = {k: v for k, v in evidence.items() if v is not None}
    key = (r(rate, 1), r(executed.value, 0) if executed is not None else None)
    return Finding(kind="execution_rate_low", rule=rule, severity=_severity(rate, opts), title=title,
                   message=message, evidence=evidence, key=key, quotes=[q(quote)], priority=_PRIORITY.get(rule, 0))


def _low(rate, budget, opts) -> bool:
    if rate is None or rate >= opts["warn_below"]:
        return False
    if budget is not None and budget.value < opts["min_budget"]:
        return False
    return True


@detector("execution_rate.project", "execution_rate_low", severity="high below high_below, else medium")
def project_rate(report: ParsedReport, opts: dict) -> list[Finding]:
    """A project's spending against its full-year (adjusted) budget, from its
    self-evaluation table or from the text, below `warn_below` percent."""
    out = []
    for p in report.of(Project):
        budget = p.budget or p.initial_budget
        if budget is not None and budget.value <= 0:
            continue        # a rate over an empty budget says nothing of execution (selfeval.py)
        rate, how = _rate(p.stated_rate, p.executed, budget)
        if _low(rate, budget, opts):
            f = _finding("execution_rate.project", "项目", p.name, rate, how, p.stated_rate, budget,
                         p.executed, p.quote, opts)
            f.priority += 1 if p.source == "table" else 0    # the table speaks with the figures as filed
            out.append(f)
    return out


@detector("execution_rate.funding_row", "execution_rate_low", severity="high below high_below, else medium")
def funding_rate(report: ParsedReport, opts: dict) -> list[Finding]:
    """A funding source of a project or of the department (一般公共预算, 政府性基金 …)
    whose spending against its adjusted budget is below `warn_below` percent;
    the department's 合计 row is its overall execution."""
    out = []
    totals = [f for f in report.of(FundingRow) if f.is_total]
    for f in report.of(FundingRow):
        if _funding_judge(f, totals) != "execution_rate.funding_row":
            continue
        budget = f.budget or f.initial_budget
        rate, how = _rate(f.stated_rate, f.executed, budget)
        if not _low(rate, budget, opts):
            continue
        # The row as printed (政府性基金), with its project when it is a project's.
        name = f.label if f.owner_kind == "department" else f"{f.owner}·{f.label}"
        out.append(_finding("execution_rate.funding_row", "资金来源", name, rate, how, f.stated_rate, budget,
                            f.executed, f.quote, opts, base_word="调整后预算", header=f.rate_header))
    return out


def _funding_judge(f: FundingRow, totals: list[FundingRow]) -> str | None:
    """The rule that judges a funding row's rate, or None."""
    budget = f.budget or f.initial_budget
    if budget is None or budget.value <= 0:
        return None
    if f.is_total:
        # a project's 合计 row is the project's own rate (execution_rate.project)
        return "execution_rate.department" if f.owner_kind == "department" else None
    if _whole_of_total(f, totals):
        return None         # the only source: the total's alert speaks for it
    return "execution_rate.funding_row"


def alerts_on(report: ParsedReport, f: FundingRow, opts: dict) -> bool:
    """True when a rule of this family raises a low-rate alert from this
    funding row's printed rate (unit.ratio_for_percent leaves such a row to it)."""
    if not opts.get("enabled", True):
        return False
    totals = [t for t in report.of(FundingRow) if t.is_total]
    if _funding_judge(f, totals) is None:
        return False
    budget = f.budget or f.initial_budget
    rate, _ = _rate(f.stated_rate, f.executed, budget)
    return _low(rate, budget, opts)


def _whole_of_total(f: FundingRow, totals: list[FundingRow]) -> bool:
    """A source row with the same budget and execution as its form's total row."""
    def same(a, b) -> bool:
        return a is not None and b is not None and abs(a.value - b.value) < 1e-9
    return any(t.owner == f.owner and same(t.budget or t.initial_budget, f.budget or f.initial_budget)
               and same(t.executed, f.executed) for t in totals)


@detector("execution_rate.department", "execution_rate_low", severity="high below high_below, else medium")
def department_rate(report: ParsedReport, opts: dict) -> list[Finding]:
    """The department's overall execution below `warn_below` percent: the 合计
    row of its self-evaluation table, or the text (预算执行率为x%,
    一般公共预算支出…完成预算x%)."""
    out = []
    for f in report.of(FundingRow):
        budget = f.budget or f.initial_budget
        if f.owner_kind != "department" or not f.is_total or budget is None or budget.value <= 0:
            continue
        rate, how = _rate(f.stated_rate, f.executed, budget)
        if _low(rate, budget, opts):
            # The department is the report's issuer: the form's 部门名称 cell may hold anything
            # (政务部门, a placeholder); without an issuer the alert names no one.
            out.append(_finding("execution_rate.department", "部门", report.meta.issuer.strip(), rate, how,
                                f.stated_rate, budget, f.executed, f.quote, opts, base_word="调整后预算",
                                header=f.rate_header))
    for e in report.of(Execution):
        if e.rate_base == "initial" and not opts["include_initial_budget"]:
            continue
        if any(w in (e.name + e.quote.text[:30]) for w in RESTRAINED):
            continue
        rate, how = _rate(e.stated_rate, e.executed, e.budget)
        if _low(rate, e.budget, opts):
            # The subject is the department; e.name is what was measured (一般公共预算支出决算数,
            # 调整后预算·实际到位资金): it names the figures, not who spent them.
            base_word, executed_word = _measure_words(e.name)
            f = _finding("execution_rate.department", "部门", report.meta.issuer.strip(), rate, how, e.stated_rate,
                         e.budget, e.executed, e.quote, opts, base_word=base_word, executed_word=executed_word)
            f.evidence["measure"] = e.name
            out.append(f)
    return out


def _measure_words(name: str) -> tuple[str, str]:
    """(the budget's words, the spending's words) of a department Execution's name."""
    if "·" in name:
        budget, executed = name.split("·", 1)
        return budget or "预算", executed or "实际支出"
    if not name or name == "部门预算":
        return "预算", "实际支出"
    return "预算", name


@detector("execution_rate.line_item", "execution_rate_low", severity="high below high_below, else medium")
def line_item_rate(report: ParsedReport, opts: dict) -> list[Finding]:
    """A functional-classification line (类/款/项) whose outturn against its
    budget (完成预算x%) is below `warn_below` percent. Against the initial
    budget (完成年初预算) only when `include_initial_budget` is set."""
    out = []
    for li in report.of(LineItem):
        bases = ("budget",) + (("initial",) if opts["include_initial_budget"] else ())
        if li.rate_base not in bases and not (li.stated_rate is None and li.budget is not None):
            continue
        budget = li.budget if li.rate_base != "initial" else li.initial_budget
        rate, how = _rate(li.stated_rate, li.final, budget)
        if not _low(rate, budget, opts):
            continue
        name = "".join(f"{p}" for p in li.path[-1:]) + f"({li.level})"
        out.append(_finding("execution_rate.line_item", "支出功能分类科目", name, rate, how, li.stated_rate, budget,
                            li.final, li.quote, opts, base_word="年初预算" if li.rate_base == "initial" else "预算"))
    return out


@detector("execution_rate.initial_budget", "execution_rate_low", severity="high below high_below, else medium")
def initial_budget_rate(report: ParsedReport, opts: dict) -> list[Finding]:
    """Only when `include_initial_budget` is set: headline spending against the
    initial budget (一般公共预算…完成年初预算的x%) below `warn_below` percent."""
    if not opts["include_initial_budget"]:
        return []
    out = []
    for c in report.of(Claim):
        if c.type != "completion" or c.base_role != "initial" or c.section in ("functional", "sangong", "admin"):
            continue
        if any(w in c.quote.text[:40] for w in RESTRAINED):
            continue
        rate, how = _rate(c.stated, c.numerator, c.base)
        if _low(rate, c.base, opts) and c.base is not None and c.base.value > 0:
            out.append(_finding("execution_rate.initial_budget", "", c.subject or "部门预算", rate, how, c.stated,
                                c.base, c.numerator, c.quote, opts, base_word="年初预算"))
    return out
