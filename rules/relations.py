"""Relations over the ledger, checked with the rounding tolerance (pure).

Three families, all read from the taxonomy rather than written per table:

* sums: a member with children in a dimension equals the sum of its children
  printed in the same table and context (合计 = Σ 类, 类 = Σ 款, 本年支出合计 =
  基本支出 + 项目支出, 人员经费 = 301 + 303, 三公 合计 = 出国 + 车 + 接待);
* identities: the taxonomy's signed equations (总计 = 本年收入合计 + 使用非财政拨款
  结余 + 年初结转和结余; 年末 = 年初 + 收入 − 支出);
* equalities: one fact (concept and context) printed in several places, in
  tables or in the 情况说明, carries one value.

`check_all` returns every relation checked, passed or failed; `localize`
groups the failures so that one wrong figure that breaks several relations is
reported once, as that figure.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from rules.taxonomy import Taxonomy
from rules.tolerance import add, consistent, interval, unit
from worker.ledger import LFact, Reading


@dataclass
class Check:
    kind: str                          # sum | identity | equal
    ok: bool
    total: int                         # index of the stated total (equal: the first place)
    parts: list                        # [(sign, index)] (equal: [(1, other place)])
    name: str                          # what was checked, in Chinese
    computed: tuple[float, float]      # interval the total should lie in
    table: int = -1
    open: bool = False                 # the parts printed may not be all of them

    @property
    def facts(self) -> list[int]:
        return [self.total] + [i for _, i in self.parts]


@dataclass
class Problem:
    """Failed relations explained by one figure (`culprit`), or one failed relation."""

    checks: list[Check]
    culprit: int = -1
    implied: float | None = None       # the value the culprit would need
    kind: str = "sum"                  # sum | equal | text


MAX_CROSS_TABLES = 40


def _ctx_without(f: LFact, dim: str) -> tuple:
    return (f.concept, tuple(kv for kv in f.dims if kv[0] != dim), f.measure, f.period)


def check_all(reading: Reading, tax: Taxonomy, open_tables: set[int] | None = None) -> list[Check]:
    facts = reading.facts
    open_tables = open_tables if open_tables is not None else {
        t.index for t in reading.tables if t.unmapped}
    out: list[Check] = []
    by_table: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(facts):
        if f.where == "table":
            by_table[f.table].append(i)
    for t, idxs in by_table.items():
        out += _sums(facts, idxs, tax, t, t in open_tables)
        out += _identities(facts, idxs, tax, t)
    out += _cross_sums(facts, by_table, tax, open_tables)
    out += _equalities(facts, reading)
    return out


def _sums(facts: list[LFact], idxs: list[int], tax: Taxonomy, table: int, is_open: bool) -> list[Check]:
    out = []
    for dim_id, dim in tax.dims.items():
        groups: dict[tuple, dict[str, int]] = defaultdict(dict)
        for i in idxs:
            f = facts[i]
            if dim_id not in tax.concepts[f.concept].dims:
                continue
            groups[_ctx_without(f, dim_id)].setdefault(f.dim(dim_id, dim.root), i)
        for ctx, members in groups.items():
            if len(members) < 2:
                continue
            tree = dim.child_map(set(members))
            for value, ti in members.items():
                kids = tree.get(value)
                if not kids:
                    continue
                parts = [(1, members[k]) for k in kids]
                name = f"{tax.dim_name(dim_id, value) or '合计'} = " + " + ".join(
                    tax.dim_name(dim_id, k) for k in kids[:6]) + (" + …" if len(kids) > 6 else "")
                out.append(_judge("sum", facts, ti, parts, name, table, is_open))
    return out


def _cross_sums(facts: list[LFact], by_table: dict[int, list[int]], tax: Taxonomy, open_tables: set[int]) -> list[Check]:
    """A total whose parts are printed only in another table (一般公共预算财政拨款支出决算表's
    基本支出 合计 = 基本支出决算表's 人员经费合计 + 公用经费合计)."""
    out = []
    for dim_id, dim in tax.dims.items():
        groups: dict[tuple, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for t, idxs in by_table.items():
            for i in idxs:
                f = facts[i]
                if dim_id in tax.concepts[f.concept].dims:
                    groups[_ctx_without(f, dim_id)][t].setdefault(f.dim(dim_id, dim.root), i)
        for ctx, tables in groups.items():
            if len(tables) < 2:
                continue
            # A report has a dozen tables; one that prints thousands (a hostile or
            # broken file) is checked across its first MAX_CROSS_TABLES only.
            tables = dict(sorted(tables.items())[:MAX_CROSS_TABLES])
            trees = {t: dim.child_map(set(m)) for t, m in tables.items()}
            for ta, members in tables.items():
                for value, ti in members.items():
                    if value in trees[ta]:
                        continue            # checked within its own table
                    for tb, others in tables.items():
                        if tb == ta or value in others:
                            continue
                        kids = trees[tb].get(value)
                        if not kids or len(kids) < 2:
                            continue
                        parts = [(1, others[k]) for k in kids]
                        name = f"{tax.dim_name(dim_id, value) or '合计'} = 另表 " + " + ".join(
                            tax.dim_name(dim_id, k) for k in kids[:6]) + (" + …" if len(kids) > 6 else "")
                        out.append(_judge("sum", facts, ti, parts, name, ta, tb in open_tables))
                        break
    return out


def _identities(facts: list[LFact], idxs: list[int], tax: Taxonomy, table: int) -> list[Check]:
    out = []
    concepts_here = {facts[i].concept for i in idxs}
    index: dict[tuple, int] = {}
    for i in idxs:
        f = facts[i]
        index.setdefault((f.concept, f.dims, f.measure, f.period), i)
    for ident in tax.identities:
        if any(u in concepts_here for u in ident.unless):
            continue
        for i in idxs:
            f = facts[i]
            if f.concept != ident.total:
                continue

            def find(concept: str) -> int | None:
                allowed = tax.concepts[concept].dims
                dims = tuple(kv for kv in f.dims if kv[0] in allowed)
                return index.get((concept, dims, f.measure, f.period))

            parts, ok = [], True
            for sign, concept in ident.terms:
                j = find(concept)
                if j is None:
                    ok = False
                    break
                parts.append((sign, j))
            if not ok:
                continue
            for sign, concept in ident.optional:
                j = find(concept)
                if j is not None:
                    parts.append((sign, j))
            out.append(_judge("identity", facts, i, parts, ident.name, table, False))
    return out


def _equalities(facts: list[LFact], reading: Reading) -> list[Check]:
    out = []
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, f in enumerate(facts):
        by_key[f.key].append(i)
    units = {t.index: t.unit for t in reading.tables}
    for key, idxs in by_key.items():
        if len(idxs) < 2:
            continue
        # Compare every place with the first table figure (or the first place).
        ref = next((i for i in idxs if facts[i].where == "table" and not facts[i].blank), idxs[0])
        for j in idxs:
            if j == ref:
                continue
            a, b = facts[ref], facts[j]
            if a.where == b.where == "table" and a.table == b.table and a.row == b.row:
                continue
            if a.where == b.where == "text":
                continue       # two sentences: only a table settles what the figure is
            if _unit_doubt(a, b, units):
                continue
            name = "同一数字在两处应相同"
            out.append(_judge("equal", facts, j, [(1, ref)], name, b.table, False))
    return out


def _unit_doubt(a: LFact, b: LFact, units: dict[int, str]) -> bool:
    """Figures 10,000 apart where a table did not print its unit: a reading
    doubt (元 or 万元), not a finding."""
    x, y = abs(a.num.value), abs(b.num.value)
    if not x or not y:
        return False
    r = max(x, y) / min(x, y)
    unprinted = (a.where == "table" and not units.get(a.table)) or (b.where == "table" and not units.get(b.table))
    return unprinted and 9990 <= r <= 10010


def _judge(kind: str, facts: list[LFact], ti: int, parts: list, name: str, table: int, is_open: bool) -> Check:
    total = facts[ti]
    ivs = []
    for sign, j in parts:
        lo, hi = interval(facts[j].num)
        ivs.append((lo, hi) if sign > 0 else (-hi, -lo))
    comp = add(*ivs) if ivs else (0.0, 0.0)
    ok = consistent(total.num, comp) or _coarser_ok(total, [facts[j] for _, j in parts], comp)
    if not ok and is_open and kind == "sum" and total.num.value > comp[1]:
        ok = True       # parts we could not read may make up the difference
    return Check(kind=kind, ok=ok, total=ti, parts=parts, name=name, computed=comp, table=table, open=is_open)


def _coarser_ok(total: LFact, parts: list[LFact], comp: tuple[float, float]) -> bool:
    """A narrative figure rounded coarser than the table (6.2 for 6.20) is
    compared at the coarser precision."""
    if not parts:
        return False
    coarse = max(unit(total.num), max(unit(p.num) for p in parts))
    v = total.num.value
    return comp[0] - coarse - 1e-9 <= v <= comp[1] + coarse + 1e-9 and any(p.where == "text" for p in [total, *parts])


MAX_CULPRITS = 200      # a table where everything fails is reported by its worst figures, in bounded time


def localize(checks: list[Check], facts: list[LFact]) -> list[Problem]:
    """One problem per wrong figure: the figure in most failed relations,
    when it is in two or more, explains all of them."""
    failed = [c for c in checks if not c.ok]
    passed_with: dict[int, int] = defaultdict(int)
    for c in checks:
        if c.ok:
            for i in c.facts:
                passed_with[i] += 1

    def weighs(c: Check, i: int) -> bool:
        # A sentence disagreeing with a table cell says the sentence may be wrong,
        # not that the cell is: a cell is blamed by the tables' own relations.
        return not (facts[i].where == "table" and c.kind == "equal" and
                    any(facts[j].where == "text" for j in c.facts))

    # Counts kept as checks are explained away, and a heap of figures by how
    # much they explain: a table where thousands of relations fail is
    # localized in n·log n, not n² (a figure's rank only ever falls).
    alive = [True] * len(failed)
    with_fact: dict[int, list[int]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    as_total: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}
    for k, c in enumerate(failed):
        as_total[c.total] += 1
        for i in set(c.facts):
            with_fact[i].append(k)
            if weighs(c, i):
                count[i] += 1
                first.setdefault(i, len(first))

    def rank(i: int) -> tuple:
        return (-count[i], facts[i].where != "text", passed_with[i], as_total[i] <= 0, first[i])

    heap = [(rank(i), i) for i in count]
    heapq.heapify(heap)
    problems: list[Problem] = []
    while heap and len(problems) < MAX_CULPRITS:
        key, best = heapq.heappop(heap)
        now = rank(best)
        if now != key:
            heapq.heappush(heap, (now, best))
            continue
        if count[best] < 2:
            break
        mine = [failed[k] for k in with_fact[best] if alive[k]]
        for k in with_fact[best]:
            if alive[k]:
                alive[k] = False
                c = failed[k]
                as_total[c.total] -= 1
                for i in set(c.facts):
                    if weighs(c, i):
                        count[i] -= 1
        problems.append(Problem(checks=mine, culprit=best, implied=_implied(mine[0], best, facts),
                                kind=_kind_of(mine, facts)))
    for k, c in enumerate(failed):
        if not alive[k]:
            continue
        culprit = c.total if c.kind == "equal" and facts[c.total].where == "text" else -1
        problems.append(Problem(checks=[c], culprit=culprit, implied=_implied(c, c.total, facts),
                                kind=_kind_of([c], facts)))
    return problems


def _kind_of(checks: list[Check], facts: list[LFact]) -> str:
    if any(c.kind in ("sum", "identity") for c in checks):
        return "sum"
    if any(facts[i].where == "text" for c in checks for i in c.facts):
        return "text"
    return "equal"


def _implied(c: Check, i: int, facts: list[LFact]) -> float | None:
    """The value figure `i` would need for relation `c` to hold."""
    mid = (c.computed[0] + c.computed[1]) / 2
    if i == c.total:
        return mid
    for sign, j in c.parts:
        if j == i:
            others = mid - sign * facts[i].num.value
            return (facts[c.total].num.value - others) * sign
    return None
