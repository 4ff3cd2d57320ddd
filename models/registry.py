"""Registry of statistical detectors: families with options, fitted and run
over the population of stored reports by `models.engine`.

A model detector has an id, an alert kind, an optional `fit(population,
opts) -> state` (refitted only when the population changes) and a
`detect(ctx) -> {report_id: [Finding]}`; `ctx` holds the population table,
the fitted state, the options and the reports to judge.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class ModelDetector:
    id: str
    kind: str
    family: str
    detect: Callable
    fit: Callable | None
    doc: str
    severity: str = ""


@dataclass
class Family:
    name: str
    options: dict = field(default_factory=dict)
    doc: str = ""


REGISTRY: dict[str, ModelDetector] = {}
FAMILIES: dict[str, Family] = {}


def family(name: str, doc: str = "", **options) -> None:
    opts = {"enabled": True}
    opts.update(options)
    FAMILIES[name] = Family(name, opts, doc)


def model(id: str, kind: str, fit: Callable | None = None, severity: str = ""):
    def wrap(func: Callable) -> Callable:
        fam = id.split(".")[1]
        REGISTRY[id] = ModelDetector(id=id, kind=kind, family=fam, detect=func, fit=fit,
                                     doc=(func.__doc__ or "").strip(), severity=severity)
        return func
    return wrap


_loaded = False


def load_all() -> dict[str, ModelDetector]:
    global _loaded
    if not _loaded:
        import models

        for mod in sorted(pkgutil.iter_modules(models.__path__), key=lambda m: m.name):
            if mod.name not in ("registry", "engine", "features", "stats"):
                importlib.import_module(f"models.{mod.name}")
        _loaded = True
    return REGISTRY


def option_specs() -> dict[str, dict]:
    load_all()
    return {name: dict(f.options) for name, f in FAMILIES.items()}


def options_for(family_name: str, config_models: dict | None) -> dict:
    opts = dict(FAMILIES[family_name].options)
    if config_models and family_name in config_models:
        opts.update(config_models[family_name])
    return opts
