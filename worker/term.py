"""The terminal the views print to, and the small formatting they share."""
from __future__ import annotations

import sys

from rich.console import Console

from worker.numbers import Num

# Wide output when piped or captured: tables of Chinese text fold badly at 80 columns.
console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)

SEV_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def n(x: Num | None) -> str:
    """A figure as printed, with its unit."""
    if x is None:
        return ""
    unit = x.unit or ("万元" if x.kind == "money" else "%" if x.kind == "percent" else "")
    return f"{x.raw}{'' if x.unit else (unit if unit and not x.raw.endswith(unit) else '')}"
