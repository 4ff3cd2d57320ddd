"""Counts of things against what the text gives them (total_mismatch).

A count of units followed by the list that names them (直属事业单位10个,即A、B、…)
must name as many as it counts; a total count stated with its year-start and
added parts (项目共15个,年初批复8个项目,年中增加8个项目) must be their sum.
Counts are exact: no rounding tolerance.
"""
from __future__ import annotations

from rules.base import Finding, num, printed, q
from rules.registry import detector, family
from worker.facts import CountList, CountSum, ParsedReport

family("counts", doc=__doc__)


@detector("counts.list", "total_mismatch", severity="medium")
def count_list(report: ParsedReport, opts: dict) -> list[Finding]:
    """A stated number of units (直属事业单位10个) followed at once by the list of
    their names (即/分别为/包括 A、B、C), where the list names more or fewer
    units than the number. Lists marked as partial (等, 主要, 其中) are not read."""
    out = []
    for c in report.of(CountList):
        listed = len(c.items)
        if listed == c.count.value:
            continue
        stated = printed(c.count)
        title = f"数量与所列名单不符:{c.name}{stated},列出{listed}个"
        message = (f"报告称“{c.name}”共{stated},随后列出的名称为{listed}个("
                   + "、".join(c.items) + "),数量与名单不一致,需核实实际数量或补全名单。")
        evidence = {"name": c.name, "stated": num(c.count), "computed": listed,
                    "items": list(c.items), "difference": listed - c.count.value}
        out.append(Finding("total_mismatch", "counts.list", "medium", title, message, evidence,
                           ("countlist", c.name, num(c.count), listed), [q(c.quote)],
                           anchor=(c.count.start, c.count.end)))
    return out


@detector("counts.sum", "total_mismatch", severity="high")
def count_sum(report: ParsedReport, opts: dict) -> list[Finding]:
    """A total count (项目共15个) stated with the year-start count and the counts
    added during the year in the same unit (年初批复8个项目, 年中增加8个项目),
    where the parts do not add up to the total."""
    out = []
    for c in report.of(CountSum):
        s = sum(p.value for _, p in c.parts)
        if s == c.total.value:
            continue
        parts_txt = " + ".join(f"{w}{printed(p)}" for w, p in c.parts)
        title = f"数量合计不符:{c.name}共{printed(c.total)},各部分合计{s:g}个"
        message = (f"报告称{c.name}共{printed(c.total)},同一句中{parts_txt},合计{s:g}个,"
                   f"与所称总数相差{s - c.total.value:+g}个,需核实。")
        evidence = {"name": c.name, "stated": num(c.total), "computed": s,
                    "parts": [{"name": w, "value": num(p)} for w, p in c.parts],
                    "difference": s - c.total.value}
        out.append(Finding("total_mismatch", "counts.sum", "high", title, message, evidence,
                           ("countsum", c.name, num(c.total), s), [q(c.quote)],
                           anchor=(c.total.start, c.total.end)))
    return out
