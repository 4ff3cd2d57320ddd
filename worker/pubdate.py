"""When a report was published: dates read from a page, with where each came from.

Pure functions (no I/O). A portal prints the date in several places: a meta tag
of the detail page, a labelled line under the title (发布时间:2022-04-15 14:54),
beside the link on its list page, in the feed entry, beside the attachment
link. Each is a `PubDate(at, source, quote)`; `choose` keeps the best one and
says why the others were refused or disagree.

A date is taken only where it is labelled as a publication date (a 发布/发文
/日期/时间 label, a meta tag), in the page's header area: a report's body is
full of dates (截至2024年12月31日, 年初预算, 文号) that are not its publication.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Where a date was read, best first. A meta tag is written by the publishing
# system itself when the page is released; the date printed on the page is the
# same record shown to readers; the list and feed dates are the portal's index
# (sometimes the date a column was rebuilt, or the feed's generation time); an
# attachment's date is the file's, which may predate the page; first_seen is
# only when audit-worker found it.
RANK = ("meta", "page", "list", "feed", "attachment", "first_seen")
DISAGREE_DAYS = 3

# Meta tags gov.cn-style portals (TRS, 拓尔思, 政府网站集约化 platforms) and
# general CMSs use for the publication date; names compared lower-cased.
META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "articlepublishtime", "article:published_time",
              "og:published_time", "og:release_date", "dc.date", "dc.date.issued", "dcterms.issued",
              "dcterms.created", "datepublished", "publication_date", "publish_date", "publishtime", "pubtime",
              "releasedate", "sentdate", "date")

_SEP = r"\s*[-/.年]\s*"
_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})" + _SEP + r"(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:(?:\s*|T|-)(?P<H>\d{1,2})[::](?P<M>\d{2})(?:[::](?P<S>\d{2}))?(?!\d))?")
# A publication label: 发布/发文/公开 + 日期/时间 (with or without a colon), or a
# bare 日期/时间 with a colon not preceded by another word (填报日期, 评价时间,
# 生成日期 and 成文日期 are not publication dates).
_LABEL = re.compile(
    r"(?:(?:发布|發佈|發布|发文|發文|公开|公開|上网|上網)\s*(?:日期|时间|時間|時间)\s*[::]?"
    r"|(?<![\u4e00-\u9fff])(?:日期|时间|時間)\s*[::])[\s|]*")
# Where a report's body begins: its first heading or the first paragraph.
_BODY = re.compile(r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.]|目\s*录|[((]一[))]|"
                   r"根据|按照|为了|为进一步)")
_HEADING = re.compile(r"决算|決算|绩效|績效|预算|預算|公开|公開|公示|报告|報告|说明|說明")
HEADER_AFTER = 800      # characters after the title still in the header area
HEADER_BEFORE = 600     # … and before it (an 信息公开 table above the title)
QUOTE_MAX = 200         # characters of a quote kept (a meta tag's content is not bounded)
BODY_LINE = 100         # a line this long is a paragraph: the body has begun


@dataclass
class PubDate:
    at: str         # 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM[:SS]' (local time as printed; a feed's may carry +00:00)
    source: str     # one of RANK
    quote: str      # the text it was read from, as printed

    def as_dict(self) -> dict:
        return {"at": self.at, "from": self.source, "quote": self.quote}

    @classmethod
    def from_dict(cls, d: dict) -> "PubDate":
        return cls(d["at"], d["from"], d.get("quote") or "")


def parse_date(s: str) -> str | None:
    """The first date in `s` as 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM[:SS]'; None when none is valid."""
    for m in _DATE.finditer(s or ""):
        at = _format(m)
        if at:
            return at
    return None


def _format(m: re.Match) -> str | None:
    try:
        day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    out = day.isoformat()
    if m["H"] is not None and int(m["H"]) < 24 and int(m["M"]) < 60:
        out += f"T{int(m['H']):02d}:{m['M']}" + (f":{m['S']}" if m["S"] else "")
    return out


def from_meta(tags) -> PubDate | None:
    """The publication date of a page's meta tags: `tags` are (name, content)
    pairs (name or property). The first known name, in META_NAMES order."""
    found: dict[str, tuple[str, str, str]] = {}
    for name, content in tags:
        key = (name or "").strip().lower()
        if key in META_NAMES and content and key not in found:
            at = parse_date(content)
            if at:
                found[key] = (at, name.strip(), content.strip())
    for key in META_NAMES:
        if key in found:
            at, name, content = found[key]
            return PubDate(at, "meta", f'<meta name="{_cut(name)}" content="{_cut(content)}">')
    return None


def _cut(s: str, n: int = QUOTE_MAX) -> str:
    """A quote kept short: a tag's content may be megabytes long."""
    s = re.sub(r"\s+", " ", s)
    return s if len(s) <= n else s[:n] + "…"


def labelled(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, str, str]]:
    """(offset, date, quote) of each labelled date in text[start:end]."""
    out = []
    for m in _LABEL.finditer(text, start, len(text) if end is None else end):
        d = _DATE.match(text, m.end())
        if d is None:
            continue
        at = _format(d)
        if at:
            out.append((m.start(), at, re.sub(r"\s+", " ", text[m.start():d.end()]).strip()))
    return out


def header_span(text: str, title: str = "") -> tuple[int, int]:
    """Where the header area of a page's text lies: around its title line (the
    given title, else the first short line naming a report), up to where the
    body begins."""
    limit = min(len(text), 20000)
    anchor = -1
    if title:
        anchor = text.find(title.strip()[:30], 0, limit)
    if anchor < 0:
        pos = 0
        for line in text[:limit].split("\n"):
            s = line.strip()
            if 4 <= len(s) <= 80 and _HEADING.search(s):
                anchor = pos
                break
            pos += len(line) + 1
    if anchor < 0:
        anchor = 0
    start = max(0, anchor - HEADER_BEFORE)
    end = min(len(text), anchor + HEADER_AFTER)
    # The body begins at its first heading or paragraph after the title line.
    line_end = text.find("\n", anchor)
    pos = len(text) if line_end < 0 else line_end + 1
    while pos < end:
        nl = text.find("\n", pos)
        line = text[pos:len(text) if nl < 0 else nl]
        if len(line.strip()) >= BODY_LINE or _BODY.match(line):
            end = pos
            break
        if nl < 0:
            break
        pos = nl + 1
    return start, end


def from_text(text: str, title: str = "") -> PubDate | None:
    """The publication date printed in the header area of a page's text (a
    backfilled page keeps it in its text): the first labelled date there."""
    start, end = header_span(text, title)
    found = labelled(text, start, end)
    if not found:
        return None
    _, at, quote = found[0]
    return PubDate(at, "page", quote)


def from_line(line: str, source: str, quote: str = "") -> PubDate | None:
    """A date printed beside a link (a list page's line, an attachment's line):
    any date in `line`; `quote`: the whole line as printed (default: `line`)."""
    at = parse_date(line)
    return PubDate(at, source, re.sub(r"\s+", " ", quote or line).strip()[:200]) if at else None


def refusal(p: PubDate, year: int | None, now: dt.datetime) -> str | None:
    """Why a date cannot be the report's publication (None: it can): before
    its fiscal year ended, or after it was fetched (a day's grace for time zones)."""
    day = p.at[:10]
    if year and day <= f"{year}-12-31":
        return f"发布日期 {p.at}({p.source}:{p.quote[:60]})早于 {year} 财政年度结束,不予采用"
    if day > (now.date() + dt.timedelta(days=1)).isoformat():
        return f"发布日期 {p.at}({p.source}:{p.quote[:60]})晚于抓取时间,不予采用"
    return None


def _day(p: PubDate) -> dt.date:
    return dt.date.fromisoformat(p.at[:10])


def choose(candidates: list[PubDate], year: int | None, now: dt.datetime) -> tuple[PubDate | None, list[str]]:
    """The best date by RANK (earlier candidates win a tie) and warnings: each
    date refused, and every candidate when they disagree by more than
    DISAGREE_DAYS days (so the disagreement is visible)."""
    warnings: list[str] = []
    ok: list[PubDate] = []
    for p in candidates:
        why = refusal(p, year, now) if p.source != "first_seen" else None
        if why:
            warnings.append(why)
        else:
            ok.append(p)
    if not ok:
        return None, warnings
    best = min(ok, key=lambda p: RANK.index(p.source))
    dated = [p for p in ok if p.source != "first_seen"]
    if any(abs((_day(p) - _day(best)).days) > DISAGREE_DAYS for p in dated):
        warnings.append("发布日期来源不一致,采用 " + best.source + ":" + ";".join(
            f"{p.source} {p.at}({p.quote[:60]})" for p in dated))
    return best, warnings


def merged(*groups: list[dict]) -> list[dict]:
    """Candidate dicts of several readings of one page, each (source, date) once, in order."""
    seen, out = set(), []
    for group in groups:
        for d in group or ():
            if (d["from"], d["at"]) not in seen:
                seen.add((d["from"], d["at"]))
                out.append(d)
    return out


def report_dates(existing, key: str, meta, published: PubDate | None, now: str) -> tuple[dict, list[str]]:
    """The reports columns of a report's publication and 批复 dates, and warnings
    (dates refused, sources that disagree). Candidates: the document's own (meta
    tag, page, attachment), the index's (list, feed), the one stored before (a
    re-parse keeps a better date: a fresh reading wins only at equal or better
    rank), and first_seen for a fetched page (a file on disk was not seen being
    published)."""
    cands = [PubDate.from_dict(d) for d in meta.published]
    if published is not None:
        cands.append(published)
    if existing is not None and existing["published_at"] and existing["published_from"] != "first_seen":
        # Stored before sources were recorded: only a feed's date was.
        cands.append(PubDate(existing["published_at"], existing["published_from"] or "feed",
                                     existing["published_quote"] or existing["published_at"]))
    if key.startswith(("http://", "https://")):
        seen = (existing["first_seen"] if existing is not None else None) or now
        cands.append(PubDate(seen, "first_seen", seen))
    best, notes = choose(cands, meta.year, dt.datetime.fromisoformat(now))
    out: dict = {}
    if best is not None:
        out = {"published_at": best.at, "published_from": best.source, "published_quote": best.quote}
    q = meta.approved_quote
    out.update(approved_at=meta.approved_at or None, approved_quote=q.text if q else None,
               approved_start=q.start if q else None, approved_end=q.end if q else None)
    return out, notes
