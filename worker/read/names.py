"""What a figure is named in the 情况说明: the words before it read with the
taxonomy's terms and the narrative's names (narrative.toml), qualified by fund
words, a year, a department's name before it and the part it stands in; a
功能分类 item named 教育支出(类)普通教育(款)初中教育(项) placed by the report's
own tables. A name that cannot be read is None, never a guess.
"""
from __future__ import annotations

import re

from rules.taxonomy import Taxonomy, label_key
from rules.taxonomy.model import Section
from worker.ledger import Reading, dims_of

MEASURE_WORDS = [
    ("budget_initial", re.compile(r"(?:年初预算数?|年初预算金额)(?:为|是|数为)?$")),
    ("budget_adjusted", re.compile(r"(?:调整后预算数?|全年预算数?|调整预算数?)(?:为|是)?$")),
    ("final", re.compile(r"(?:支出决算数?|决算数?|决算支出|实际支出)(?:为|是|数为)?$")),
    ("budget", re.compile(r"预算(?:数|金额|安排)?(?:为|是)?$")),
]
_TRIM = re.compile(r"^(?:其中|包括|主要是|主要为|分别为|分别是|主要用于|用于|以下方面|具体情况如下|合计|共计|总计为|和|及|与|是|为|"
                   r"\([一二三四五六七八九十\d]{1,3}\)|[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.](?!\d)|"
                   r"本部门|本单位|本局|本委|本办|本中心|我局|我单位|我部门|我委|我办|本级|全局|全年|本年度)+")
_DEPT_PREFIX = re.compile(r"^[\u4e00-\u9fff()]{2,30}?(?:局|委员会|委|办公室|办|中心|厅|院|馆|所|站|处|队|部|署|政府|办事处)"
                          r"(?:本级)?(?:20\d{2}年度?)?")
_TIME = re.compile(r"^(?:20\d{2}年(?:度)?|本年度?|当年|全年|截至20\d{2}年\d{1,2}月\d{1,2}日|年度)")
_WS = re.compile(r"\s+")
# 合计/总计 belong to names; 各 / 均 / 分别 before one figure (收、支总计均为X万元) say it is of both.
_TAIL_NOISE = re.compile(r"(?:为|是|达|共|约|共计|累计|的|各|(?<![平人])均|分别)+$")


def name_of(words: str, sec: Section | None, tax: Taxonomy, year: int | None, subject: tuple | None,
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
    hit = concept_of(w, tax)
    if hit is None:
        # 某某区某某局机关运行经费支出: a department's name before the figure's own name.
        m = _DEPT_PREFIX.match(w)
        if m and m.end() < len(w):
            w = w[m.end():]
            hit = concept_of(w, tax)
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


def concept_of(name: str, tax: Taxonomy) -> tuple[str, dict] | None:
    key = label_key(name)
    for cand in (key, re.sub(r"(?:支出|费用)$", "", key) if key.endswith(("费支出", "经费支出", "费用")) else None):
        if not cand:
            continue
        t = tax.term(cand)
        if t is not None and t.concept and not t.measure and t.role == "":
            return t.concept, dict(t.dims)
        if t is not None and t.side_concepts:
            return None
    nn = tax.narrative_names.get(key)
    if nn is not None:
        return nn.concept, dict(nn.dims)
    for t in _total_words(tax):
        if key.endswith(t) and len(key) > len(t):
            # 机关运行经费支出合计: the total of what it names, which is that figure.
            return concept_of(key[: -len(t)], tax)
    for prefix, fund in tax.fund_words():
        if key.startswith(prefix) and len(key) > len(prefix):
            rest = concept_of(key[len(prefix):], tax)
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


def _total_words(tax: Taxonomy) -> tuple[str, ...]:
    """The 合计 / 小计 / 共计 words (terms of role total), kept on the taxonomy."""
    got = getattr(tax, "_total_words", None)
    if got is None:
        got = tuple(n for t in tax.terms if t.role == "total" for n in t.names)
        tax._total_words = got
    return got


_ITEM = re.compile(r"(?P<l>[^()、,.:。]+?)\(类\)(?:(?P<k>[^,。;]+?)\(款\))?(?:(?P<x>[^,。;]+?)\(项\))?")


def func_item(sentence: str, sec: Section | None, reading: Reading, tax: Taxonomy) -> tuple | None:
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
