"""Year-on-year changes that must be explained (change_unexplained), and
reasons that contradict them (wording_mismatch).

The template asks, after each year-on-year change of the headline figures
(收入支出总计, 财政拨款收入支出总计, 一般公共预算财政拨款支出), of the “三公”经费
and each of its items and of the 机关运行经费, for its main reason (主要原因是 …);
local preparers' tools block a report with a change of `threshold_pct`% or more
and no reason. Which figures, and the words of reasons, are data
(rules/taxonomy/data/explanations.toml). A change is read from the 情况说明's
statements (增加X万元,增长y%; 比上年减少X万元); it counts when it is against last
year (not against a budget) and its rate, stated or computed from the printed
amounts, is at least the threshold under every rounding of its operands.

A reason is looked for in the change's paragraph (from the line of the change
to a blank line, a heading or numbered item, or the next line stating another
change; the next paragraph too when its first sentence gives a reason and
it states no change of its own). A reason given once for several figures (收入、支出变动的主要原因是…, a
“三公” paragraph's reason for its items moving the same way) counts for each,
and so does a reason given for a figure that is most of this one moving the
same way (财政拨款收支总计 for 收支总计). Nothing is said when the report is not a
部门/单位决算, when the text ends within or right after the paragraph (an
excerpt: the reason may follow), or when the change is flat or below the
threshold.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules import evidence as ev
from rules import tolerance as tol
from rules.base import Finding, r, said
from rules.registry import detector, family
from rules.statements import MAX_PRINTINGS, figures
from rules.taxonomy import default as taxonomy
from rules.taxonomy.explained import ExplainedFigure, Explanations
from worker.facts import ParsedReport
from worker.ledger import Reading, Statement
from worker.read.sections import HEADING_START, is_heading, section_of

family("explanations", doc=__doc__, threshold_pct=10.0, medium_pct=30.0, min_tail_chars=40, cover_share=0.8)

JUDGED_TYPES = ("部门决算", "单位决算")
# 比上年 / 较2023年度决算数 / 与2019年相比 / 同比: the comparison a change is against.
_AGAINST = re.compile(r"同比|(?:比|较|与|同)\s*(?:上(?:一)?年度?|去年|(?P<y>20\d{2})\s*年度?)")
_BUDGET = re.compile(r"预算")
_END_PUNCT = "。!?;:；：！？"
_TOP = re.compile(r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}\s*[、.])")
_SENT_END = re.compile(r"[。!?！？\n]")


@dataclass
class Change:
    """A year-on-year change of a figure that needs a reason."""

    fig: ExplainedFigure
    st: Statement
    direction: int
    rate: tuple[float, float]           # percent, every reading's interval joined
    para: tuple[int, int]
    section: tuple[int, int]
    reasons: list = field(default_factory=list)       # (marker start, reason text start, reason text end)
    current: float | None = None
    cut: bool = False                   # the text ends in or right after the paragraph
    counted: bool = False               # at or above the threshold
    explained_by: str = ""              # how a reason was found ('' = none)


NEWS_HEAD_CHARS = 300         # where a news copy's byline stands


def _judged(report: ParsedReport) -> Reading | None:
    rd = ev.reading(report)
    if rd is None or rd.blank_form or not rd.year:
        return None
    if (report.meta.report_type or "") not in JUDGED_TYPES:
        return None
    title = report.meta.title or ""
    if "预算" in title and "决算" not in title:
        return None                   # a budget that mentions last year's 决算
    # A news copy announces itself at the top (本报北京8月30日电(记者…), 新华社…电, 【…网讯】);
    # a department's own report may cite its coverage by 新华社 far into its 绩效 part.
    head = report.text[:NEWS_HEAD_CHARS]
    if any(w in head for w in taxonomy().explanations.news):
        return None                   # a news copy of the figures
    return rd


def _yoy(text: str, st: Statement, year: int) -> bool:
    """Is the change against last year's figure (not a budget, not another year)?"""
    anchor = (st.delta or st.stated).start
    head = text[st.quote.start:anchor]
    last = None
    for m in _AGAINST.finditer(head):
        last = m
    if last is None:
        return False
    if last.group("y") and int(last.group("y")) != year - 1:
        return False
    return not _BUDGET.search(head[last.start():])


def _rate(rd: Reading, st: Statement, direction: int) -> tuple[float, float] | None:
    """The change's rate in percent, as the interval every reading allows; None
    when no reading can be made."""
    readings: list[tuple[float, float]] = []
    if st.stated is not None and st.stated.kind == "percent":
        readings.append(tol.interval(st.stated))
    key = tuple(st.base[0])
    currents = figures(rd, key)
    if st.delta is not None and 0 < len(currents) <= MAX_PRINTINGS:
        d = tol.interval(st.delta)
        for c in currents:
            base = tol.sub(tol.interval(c.num), d) if direction > 0 else tol.add(tol.interval(c.num), d)
            iv = tol.ratio_pct(d, base)
            if iv is None:
                return None           # no base to speak of: a figure from nothing
            readings.append(iv)
    if not readings:
        return None
    return (min(x[0] for x in readings), max(x[1] for x in readings))


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, len(text) if e < 0 else e


def _title(line: str) -> bool:
    """A heading: numbered, or a short line without figures that ends no sentence."""
    t = line.strip()
    return bool(t) and (bool(HEADING_START.match(t)) or (is_heading(t) and t[-1] not in "。!?！？"))


# A page number between two lines of one paragraph (- 12 -, 第3页 共20页): not a break.
_PAGE_NOISE = re.compile(r"^[\s\-—–·/第页共\d]*$")


def _breaks(line: str) -> bool:
    return not line.strip() or (_title(line) and not _PAGE_NOISE.match(line))


def _paragraph(text: str, pos: int, change_starts: list[int]) -> tuple[int, int]:
    s, e = _line_bounds(text, pos)
    # A line wrapped from the one before (no sentence end there) belongs to it.
    while s > 0:
        ps, pe = _line_bounds(text, s - 1)
        prev = text[ps:pe].strip()
        if _breaks(prev) or prev[-1:] in _END_PUNCT:
            break
        s = ps
    while e < len(text):
        ns, ne = _line_bounds(text, e + 1)
        if _breaks(text[ns:ne]) or any(ns <= c < ne for c in change_starts):
            break
        e = ne
    return s, e


def _reason_follows(text: str, end: int, words: Explanations, change_starts: list[int]) -> int | None:
    """The end of the next paragraph when its first sentence gives a reason and
    it states no change of its own (a blank line, then 主要原因是… or 经分析,增长
    的原因是…): it can only be the reason of the change before it."""
    pos = end
    while pos < len(text):
        ns, ne = _line_bounds(text, pos + 1)
        line = text[ns:ne].strip()
        if line and not _PAGE_NOISE.match(line):
            if _title(line) or ns in change_starts:
                return None
            first = _SENT_END.search(line)
            head = line[: first.end()] if first else line
            return ne if any(rx.search(head) for rx in words.reasons) else None
        pos = ne
    return None


def _section(text: str, pos: int) -> tuple[int, int]:
    """The part of the 情况说明 a position stands in: between the headings around it."""
    s, e = _line_bounds(text, pos)
    while s > 0:
        ps, pe = _line_bounds(text, s - 1)
        if _part(text[ps:pe]):
            break
        s = ps
    while e < len(text):
        ns, ne = _line_bounds(text, e + 1)
        if _part(text[ns:ne]):
            break
        e = ne
    return s, e


def _part(line: str) -> bool:
    """A heading that opens a part of the 情况说明 (as worker/read/sections.py frames them)."""
    t = line.strip()
    return is_heading(t) and (section_of(t, taxonomy()) is not None or _TOP.match(t) is not None)


_LEAD = re.compile(r"[\s:：]*(?:主要)?(?:是|为|在于|有)?[\s:：]*")


def _reasons(text: str, span: tuple[int, int], words: Explanations) -> list[tuple[int, int, int]]:
    """(marker start, reason start, reason end): each reason in a span, its
    words running to the end of the sentence or the next comparison (a change
    stated after its reason is not part of it)."""
    out = []
    chunk = text[span[0]:span[1]]
    for rx in words.reasons:
        for m in rx.finditer(chunk):
            rs = span[0] + m.end()
            lead = _LEAD.match(text, rs, span[1])      # 原因「是」/「为」/「:」: the connective is not the reason
            rs = lead.end() if lead else rs
            end = _SENT_END.search(text, rs, span[1])
            re_ = end.start() if end else span[1]
            cmp_ = _AGAINST.search(text, rs, re_)
            if cmp_:
                re_ = cmp_.start()
            out.append((span[0] + m.start(), rs, re_))
    return sorted(set(out))


def changes(report: ParsedReport, opts: dict) -> list[Change]:
    """Every year-on-year change of a figure that needs a reason, with where a
    reason was looked for and whether one was found (computed once per report)."""
    mine = tuple(opts[k] for k in ("threshold_pct", "min_tail_chars", "cover_share"))
    cached = getattr(report, "_explained_changes", None)
    if cached is not None and cached[0] == mine:
        return cached[1]
    out = _changes(report, opts)
    report._explained_changes = (mine, out)
    return out


def _changes(report: ParsedReport, opts: dict) -> list[Change]:
    rd = _judged(report)
    if rd is None:
        return []
    words = taxonomy().explanations
    text = report.text
    stated = [s for s in rd.statements if s.type in ("growth", "delta") and s.base and (s.delta or s.stated)]
    change_starts = sorted({_line_bounds(text, (s.delta or s.stated).start)[0] for s in stated})
    out: list[Change] = []
    others: list[tuple[int, tuple[float, float]]] = []     # explained changes of other figures: (direction, delta)
    for st in stated:
        key = tuple(st.base[0])
        if key[3] != "current" or not _yoy(text, st, rd.year):
            continue
        dirs = {d for d in (_word_dir(w) for w in st.words.split("/")) if d}
        if len(dirs) != 1:
            continue                  # flat, or 增加…下降 (wording.direction's business)
        direction = dirs.pop()
        at = (st.delta or st.stated).start
        ls = _line_bounds(text, at)[0]
        para = _paragraph(text, at, [c for c in change_starts if c != ls])
        follows = _reason_follows(text, para[1], words, change_starts)
        if follows is not None:
            para = (para[0], follows)
        reasons = _reasons(text, para, words)
        fig = words.figure_of(key[0], key[1])
        if fig is None:
            if reasons and st.delta is not None:
                others.append((direction, tol.interval(st.delta)))
            continue
        rate = _rate(rd, st, direction)
        if rate is None:
            continue
        tail = re.sub(r"\s+", "", text[para[1]:])
        cur = figures(rd, key)
        ch = Change(fig, st, direction, rate, para, _section(text, at), reasons,
                    current=cur[0].num.value if len(cur) == 1 else None,
                    cut=len(tail) < opts["min_tail_chars"], counted=rate[0] >= opts["threshold_pct"] - 1e-9)
        if ch.reasons:
            ch.explained_by = "paragraph"
        out.append(ch)
    for ch in out:
        if not ch.explained_by:
            ch.explained_by = _group_reason(text, ch, out, words, opts) or _counterpart(ch, out, others)
    return out


def _counterpart(ch: Change, out: list[Change], others: list) -> str:
    """The same money explained on the other side of the accounts: a change
    of another figure by the same amount, the same way, with its reason
    (一般公共预算财政拨款收入减少657.33万元,主要原因是… for the 支出's 657.33万元)."""
    if ch.st.delta is None:
        return ""
    mine = tol.interval(ch.st.delta)
    pool = others + [(o.direction, tol.interval(o.st.delta)) for o in out
                     if o is not ch and o.explained_by == "paragraph" and o.st.delta is not None]
    for direction, d in pool:
        if direction == ch.direction and d[0] <= mine[1] and mine[0] <= d[1]:
            return "counterpart"
    return ""


def _word_dir(w: str) -> int:
    if w in ("增加", "增长", "上升", "增", "提高", "增幅"):
        return 1
    if w in ("减少", "下降", "降低", "减", "降幅"):
        return -1
    return 0


def _group_reason(text: str, ch: Change, all_: list[Change], words: Explanations, opts: dict) -> str:
    # A reason in the same part of the 情况说明 given for the figure's group
    # (三公 / 收入、支出 …), whose sentence names no opposite direction.
    for ms, rs, _ in _reasons(text, ch.section, words):
        ss = max(text.rfind(c, ch.section[0], ms) for c in "。!?\n") + 1
        before = text[max(ss, ch.section[0]):ms]
        if not any(g in before for g in ch.fig.group):
            continue
        if _said_dir(before) == -ch.direction:
            continue
        return "group"
    for other in all_:
        if other is ch or not other.reasons or other.direction != ch.direction:
            continue
        if ch.fig.parent and other.fig.id == ch.fig.parent:
            return "parent"
        if other.fig.id in ch.fig.covered_by:
            # Most of this figure, moving the same way: its reason is this one's.
            if ch.current is None or other.current is None or other.current >= opts["cover_share"] * ch.current:
                return "cover"
    return ""


def _said_dir(words: str) -> int:
    """The direction a reason's lead-in names (增加的主要原因 / 下降原因)."""
    m = re.search(r"(增加|增长|上升|减少|下降|降低)[了的]?(?:主要)?$", words)
    return _word_dir(m.group(1)) if m else 0


def _quotes(report: ParsedReport, ch: Change, limit: int = 400) -> list[tuple[str, int, int]]:
    s, e = ch.para
    e = min(e, s + limit)
    q = [(ch.st.quote.text, ch.st.quote.start, ch.st.quote.end)]
    if (s, e) != (ch.st.quote.start, ch.st.quote.end):
        q.append((report.text[s:e], s, e))
    return q


@detector("explanations.change_unexplained", "change_unexplained", severity="medium when the change is ≥ medium_pct, else low")
def change_unexplained(report: ParsedReport, opts: dict) -> list[Finding]:
    """A year-on-year change of a headline figure, of the “三公”经费 or an item
    of it, or of the 机关运行经费 of at least `threshold_pct`% whose paragraph
    gives no reason (主要原因 / 原因是 / 主要是 / 由于 / 所致 …), and no reason given
    for its group or for a figure that is most of it."""
    out = []
    for ch in changes(report, opts):
        if not ch.counted or ch.explained_by or ch.cut:
            continue
        lo, hi = ch.rate
        rate_txt = ch.st.stated.raw.strip() if ch.st.stated is not None and ch.st.stated.kind == "percent" \
            else f"约{tol.fmt(tol.mid(ch.rate), 1)}%"
        sev = "medium" if lo >= opts["medium_pct"] else "low"
        page = ch.st.page
        where = f"第{page}页" if page else ""
        thr = tol.fmt(opts["threshold_pct"], 1)
        title = f"{ch.fig.name}比上年{'增加' if ch.direction > 0 else '减少'}{rate_txt},未说明原因"
        message = (f"报告写“{said(ch.st.quote.text, 100)}”。{ch.fig.name}较上年变动{rate_txt}(不低于{thr}%),"
                   f"但{where}该段文字(至下一标题或段落)没有说明主要原因(如“主要原因是…”)。"
                   f"公开模板要求说明变动的主要原因。")
        evidence = {"figure": ch.fig.name, "concept": ch.st.base[0][0], "direction": "增加" if ch.direction > 0 else "减少",
                    "rate_pct": [r(lo, 2), r(hi, 2)], "threshold_pct": opts["threshold_pct"],
                    "looked_in": {"start": ch.para[0], "end": ch.para[1], **({"page": page} if page else {})},
                    "severity_why": (f"变动不低于{tol.fmt(opts['medium_pct'], 1)}%" if sev == "medium"
                                     else f"变动低于{tol.fmt(opts['medium_pct'], 1)}%")}
        if ch.st.stated is not None and ch.st.stated.kind == "percent":
            evidence["stated_rate"] = r(ch.st.stated.value, 4)
        if ch.st.delta is not None:
            evidence["delta"] = r(ch.st.delta.value, 6)
        if ch.current is not None:
            evidence["current"] = r(ch.current, 6)
            if ch.st.delta is not None:
                evidence["previous"] = r(ch.current - ch.direction * ch.st.delta.value, 6)
        if page:
            evidence["page"] = page
        out.append(Finding("change_unexplained", "explanations.change_unexplained", sev, title, message, evidence,
                           ("change", ch.st.base[0][0], ch.st.base[0][1]), _quotes(report, ch),
                           anchor=(ch.st.quote.start, ch.st.quote.end)))
    return out


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


@detector("explanations.reason_direction", "wording_mismatch", severity="medium")
def reason_direction(report: ParsedReport, opts: dict) -> list[Finding]:
    """An increase explained only by words of decrease (压减, 节约, 从严控制 …), or
    a decrease only by words of increase (增加, 新增, 追加 …), where every change
    of the paragraph moves the same way. A reason naming both directions, or
    last year, or something that stopped (上年新增…本年无), is not judged."""
    words = taxonomy().explanations
    rd = ev.reading(report)
    out = []
    for ch in changes(report, opts):
        if ch.explained_by != "paragraph":
            continue
        # Every change stated in the paragraph must move the same way.
        dirs = {s.direction for s in rd.statements if s.type in ("growth", "delta")
                and ch.para[0] <= s.quote.start < ch.para[1]}
        if dirs != {ch.direction}:
            continue
        said_words = "".join(report.text[rs:re_] for _, rs, re_ in ch.reasons)
        if not said_words.strip() or _has(said_words, words.context):
            continue
        ups, downs = _has(said_words, words.increase), _has(said_words, words.decrease)
        if ch.direction > 0:
            wrong = downs and not ups
        else:
            wrong = _has(said_words, words.increase_strict) and not downs
        if not wrong:
            continue
        move = "增加" if ch.direction > 0 else "减少"
        title = f"{ch.fig.name}{move},所述原因却是{'压减、节约' if ch.direction > 0 else '增加'}"
        message = (f"报告写“{said(ch.st.quote.text, 100)}”,{ch.fig.name}{move};"
                   f"说明的原因却是“{said(said_words, 80)}”,只讲{'减少' if ch.direction > 0 else '增加'}。原因与变动方向相反。")
        quotes = [(ch.st.quote.text, ch.st.quote.start, ch.st.quote.end)] + \
            [(report.text[ms:re_], ms, re_) for ms, _, re_ in ch.reasons]
        out.append(Finding("wording_mismatch", "explanations.reason_direction", "medium", title, message,
                           {"figure": ch.fig.name, "direction": move, "reason": said_words.strip()[:200],
                            **({"page": ch.st.page} if ch.st.page else {})},
                           ("reason_direction", ch.st.base[0][0], ch.st.base[0][1]), quotes,
                           anchor=(ch.st.quote.start, ch.st.quote.end)))
    return out
