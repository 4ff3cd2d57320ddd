"""The 情况说明's figures tagged into the ledger, and what its sentences state.

A figure is named by the words before it in its clause (本年收入合计1,234.56万元,
年初预算为…, 支出决算为…). The name is read with the taxonomy's terms,
qualified by the fund words it carries (一般公共预算财政拨款基本支出) and by the part
of the 情况说明 it stands in (names.py); a name that cannot be read is not
tagged; a list after 各 / 分别 is read in turn (distributive.py). The
statements a sentence makes (占 x%, 增加 … 增长 x%, 完成年初预算的 x%, 决算数大于
预算数) are kept with the facts they speak of, for the checks to recompute.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules.taxonomy import Taxonomy
from rules.taxonomy.model import Section
from worker.facts import Quote
from worker.ledger import LFact, Reading, Statement, dims_of
from worker.numbers import Num, find_numbers
from worker.read import distributive
from worker.read.names import MEASURE_WORDS, func_item, name_of
from worker.read.sections import Frame, section_at
from worker.spans import Spans

_SENT = re.compile(r"[^。!?\n]+[。!?]?")
_CLAUSE = re.compile(r"[^,;，；:、]+")
DELTA_WORD = re.compile(r"(增加|减少|增长|下降|上升|降低|减|增)了?$")
PCT_UP = re.compile(r"(增长|上升|增加|提高|增幅)(?:了|为|达)?$")
PCT_DOWN = re.compile(r"(下降|减少|降低|降幅)(?:了|为)?$")
SHARE = re.compile(r"占(?P<base>[^,;。%]{0,30}?)(?:的|比重|比例|比重为|比例为|比)?(?:为)?$")
COMPLETION = re.compile(r"(?:完成|达到)(?P<base>(?:年初|调整后|全年)?预算(?:数|资金安排|安排)?)的?$|预算执行率(?:为|达)?$")
# 决算数大于预算数; not 大于(小于): template text with both words left in says nothing.
COMPARE = re.compile(r"决算数?(大于|小于|等于|高于|低于|超过|少于|多于)(?!\s*[((](?:大于|小于|高于|低于))(年初|调整后|全年)?预算数?")
FLAT = re.compile(r"持平|基本持平|无变化|保持不变")
_FIGURE = re.compile(r"\d\s*(?:万元|元|亿元|千元|%)|百分之")
_WS = re.compile(r"\s+")
_COMPARED = re.compile(r"(?:比|较)[^,;]*$|与[^,;]*相比|同比")
_COMPARED_WITH = re.compile(r"(?:与|同)[^,;]{0,24}?(?:相比|对比)")
_THAN = re.compile(r"比|较|同比")


def tag(text: str, reading: Reading, fr: Frame, spans: list[tuple[int, int]], tax: Taxonomy) -> None:
    year = reading.year
    prev: tuple | None = None          # (subject key, fact index) of the previous sentence in the part
    prev_sec = None
    inside = Spans(spans)
    for m in _SENT.finditer(text):
        s, e = m.start(), m.end()
        if inside.contains(s):
            continue
        sec = section_at(fr.sections, s)
        if sec is None:
            continue      # outside the 情况说明's parts a figure's context is a guess
        if sec is not prev_sec:
            prev, prev_sec = None, sec
        if not _FIGURE.search(m.group(0)):
            item = func_item(m.group(0), sec, reading, tax)
            if item is not None:
                # 1、教育支出(类)普通教育(款)初中教育(项)。: the item the next sentences' figures are of.
                prev = _Prev(item)
            elif "(类)" in m.group(0) or "(项)" in m.group(0):
                prev = _Prev(None)   # an item we cannot place: what follows is not the last subject's
            elif prev is not None:
                # 决算数大于预算数的主要原因…: a comparison of the figures just stated.
                _compare(text, s, e, sec, reading, prev, tax, year)
            continue
        before = len(reading.facts)
        subject, printed = _sentence(text, s, e, sec, reading, tax, year, prev.subject if prev else None)
        # The next sentence may refer to this one's subject and figures; a sentence
        # whose subject could not be told breaks the chain of subjects.
        prev = _Prev(subject, len(reading.facts) - 1 if len(reading.facts) > before else -1, printed)


@dataclass
class _Prev:
    """What a sentence leaves for the next: its subject, and its 预算 / 决算 figures as printed."""

    subject: tuple | None
    index: int = -1
    printed: dict = field(default_factory=dict)     # measure → Num


def _sentence(text: str, s: int, e: int, sec: Section | None, reading: Reading, tax: Taxonomy,
              year: int | None, carried: tuple | None = None) -> tuple[tuple | None, dict]:
    """Tag one sentence's figures and statements; returns its subject (the key of
    the figure it speaks of last) and its 预算 / 决算 figures as printed, which a
    following sentence may refer to."""
    sent = text[s:e]
    nums = [n for n in find_numbers(sent, s) if n.kind in ("money", "percent")]
    printed: dict = {}
    if not nums:
        return None, printed
    lists = distributive.runs(text, s, e) if ("各" in sent or "分别" in sent) else {}
    skip: set[int] = set()          # figures read with the list they stand in
    if lists:
        # A list is met at its first figure (bare ones read in the list's unit).
        nums = sorted({n.start: n for n in nums + [run[0] for run in lists.values()]}.values(), key=lambda n: n.start)
    pending_each: list | None = None   # 各减少A、B万元: [(delta, word, key)] for 各下降p%、q%
    head: int | None = None          # the first figure of the sentence: the whole a 其中 list splits
    subject_key: tuple | None = carried   # 年初预算为…: the item named in the sentence before
    last_fact: int | None = None
    after_qizhong = False
    pending_delta: tuple[Num, str] | None = None
    last_money_tagged = False      # the money figure just before a percentage was read
    first_money = True
    first_fact = len(reading.facts)
    page = reading.page_at(s)
    clause_start = s
    for n in nums:
        cs = max(clause_start, _clause_start(text, n.start, s))
        words = text[cs:n.start]
        if "其中" in text[s:n.start] or "主要用于" in text[s:n.start]:
            after_qizhong = True
        if n.start in skip:
            continue
        run = lists.get(n.start)
        if run is not None:
            took = _each(text, s, e, cs, run, sec, reading, tax, year, pending_each)
            if run[-1].kind == "money":
                # Figures of two concepts in turn (or of a name not read): neither
                # is the sentence's one subject.
                _flush_delta(text, s, e, sec, reading, pending_delta, subject_key)
                _flush_each(text, s, e, sec, reading, pending_each)
                pending_delta, subject_key, last_money_tagged, first_money = None, None, False, False
                pending_each = took or None
                skip.update(m.start for m in run)
                clause_start = run[-1].end
                continue
            if took is not None:
                pending_each = None
                skip.update(m.start for m in run)
                clause_start = run[-1].end
                continue
            if not n.unit:
                continue       # rates of no listed change (分别增长5%、8%): read as before
        if n.kind == "money":
            w = words.strip()
            dm = DELTA_WORD.search(w)
            if dm:
                # 与2023年度相比,收入支出总计增加X万元: a change, of the figure it names
                # (or of the sentence's subject).
                who = w[: dm.start()]
                cmp_ = _COMPARED_WITH.search(who)
                if cmp_:
                    who = who[cmp_.end():]             # 与2023年度相比X增加: X
                cut = _THAN.search(who)
                if cut:
                    who = who[: cut.start()]           # X比上年增加: X
                named = name_of(who, sec, tax, year, subject_key, reading.issuer) if who else None
                key = named[0] if named else subject_key
                if named is None and who and _in_reason(text, s, n.start, tax):
                    key = None       # 主要原因是X增加…: X's change, not the subject's
                if key is not None:
                    _flush_delta(text, s, e, sec, reading, pending_delta, subject_key)
                    subject_key = (key[0], key[1], "final", key[3])
                    pending_delta = (n, dm.group(1))
                last_money_tagged = False
                clause_start = n.end
                continue
            if _COMPARED.search(w):
                last_money_tagged = False      # 比上年的X万元: a comparison figure, not a part
                clause_start = n.end
                continue
            bare = _WS.sub("", w)
            for mname, rx in MEASURE_WORDS:
                if rx.search(bare):
                    printed[mname] = n       # 年初预算为X万元, 支出决算为Y万元: kept even when X is of an unread item
                    break
            named = name_of(w, sec, tax, year, subject_key, reading.issuer)
            last_money_tagged = named is not None
            if named is None:
                if first_money:
                    subject_key = None       # the sentence names something unread: the last one's subject is not it
                first_money = False
                clause_start = n.end
                continue
            first_money = False
            key, label = named
            concept, dims, measure, period = key
            f = LFact(concept=concept, dims=dims, num=n, quote=Quote(text[cs:n.end].strip(), _lstrip(text, cs), n.end),
                      where="text", measure=measure, period=period, label=label, page=page,
                      section=sec.id if sec else "")
            reading.facts.append(f)
            idx = len(reading.facts) - 1
            if head is None and not after_qizhong:
                head = idx
            last_fact = idx
            subject_key = (concept, dims, "final", period)
            clause_start = n.end
            continue
        # A percentage: a share, a change, a completion rate.
        w = text[cs:n.start].strip()
        quote = Quote(text[s:e], s, e)
        sm = SHARE.search(w)
        cm = COMPLETION.search(w)
        if sm and last_fact is not None and last_money_tagged:
            bases = []
            bname = sm.group("base").strip()
            if bname:
                # 占本年支出合计的: the department's total, or the section's (charitably both).
                for scope in (None, sec):
                    bk = name_of(bname, scope, tax, year, None, reading.issuer)
                    if bk is not None and bk[0] not in bases:
                        bases.append(bk[0])
            if head is not None and head != last_fact:
                bases.append(reading.facts[head].key)
            if sec is not None and not bname:
                bases.append(_section_total(sec, reading.facts[last_fact]))
            reading.statements.append(Statement(type="share", quote=quote, stated=n, subject=last_fact,
                                                base=[b for b in bases if b], page=page, section=sec.id if sec else ""))
        elif cm and subject_key is not None:
            which = (cm.group("base") or "") if cm.lastindex else ""
            measure = "budget_initial" if "年初" in which else "budget_adjusted" if ("调整" in which or "全年" in which) else "budget"
            c, d, _, p = subject_key
            reading.statements.append(Statement(type="completion", quote=quote, stated=n, subject=last_fact or -1,
                                                base=[(c, d, measure, p)], words=which, page=page,
                                                section=sec.id if sec else ""))
        elif (PCT_UP.search(w) or PCT_DOWN.search(w)) and subject_key is not None:
            word = (PCT_UP.search(w) or PCT_DOWN.search(w)).group(1)
            delta, dword = pending_delta if pending_delta else (None, "")
            pending_delta = None
            # The figure the change is of, then (charitably) the sentence's other figures.
            others = [reading.facts[i].key for i in range(first_fact, len(reading.facts))
                      if reading.facts[i].measure == "final"]
            bases = [subject_key] + [k for k in others if k != subject_key]
            reading.statements.append(Statement(type="growth", quote=quote, stated=n, subject=last_fact or -1,
                                                base=bases, delta=delta, words=(dword + "/" + word).strip("/"),
                                                direction=_dir(word), page=page, section=sec.id if sec else ""))
        clause_start = n.end
    _flush_delta(text, s, e, sec, reading, pending_delta, subject_key)
    _flush_each(text, s, e, sec, reading, pending_each)
    _compare(text, s, e, sec, reading, _Prev(subject_key, last_fact if last_fact is not None else -1, printed),
             tax, year)
    return subject_key, printed


def _each(text: str, s: int, e: int, cs: int, run: list[Num], sec: Section | None, reading: Reading,
          tax: Taxonomy, year: int | None, pending: list | None) -> list | None:
    """Read a list after 各 / 分别. Figures (收、支总计各是A、B万元) are tagged,
    each of the name's concepts in turn, and [] returned; changes (各减少A、B万元)
    are returned as [(delta, word, key)] for the rates that may follow; rates
    (各下降p%、q%) make a growth statement with each pending change, in order, and
    return []. None: not read (a name of one figure, a list of another length)."""
    bare = _WS.sub("", text[cs:run[0].start])
    m = distributive.MARK.search(bare)
    if m is None:
        return None
    page, section = reading.page_at(s), sec.id if sec else ""
    if run[-1].kind == "percent":
        word = m.group("dw") or m.group("pw")
        if not pending or len(pending) != len(run) or not word or bare[: m.start()].strip(",;"):
            return None
        for (delta, dword, key), rate in zip(pending, run):
            reading.statements.append(Statement(type="growth", quote=Quote(text[s:e], s, e), stated=rate, base=[key],
                                                delta=delta, words=f"{dword}/{word}", direction=_dir(word),
                                                page=page, section=section))
        return []
    who = bare[: m.start()]
    cmp_ = _COMPARED_WITH.search(who)
    if cmp_:
        who = who[cmp_.end():]                 # 与2021年相比收、支总计各减少: 收、支总计
    cut = _THAN.search(who)
    if cut:
        who = who[: cut.start()]               # 收、支总计比上年各增加: 收、支总计
    named = name_of(who, sec, tax, year, None, reading.issuer) if who else None
    keys = distributive.keys_of(named[0], named[1], tax) if named else None
    if keys is None or len(keys) != len(run):
        return None
    if m.group("dw"):
        return [(n, m.group("dw"), k) for n, k in zip(run, keys)]
    if m.group("pw"):
        return None
    for n, (concept, dims, measure, period) in zip(run, keys):
        reading.facts.append(LFact(concept=concept, dims=dims, num=n, quote=Quote(text[cs:n.end].strip(),
                                   _lstrip(text, cs), n.end), where="text", measure=measure, period=period,
                                   label=named[1], page=page, section=section))
    return []


def _flush_each(text, s, e, sec, reading: Reading, pending: list | None) -> None:
    """Changes listed after 各 with no rates: each kept as a change of its figure."""
    for n, word, key in pending or ():
        _flush_delta(text, s, e, sec, reading, (n, word), key)


def _in_reason(text: str, s: int, pos: int, tax: Taxonomy) -> bool:
    """Does a reason (主要原因是 …) open before `pos` in the sentence?"""
    return any(rx.search(text, s, pos) for rx in tax.explanations.reasons)


def _flush_delta(text, s, e, sec, reading: Reading, pending, subject_key) -> None:
    """A change stated without a rate (比上年减少X万元,): kept for the checks
    that know last year's figure."""
    if pending is None or subject_key is None:
        return
    n, word = pending
    reading.statements.append(Statement(type="delta", quote=Quote(text[s:e], s, e), delta=n, base=[subject_key],
                                        words=word, direction=_dir(word), page=reading.page_at(s),
                                        section=sec.id if sec else ""))


def _compare(text: str, s: int, e: int, sec: Section | None, reading: Reading, prev: _Prev,
             tax: Taxonomy, year: int | None) -> None:
    cmp_ = COMPARE.search(text, s, e)
    if not cmp_:
        return
    subject_key, subject = prev.subject, prev.index
    # 2024年度“三公”经费支出决算数小于预算数: the sentence names what it compares.
    own = text[_clause_start(text, cmp_.start(), s):cmp_.start()].strip()
    if own and re.search(r"[\u4e00-\u9fff]{2}", own):
        named = name_of(own, sec, tax, year, None, reading.issuer)
        if named is not None:
            subject_key, subject = named[0], -1
    word = cmp_.group(1)
    which = cmp_.group(2) or ""
    measure = "budget_initial" if which == "年初" else "budget_adjusted" if which in ("调整后", "全年") else "budget"
    base = []
    if subject_key is not None:
        c, d, _, p = subject_key
        base = [(c, d, measure, p), (c, d, "final", p)]
    # The figures the sentence before printed, whatever item they were of.
    budget = next((prev.printed[m] for m in ("budget_initial", "budget", "budget_adjusted") if m in prev.printed), None)
    final = prev.printed.get("final")
    operands = [budget, final] if budget is not None and final is not None and subject_key == prev.subject else []
    if not base and not operands:
        return
    reading.statements.append(Statement(type="compare", quote=Quote(text[s:e], s, e), subject=subject, base=base,
                                        words=word, direction=_dir(word), page=reading.page_at(s),
                                        section=sec.id if sec else "", operands=operands))


def _dir(word: str) -> int:
    if word in ("增加", "增长", "上升", "增", "提高", "增幅", "大于", "高于", "超过", "多于"):
        return 1
    if word in ("减少", "下降", "降低", "减", "降幅", "小于", "低于", "少于"):
        return -1
    return 0


def _clause_start(text: str, pos: int, floor: int) -> int:
    i = pos - 1
    while i >= floor and text[i] not in ",;，；:。\n":
        i -= 1
    return i + 1


def _lstrip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _section_total(sec: Section, f: LFact) -> tuple | None:
    """The whole a share is of when the sentence names none: the section's total."""
    if not sec.concept and not sec.dims:
        return None
    concept = sec.concept or f.concept
    if concept != f.concept:
        return None
    return (concept, dims_of(dict(sec.dims)), f.measure, f.period)
