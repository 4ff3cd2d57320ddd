"""Build and validate a `Taxonomy` from the raw TOML of its files."""
from __future__ import annotations

import re

from rules.taxonomy.model import (Concept, Dim, Forms, Identity, Member, NarrativeName, Section, TableDef, Taxonomy,
                                  TaxonomyError, Term)
from rules.taxonomy.explained import build_explanations
from rules.taxonomy.words import label_key

MEASURES = ("final", "budget", "budget_initial", "budget_adjusted")
PERIODS = ("current", "prior")
ROWS = ("func", "econ", "terms", "none")


def build(raw: dict[str, dict], sources: list[str]) -> Taxonomy:
    problems: list[str] = []
    c = raw.get("concepts.toml", {})
    dims = _dims(c.get("dims", {}), problems)
    concepts = {}
    for cid, spec in c.get("concepts", {}).items():
        bad = [d for d in spec.get("dims", []) if d not in dims]
        if bad:
            problems.append(f"concepts.toml: concept {cid}: unknown dimensions {bad}")
        concepts[cid] = Concept(cid, spec.get("name", cid), tuple(spec.get("dims", [])))
    func_names = {str(k): v[0] for k, v in raw.get("functional.toml", {}).get("classes", {}).items()}
    econ_names = {str(k): v[0] for k, v in raw.get("economic.toml", {}).get("classes", {}).items()}
    class_by_name = {}
    for code, names in raw.get("functional.toml", {}).get("classes", {}).items():
        for n in names:
            class_by_name[label_key(n)] = str(code)

    def check_ctx(where: str, concept: str, dims_: dict) -> None:
        if concept and concept not in concepts:
            problems.append(f"{where}: unknown concept {concept!r}")
        for d, v in dims_.items():
            if d not in dims:
                problems.append(f"{where}: unknown dimension {d!r}")
            elif not (v in dims[d].members or dims[d].is_code(str(v)) or v == dims[d].root):
                problems.append(f"{where}: {d} has no member {v!r}")
            elif concept and d not in concepts.get(concept, Concept("", "", tuple(dims))).dims:
                problems.append(f"{where}: concept {concept} takes no dimension {d}")

    terms: list[Term] = []
    by_name: dict[str, Term] = {}
    for i, spec in enumerate(raw.get("terms.toml", {}).get("term", [])):
        src = spec.get("_source", "terms.toml")
        where = f"{src}: term #{i + 1} {spec.get('names', [''])[:1]}"
        t = Term(names=tuple(label_key(n) for n in spec.get("names", [])),
                 patterns=tuple(_regex(p, where, problems) for p in spec.get("patterns", [])),
                 concept=spec.get("concept", ""), dims={k: str(v) for k, v in spec.get("dims", {}).items()},
                 measure=spec.get("measure", ""), period=spec.get("period", ""), role=spec.get("role", ""),
                 side_concepts=dict(spec.get("side_concepts", {})), opens=bool(spec.get("opens", False)), source=src)
        if not t.names and not t.patterns:
            problems.append(f"{where}: no names or patterns")
        if t.measure and t.measure not in MEASURES:
            problems.append(f"{where}: measure must be one of {MEASURES}")
        if t.period and t.period not in PERIODS:
            problems.append(f"{where}: period must be one of {PERIODS}")
        if t.role not in ("", "label", "total", "side"):
            problems.append(f"{where}: role must be label, total or side")
        check_ctx(where, t.concept, t.dims)
        for sc in t.side_concepts.values():
            check_ctx(where, sc, {})
        for n in t.names:
            if n in by_name and by_name[n] is not t:
                problems.append(f"{where}: {n!r} is already a term in {by_name[n].source}")
            by_name[n] = t
        terms.append(t)

    tables: dict[str, TableDef] = {}
    titles: dict[str, TableDef] = {}
    for spec in raw.get("tables.toml", {}).get("table", []):
        src = spec.get("_source", "tables.toml")
        tid = spec.get("id", "")
        where = f"{src}: table {tid or '?'}"
        if not tid:
            problems.append(f"{where}: no id")
            continue
        d = spec.get("defaults", {})
        t = TableDef(id=tid, name=spec.get("name", tid), titles=tuple(label_key(x) for x in spec.get("titles", [])),
                     rows=spec.get("rows", "terms"), no=spec.get("no"), required=bool(spec.get("required", False)),
                     two_sided=bool(spec.get("two_sided", False)), empty_note=bool(spec.get("empty_note", False)),
                     defaults={"concept": d.get("concept", ""), "dims": {k: str(v) for k, v in d.get("dims", {}).items()},
                               "measure": d.get("measure", "")}, source=src)
        if t.rows not in ROWS:
            problems.append(f"{where}: rows must be one of {ROWS}")
        if not t.titles:
            problems.append(f"{where}: no titles")
        check_ctx(where, t.defaults["concept"], t.defaults["dims"])
        if t.defaults["measure"] and t.defaults["measure"] not in MEASURES:
            problems.append(f"{where}: measure must be one of {MEASURES}")
        for title in t.titles:
            if title in titles and titles[title].id != tid:
                problems.append(f"{where}: title {title!r} already names table {titles[title].id}")
            titles[title] = t
        tables[tid] = t       # a later folder's table of the same id replaces it

    identities = []
    for spec in c.get("identity", []):
        where = f"concepts.toml: identity {spec.get('id', '?')}"
        ident = Identity(id=spec.get("id", ""), name=spec.get("name", ""), total=spec.get("total", ""),
                         terms=tuple(_signed(x, where, problems) for x in spec.get("terms", [])),
                         optional=tuple(_signed(x, where, problems) for x in spec.get("optional", [])),
                         unless=tuple(spec.get("unless", [])))
        for cid in [ident.total, *(t[1] for t in ident.terms + ident.optional), *ident.unless]:
            check_ctx(where, cid, {})
        identities.append(ident)

    sections = []
    for spec in raw.get("narrative.toml", {}).get("section", []):
        where = f"narrative.toml: section {spec.get('id', '?')}"
        s = Section(id=spec.get("id", ""), name=spec.get("name", ""),
                    headings=tuple(label_key(h) for h in spec.get("headings", [])), concept=spec.get("concept", ""),
                    dims={k: str(v) for k, v in spec.get("dims", {}).items()}, table=spec.get("table", ""))
        check_ctx(where, s.concept, s.dims)
        if s.table and s.table not in tables:
            problems.append(f"{where}: unknown table {s.table!r}")
        sections.append(s)

    narrative_names = _narrative_names(raw.get("narrative.toml", {}).get("name", []), check_ctx, problems)
    forms = _forms(raw.get("forms.toml", {}), problems)
    explanations = build_explanations(raw.get("explanations.toml", {}), check_ctx, problems)
    if problems:
        raise TaxonomyError("taxonomy is not valid:\n  " + "\n  ".join(problems))
    tax = Taxonomy(dims=dims, concepts=concepts, terms=terms, tables=tables, identities=identities,
                   sections=sections, func_names=func_names, econ_names=econ_names, forms=forms, sources=sources,
                   explanations=explanations, narrative_names=narrative_names)
    tax._by_name = by_name
    tax._titles = sorted(titles.items(), key=lambda kv: -len(kv[0]))
    tax._class_by_name = class_by_name
    return tax


def _narrative_names(specs: list, check_ctx, problems: list[str]) -> dict[str, NarrativeName]:
    out: dict[str, NarrativeName] = {}
    for i, spec in enumerate(specs):
        where = f"{spec.get('_source', 'narrative.toml')}: name #{i + 1} {spec.get('names', [''])[:1]}"
        dims = {k: str(v) for k, v in spec.get("dims", {}).items()}
        if not spec.get("concept"):
            problems.append(f"{where}: no concept")
        check_ctx(where, spec.get("concept", ""), dims)
        each = tuple(spec.get("each", []))
        for c in each:
            check_ctx(where, c, {})
        if len(each) == 1:
            problems.append(f"{where}: each names one concept: list two or more, or none")
        if not spec.get("names"):
            problems.append(f"{where}: no names")
        nn = NarrativeName(spec.get("concept", ""), tuple(sorted(dims.items())), each)
        for n in spec.get("names", []):
            out[label_key(n)] = nn      # a later folder's entry for a name replaces it
    return out


FUNDING_ROLES = ("initial", "adjustment", "budget", "executed", "rate", "weight", "score")
INDICATOR_ROLES = ("l1", "l2", "name", "actual", "target", "weight", "score", "note")


def _forms(spec: dict, problems: list[str]) -> Forms:
    def cols(key: str, roles: tuple[str, ...]) -> tuple:
        out = []
        for i, c in enumerate(spec.get(key, [])):
            if c.get("role") not in roles:
                problems.append(f"forms.toml: {key} #{i + 1}: role must be one of {roles}")
                continue
            for p in c.get("patterns", []):
                out.append((c["role"], _regex(p, f"forms.toml: {key} #{i + 1}", problems)))
        return tuple(out)

    levels = spec.get("levels", {})
    return Forms(titles=tuple(label_key(t) for t in spec.get("titles", [])), funding=cols("funding", FUNDING_ROLES),
                 indicator=cols("indicator", INDICATOR_ROLES), level1=frozenset(levels.get("first", [])),
                 level2=frozenset(levels.get("second", [])))


def _dims(spec: dict, problems: list[str]) -> dict[str, Dim]:
    out = {}
    for did, d in spec.items():
        members = {}
        for mid, m in d.get("members", {}).items():
            members[mid] = Member(mid, m.get("name", mid), tuple(str(x) for x in m.get("children", [])))
        dim = Dim(did, d.get("name", did), str(d.get("root", "")), bool(d.get("coded", False)),
                  tuple(d.get("levels", [])), members)
        for m in members.values():
            for ch in m.children:
                if ch not in members and not dim.is_code(ch):
                    problems.append(f"concepts.toml: dimension {did}: {m.id} has unknown child {ch!r}")
        if not dim.coded and dim.root not in members:
            problems.append(f"concepts.toml: dimension {did}: root {dim.root!r} is not a member")
        out[did] = dim
    return out


def _signed(x: str, where: str, problems: list[str]) -> tuple[int, str]:
    if not x or x[0] not in "+-":
        problems.append(f"{where}: term {x!r} must start with + or -")
        return (1, x.lstrip("+-"))
    return (1 if x[0] == "+" else -1, x[1:])


def _regex(p: str, where: str, problems: list[str]):
    try:
        return re.compile(p)
    except re.error as e:
        problems.append(f"{where}: bad pattern {p!r}: {e}")
        return re.compile(r"(?!)")
