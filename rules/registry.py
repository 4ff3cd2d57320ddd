"""The detector registry: every deterministic rule, its options and defaults.

A detector is a function decorated with `@detector(...)` in one module of
this package; modules are discovered, so adding a rule touches one module
(and its test). Options are declared per family (the module's
`[rules.<family>]` table in config.toml) with their defaults.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

KINDS = (
    "execution_rate_low", "satisfaction_below_target", "indicator_target_missed", "total_mismatch",
    "stated_value_mismatch", "text_table_conflict", "unit_error", "undefined_ratio", "statistical_outlier",
    "benford_deviation", "cross_year_mismatch", "target_hugging", "budget_exceeded", "impossible_value",
    "disclosure_incomplete", "wording_mismatch", "change_unexplained",
    "report_missing", "late_publication",       # disclosure duties: alerts/duties.py, outside the registry
    "report_restated",      # raised by alerts/restated.py, not by a detector of this registry
)


@dataclass
class Detector:
    id: str
    kind: str
    family: str
    func: Callable
    doc: str
    severity: str = ""        # how severity is decided, in a phrase


@dataclass
class Family:
    name: str
    options: dict = field(default_factory=dict)
    doc: str = ""
    # Families whose options this one's detectors read (opts[name]): a rule that
    # leaves a figure to another rule must know when that rule speaks.
    reads: tuple = ()


REGISTRY: dict[str, Detector] = {}
FAMILIES: dict[str, Family] = {}


def family(name: str, doc: str = "", reads: tuple = (), **options) -> None:
    """Declare a family of detectors and its options (with defaults); `reads`
    names other families whose options its detectors are given too."""
    opts = {"enabled": True}
    opts.update(options)
    FAMILIES[name] = Family(name, opts, doc, tuple(reads))


def detector(id: str, kind: str, severity: str = ""):
    """Register a detector function `f(report, opts) -> list[Finding]`."""
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")

    def wrap(func: Callable) -> Callable:
        fam = id.split(".", 1)[0]
        if fam not in FAMILIES:
            raise ValueError(f"detector {id} registered before its family {fam}")
        REGISTRY[id] = Detector(id=id, kind=kind, family=fam, func=func,
                                doc=(func.__doc__ or "").strip(), severity=severity)
        return func

    return wrap


_loaded = False


def load_all() -> dict[str, Detector]:
    global _loaded
    if not _loaded:
        import rules

        for mod in sorted(pkgutil.iter_modules(rules.__path__), key=lambda m: m.name):
            if mod.name not in ("registry", "base", "tolerance", "engine", "relations", "evidence", "taxonomy"):
                importlib.import_module(f"rules.{mod.name}")
        _loaded = True
    return REGISTRY


def option_specs() -> dict[str, dict]:
    load_all()
    return {name: dict(f.options) for name, f in FAMILIES.items()}


def options_for(family_name: str, config_rules: dict | None) -> dict:
    opts = dict(FAMILIES[family_name].options)
    if config_rules and family_name in config_rules:
        opts.update(config_rules[family_name])
    return opts


def detector_options(family_name: str, config_rules: dict | None) -> dict:
    """A detector's options: its family's, and those of the families it reads (by name)."""
    opts = options_for(family_name, config_rules)
    for other in FAMILIES[family_name].reads:
        opts[other] = options_for(other, config_rules)
    return opts
