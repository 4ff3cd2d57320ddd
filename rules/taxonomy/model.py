"""The taxonomy's parts: dimensions, concepts, terms, tables, identities.

Plain dataclasses built by `rules.taxonomy.load` from the TOML files in
`data/` (and any extra folders a region adds); they know how to answer the
questions the reader and the checks ask (what does this label say, which
members are the children of that one), nothing else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rules.taxonomy.explained import Explanations
from rules.taxonomy.words import label_key


class TaxonomyError(Exception):
    pass


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    children: tuple[str, ...] = ()


@dataclass
class Dim:
    """A dimension: members in a hierarchy, or codes whose parent is their prefix."""

    id: str
    name: str
    root: str
    coded: bool = False
    levels: tuple[int, ...] = ()
    members: dict[str, Member] = field(default_factory=dict)
    # Built on first use: a table of thousands of codes must not cost a scan
    # of the member list per code.
    _up: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def is_code(self, value: str) -> bool:
        return self.coded and value.isdigit() and len(value) in self.levels

    def parent(self, value: str) -> str | None:
        """The member one level up; None at the root."""
        if value == self.root:
            return None
        up = self._up_index()
        if value in up:
            return up[value]
        if self.is_code(value):
            shorter = [n for n in self.levels if n < len(value)]
            return value[: shorter[-1]] if shorter else self.root
        return self.root

    def children(self, value: str, present: set[str],
                 _codes: dict[str, list[str]] | None = None) -> list[str] | None:
        """The members that add up to `value` among those printed (`present`).

        A child that is not printed is replaced by its own children where
        those are printed (a table that skips the 款 level lists 类 then 项).
        None when `value` has no children in this dimension.
        """
        declared = self.members.get(value)
        if declared is not None and declared.children:
            out: list[str] = []
            for c in declared.children:
                if c in present:
                    out.append(c)
                else:
                    sub = self.children(c, present, _codes)
                    if sub:
                        out.extend(sub)
            return out
        if not self.coded:
            return None
        # Codes: the printed codes under `value` with no printed ancestor between.
        if value != self.root and not self.is_code(value):
            return None
        codes = _codes if _codes is not None else self._code_tree(present)
        return codes.get(value) or None

    def child_map(self, present: set[str]) -> dict[str, list[str]]:
        """`children` of every member that has some among `present`, printed or
        not (a total printed only in another table), worked out at once: a
        table of thousands of codes is walked once, not once per code."""
        codes = self._code_tree(present) if self.coded else {}
        out: dict[str, list[str]] = {}
        for v in present | codes.keys() | self._parents():
            kids = self.children(v, present, codes)
            if kids:
                out[v] = kids
        return out

    def _up_index(self) -> dict[str, str]:
        """Each declared child's parent (the first member that declares it)."""
        if self._up is None:
            up: dict[str, str] = {}
            for m in self.members.values():
                for c in m.children:
                    up.setdefault(c, m.id)
            self._up = up
        return self._up

    def _parents(self) -> set[str]:
        return set(self._up_index().values())

    def _code_tree(self, present: set[str]) -> dict[str, list[str]]:
        """Each code's printed children: the printed codes under it with no
        printed code between (the root's: those with no printed ancestor)."""
        tree: dict[str, list[str]] = {}
        for c in sorted(c for c in present if self.is_code(c)):
            anc = self.parent(c)
            while anc is not None and anc != self.root and anc not in present:
                tree.setdefault(anc, []).append(c)      # an unprinted level between
                anc = self.parent(anc)
            tree.setdefault(self.root if anc is None else anc, []).append(c)
        return tree

    def name_of(self, value: str, names: dict[str, str] | None = None) -> str:
        m = self.members.get(value)
        if m is not None:
            return m.name
        if names and value in names:
            return names[value]
        return value


@dataclass(frozen=True)
class Concept:
    id: str
    name: str
    dims: tuple[str, ...]


@dataclass
class Term:
    """What a header or label says of the figures under or beside it."""

    names: tuple[str, ...]
    patterns: tuple[re.Pattern, ...] = ()
    concept: str = ""
    dims: dict[str, str] = field(default_factory=dict)
    measure: str = ""
    period: str = ""
    role: str = ""                 # label | total | side | ''
    side_concepts: dict[str, str] = field(default_factory=dict)
    opens: bool = False
    source: str = ""               # file it was read from, for messages


@dataclass
class TableDef:
    id: str
    name: str
    titles: tuple[str, ...]
    rows: str                      # func | econ | terms | none
    no: int | None = None
    required: bool = False
    two_sided: bool = False
    empty_note: bool = False
    defaults: dict = field(default_factory=dict)   # concept, dims, measure
    source: str = ""


@dataclass
class Identity:
    id: str
    name: str
    total: str
    terms: tuple[tuple[int, str], ...]         # (sign, concept)
    optional: tuple[tuple[int, str], ...] = ()
    unless: tuple[str, ...] = ()


@dataclass
class Forms:
    """The self-evaluation forms: header roles of the funding and indicator blocks."""

    titles: tuple[str, ...] = ()
    funding: tuple[tuple[str, re.Pattern], ...] = ()
    indicator: tuple[tuple[str, re.Pattern], ...] = ()
    level1: frozenset = frozenset()
    level2: frozenset = frozenset()


@dataclass
class Section:
    """A part of the 情况说明, recognized by its heading: the context its sentences speak in."""

    id: str
    name: str
    headings: tuple[str, ...]
    concept: str = ""
    dims: dict[str, str] = field(default_factory=dict)
    table: str = ""                # the standard table it explains


@dataclass(frozen=True)
class NarrativeName:
    """A name the 情况说明 gives a table concept (收、支总计, 总支出), and the
    concepts it names in turn when a list follows 各 / 分别 (收、支总计各是A、B万元)."""

    concept: str
    dims: tuple[tuple[str, str], ...] = ()
    each: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    dims: dict[str, Dim]
    concepts: dict[str, Concept]
    terms: list[Term]
    tables: dict[str, TableDef]
    identities: list[Identity]
    sections: list[Section]
    func_names: dict[str, str]                 # 类 code → name
    econ_names: dict[str, str]
    forms: Forms = field(default_factory=Forms)
    explanations: Explanations = field(default_factory=Explanations)   # changes that need a reason
    narrative_names: dict[str, NarrativeName] = field(default_factory=dict)   # normalized name → NarrativeName
    sources: list[str] = field(default_factory=list)
    _by_name: dict[str, Term] = field(default_factory=dict, repr=False)
    _titles: list[tuple[str, TableDef]] = field(default_factory=list, repr=False)
    _class_by_name: dict[str, str] = field(default_factory=dict, repr=False)

    def term(self, label: str) -> Term | None:
        """The term a header or label is, or None."""
        key = label_key(label)
        if not key:
            return None
        t = self._by_name.get(key)
        if t is not None:
            return t
        for term in self.terms:
            for rx in term.patterns:
                if rx.fullmatch(key):
                    return term
        return None

    def func_class(self, label: str) -> str | None:
        """The 类 code a name stands for (一、一般公共服务支出 → 201)."""
        key = label_key(label)
        return self._class_by_name.get(key) or self._class_by_name.get(re.sub(r"\(类\)$", "", key))

    def table_for_title(self, title: str) -> TableDef | None:
        """The standard table a printed title names: the longest known title the
        line ends with, preceded by nothing that qualifies it (基本, 项目 …)."""
        key = label_key(title)
        key = re.sub(r"\((?:公开)?\d{1,2}表\)$|\(公开表\)$|公开\d{1,2}表$", "", key)
        for alias, tdef in self._titles:
            if key.endswith(alias):
                prefix = key[: -len(alias)]
                if not prefix or re.search(_TITLE_PREFIX_END, prefix):
                    return tdef
                return None
        return None

    def fund_words(self) -> list[tuple[str, str]]:
        """(word, fund) for the words that name only a fund (政府性基金预算财政拨款 …),
        longest first: the qualifiers a name or a heading may carry."""
        out = [(n, t.dims["fund"]) for t in self.terms if not t.concept and set(t.dims) == {"fund"} for n in t.names]
        return sorted(out, key=lambda x: -len(x[0]))

    def table(self, table_id: str) -> TableDef:
        return self.tables[table_id]

    def required_tables(self) -> list[TableDef]:
        return sorted((t for t in self.tables.values() if t.required), key=lambda t: t.no or 99)

    def dim_name(self, dim: str, value: str) -> str:
        d = self.dims[dim]
        if dim == "func":
            return d.name_of(value, self.func_names)
        if dim == "econ":
            return d.name_of(value, self.econ_names)
        return d.name_of(value)


# What may stand before a table's title: a year, a department, numbering.
_TITLE_PREFIX_END = (r"(?:年度|年|部门|单位|本级|决算|决算表|公开|[)):表]|局|委|会|院|室|办|中心|所|站|处|队|馆|校|府|部|厅|署|团|社|区|县|市|"
                     r"镇|街道|乡|公司|集团|医院|学校|幼儿园|协会|联合会|政府)$")
