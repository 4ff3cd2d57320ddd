"""The ledger: every figure of a report tagged with a concept and a context.

A `LFact` is one printed figure (a table cell or a figure in a sentence) with
what it is (concept, dims, measure, period) and where it stands (table, row,
column, page, quote). `ReadTable` says what became of each table the report
holds: which standard table it is, or why it could not be mapped. `Statement`
is a stated ratio, change or comparison in the narrative, bound to the facts
it speaks of. Checks (rules/) take these in and give findings out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from worker.facts import Quote
from worker.numbers import Num

Dims = tuple[tuple[str, str], ...]


def dims_of(d: dict[str, str]) -> Dims:
    """A hashable, ordered form of a dims mapping (roots already removed)."""
    return tuple(sorted(d.items()))


@dataclass
class LFact:
    concept: str
    dims: Dims
    num: Num
    quote: Quote                   # the cell, or the words naming the figure
    where: str = "table"           # table | text
    measure: str = "final"         # final | budget | budget_initial | budget_adjusted
    period: str = "current"        # current | prior
    table: int = -1                # index in Reading.tables
    row: int = -1
    col: int = -1
    label: str = ""                # row label as printed / the words naming a text figure
    header: str = ""               # column header path as printed
    page: int | None = None
    blank: bool = False            # an empty cell, read as 0
    section: str = ""              # 情况说明 part of a text figure
    label_start: int = -1          # offsets of the row label cell (table figures)
    label_end: int = -1

    @property
    def key(self) -> tuple:
        return (self.concept, self.dims, self.measure, self.period)

    def dim(self, name: str, root: str = "") -> str:
        for k, v in self.dims:
            if k == name:
                return v
        return root


@dataclass
class ReadTable:
    """A table of the report as recognized (or not) against the taxonomy."""

    index: int
    type: str = ""                 # taxonomy table id; '' when not a standard table
    title: str = ""                # printed title line
    unit: str = ""                 # 万元 / 元 as printed ('' = not printed)
    kind: str = ""                 # grid | pipe | lines | spaced | run
    page: int | None = None
    page_end: int | None = None
    start: int = 0
    end: int = 0
    rows: int = 0
    cols: int = 0
    facts: int = 0
    has_figures: bool = False      # any non-zero figure
    status: str = "unmapped"       # mapped | partial | empty | unmapped | form (a self-evaluation form)
    unmapped: list = field(default_factory=list)   # labels/headers with figures that could not be read
    notes: list = field(default_factory=list)
    empty_note: str = ""           # the 空表说明 printed under it
    empty_note_start: int = -1
    title_start: int = -1
    title_end: int = -1


@dataclass
class Statement:
    """A stated ratio, change or comparison, and the facts it relates.

    `subject` indexes Reading.facts (the figure the statement is about, as
    printed in the sentence); `base` lists the keys (concept, dims, measure,
    period) of the figures it may be computed against, most likely first;
    `words` is the comparison word as printed (增加 / 下降 / 大于 / 持平 …).
    """

    type: str                      # share | growth | completion | delta | compare
    quote: Quote
    stated: Num | None = None
    subject: int = -1
    base: list = field(default_factory=list)      # candidate bases, most likely first
    delta: Num | None = None       # a stated change (增加 X万元) that a growth rate goes with
    words: str = ""
    direction: int = 0             # +1 up / larger, -1 down / smaller, 0 flat
    page: int | None = None
    section: str = ""
    operands: list = field(default_factory=list)   # compare: [预算 Num, 决算 Num] as the text printed them


@dataclass
class Heading:
    """A heading, cover or title line that names a year or a department."""

    text: str
    start: int
    end: int
    page: int | None = None
    kind: str = "heading"          # cover | heading | toc | table_title | date


@dataclass
class Reading:
    """What the reader made of one report: tables, facts, statements."""

    tables: list[ReadTable] = field(default_factory=list)
    facts: list[LFact] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    toc: list = field(default_factory=list)          # [(table id, printed line, start, end)]
    placeholders: list = field(default_factory=list) # [(text, start, end)]
    year: int | None = None
    issuer: str = ""
    blank_form: bool = False       # a template without figures (nothing to check)
    # [offset, page] where each PDF page starts, [offset, None] where a PDF's text ends.
    pages: list = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        if not self.pages:
            return None
        from bisect import bisect_right

        i = bisect_right([p[0] for p in self.pages], offset)
        return self.pages[i - 1][1] if i else None
