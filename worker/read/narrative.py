"""The 情况说明's figures tagged into the ledger, and what its sentences state.

A figure is named by the words before it in its clause (本年收入合计1,234.56万元,
年初预算为…, 支出决算为…). The name is read with the taxonomy's terms,
qualified by the fund words it carries (一般公共预算财政拨款基本支出) and by the part
of the 情况说明 it stands in; a name that cannot be read is not tagged. The
statements a sentence makes (占 x%, 增加 … 增长 x%, 完成年初预算的 x%, 决算数大于
预算数) are kept with the facts they speak of, for the checks to recompute.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules.taxonomy import Taxonomy, label_key
from rules.taxonomy.model import Section
from worker.facts import Quote
from worker.ledger import LFact, Reading, Statement, dims_of
from worker.numbers import Num, find_numbers
from worker.read.sections import Frame, section_at
from worker.spans import Spans

_SENT = re.compile(r"[^。!?\n]+[。!?]?")
_CLAUSE = re.compile(r"[^,;，；:、]+")
MEASURE_WORDS = [
    ("budget_initial", re.compile(r"(?:年初预算数?|年初预算金额)(?:为|是|数为)?$")),
    ("budget_adjusted", re.compile(r"(?:调整后预算数?|全年预算数?|调整预算数?)(?:为|是)?$")),
    ("final", re.compile(r"(?:支出决算数?|决算数?|决算支出|实际支出)(?:为|是|数为)?$")),
    ("budget", re.compile(r"预算(?:数|金额|安排)?(?:为|是)?$")),
]
DELTA_WORD = re.compile(r"(增加|减少|增长|下降|上升|降低|减|增)了?$")
PCT_UP = re.compile(r"(增长|上升|增加|提高|增幅)(?:了|为|达)?$")
PCT_DOWN = re.compile(r"(下降|减少|降低|降幅)(?:了|为)?$")
SHARE = re.compile(r"占(?P<base>[^,;。%]{0,30}?)(?:的|比重|比例|比重为|比例为|比)?(?:为)?$")
COMPLETION = re.compile(r"(?:完成|达到)(?P<base>(?:年初|调整后|全年)?预算(?:数|资金安排|安排)?)的?$|预算执行率(?:为|达)?$")
# 决算数大于预算数; not 大于(小于): template text with both words left in says nothing.
COMPARE = re.compile(r"决算数?(大于|小于|等于|高于|低于|超过|少于|多于)(?!\s*[((](?:大于|小于|高于|低于))(年初|调整后|全年)?预算数?")
FLAT = re.compile(r"持平|基本持平|无变化|保持不变")
_NAME_EXTRA = {  # narrative names of table concepts
    "收入支出总计": ("grand_total_in", {}), "收支总计": ("grand_total_in", {}), "收入支出决算总计": ("grand_total_in", {}),
    "收入总计": ("grand_total_in", {}), "支出总计": ("grand_total_out", {}),
    "总收入": ("grand_total_in", {}), "总支出": ("grand_total_out", {}),
    "支出": ("expense", {}), "收入": ("income", {}),
}
_TRIM = re.compile(r"^(?:其中|包括|主要是|主要为|分别为|分别是|主要用于|用于|以下方面|具体情况如下|合计|共计|总计为|和|及|与|是|为|"
                   r"\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.](?!\d)|"
                   r"本部门|本单位|本局|本委|本办|本中心|我局|我单位|我部门|我委|我办|本级|全局|全年|本年度)+")
_DEPT_PREFIX = re.compile(r"^[\u4e00-\u9fff()]{2,30}?(?:局|委员会|委|办公室|办|中心|厅|院|馆|所|站|处|队|部|署|政府|办事处)"
                          r"(?:本级)?(?:20\d{2}年度?)?")
_FIGURE = re.compile(r"\d\s*(?:万元|元|亿元|千元|%)|百分之")
_TIME = re.compile(r"^(?:20\d{2}年(?:度)?|本年度?|当年|全年|截至20\d{2}年\d{1,2}月\d{1,2}日|年度)")
_WS = re.compile(r"\s+")
_COMPARED = re.compile(r"(?:比|较)[^,;]*$|与[^,;]*相比|同比")
_COMPARED_WITH = re.compile(r"(?:与|同)[^,;]{0,24}?(?:相比|对比)")
_THAN = re.compile(r"比|较|同比")
_TAIL_NOISE = re.compile(r"(?:为|是|达|共|约|共计|累计|的)+$")   # 合计/总计 belong to names


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
            item = _func_item(m.group(0), sec, reading, tax)
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
                named = _name(who, sec, tax, year, subject_key, reading.issuer) if who else None
                key = named[0] if named else subject_key
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
            named = _name(w, sec, tax, year, subject_key, reading.issuer)
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
                    bk = _name(bname, scope, tax, year, None, reading.issuer)
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
    _compare(text, s, e, sec, reading, _Prev(subject_key, last_fact if last_fact is not None else -1, printed),
             tax, year)
    return subject_key, printed


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
        named = _name(own, sec, tax, year, None, reading.issuer)
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


def _name(words: str, sec: Section | None, tax: Taxonomy, year: int | None, subject: tuple | None,
          issuer_prefix: str = ""):
    """(key, label) of the figure named by `words`, or None when unsure."""
    w = _WS.sub("", words)
    w = _TRIM.sub("", w)
    if issuer_prefix and w.startswith(issuer_prefix):
        w = _TRIM.sub("", w[len(issuer_prefix):])
    period = "current"
    m = re.match(r"^(20\d{2})年(?:度)?", w)
    if m:
        if year and int(m.group(1)) == year - 1:
            period = "prior"
        elif year and int(m.group(1)) != year:
            return None
        w = _TRIM.sub("", w[m.end():])
        if issuer_prefix and w.startswith(issuer_prefix):      # 2020年度某某局机关运行经费支出
            w = _TRIM.sub("", w[len(issuer_prefix):])
    if w.startswith("上年") and not w.startswith("上年结转"):
        period = "prior"
        w = re.sub(r"^上年度?", "", w)
    w = _TIME.sub("", w)
    measure, measured = "final", False
    for mname, rx in MEASURE_WORDS:
        mm = rx.search(w)
        if mm:
            measure, measured = mname, True
            w = w[: mm.start()]
            break
    w = _TAIL_NOISE.sub("", w)
    w = re.sub(r"^[“\"]|[”\"]$", "", w)
    if not w or (w in ("支出", "收入") and subject is not None and measured and
                 (measure != "final" or subject[0] not in ("expense", "income"))):
        if subject is None or not measured:
            return None      # a bare figure: only 年初预算为 / 决算为 … speak of the sentence's subject
        c, d, _, p = subject
        return (c, d, measure, p), ""
    if w in ("支出", "收入") and sec is not None and sec.concept and sec.concept not in ("expense", "income"):
        return None          # 支出 of what? (接待…支出0.91万元 under 三公: not the 三公 total)
    hit = _concept_of(w, tax)
    if hit is None:
        # 某某区某某局机关运行经费支出: a department's name before the figure's own name.
        m = _DEPT_PREFIX.match(w)
        if m and m.end() < len(w):
            w = w[m.end():]
            hit = _concept_of(w, tax)
    if hit is None:
        return None
    concept, dims = hit
    ctx = dict(sec.dims) if sec else {}
    if sec and sec.concept and concept in ("expense", "income") and not dims and concept != sec.concept:
        ctx = {}
    ctx.update(dims)
    if concept == "sangong" and "fund" not in ctx:
        ctx["fund"] = "fiscal"
    allowed = tax.concepts[concept].dims
    clean = {k: v for k, v in ctx.items() if k in allowed and v != tax.dims[k].root}
    return (concept, dims_of(clean), measure, period), w


def _concept_of(name: str, tax: Taxonomy) -> tuple[str, dict] | None:
    key = label_key(name)
    for cand in (key, re.sub(r"(?:支出|费用)$", "", key) if key.endswith(("费支出", "经费支出", "费用")) else None):
        if not cand:
            continue
        t = tax.term(cand)
        if t is not None and t.concept and not t.measure and t.role == "":
            return t.concept, dict(t.dims)
        if t is not None and t.side_concepts:
            return None
    if key in _NAME_EXTRA:
        c, d = _NAME_EXTRA[key]
        return c, dict(d)
    for prefix, fund in tax.fund_words():
        if key.startswith(prefix) and len(key) > len(prefix):
            rest = _concept_of(key[len(prefix):], tax)
            if rest is not None and rest[0] in ("income", "expense", "grand_total_in", "grand_total_out",
                                                "carry_begin", "carry_end", "sangong"):
                if "fund" in rest[1] and rest[1]["fund"] != fund:
                    return None
                return rest[0], {**rest[1], "fund": fund}
            return None
    if "(款)" in name or "(项)" in name:
        return None      # 款 and 项 are read from their codes, in the tables
    # 教育支出(类)…, 一般公共服务(类)支出: the name with its (类) mark.
    fc = None
    for bare in (re.sub(r"\(类\).*$", "", key), key.replace("(类)", "")):
        fc = fc or tax.func_class(bare) or (tax.func_class(bare + "支出") if "(类)" in name and not bare.endswith("支出") else None)
    if fc:
        return "expense", {"func": fc}
    return None


_ITEM = re.compile(r"(?P<l>[^()、,.:。]+?)\(类\)(?:(?P<k>[^,。;]+?)\(款\))?(?:(?P<x>[^,。;]+?)\(项\))?")


def _func_item(sentence: str, sec: Section | None, reading: Reading, tax: Taxonomy) -> tuple | None:
    """The key of a 功能分类 item named 教育支出(类)普通教育(款)初中教育(项): the 类
    by its name, the 款 and 项 by the names the report's own tables print under it."""
    flat = re.sub(r"[\s“”\"]", "", sentence)
    m = _ITEM.search(flat)
    if m is None or sec is None or sec.concept != "expense":
        return None
    if ("(款)" in flat and not m.group("k")) or ("(项)" in flat and not m.group("x")):
        return None              # a level named but not read: not the 类 itself
    name = re.sub(r"^\d{1,2}[、.]", "", m.group("l"))
    code = tax.func_class(name) or tax.func_class(name + "支出")
    if code is None:
        return None
    names = _coded_names(reading)
    for part in (m.group("k"), m.group("x")):
        if not part:
            break
        under = [c for c, n in names.items() if n == label_key(part) and c.startswith(code) and len(c) == len(code) + 2]
        if len(under) != 1:
            return None          # not printed, or printed twice: not guessed
        code = under[0]
    dims = {**{k: v for k, v in sec.dims.items() if k in tax.concepts["expense"].dims}, "func": code}
    return ("expense", dims_of(dims), "final", "current")


def _coded_names(reading: Reading) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in reading.facts:
        if f.where == "table" and f.dim("func"):
            code, _, name = f.label.strip().partition(" ")
            if code == f.dim("func") and name:
                out.setdefault(code, label_key(name))
    return out


def _section_total(sec: Section, f: LFact) -> tuple | None:
    """The whole a share is of when the sentence names none: the section's total."""
    if not sec.concept and not sec.dims:
        return None
    concept = sec.concept or f.concept
    if concept != f.concept:
        return None
    return (concept, dims_of(dict(sec.dims)), f.measure, f.period)
