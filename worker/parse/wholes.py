"""Wholes a report names but does not print, rebuilt from their parts.

``基本支出2476260.58元,占一般公共预算支出的84.06%`` and ``项目支出469500元,
占一般公共预算支出的19.62%``: the whole (一般公共预算支出) is not printed, but
the taxonomy says 基本支出 and 项目支出 are disjoint parts of one 支出. Two
shares of disjoint parts cannot add to more than 100%; when they do, one of
them is wrong, and the parts' sum is the only whole both can be of (what
else the whole holds would make both shares smaller still). Only then is the
whole rebuilt, so a share of a whole with more in it is never judged against
a sum that leaves something out.
"""
from __future__ import annotations

from worker.facts import Claim
from worker.numbers import Num
from worker.parse import lang

# How far apart (in characters) the shares of one whole may be stated.
_PASSAGE = 1500


_NAMES: dict[int, list[tuple[str, str, str]]] = {}


def _member_names(taxonomy) -> list[tuple[str, str, str]]:
    """(name key, dimension, member) of every named member, longest names
    first; built once per taxonomy, as every sentence with a list asks."""
    key = id(taxonomy)
    if key not in _NAMES:
        names = [(lang.name_key(m.name), dim.id, m.id) for dim in taxonomy.dims.values()
                 for m in dim.members.values()
                 if m.id and not m.id.isdigit()]      # codes, and the unnamed root of a coded dimension
        _NAMES[key] = sorted((n for n in names if len(n[0]) >= 3), key=lambda n: -len(n[0]))
    return _NAMES[key]


def _member(label: str, taxonomy) -> tuple[str, str] | None:
    """(dimension, member) a figure's name stands for: the longest member
    name it contains (基本支出预算 → type.basic)."""
    key = lang.name_key(label)
    return next(((dim, m) for name, dim, m in _member_names(taxonomy) if name in key), None)


def _disjoint(a: tuple[str, str], b: tuple[str, str], taxonomy) -> bool:
    if a[0] != b[0] or a[1] == b[1]:
        return False
    dim = taxonomy.dims[a[0]]
    return dim.parent(a[1]) == dim.parent(b[1])


def rebuilt_shares(claims: list[Claim], taxonomy=None) -> tuple[list[Claim], list[Claim]]:
    """(claims to drop, claims to add): shares of disjoint parts of one named
    whole the report does not print that add to over 100%, re-stated as
    shares of the parts' sum."""
    if taxonomy is None:
        from rules.taxonomy import default
        taxonomy = default()
    shares = sorted((c for c in claims if c.type == "share" and c.base_role != "named" and c.base_name
                     and c.numerator is not None and c.numerator.kind == "money" and c.stated.kind == "percent"),
                    key=lambda c: c.stated.start)
    drop: list[Claim] = []
    add: list[Claim] = []
    used: set[int] = set()
    for i, a in enumerate(shares):
        if id(a) in used:
            continue
        ma = _member(a.subject, taxonomy)
        if ma is None:
            continue
        for b in shares[i + 1:]:
            if b.stated.start - a.stated.start > _PASSAGE:
                break       # claims come in text order: the passage is over
            if id(b) in used or lang.name_key(b.base_name) != lang.name_key(a.base_name):
                continue
            mb = _member(b.subject, taxonomy)
            if mb is None or not _disjoint(ma, mb, taxonomy):
                continue
            slack = (10 ** -a.stated.precision + 10 ** -b.stated.precision)
            if a.stated.value + b.stated.value <= 100 + slack:
                continue
            prec = max(a.numerator.precision, b.numerator.precision)
            total = Num(value=a.numerator.value + b.numerator.value, unit=a.numerator.unit, kind="money",
                        precision=prec, raw=f"{a.numerator.raw}+{b.numerator.raw}", start=a.numerator.start,
                        end=b.numerator.end, scale=a.numerator.scale)
            for c in (a, b):
                drop.append(c)
                add.append(Claim(type="share", stated=c.stated, quote=c.quote, subject=c.subject,
                                 numerator=c.numerator, base=total, base_name=c.base_name,
                                 base_role="parts", section=c.section, owner=c.owner))
            used.update((id(a), id(b)))
            break
    return drop, add


def siblings(labels: list[str], taxonomy=None) -> bool:
    """Do these names stand for disjoint members of one dimension, under one
    parent (人员经费 and 公用经费; 基本支出 and 项目支出)?"""
    if taxonomy is None:
        from rules.taxonomy import default
        taxonomy = default()
    members = [_member(x, taxonomy) for x in labels]
    if any(m is None for m in members) or len(set(members)) != len(members):
        return False
    return all(_disjoint(members[0], m, taxonomy) for m in members[1:])


def parallel_lists(part_sets: list) -> None:
    """Two 其中 lists of the same parts, in the same order (申请90万元,其中A、B、C;
    完成89.97万元,其中A、B、C): when one adds up to its total, the list is the
    whole breakdown, so the other must add up too. Marks it complete."""
    from rules import tolerance as tol

    money = [p for p in part_sets if p.measure == "money" and len(p.parts) >= 2]
    by_names: dict[tuple, list] = {}
    for p in money:
        by_names.setdefault(tuple(lang.name_key(n) for n, _ in p.parts), []).append(p)
    for a in money:
        if a.exhaustive:
            continue
        names = tuple(lang.name_key(n) for n, _ in a.parts)
        if not all(names):
            continue
        for b in by_names[names][:50]:
            if b is a or abs(b.quote.start - a.quote.start) > _PASSAGE:
                continue
            if tol.consistent(b.total, tol.add(*[tol.interval(n) for _, n in b.parts])):
                a.exhaustive = True
                break
