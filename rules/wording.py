"""Words that contradict the figures or the report (wording_mismatch).

大于 / 小于 written against the 决算数 and 预算数 they compare; 增加 with 下降 (or
a rise against last year's printed figure called a fall); a heading, title or
截至 date that names another fiscal year than the report's (comparisons such as
比上年 / 与2023年度相比 are normal); a heading naming another department; a
template placeholder (XX, XXX万元, 大于(小于), (如持平作持平表述)) left in.
"""
from __future__ import annotations

import re

from rules import evidence as ev
from rules import tolerance as tol
from rules.base import Finding, r, said
from rules.registry import detector, family
from rules.statements import DIRECTION, MAX_PRINTINGS, figures
from worker.facts import ParsedReport
from worker.read.sections import COMPARE, HEADING_START, YEAR_ANY, YEAR_TITLE, heading_department

family("wording", doc=__doc__, max_placeholders_listed=10)

_STRUCTURAL = re.compile(r"部分|决算|情况说明|决算表|预算表|目录|概况")


def _rd(report):
    rd = ev.reading(report)
    return None if rd is None or rd.blank_form else rd


@detector("wording.compare", "wording_mismatch", severity="medium")
def compare(report: ParsedReport, opts: dict) -> list[Finding]:
    """决算数大于(小于、等于)预算数 where the 决算数 and 预算数 of the same item,
    in the sentence or in the tables, say the opposite."""
    rd = _rd(report)
    if rd is None:
        return []
    out = []
    alts = ev.corrections(report)
    for s in rd.statements:
        if s.type != "compare":
            continue
        budgets: list = []
        finals: list = []
        if len(s.base) >= 2:
            bkey, fkey = tuple(s.base[0]), tuple(s.base[1])
            measures = ("budget", "budget_initial", "budget_adjusted") if bkey[2] == "budget" else (bkey[2],)
            budgets, finals = figures(rd, bkey, measures, alts), figures(rd, fkey, alts=alts)
            if len(budgets) > MAX_PRINTINGS or len(finals) > MAX_PRINTINGS:
                continue      # no figure a sentence can be held to (statements.MAX_PRINTINGS)
        # The sentence's own 年初预算为X, 支出决算为Y, whatever item they are of.
        b_nums = [b.num for b in budgets] + s.operands[:1]
        f_nums = [f.num for f in finals] + s.operands[1:2]
        if not b_nums or not f_nums or all(n.value == 0 for n in b_nums + f_nums):
            continue      # nothing budgeted, nothing spent: no comparison to get wrong
        # Reported only when every printing of the two figures contradicts the word
        # (決算 certainly not larger for 大于, certainly not smaller for 小于).
        contradicted = []
        for b in b_nums:
            for f in f_nums:
                diff = tol.sub(tol.interval(f), tol.interval(b))
                if s.words in ("大于", "高于", "超过", "多于"):
                    contradicted.append(diff[1] <= 0)
                elif s.words in ("小于", "低于", "少于"):
                    contradicted.append(diff[0] >= 0)
                else:
                    u = max(tol.unit(f), tol.unit(b))
                    contradicted.append(diff[0] > u or diff[1] < -u)
        if not contradicted or not all(contradicted):
            continue
        b, f = b_nums[0], f_nums[0]
        truth = "大于" if f.value > b.value else "小于" if f.value < b.value else "等于"
        shown_b = ev.amount(budgets[0]) if budgets else b.raw
        shown_f = ev.amount(finals[0]) if finals else f.raw
        where = f"({ev.where(rd, budgets[0])})" if budgets else ""
        title = f"“决算数{s.words}预算数”与数字不符:决算{shown_f},预算{shown_b}"
        message = f"报告写“{said(s.quote.text)}”,但决算数{shown_f}{truth}预算数{shown_b}{where}。文字与数字相反。"
        quotes = [(s.quote.text, s.quote.start, s.quote.end)]
        for n in s.operands:
            ls = report.text.rfind("\n", 0, n.start) + 1
            qs = max(ls, n.start - 20)
            quotes.append((report.text[qs:n.end], qs, n.end))
        out.append(Finding("wording_mismatch", "wording.compare", "medium", title, message,
                           {"stated_word": s.words, "actual": truth, "executed": r(f.value, 6),
                            "budget": r(b.value, 6), **({"page": s.page} if s.page else {})},
                           ("compare", tuple(s.base[1]) if len(s.base) > 1 else (b.start, f.start), s.words),
                           quotes, anchor=(s.quote.start, s.quote.end)))
    return out


@detector("wording.direction", "wording_mismatch", severity="medium")
def direction(report: ParsedReport, opts: dict) -> list[Finding]:
    """A change called an increase and a fall in one breath (增加 X 万元,下降
    y%), or called a rise where last year's printed figure is higher (or a fall
    where it is lower)."""
    rd = _rd(report)
    if rd is None:
        return []
    out = []
    for s in rd.statements:
        if s.type not in ("growth", "delta") or not s.base:
            continue
        words = [w for w in s.words.split("/") if w]
        dirs = {DIRECTION.get(w, 0) for w in words} - {0}
        reason = ""
        if len(dirs) > 1:
            reason = f"同一句中先写“{words[0]}”又写“{words[-1]}”"
        else:
            key = tuple(s.base[0])
            cur, prev = figures(rd, key), figures(rd, (key[0], key[1], key[2], "prior"))
            if cur and prev and s.direction and len(cur) * len(prev) <= MAX_PRINTINGS ** 2:
                diffs = [c.num.value - p.num.value for c in cur for p in prev]
                if all(d * s.direction < -max(tol.unit(cur[0].num), 0.01) for d in diffs):
                    reason = (f"本年{ev.amount(cur[0])},上年{ev.amount(prev[0])},实际为"
                              f"{'减少' if diffs[0] < 0 else '增加'},报告却写“{words[-1]}”")
        if not reason:
            continue
        title = f"增减表述与数字矛盾:{reason[:60]}"
        message = f"报告写“{said(s.quote.text, 100)}”。{reason}。增减方向的文字与数字不一致。"
        out.append(Finding("wording_mismatch", "wording.direction", "medium", title, message,
                           {"words": words, **({"stated": r(s.stated.value)} if s.stated else {}),
                            **({"delta": r(s.delta.value, 6)} if s.delta else {}), **({"page": s.page} if s.page else {})},
                           ("direction", tuple(s.base[0]), s.words), [(s.quote.text, s.quote.start, s.quote.end)],
                           anchor=(s.quote.start, s.quote.end)))
    return out


@detector("wording.year", "wording_mismatch", severity="medium")
def year(report: ParsedReport, opts: dict) -> list[Finding]:
    """A title, part heading or table title naming another fiscal year than the
    report's (2023年度部门决算表 in a 2024 report), or a 截至…12月31日 date of
    another year. Comparisons (比2023年, 与上年相比) are not headings of a year."""
    rd = _rd(report)
    if rd is None or not rd.year:
        return []
    out = []
    for h in rd.headings:
        if h.kind == "date":
            m = re.search(r"(20\d{2})\s*年\s*12\s*月\s*31\s*日", h.text)
            bad = int(m.group(1)) if m and int(m.group(1)) != rd.year else None
        else:
            if not (_STRUCTURAL.search(h.text) or HEADING_START.match(h.text)) or not YEAR_TITLE.search(h.text) and \
                    not re.search(r"部分", h.text):
                continue
            bad = None
            for m in YEAR_ANY.finditer(h.text):
                y = int(m.group(1))
                if y != rd.year and not COMPARE.search(h.text[max(0, m.start() - 6): m.start()]) and \
                        not COMPARE.search(h.text[m.end(): m.end() + 4]):
                    bad = y
                    break
        if bad is None:
            continue
        title = f"标题写的是{bad}年,报告是{rd.year}年度决算:“{h.text[:40]}”"
        message = f"{('第' + str(h.page) + '页') if h.page else ''}“{h.text}”写的是{bad}年,而本报告是{rd.year}年度决算。可能沿用了上年的模板或文字。"
        out.append(Finding("wording_mismatch", "wording.year", "medium", title, message,
                           {"stated": bad, "report_year": rd.year, **({"page": h.page} if h.page else {})},
                           ("year", h.text), [(h.text, h.start, h.end)]))
    return out


@detector("wording.department", "wording_mismatch", severity="medium")
def department(report: ParsedReport, opts: dict) -> list[Finding]:
    """A heading that names a department other than the report's issuer
    (第一部分 某某局概况 in a report of another bureau): text copied from
    another department's publication."""
    rd = _rd(report)
    if rd is None or not rd.issuer:
        return []
    mine = _core(rd.issuer)
    out = []
    for h in rd.headings:
        name = heading_department(h)
        if not name or h.start < 0:
            continue
        other = _core(name)
        if not other or other in mine or mine in other or "XX" in other:
            continue
        title = f"标题中的单位名称“{name}”与报告单位“{rd.issuer}”不符"
        message = f"“{h.text}”写的是“{name}”,而本报告的单位是“{rd.issuer}”。可能照搬了其他单位的文字。"
        out.append(Finding("wording_mismatch", "wording.department", "medium", title, message,
                           {"stated": name, "issuer": rd.issuer, **({"page": h.page} if h.page else {})},
                           ("department", name), [(h.text, h.start, h.end)]))
    return out


def _core(name: str) -> str:
    return re.sub(r"[\s“”\"()]|本级|(?:部门|单位)$", "", name)


@detector("wording.placeholder", "wording_mismatch", severity="medium")
def placeholder(report: ParsedReport, opts: dict) -> list[Finding]:
    """Template text left in a published report: XX / XXX万元 where a figure or
    name belongs, 大于(小于), 增加(减少), (如持平作持平表述). A blank template
    (no figures at all) is not a report and is not judged."""
    rd = _rd(report)
    if rd is None or not rd.placeholders:
        return []
    found = rd.placeholders[: opts["max_placeholders_listed"]]
    shown = "、".join(dict.fromkeys(p[0] for p in found))
    pages = sorted({p for p in (rd.page_at(s) for _, s, _ in found) if p})
    title = f"报告中留有模板占位文字:{shown[:40]}"
    message = (f"报告中有{len(rd.placeholders)}处模板占位或说明文字({shown})"
               + (f",见第{'、'.join(map(str, pages))}页" if pages else "") + ",应填写实际内容后再公开。")
    quotes = []
    for _, s, e in found:
        ls = max(report.text.rfind("\n", 0, s) + 1, s - 30)
        le = min(e + 30, len(report.text))
        nl = report.text.find("\n", e, le)
        le = nl if nl >= 0 else le
        quotes.append((report.text[ls:le], ls, le))
    return [Finding("wording_mismatch", "wording.placeholder", "medium", title, message,
                    {"placeholders": [p[0] for p in found], "count": len(rd.placeholders),
                     **({"pages": pages} if pages else {})}, ("placeholder",), quotes)]
