"""Headers and labels read as pieces of a context (concept, dims, measure).

A header path (本年支出 / 合计) or a row label (年初财政拨款结转和结余) is
looked up in the taxonomy's terms; the pieces of all the words that apply to a
cell are merged into the cell's context. 合计/小计 columns are resolved
against their siblings: the total of 基本支出 and 项目支出 is type = all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules.taxonomy import Taxonomy
from rules.taxonomy.model import Term


@dataclass
class Piece:
    concept: str = ""
    dims: dict = field(default_factory=dict)
    measure: str = ""
    period: str = ""
    total: bool = False            # 合计 / 小计: dims resolved from siblings
    label: bool = False            # the header of a label column
    side: str = ""                 # concept of a 收入 / 支出 half
    known: bool = True
    words: list = field(default_factory=list)   # the printed words it was read from
    opens: bool = False
    side_concepts: dict = field(default_factory=dict)
    inherited: bool = False        # the concept came from the rows above, not from its own words

    @property
    def fund_only(self) -> bool:
        """A label naming only a fund (一、一般公共预算财政拨款): its concept comes from context."""
        return not self.concept and not self.side_concepts and set(self.dims) == {"fund"}


def term_piece(t: Term, word: str) -> Piece:
    return Piece(concept=t.concept, dims=dict(t.dims), measure=t.measure, period=t.period,
                 total=t.role == "total", label=t.role == "label", side=t.concept if t.role == "side" else "",
                 opens=t.opens, side_concepts=dict(t.side_concepts), words=[word])


_UNIT_WORDS = re.compile(r"^(?:单位|金额单位)?[::]?(?:万元|元|千元|亿元)$")


def header_piece(segments: list[str], tax: Taxonomy) -> Piece:
    """Merge the pieces of a column's header path, top to bottom (deeper words win)."""
    out = Piece(words=list(segments))
    leaf_known = True
    for i, seg in enumerate(segments):
        t = tax.term(seg)
        if t is None:
            if _UNIT_WORDS.match(seg):
                continue
            if i == len(segments) - 1:
                leaf_known = False
            continue
        p = term_piece(t, seg)
        if p.label:
            out.label = True
        if p.side:
            out.side = p.side
            continue
        if p.total:
            out.total = True
            out.words.append(f"#total@{i}")
            continue
        if p.concept:
            out.concept = p.concept
        out.dims.update(p.dims)
        out.measure = p.measure or out.measure
        out.period = p.period or out.period
        if p.side_concepts:
            out.side_concepts = p.side_concepts
    out.known = leaf_known or out.label
    return out


def resolve_totals(paths: dict[int, list[str]], pieces: dict[int, Piece], tax: Taxonomy) -> None:
    """Give each 合计/小计 column the members its sibling columns add up to."""
    for c, p in pieces.items():
        if not p.total:
            continue
        depth = next((int(w.split("@")[1]) for w in p.words if isinstance(w, str) and w.startswith("#total@")), 0)
        prefix = paths[c][:depth]
        sibs = [pieces[o] for o, path in paths.items()
                if o != c and path[:depth] == prefix and o in pieces and not pieces[o].total
                and not pieces[o].label and pieces[o].known and (len(path) <= depth or tax.term(path[depth]) is None
                                                                  or tax.term(path[depth]).role != "total")]
        if not sibs:
            p.known = bool(p.concept or p.dims or p.measure)
            continue
        for dim in ("type", "fund", "item", "econ"):
            vals = {s.dims.get(dim) for s in sibs if s.dims.get(dim)}
            if len(vals) >= 2 or (vals and len(sibs) == 1):
                anc = common_ancestor(tax, dim, vals)
                if anc is not None and anc not in vals:
                    root = tax.dims[dim].root
                    if anc == root:
                        p.dims.pop(dim, None)
                        p.dims[f"!{dim}"] = root      # explicitly the root: overrides defaults
                    else:
                        p.dims[dim] = anc
                    break
        concepts = {s.concept for s in sibs if s.concept}
        if not p.concept and len(concepts) == 1:
            p.concept = concepts.pop()
        p.known = True


def common_ancestor(tax: Taxonomy, dim: str, values: set[str]) -> str | None:
    d = tax.dims[dim]

    def chain(v: str) -> list[str]:
        out = [v]
        while True:
            par = d.parent(out[-1])
            if par is None:
                return out
            out.append(par)
            if len(out) > 10:
                return out

    chains = [chain(v) for v in values]
    if not chains:
        return None
    common = set(chains[0])
    for ch in chains[1:]:
        common &= set(ch)
    for v in chains[0]:
        if v in common and v not in values:
            return v
    return None


def merge(tax: Taxonomy, defaults: dict, col: Piece, row: Piece) -> tuple[str, dict, str, str] | None:
    """The context of a cell: table defaults, then the column, then the row.
    None when the column and the row name different members of one dimension."""
    concept = row.concept or col.concept or defaults.get("concept", "")
    dims: dict[str, str] = dict(defaults.get("dims", {}))
    for src in (col.dims, row.dims):
        for k, v in src.items():
            if k.startswith("!"):              # explicitly the root: clears a default
                dims.pop(k[1:], None)
                continue
            mine = col.dims.get(k) if src is row.dims else None
            if mine is None or mine == v or is_under(tax, k, v, mine):
                dims[k] = v
            elif not is_under(tax, k, mine, v):
                return None                    # 人员经费 column, a 302 row: not a figure of this table
    if not concept or concept not in tax.concepts:
        return None
    allowed = tax.concepts[concept].dims
    clean = {k: v for k, v in dims.items() if k in allowed and v != tax.dims[k].root}
    measure = row.measure or col.measure or defaults.get("measure", "") or "final"
    period = row.period or col.period or "current"
    return concept, clean, measure, period


def is_under(tax: Taxonomy, dim: str, value: str, ancestor: str) -> bool:
    d = tax.dims[dim]
    v: str | None = value
    for _ in range(10):
        if v is None:
            return False
        if v == ancestor:
            return True
        v = d.parent(v)
    return False
