"""What a restatement changed: two versions' ledgers compared (pure).

Figures are matched by their identity in the ledger — (concept, dims,
measure, period) and whether printed in a table or the text — never by row
position, so moved rows are the same figures. Two printed values differ only
beyond rounding (rules/tolerance.py: 6.2 and 6.20, or 6.2 and 6.24, may be the
same figure). Tables are compared by their type: one printed in a version
and absent (or empty) in the other is added or removed. Figures of a table
that is in both versions and found in only one are listed under that table;
text figures found in only one version are listed too but alone do not make
a restatement (rewording moves them in and out of the reading).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from worker.versions import Snapshot


@dataclass(frozen=True)
class Fig:
    concept: str
    dims: str
    measure: str
    period: str
    where: str
    value: float
    half: float
    shown: str
    table_type: str
    table_title: str
    label: str
    quote: str
    start: int | None
    end: int | None

    @property
    def ident(self) -> tuple:
        return (self.concept, self.dims, self.measure, self.period, self.where)


@dataclass(frozen=True)
class Tab:
    type: str
    title: str
    filled: bool


@dataclass
class Changes:
    changed: list = field(default_factory=list)          # (old Fig, new Fig)
    tables_added: list = field(default_factory=list)     # Tab of the new version (filled, or newly printed)
    tables_removed: list = field(default_factory=list)   # Tab of the old version
    emptied: set = field(default_factory=set)            # types, of those added and removed, printed empty on the other side
    figures_added: list = field(default_factory=list)    # Fig, in a table of both versions (or the text)
    figures_removed: list = field(default_factory=list)

    def __bool__(self) -> bool:
        """Figures or tables changed (text figures in or out alone do not count)."""
        return bool(self.changed or self.tables_added or self.tables_removed
                    or any(f.where == "table" for f in self.figures_added + self.figures_removed))


def figs(s: Snapshot) -> dict[tuple, Fig]:
    out = {}
    for row in s.figures:
        f = Fig(*row)
        out.setdefault(f.ident, f)
    return out


def tabs(s: Snapshot) -> dict[str, Tab]:
    out: dict[str, Tab] = {}
    for t, title, filled in s.tables:
        prev = out.get(t)
        if prev is None or (filled and not prev.filled):
            out[t] = Tab(t, title, bool(filled))
    return out


def differs(a: Fig, b: Fig) -> bool:
    """Different beyond the rounding of either printed value (their intervals do not meet)."""
    return abs(a.value - b.value) > a.half + b.half + 1e-9


def compare(old: Snapshot, new: Snapshot) -> Changes:
    ch = Changes()
    fo, fn = figs(old), figs(new)
    to, tn = tabs(old), tabs(new)
    # A table added: printed with figures now and absent or empty before (or newly printed empty).
    for t, tab in tn.items():
        before = to.get(t)
        if before is None or (tab.filled and not before.filled):
            ch.tables_added.append(tab)
            if before is not None:
                ch.emptied.add(t)
    for t, tab in to.items():
        after = tn.get(t)
        if after is None or (tab.filled and not after.filled):
            ch.tables_removed.append(tab)
            if after is not None:
                ch.emptied.add(t)
    added = {t.type for t in ch.tables_added}
    removed = {t.type for t in ch.tables_removed}
    for k, a in fo.items():
        b = fn.get(k)
        if b is None:
            if a.table_type not in removed:
                ch.figures_removed.append(a)
        elif differs(a, b):
            ch.changed.append((a, b))
    for k, b in fn.items():
        if k not in fo and b.table_type not in added:
            ch.figures_added.append(b)
    return ch
