"""Counts of things stated in the text, and what they are made of.

Two relations the grammar of these reports makes explicit:

* a count of units followed by the list naming them: 直属事业单位10个,即A、B、…
  (或 分别为/包括/为/:, or a numbered list 1.A;2.B). The list is read as the
  enumeration of the count only when it follows the count at once, every item
  is a name of the same class (…中心, …局, …所, …科), and nothing marks it as
  partial (等, 主要, 其中, 如, 部分);
* a total count and its addends in one sentence: 项目共15个,年初批复8个项目,
  年中增加8个项目 — the year-start count and the counts added during the year,
  in the same unit, with no count removed (减少/取消/撤销) in the sentence.

Both are read from prose only (table regions are skipped).
"""
from __future__ import annotations

import re

from worker.facts import CountList, CountSum, Fact, Quote
from worker.numbers import Num, cn_integer
from worker.parse.identities import grand_totals
from worker.spans import Spans

_CJK = r"[\u4e00-\u9fff]"
# Organisational nouns: what a count of units counts and what its list names.
_ORG = (r"(?:单位|机构|部门|科室|股室|处室|中心|分局|大队|中队|支队|委员会|学校|医院|"
        r"站|所|院|局|科|室|股|队|馆|校|处|办)")
_ITEM_END = re.compile(_ORG[:-1] + r"|本级|机关)$")
_N = r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})"
_MW = r"(?P<mw>个|家|所)"
# noun + N个: 直属事业单位10个 / 的单位有3个;  下设N个 + noun: 下设5个科室
_COUNT_A = re.compile(rf"(?P<noun>{_CJK}{{0,10}}?{_ORG})(?:共有|共计|共|有|计)?{_N}{_MW}(?!{_CJK})")
_COUNT_B = re.compile(rf"(?:下设|设有|内设|下辖|共有|共设)(?:内设|直属|下属)?{_N}{_MW}(?P<noun>{_CJK}{{0,8}}?{_ORG})")
_INTRO = re.compile(r"\s*[,:]?\s*(?:即|分别是|分别为|分别有|包括|为|是)\s*:?\s*|\s*:\s*")
_PARTIAL = re.compile(r"等|主要|其中|部分|之一|例如|比如|如下|含|包含|以下|…|\.\.\.")
_ENUM = re.compile(r"\(\d{1,2}\)|(?<![\d.])\d{1,2}[.、](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮]")
_AND = re.compile(r"和|及|以及|与")
_CLAUSE_END = re.compile(r"[,;。\n]")
# What both count patterns need, {_N}{_MW}: most sentences lack it and skip them.
_COUNT_CUE = re.compile(r"[\d一二两三四五六七八九十][个家所]")


def read_counts(text: str, covered: list[tuple[int, int]]) -> list[Fact]:
    """Count lists, count sums and stated grand totals of the report's prose."""
    skip = Spans(covered)
    out: list[Fact] = []
    for s, e in sentences(text):
        if skip.overlaps(s, e) or text.find("|", s, e) >= 0:
            continue
        out += _count_lists(text, s, e)
        out += _count_sums(text, s, e)
        out += grand_totals(text, s, e)
    return out


def sentences(text: str):
    """Spans of sentences: up to 。!? or the end of a line."""
    start = 0
    for m in re.finditer(r"[。!?\n]", text):
        if m.end() - start > 1:
            yield start, m.end()
        start = m.end()
    if len(text) - start > 1:
        yield start, len(text)


def _int(s: str) -> int | None:
    return int(s) if s.isdigit() else cn_integer(s)


def count_num(m: re.Match, unit: str) -> Num | None:
    v = _int(m.group("n"))
    if v is None:
        return None
    return Num(value=float(v), unit=unit, kind="count", precision=0,
               raw=m.group("n") + unit, start=m.start("n"), end=m.end("mw"))


# -- a count and its list -------------------------------------------------------

def _count_lists(text: str, s: int, e: int) -> list[Fact]:
    out = []
    if not _COUNT_CUE.search(text, s, e):
        return out
    for rx in (_COUNT_A, _COUNT_B):
        for m in rx.finditer(text, s, e):
            # 等16个股室: the count closes a list given before it, maybe in part.
            if "等" in text[max(s, m.start() - 2):m.start("n")]:
                continue
            intro = _INTRO.match(text, m.end(), e)
            if not intro:
                continue
            items, end = _list_items(text, intro.end(), e)
            if items is None or len(items) < 2:
                continue
            n = count_num(m, m.group("mw"))
            if n is None:
                continue
            noun = re.split(r"的|,", m.group("noun"))[-1]
            out.append(CountList(name=noun, count=n, items=items,
                                 quote=Quote(text[m.start():end], m.start(), end)))
    return out


def _list_items(text: str, start: int, stop: int) -> tuple[list[str] | None, int]:
    """The names a list gives, or None when it is not plainly a full list of names."""
    if _ENUM.match(text, start):
        return _enumerated(text, start, stop)
    m = _CLAUSE_END.search(text, start, stop)
    end = m.start() if m else stop
    body = text[start:end].strip()
    if _PARTIAL.search(body) or re.search(r"\d", body):
        return None, end
    # A list cut by a comma may go on: the clause after it must not be a name too.
    if m and m.group() == ",":
        nxt = _CLAUSE_END.search(text, m.end(), stop)
        after = text[m.end():nxt.start() if nxt else stop].strip()
        if _ITEM_END.search(after) or _PARTIAL.search(after[:4]):
            return None, end
    items = []
    for piece in body.split("、"):
        items += _split_and(piece.strip())
    if not items or not all(_name_like(x) for x in items):
        return None, end
    return items, end


def _split_and(piece: str) -> list[str]:
    """A和B is two names only when both halves are names (人力资源和社会保障局 is one)."""
    for m in _AND.finditer(piece):
        left, right = piece[:m.start()], piece[m.end():]
        if _name_like(left) and _name_like(right):
            return [left] + _split_and(right)
    return [piece]


def _name_like(x: str) -> bool:
    return 2 <= len(x) <= 30 and bool(re.fullmatch(rf"(?:{_CJK}|[()])+", x)) and bool(_ITEM_END.search(x))


def _enumerated(text: str, start: int, stop: int) -> tuple[list[str] | None, int]:
    """1.A;2.B;3.C。 — numbered items, numbered 1, 2, 3 … in order."""
    m = re.compile(r"[。\n]").search(text, start, stop)
    end = m.start() if m else stop
    body = text[start:end]
    marks = list(_ENUM.finditer(body))
    if _PARTIAL.search(body):
        return None, end
    items = []
    for i, mk in enumerate(marks):
        digits = re.sub(r"\D", "", mk.group())
        if digits and int(digits) != i + 1:
            return None, end
        nxt = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        items.append(body[mk.end():nxt].strip(" ;,、。"))
    if not all(_name_like(x) for x in items):
        return None, end
    return items, end


# -- a total count and its addends ------------------------------------------------

_TOTAL_WORD = r"(?:共计|共有|合计|总计|共)(?:实施|安排|开展|设立|有|完成)?"
_TOTAL = re.compile(rf"{_TOTAL_WORD}{_CJK}{{0,4}}?(?P<n>\d{{1,4}}){_MW[:-1]}|项)")
_PART = re.compile(rf"(?P<n>\d{{1,4}})(?P<mw>个|项)(?P<noun>{_CJK}{{2}})")
_INITIAL = re.compile(r"年初")
_ADDED = re.compile(r"年中增加|增加|新增|追加|调增|增补")
_REMOVED = re.compile(r"减少|取消|撤销|调减|终止|删除|核减|压减|合并|调出|收回")


def _masked(text: str, s: int, e: int) -> str:
    """The sentence with parenthesised asides blanked (含…: a part of a part)."""
    out = list(text[s:e])
    depth = 0
    for i, ch in enumerate(out):
        if ch == "(":
            depth += 1
        if depth:
            out[i] = " "
        if ch == ")" and depth:
            depth -= 1
    return "".join(out)


def _count_sums(text: str, s: int, e: int) -> list[Fact]:
    if text.find("年初", s, e) < 0:
        return []       # _INITIAL cannot match (masking only blanks characters)
    sent = _masked(text, s, e)
    if _REMOVED.search(sent) or not _INITIAL.search(sent):
        return []
    totals = list(_TOTAL.finditer(sent))
    if len(totals) != 1:
        return []
    t = totals[0]
    noun_after = sent[t.end():t.end() + 2]
    # 项目共15个 / 共实施项目15个: the noun stands before the number, 共 words aside.
    before = re.sub(_TOTAL_WORD, "", sent[max(0, t.start() - 6):t.start("n")])
    parts, roles = [], []
    for m in _PART.finditer(sent):
        if m.start() <= t.end("mw") - 1 and m.end("mw") >= t.start("n"):
            continue        # the total itself (共15个项目)
        noun = m.group("noun")
        if m.group("mw") != t.group("mw") or not (noun == noun_after or before.endswith(noun)):
            continue
        clause = sent[max(sent.rfind(c, 0, m.start()) for c in ",;:") + 1:m.start()]
        init, added = bool(_INITIAL.search(clause)), bool(_ADDED.search(clause))
        if init == added:
            return []       # a count of the unit whose role the words do not say
        roles.append("initial" if init else "added")
        word = (_INITIAL if init else _ADDED).search(clause).group()
        n = Num(value=float(m.group("n")), unit=m.group("mw") + noun, kind="count", precision=0,
                raw=m.group("n") + m.group("mw") + noun, start=s + m.start(), end=s + m.end())
        parts.append([word, n])
    if roles.count("initial") != 1 or "added" not in roles:
        return []
    noun = noun_after if any(p[1].unit.endswith(noun_after) for p in parts) else parts[0][1].unit[1:]
    total = Num(value=float(t.group("n")), unit=t.group("mw"), kind="count", precision=0,
                raw=t.group("n") + t.group("mw"), start=s + t.start("n"), end=s + t.end("mw"))
    # Quoted from the clause of the total to the last part's count.
    qs = s + max(sent.rfind(c, 0, t.start()) for c in ",;:") + 1
    qe = max(total.end, max(p[1].end for p in parts))
    return [CountSum(name=noun, total=total, parts=parts, quote=Quote(text[qs:qe], qs, qe))]
