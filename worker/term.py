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


def clip(text: str | None, width: int) -> str:
    """Text cut to at most `width` characters, the cut marked with "…" (never a silent cut
    that turns 722.58万元 into 722.5); every shortened cell of the views goes through here."""
    t = text or ""
    return t if len(t) <= width else t[:max(width - 1, 0)] + "…"
