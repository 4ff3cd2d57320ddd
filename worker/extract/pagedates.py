"""A detail page's publication dates, read from the whole page before its
navigation is dropped: the meta tags, the labelled date in the header area
(发布时间 … under the title, often outside the content block), and the date
printed beside an attachment link. See worker/pubdate.py."""
from __future__ import annotations

import re

from lxml import etree

from worker import pubdate

_TEXT = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
_ATTACHMENT = re.compile(r"\.(pdf|xlsx?|docx?|wps|et)(?:$|[?#])", re.I)


def page_dates(root) -> list[dict]:
    """Candidates (PubDate.as_dict()) found on the page: meta, page, attachment."""
    out: list[pubdate.PubDate] = []
    tags = [(el.get("name") or el.get("property") or el.get("itemprop") or "", el.get("content") or "")
            for el in root.iter("meta")]
    m = pubdate.from_meta(tags)
    if m:
        out.append(m)
    # Text nodes one a line: a date in its own cell or span stays next to its label.
    text = "\n".join(s for s in (str(t).strip() for t in _TEXT(root)) if s)
    p = pubdate.from_text(text, _title(root))
    if p:
        out.append(p)
    a = _attachment_date(root)
    if a:
        out.append(a)
    return [c.as_dict() for c in out]


def _title(root) -> str:
    h1 = root.find(".//h1")
    if h1 is not None and h1.text_content().strip():
        return re.sub(r"\s+", " ", h1.text_content()).strip()
    t = root.find(".//title")
    if t is not None and t.text:
        return re.split(r"\s*[_|]\s*|\s+-\s+", t.text.strip())[0]
    return ""


def _attachment_date(root) -> pubdate.PubDate | None:
    """The first date printed on an attachment's line: the link's text, its
    tail and the element right after it (附件:xxx.pdf (2024-09-10))."""
    for a in root.iter("a"):
        if not _ATTACHMENT.search(a.get("href") or ""):
            continue
        line = a.text_content() + (a.tail or "")
        nxt = a.getnext()
        if nxt is not None and isinstance(nxt.tag, str) and nxt.tag in ("span", "em", "i", "font", "small"):
            line += " " + nxt.text_content() + (nxt.tail or "")
        found = pubdate.from_line(line, "attachment")
        if found:
            return found
    return None
