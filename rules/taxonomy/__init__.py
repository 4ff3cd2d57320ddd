"""The taxonomy of the 部门决算 disclosure, loaded from data and validated.

`load()` reads the TOML files in `data/` (plus the folders named in
config.toml's `[taxonomy] extra`, where a region adds its variants) and
returns a `Taxonomy`. Every reference is checked when loaded: a term naming
an unknown concept or member, a title claimed by two tables, or a label given
two meanings is a `TaxonomyError` naming the file and the entry.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from rules.taxonomy.build import build
from rules.taxonomy.model import Taxonomy, TaxonomyError
from rules.taxonomy.words import label_key

__all__ = ["Taxonomy", "TaxonomyError", "configure", "default", "label_key", "load"]

DATA = Path(__file__).resolve().parent / "data"
FILES = ("concepts.toml", "terms.toml", "tables.toml", "functional.toml", "economic.toml", "narrative.toml",
         "forms.toml", "explanations.toml")


def _load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise TaxonomyError(f"{path}: not valid TOML: {e}") from None


def _merge(dst: dict, src: dict) -> None:
    for k, v in src.items():
        if isinstance(v, list) and isinstance(dst.get(k), list):
            dst[k] = dst[k] + v
        elif isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        else:
            dst[k] = v


@lru_cache(maxsize=8)
def load(extra: tuple[str, ...] = ()) -> Taxonomy:
    """The built-in taxonomy, with the files of `extra` folders merged in
    (lists are appended, tables of names override)."""
    raw: dict[str, dict] = {}
    sources: list[str] = []
    for folder in (str(DATA), *extra):
        p = Path(folder)
        if not p.is_dir():
            raise TaxonomyError(f"{folder}: taxonomy folder not found")
        for name in FILES:
            f = p / name
            if f.exists():
                data = _load_toml(f)
                for v in data.values():
                    if isinstance(v, list):
                        for item in v:
                            if isinstance(item, dict):
                                item.setdefault("_source", str(f))
                _merge(raw.setdefault(name, {}), data)
                sources.append(str(f))
    return build(raw, sources)


_extra: tuple[str, ...] = ()


def configure(extra: list[str] | tuple[str, ...]) -> Taxonomy:
    """Make the built-in taxonomy plus `extra` folders the default (config.toml's
    [taxonomy] extra); loads and validates it now, so a bad file stops start-up."""
    global _extra
    tax = load(tuple(str(Path(e).resolve()) for e in extra))
    _extra = tuple(str(Path(e).resolve()) for e in extra)
    return tax


def default() -> Taxonomy:
    """The taxonomy in use: the built-in one and any configured extras."""
    return load(_extra)
