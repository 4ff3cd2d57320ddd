"""Reading a report: its tables and its narrative into one ledger (pure).

`read(text, tables, pages)` takes the normalized text and the tables found
in it (grids from the extractor, `cell |` tables), finds the standard tables
by their titles (including tables flattened into text, read region by
region), maps each to the taxonomy, tags the 情况说明's figures into the same
ledger, and returns a `Reading`. Nothing here raises on odd input: what cannot
be read is listed as unmapped, with a note for people.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from rules.taxonomy import Taxonomy, default, label_key
from worker.ledger import Reading, ReadTable
from worker.parse.tables import Cell, Table
from worker.read import locate, narrative, sections
from worker.read.recognize import recognize
from worker.spans import Spans

_PART = re.compile(r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\))")


def read(text: str, tables: list[Table] | None = None, pages: list[int] | None = None,
         tax: Taxonomy | None = None, year: int | None = None, issuer: str = "") -> Reading:
    """The report's ledger; `year` and `issuer` are what the title says, if known."""
    tax = tax or default()
    reading = Reading(pages=list(pages or []))
    tables = sorted(tables or [], key=lambda t: t.start)
    spans = [(t.start, t.end) for t in tables]
    used_titles: set[int] = set()
    found: list[tuple[Table, str, object, int]] = []     # (table, title, tdef, title start)
    prev_end = 0
    for t in tables:
        title = locate.title_above(text, t.start, prev_end, tax)
        cap_title = None
        if title is None and t.caption:
            for line in t.caption.splitlines():
                tdef = tax.table_for_title(line.strip())
                if tdef is not None:
                    cap_title = (line.strip(), tdef)
        if title is None and cap_title is None:
            t, cap_title = _title_in_first_row(t, tax)
        if title is not None:
            used_titles.add(title.start)
            found.append((t, title.text, title.tdef, title.start))
        elif cap_title is not None:
            found.append((t, cap_title[0], cap_title[1], -1))
        else:
            found.append((t, "", None, -1))
        if not t.unit:
            t.unit = locate.unit_near(text, max(prev_end, (title.end if title else t.start) - 200), t.start) \
                or locate.unit_near(t.caption, 0, len(t.caption))
        prev_end = t.end
    titles = locate.title_lines(text, tax)
    toc = locate.toc_entries(text, [tl for tl in titles if tl.start not in used_titles], spans)
    toc_starts = {tl.start for tl in toc}
    found += _flattened(text, titles, spans, used_titles | toc_starts, tax)
    found.sort(key=lambda x: x[0].start)
    starts = [x[0].start for x in found] + [len(text)]
    for i, (t, title, tdef, tstart) in enumerate(found):
        rt, facts = recognize(t, tdef, tax, len(reading.tables), title)
        if tdef is None:
            form = _form_title(text, t, tax)
            if form:
                rt.title, rt.status = form, "form"     # read by the self-evaluation form reader
        if tstart >= 0:
            rt.title_start, rt.title_end = tstart, tstart + len(title)
        rt.empty_note, rt.empty_note_start = locate.empty_note(text, t.end, _next_stop(text, t.end, starts[i + 1]))
        if rt.page is None and reading.pages:
            rt.page = reading.page_at(t.start)
            rt.page_end = reading.page_at(t.end)
        reading.tables.append(rt)
        reading.facts.extend(facts)
    covered = [(x[0].start, x[0].end) for x in found]
    reading.toc = [(tl.tdef.id, tl.text, tl.start, tl.end) for tl in toc]
    spans = sorted(set(covered) | {(t.start, t.end) for t in tables})
    fr = sections.frame(text, tax, spans, year, issuer)
    reading.year, reading.issuer = fr.year, fr.issuer
    reading.headings = fr.headings
    reading.placeholders = fr.placeholders
    for h in reading.headings:
        h.page = reading.page_at(h.start)
    narrative.tag(text, reading, fr, spans, tax)
    # A template not yet filled in: standard tables without figures and no figure in the text.
    reading.blank_form = not any(t.has_figures for t in reading.tables if t.type) and \
        not any(f.where == "text" and f.num.value for f in reading.facts)
    return reading


def _form_title(text: str, t: Table, tax: Taxonomy) -> str:
    """The self-evaluation form (项目支出绩效自评表 …) a table is, by the lines above it or its first row."""
    above = text[max(0, t.start - 160): t.start].splitlines()[-3:]
    first = " ".join(c.text for c in t.rows[0]) if t.rows else ""
    for line in above + [first, t.caption]:
        key = label_key(line)
        if key and any(ft in key for ft in tax.forms.titles):
            return line.strip()[:60]
    return ""


def _next_stop(text: str, start: int, limit: int) -> int:
    """Where the text under a table ends: the next table, or the next part heading."""
    stop = min(limit, start + 600)
    for s, e in locate.lines(text, start, stop):
        line = text[s:e]
        if s > start and _PART.match(line) and not locate.EMPTY_NOTE_RE.search(line):
            return s
    return stop


def _title_in_first_row(t: Table, tax: Taxonomy):
    """A sheet whose first rows are the title (one merged cell) and the unit."""
    if not t.rows:
        return t, None
    first = [c for c in t.rows[0] if c.text.strip()]
    if len(first) != 1:
        return t, None
    tdef = tax.table_for_title(first[0].text.strip())
    if tdef is None:
        return t, None
    rows = t.rows[1:]
    unit = t.unit
    while rows:
        texts = [c.text.strip() for c in rows[0] if c.text.strip()]
        if len(texts) == 1 and locate.UNIT_RE.search(texts[0]):
            unit = unit or locate.unit_near(texts[0], 0, len(texts[0]))
            rows = rows[1:]
            continue
        if texts and all(locate.UNIT_RE.search(x) or re.search(r"编制单位|年度|\d{4}年", x) for x in texts):
            unit = unit or next((locate.unit_near(x, 0, len(x)) for x in texts if locate.UNIT_RE.search(x)), "")
            rows = rows[1:]
            continue
        break
    shift = len(t.rows) - len(rows)
    for row in rows:
        for c in row:
            if c.span_from is not None:
                c.span_from = (c.span_from[0] - shift, c.span_from[1]) if c.span_from[0] >= shift else None
    nt = Table(rows=rows, start=t.start, end=t.end, kind=t.kind, caption=t.caption, unit=unit, aligned=t.aligned,
               page=t.page, page_end=t.page_end, header_rows=None if t.header_rows is None else max(0, t.header_rows - shift),
               notes=t.notes)
    return nt, (first[0].text.strip(), tdef)


def _flattened(text: str, titles: list, spans: list[tuple[int, int]], used: set[int], tax: Taxonomy) -> list:
    """Standard tables flattened into the text: the region after a title line,
    up to the next title, table or part heading, read by the flat reader."""
    from worker.parse.flatread import read_region

    out = []
    bounds = sorted([s for s, _ in spans] + [tl.start for tl in titles] + [len(text)])
    inside = Spans(spans)
    for tl in titles:
        if tl.start in used or inside.contains(tl.start):
            continue
        k = bisect_right(bounds, tl.end)
        end = bounds[k] if k < len(bounds) else len(text)
        end = _region_end(text, tl.end, end)
        body = text[tl.end:end]
        if not re.search(r"\d", body) and not re.search(r"项目|科目|决算数|合计", body):
            continue
        try:
            t = read_region(text, tl.end, end)
        except MemoryError:
            raise   # the document's memory limit, reported as such
        except Exception:  # a reader bug must not lose the report
            t = None
        if t is None or not t.rows:
            continue
        if not t.unit:
            t.unit = locate.unit_near(text, tl.end, min(end, tl.end + 80))
        out.append((t, tl.text, tl.tdef, tl.start))
    return out


def _region_end(text: str, start: int, limit: int) -> int:
    """A flattened table ends at a part heading or a paragraph of prose."""
    for s, e in locate.lines(text, start, limit):
        line = text[s:e].strip()
        if s > start and (re.match(r"^第[一二三四五六七八九十]+部分", line) or
                              (len(line) > 80 and "。" in line and not re.search(r"\d+\.\d{2}\s+\d", line))):
            return s
    return limit


__all__ = ["read", "Reading", "ReadTable", "Cell"]
