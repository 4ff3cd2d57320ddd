"""The figures whose year-on-year change needs a reason, and the words of
reasons (data/explanations.toml), validated when the taxonomy is loaded."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class ExplainedFigure:
    id: str
    name: str
    matches: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]   # (concept, sorted dims)
    group: tuple[str, ...] = ()
    parent: str = ""
    covered_by: tuple[str, ...] = ()


@dataclass
class Explanations:
    figures: dict[str, ExplainedFigure] = field(default_factory=dict)
    reasons: tuple[re.Pattern, ...] = ()
    increase: tuple[str, ...] = ()
    decrease: tuple[str, ...] = ()
    increase_strict: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    news: tuple[str, ...] = ()

    def figure_of(self, concept: str, dims: tuple) -> ExplainedFigure | None:
        for f in self.figures.values():
            if (concept, tuple(dims)) in f.matches:
                return f
        return None


WORD_LISTS = ("increase", "decrease", "increase_strict", "context", "news")


def build_explanations(spec: dict, check_ctx: Callable[[str, str, dict], None], problems: list[str]) -> Explanations:
    figures: dict[str, ExplainedFigure] = {}
    for i, f in enumerate(spec.get("figure", [])):
        fid = f.get("id", "")
        where = f"explanations.toml: figure #{i + 1} {fid or '?'}"
        if not fid:
            problems.append(f"{where}: no id")
            continue
        if fid in figures:
            problems.append(f"{where}: id given twice")
        matches = []
        for m in f.get("match", []):
            dims = {k: str(v) for k, v in m.get("dims", {}).items()}
            if not m.get("concept"):
                problems.append(f"{where}: a match without a concept")
            check_ctx(where, m.get("concept", ""), dims)
            matches.append((m.get("concept", ""), tuple(sorted(dims.items()))))
        if not matches:
            problems.append(f"{where}: no match")
        figures[fid] = ExplainedFigure(fid, f.get("name", fid), tuple(matches), tuple(f.get("group", [])),
                                       f.get("parent", ""), tuple(f.get("covered_by", [])))
    for f in figures.values():
        for ref in ([f.parent] if f.parent else []) + list(f.covered_by):
            if ref not in figures or ref == f.id:
                problems.append(f"explanations.toml: figure {f.id}: unknown figure {ref!r}")
    seen: dict[tuple, str] = {}
    for f in figures.values():
        for m in f.matches:
            if m in seen and seen[m] != f.id:
                problems.append(f"explanations.toml: figure {f.id}: {m} already matched by {seen[m]}")
            seen[m] = f.id
    words = spec.get("words", {})
    reasons = []
    for p in words.get("reasons", []):
        try:
            reasons.append(re.compile(p))
        except re.error as e:
            problems.append(f"explanations.toml: bad reason pattern {p!r}: {e}")
    if figures and not reasons:
        problems.append("explanations.toml: [words] reasons is empty")
    lists = {}
    for name in WORD_LISTS:
        v = words.get(name, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            problems.append(f"explanations.toml: [words] {name} must be a list of words")
            v = []
        lists[name] = tuple(v)
    return Explanations(figures, tuple(reasons), **lists)
