"""Registry of statistical detectors and their options."""
from __future__ import annotations

FAMILIES: dict[str, dict] = {}


def option_specs() -> dict[str, dict]:
    return {name: dict(opts) for name, opts in FAMILIES.items()}
