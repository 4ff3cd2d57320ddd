"""Logical tables: cells, merges, relations and number formatting, shared by
the table builders, the injector and the three renderers."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Amt:
    """An amount cell. `v` is in model units (0.01 万元); what is printed
    depends on the table's unit and format. `key` names the fact it shows
    (cells and narrative figures with the same key print the same fact)."""
    v: int
    key: str = ""
    id: str = ""
    blank: bool = False          # printed empty whatever the zero style (absent cells)
    true: int | None = None      # the correct value, when an error was injected
    text: str | None = None      # printed text override


@dataclass
class Relation:
    kind: str                    # "sum": parent = Σ children; "balance": a + b − c = d (parent = d)
    parent: Amt
    children: list
    signs: list | None = None    # +1 / −1 per child (default all +1)
    label: str = ""


@dataclass
class LTable:
    key: str                     # t1 … t9, units
    base_title: str
    title: str
    unit: str                    # 万元 | 元 | "" (no amounts)
    header: list                 # rows of str | None (None: covered by a merge)
    hmerges: list                # (r0, c0, r1, c1) inclusive, header coordinates
    rows: list                   # body rows: str | Amt | None
    bmerges: list = field(default_factory=list)
    row_kinds: list = field(default_factory=list)
    widths: list = field(default_factory=list)
    note: str = ""
    empty_note: str | None = None
    empty: bool = False
    landscape: bool = False
    relations: list = field(default_factory=list)
    thousands: bool = False
    zero: str = "0.00"
    pre_title: str | None = None
    spaced_labels: bool = False
    numeric_cols: list = field(default_factory=list)

    @property
    def ncols(self) -> int:
        return len(self.header[0])

    def amounts(self):
        for r, row in enumerate(self.rows):
            for ci, cell in enumerate(row):
                if isinstance(cell, Amt):
                    yield r, ci, cell

    def find(self, cell_id: str) -> Amt | None:
        for _, _, a in self.amounts():
            if a.id == cell_id:
                return a
        return None


def money(v: int, thousands: bool = False) -> str:
    """Model units → '1234.56' (万元, 2 decimals), exact integer arithmetic."""
    sign = "-" if v < 0 else ""
    q, r = divmod(abs(v), 100)
    qs = f"{q:,}" if thousands else str(q)
    return f"{sign}{qs}.{r:02d}"


def yuan(v: int, thousands: bool = False) -> str:
    """Model units → 元 with 2 decimals (× 100)."""
    sign = "-" if v < 0 else ""
    q = abs(v) * 100
    qs = f"{q:,}" if thousands else str(q)
    return f"{sign}{qs}.00"


def scale(v: int, unit: str) -> float:
    """The printed value as a float in the table's unit."""
    return v * 100.0 if unit == "元" else v / 100.0


def cell_text(a: Amt, t: LTable) -> str:
    if a.text is not None:
        return a.text
    if a.blank:
        return ""
    if a.v == 0:
        return t.zero
    return yuan(a.v, t.thousands) if t.unit == "元" else money(a.v, t.thousands)


def text_of(cell, t: LTable) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Amt):
        return cell_text(cell, t)
    return cell


def spaced(s: str) -> str:
    """'本年收入合计' → '本 年 收 入 合 计' (letter-spaced labels)."""
    return " ".join(s)


def check_relations(t: LTable, use_true: bool = False) -> list[Relation]:
    """The relations of a table that do not hold on its printed values
    (or on the correct values with use_true)."""
    def val(a: Amt) -> int:
        if use_true and a.true is not None:
            return a.true
        return a.v
    bad = []
    for rel in t.relations:
        signs = rel.signs or [1] * len(rel.children)
        if val(rel.parent) != sum(s * val(ch) for s, ch in zip(signs, rel.children)):
            bad.append(rel)
    return bad
