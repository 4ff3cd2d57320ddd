"""Parse a report's text (and any extracted tables) into facts.

`parse_report` is a pure function: normalized text and grids in, facts out.
"""
from __future__ import annotations

import logging

from worker.facts import Claim, Indicator, ParsedReport, PartSet
from worker.parse.counts import read_counts
from worker.parse.meta import parse_meta, truncation_warnings
from worker.parse.narrative import Narrative
from worker.parse.tablefacts import cell_mentions, form_projects, read_tables
from worker.parse.tables import Table, flat_blocks, pipe_tables
from worker.parse.wholes import parallel_lists, rebuilt_shares
from worker.parse.yearrows import year_changes
from worker.spans import Spans

PARSER_VERSION = "2"
log = logging.getLogger("audit_worker.parse")


def find_tables(text: str, grids: list[Table] | None = None) -> list[Table]:
    """Grids given by the extractor, then tables found in the flattened text."""
    tables = list(grids or [])
    covered = Spans((t.start, t.end) for t in tables)
    for t in pipe_tables(text):
        if not covered.overlaps(t.start, t.end):
            tables.append(t)
    covered = [(t.start, t.end) for t in tables]
    tables += flat_blocks(text, covered)
    tables.sort(key=lambda t: t.start)
    return tables


def parse_report(text: str, grids: list[Table] | None = None, pages: list[int] | None = None,
                 taxonomy=None) -> ParsedReport:
    """`pages`: where each PDF page starts in `text`; `taxonomy`: the loaded
    taxonomy (the built-in one by default)."""
    from worker.read import read

    meta = parse_meta(text)
    meta.warnings = truncation_warnings(text)
    tables = find_tables(text, grids)
    try:
        reading = read(text, [t for t in tables if t.kind != "flat"], pages, taxonomy,
                       year=meta.year, issuer=meta.issuer)
    except MemoryError:
        raise       # over the document's memory limit: recorded as such, not hidden
    except Exception as e:  # a reader bug costs the ledger, not the report's other facts
        log.exception("table reading failed")
        meta.warnings.append(f"报表读取出错({type(e).__name__}),本报告未核对报表勾稽关系")
        reading = None
    # The standard tables are the ledger's; the older readers take the others
    # (self-evaluation forms, project tables) and the text around them.
    standard = {(t.start, t.end) for t in reading.tables if t.type} if reading else set()
    others = [t for t in tables if (t.start, t.end) not in standard]
    covered = [(t.start, t.end) for t in tables] + sorted(standard)
    from_tables = read_tables(text, others)
    forms = form_projects(text, covered)
    names = list(dict.fromkeys(from_tables.project_names + forms.project_names))
    cells = from_tables.text_cells + forms.text_cells
    ignore = from_tables.ignore + forms.ignore
    narrative = Narrative(text, exclude=covered + cells + ignore, project_names=names, cells=cells)
    report = ParsedReport(text=text, meta=meta, reading=reading)
    told = narrative.parse()
    drop, add = rebuilt_shares([f for f in told if isinstance(f, Claim)], taxonomy)
    dropped = {id(f) for f in drop}
    report.facts.extend([f for f in told if id(f) not in dropped] + add)
    parallel_lists([f for f in told if isinstance(f, PartSet)])
    report.facts.extend(narrative.project_money())
    report.facts.extend(from_tables.facts)
    report.facts.extend(forms.facts)
    report.facts.extend(year_changes(others))
    report.facts.extend(read_counts(text, covered))
    report.facts.extend(cell_mentions([f for f in from_tables.facts if isinstance(f, Indicator)]))
    for t in reading.tables if reading else ():
        meta.warnings += [f"{t.title or '表格'}: {n}" for n in t.notes if "无法" in n]
    if reading is not None and reading.year and reading.year != meta.year:
        # The year most of the report's titles and part headings name: a cover
        # left from last year's publication does not move the report.
        meta.warnings.append(f"标题年份不一:按正文各部分标题取 {reading.year} 年" +
                             (f"(封面/标题为 {meta.year} 年)" if meta.year else ""))
        meta.year = reading.year
    _dates(meta, text)
    return report


def _dates(meta, text: str) -> None:
    """The publication date printed in the text's header (a backfilled page keeps
    it in its text) and the 批复 date printed in the report."""
    from worker import pubdate
    from worker.parse.approval import find_approval

    p = pubdate.from_text(text)
    if p is not None:
        meta.published = [p.as_dict()]
    found = find_approval(text, meta.year)
    if found is not None:
        meta.approved_at, meta.approved_quote = found
