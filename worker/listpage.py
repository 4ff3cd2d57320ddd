"""Telling a page of links (a portal's list or column page) from a report.

A portal's list page (`index.html` of a 财政预决算 column) names reports in
its links, so it reads like one: it holds 决算 and 万元 and passes the
report test, and was stored under the title of the first report it links to.
What gives it away is its shape, not any site's wording: once navigation,
headers and footers are dropped (as the extractor drops them), most of its
text is the text of its links, it has no data table, and outside its links
there is no report body: no amounts (万元, %), no sentences, only dates and
page numbers. A report in HTML is the opposite: paragraphs and tables of
figures, with at most a few links (attachments, related items) — even a
short report under a long unmarked menu has its figures and sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MIN_LINKS = 5              # fewer links is a detail page with attachments, not a list
LINK_SHARE = 0.5           # link text at least half of all text: the links are the page
MAX_OTHER_CHARS = 2000     # more text than this outside links is a body worth reading
MIN_NUMBER_CELLS = 3       # a table with this many figures (not dates) is a data table
BODY_AMOUNTS = 3           # this many amounts (万元, 元, %) outside links are a report body
BODY_SENTENCES = 3         # so are this many sentences (。) outside links

_AMOUNT = re.compile(r"[-+−]?\d[\d,,]*(?:\.\d+)?\s*(?:%|万元|亿元|元)?")
# An amount: a figure with a unit (simplified or traditional) or with decimals.
_UNIT_AMOUNT = re.compile(r"\d[\d,,]*(?:\.\d+)?\s*(?:万元|萬元|亿元|億元|千元|元|%|%|个百分点|個百分點)"
                          r"|\d+\.\d+")
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2}日?)?")


@dataclass
class LinkStats:
    links: int              # links with text
    link_chars: int         # characters (no spaces) of the links' text
    text_chars: int         # characters (no spaces) of all the text
    data_tables: int        # tables holding figures
    amounts: int = 0        # amounts with a unit in the text outside links
    sentences: int = 0      # full stops in the text outside links

    @property
    def other_chars(self) -> int:
        return self.text_chars - self.link_chars


def measure(block) -> LinkStats:
    """Links, their text and the page's text, in the content block the
    extractor reads (navigation and footers already dropped): measured while
    the page is extracted, so it is parsed once."""
    links = link_chars = 0
    for a in block.iter("a"):
        n = _chars(a.text_content())
        if n and a.get("href"):
            links += 1
            link_chars += n
    if links < MIN_LINKS:
        # Too few links to be a list page (list_page_reason stops here): the
        # rest, the costly part, is not measured.
        return LinkStats(links=links, link_chars=link_chars, text_chars=0, data_tables=0)
    tables = 0
    for t in block.iter("table"):
        if t.find(".//table") is None and _figures(t) >= MIN_NUMBER_CELLS:
            tables += 1
    other = _text_outside_links(block)
    return LinkStats(links=links, link_chars=link_chars, text_chars=_chars(block.text_content()),
                     data_tables=tables, amounts=len(_UNIT_AMOUNT.findall(_DATE.sub(" ", other))),
                     sentences=other.count("。"))


def list_page_reason(stats: LinkStats | None) -> str | None:
    """Why a page is a list of links and not a report (stored as the reason
    it was skipped), or None when it may be a report."""
    if stats is None or stats.links < MIN_LINKS or stats.data_tables:
        return None
    if stats.link_chars < LINK_SHARE * stats.text_chars or stats.other_chars > MAX_OTHER_CHARS:
        return None
    if stats.amounts >= BODY_AMOUNTS or stats.sentences >= BODY_SENTENCES:
        return None
    return (f"链接列表页,不是报告:{stats.links} 个链接,链接以外的文字 {stats.other_chars} 字,"
            f"没有数据表格(a list of links, not a report)")


def _chars(text: str) -> int:
    return len("".join((text or "").split()))


def _text_outside_links(block) -> str:
    """The block's text without the text of its links (their tails kept)."""
    parts: list[str] = []
    for el in block.iter():
        if not isinstance(el.tag, str):
            continue
        in_link = any(a.tag == "a" for a in el.iterancestors())
        if el.text and not (in_link or el.tag == "a"):
            parts.append(el.text)
        if el.tail and el is not block and not in_link:
            parts.append(el.tail)
    return " ".join(parts)


def _figures(table) -> int:
    """Cells of a table that are figures (amounts, percentages), not dates or links."""
    n = 0
    for cell in table.iter("td", "th"):
        if cell.find(".//a") is not None:
            continue
        t = "".join((cell.text_content() or "").split())
        if t and _AMOUNT.fullmatch(t) and not _DATE.fullmatch(t):
            n += 1
    return n
