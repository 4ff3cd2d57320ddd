"""The frame of a report: its parts, headings, fiscal year and department.

Headings give the 情况说明's sentences their context (a figure under
“一般公共预算财政拨款基本支出决算情况说明” is of fund gpb, type basic), and the
years and department names that headings carry are checked against the report
(a 2023 heading in a 2024 report). Template placeholders (XX, XXX万元,
大于(小于)) left in are collected here too.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from rules.taxonomy import Taxonomy, label_key
from rules.taxonomy.model import Section
from worker.ledger import Heading
from worker.spans import Spans

HEADING_START = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}\s*[、.]|[((]\s*[一二三四五六七八九十]{1,3}\s*[))]|"
    r"\d{1,2}\s*[、.](?!\d)|[①-⑳])")
YEAR_TITLE = re.compile(r"(20\d{2})\s*年度?\s*(?:部门|单位)?(?:决算|预算)")
YEAR_ANY = re.compile(r"(?<!\d)(20\d{2})\s*年(?!\d)")
COMPARE = re.compile(r"比|与|较|相比|同比|上年|对比|以来|至今|截至|截止|—|-|~|至")
DATE_RE = re.compile(r"截[至止]\s*(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
PLACEHOLDER = re.compile(
    r"(?<![A-Za-z])(?:X{2,}|×{2,})(?![A-Za-z])|[((]\s*如持平作持平表述\s*[))]|[((]\s*不涉及的不列\s*[))]")
# What every PLACEHOLDER match contains: a text without any has none (the
# regex's look-behind makes a scan of a long text slow).
_PLACEHOLDER_WORDS = ("XX", "××", "如持平作持平表述", "不涉及的不列")
# Heading templates that carry the department's name.
DEPT_HEADINGS = (
    re.compile(r"^第[一二三四五六七八九十]+部分\s*(?P<name>\S{2,40}?)\s*(?:20\d{2}\s*年度?)?\s*(?:概况|部门决算表|部门决算情况说明|单位决算表|单位决算情况说明)\s*$"),
    re.compile(r"^(?P<name>\S{2,40}?)\s*20\d{2}\s*年度?\s*(?:部门|单位)决算(?:表|情况说明|公开)?\s*$"),
)
_DEPT_END = re.compile(r"(?:局|委员会|委|办公室|办|中心|所|站|处|队|馆|院|校|府|部|厅|署|团|社|会|公司|医院|学校|街道|镇|乡|政府|办事处)$")


@dataclass
class Frame:
    year: int | None
    issuer: str
    headings: list[Heading]
    placeholders: list[tuple[str, int, int]]
    sections: list[tuple[int, Section | None]]   # (start offset, section or None) in text order


_WORDS: dict[int, tuple[Taxonomy, list, list, list]] = {}


def _words(tax: Taxonomy) -> tuple[list[tuple[str, Section]], list[tuple[str, str]]]:
    """The taxonomy's section headings, longest first (a stable sort keeps the
    taxonomy's order among equals), and its fund words: computed once per taxonomy."""
    hit = _WORDS.get(id(tax))
    if hit is None or hit[0] is not tax or hit[3] is not tax.sections:   # held: its id is not reused
        if len(_WORDS) > 16:
            _WORDS.clear()
        heads = sorted(((h, s) for s in tax.sections for h in s.headings), key=lambda x: -len(x[0]))
        hit = _WORDS[id(tax)] = (tax, heads, tax.fund_words(), tax.sections)
    return hit[1], hit[2]


def section_of(line: str, tax: Taxonomy) -> Section | None:
    """The part a heading opens; a fund named before the matched words
    (四、政府性基金支出决算情况) qualifies it."""
    key = label_key(line)
    headings, fund_words = _words(tax)
    # the longest heading the line holds (the first of equals, in taxonomy order)
    best = next(((s, at) for h, s in headings if (at := key.find(h)) >= 0), None)
    if best is None:
        return None
    sec, at = best
    if "fund" not in sec.dims:
        before = key[:at]
        for word, fund in fund_words:
            if before.endswith(word):
                return Section(id=sec.id, name=sec.name, headings=sec.headings, concept=sec.concept,
                               dims={**sec.dims, "fund": fund}, table="")
    return sec


_FIGURE = re.compile(r"\d(?:万元|元|%)|\d+\.\d+")
_TOP = re.compile(r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}\s*[、.])")


def is_heading(line: str) -> bool:
    t = line.strip()
    return bool(t) and len(t) <= 60 and not _FIGURE.search(t) and "。" not in t[:-1] and \
        (HEADING_START.match(t) is not None or len(t) <= 40)


def frame(text: str, tax: Taxonomy, spans: list[tuple[int, int]], meta_year: int | None = None,
          meta_issuer: str = "") -> Frame:
    """Parts, headings, year, department and placeholders of the text outside `spans` (tables)."""
    inside = Spans(spans)
    headings: list[Heading] = []
    sections: list[tuple[int, Section]] = []
    years: Counter = Counter()
    pos = 0
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        pos = e + 1
        if inside.contains(s):
            continue
        t = line.strip()
        if not t:
            continue
        if is_heading(t):
            sec = section_of(t, tax)
            if sec is not None and (HEADING_START.match(t) or len(label_key(t)) <= len(max(sec.headings, key=len)) + 24):
                sections.append((s, sec))
            elif _TOP.match(t):
                sections.append((s, None))      # a part of its own: what follows is not the last section's
            lead = len(line) - len(line.lstrip())
            if YEAR_ANY.search(t) or any(rx.match(t) for rx in DEPT_HEADINGS):
                kind = "cover" if s < 400 and not HEADING_START.match(t) else "heading"
                headings.append(Heading(t, s + lead, s + lead + len(t), kind=kind))
            m = YEAR_TITLE.search(t)
            if m and not COMPARE.search(t[: m.start()]):
                years[int(m.group(1))] += 3 if s < 400 else 1
    year = years.most_common(1)[0][0] if years else meta_year
    if meta_year and years and years[meta_year] == years.most_common(1)[0][1]:
        year = meta_year
    issuer = _issuer(text, meta_issuer)
    for m in DATE_RE.finditer(text):
        if not inside.contains(m.start()):
            headings.append(Heading(m.group(0), m.start(), m.end(), kind="date"))
    placeholders = [(m.group(0), m.start(), m.end()) for m in PLACEHOLDER.finditer(text)] \
        if any(w in text for w in _PLACEHOLDER_WORDS) else []
    return Frame(year, issuer, headings, placeholders, sections)


def _issuer(text: str, meta_issuer: str) -> str:
    """The department named on the cover: the line before 'YYYY年度部门决算'."""
    head = text[:600]
    m = re.search(r"^\s*(?P<name>[^\n\d]{2,40}?)\s*\n?\s*20\d{2}\s*年度?\s*(?:部门|单位)决算", head, re.M)
    if m:
        name = re.sub(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)[::]?\s*", "", m.group("name").strip())
        if _DEPT_END.search(name):
            return name
    return meta_issuer


def heading_department(h: Heading) -> str:
    for rx in DEPT_HEADINGS:
        m = rx.match(h.text)
        if m:
            name = m.group("name").strip()
            if _DEPT_END.search(name):
                return name
    return ""


def section_at(sections: list[tuple[int, Section]], pos: int) -> Section | None:
    """The section a position falls in (`sections` sorted by start)."""
    i = bisect_right(sections, pos, key=lambda x: x[0])
    return sections[i - 1][1] if i else None
