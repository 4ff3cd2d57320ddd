"""Finding report links: list pages, feeds, sitemaps; and a detail page's attachments."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree, html

from worker.pubdate import PubDate, from_line
from worker.urls import AllowList

ATTACHMENT = re.compile(r"\.(pdf|xlsx?|docx?|wps|et)(?:$|[?#])", re.I)


@dataclass
class Link:
    url: str
    text: str = ""
    published: str | None = None        # the date the index gives (worker/pubdate.py format)
    published_from: str = ""             # `list` (beside the link on a list page) or `feed`
    published_quote: str = ""            # … as printed

    def dated(self) -> PubDate | None:
        if not self.published:
            return None
        return PubDate(self.published, self.published_from or "feed", self.published_quote or self.published)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _decode(data: bytes, charset: str | None) -> str:
    from worker.extract.charset import DecodeError, decode

    try:
        return decode(data, charset)[0]
    except DecodeError:
        return data.decode("utf-8", "replace")


def page_links(data: bytes, base_url: str, charset: str | None, selector: str = "a",
               dated: bool = False) -> list[Link]:
    """Every link the selector picks on a page, absolute, fragment dropped;
    `dated`: with the date printed beside each (a list page's line)."""
    text = _decode(data, charset)
    if not text.strip():
        return []
    try:
        root = html.fromstring(text)
    except (etree.ParserError, ValueError):
        return []
    base = root.find(".//base")
    if base is not None and base.get("href"):
        base_url = urljoin(base_url, base.get("href"))
    out: list[Link] = []
    try:
        anchors = root.cssselect(selector or "a")
    except Exception:        # a bad selector: fall back to every link
        anchors = root.iter("a")
    for a in anchors:
        if a.tag != "a":
            a = a.find(".//a") if a.find(".//a") is not None else a
        href = a.get("href")
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href.strip()))[0]
        link = Link(url=url, text=re.sub(r"\s+", " ", a.text_content() or a.get("title") or "").strip())
        if dated:
            found = _beside(a)
            if found is not None:
                link.published, link.published_from, link.published_quote = found.at, "list", found.quote
        out.append(link)
    return out


_LINE = ("li", "tr", "dd", "dt", "p")
_SIBLINGS = 4          # elements after a bare link looked at for its date


def _other_link(line, href: str | None) -> bool:
    """The line holds a link to another address (stops at the first: a line of
    many links costs no more than one)."""
    return any(x.get("href") != href for x in line.iter("a"))


def _beside(a) -> PubDate | None:
    """The date printed on a link's line of a list page: in the list item or
    table row holding it (<li><a>…</a><span>2024-09-10</span>, a date in
    another cell), not in the link's own text; the line must hold this link only."""
    line, el = None, a.getparent()
    for _ in range(3):
        if el is None:
            break
        if el.tag in _LINE:
            line = el
            break
        el = el.getparent()
    if line is None:
        # Only what follows the link up to the next link (a page of 100,000 bare
        # links must not read every sibling for every link).
        parts = [a.tail or ""]
        for n, s in enumerate(a.itersiblings()):
            if n >= _SIBLINGS or s.tag == "a":
                break
            if isinstance(s.tag, str):
                parts.append(s.text_content() + (s.tail or ""))
        rest = " ".join(parts)
        whole = a.text_content() + " " + rest
    else:
        if _other_link(line, a.get("href")):
            return None
        whole = line.text_content()
        rest = whole.replace(a.text_content(), " ", 1)
    return from_line(rest, "list", whole)


def filter_links(links: list[Link], pattern: str, allowed: AllowList) -> list[Link]:
    """Links to configured origins (by the same normalization as the fetch)
    whose text or URL matches the pattern, first occurrence kept."""
    rx = re.compile(pattern) if pattern else None
    seen, out = set(), []
    for link in links:
        if link.url in seen or not allowed.permits(link.url):
            continue
        if rx and not (rx.search(link.text) or rx.search(link.url)):
            continue
        seen.add(link.url)
        out.append(link)
    return out


def next_page(data: bytes, base_url: str, charset: str | None, selector: str) -> str | None:
    if not selector:
        return None
    links = page_links(data, base_url, charset, selector)
    return links[0].url if links else None


def attachments(data: bytes, base_url: str, charset: str | None, allowed: AllowList) -> list[Link]:
    """Attachment links (pdf, xls, xlsx, doc, docx) of a detail page."""
    out = []
    for link in page_links(data, base_url, charset, "a"):
        if ATTACHMENT.search(urlsplit(link.url).path + ("?" + urlsplit(link.url).query if urlsplit(link.url).query else "")) \
                and allowed.permits(link.url):
            if all(link.url != o.url for o in out):
                out.append(link)
    return out


def feed_links(data: bytes) -> list[Link]:
    import feedparser

    parsed = feedparser.parse(data)
    out = []
    for e in parsed.entries:
        url = e.get("link")
        if not url:
            continue
        published = None
        if e.get("published_parsed"):
            import time

            published = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", e.published_parsed)
        out.append(Link(url=url, text=e.get("title", ""), published=published, published_from="feed",
                        published_quote=(e.get("published") or "")[:200]))
    return out


def sitemap_links(data: bytes) -> tuple[list[Link], list[str]]:
    """(page links, nested sitemap URLs) of a sitemap or sitemap index."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                              huge_tree=False))
    except etree.XMLSyntaxError:
        return [], []
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    pages = [Link(url=(loc.text or "").strip()) for loc in root.findall(".//s:url/s:loc", ns)]
    nested = [(loc.text or "").strip() for loc in root.findall(".//s:sitemap/s:loc", ns)]
    if not pages and not nested:      # sitemaps without the namespace
        pages = [Link(url=(loc.text or "").strip()) for loc in root.iter("loc") if loc.getparent().tag == "url"]
        nested = [(loc.text or "").strip() for loc in root.iter("loc") if loc.getparent().tag == "sitemap"]
    return pages, nested


def is_attachment(url: str) -> bool:
    p = urlsplit(url)
    return bool(ATTACHMENT.search(p.path))
