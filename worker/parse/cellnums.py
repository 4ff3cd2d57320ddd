"""Table cells read as numbers, memoised by their text.

Several readers look at the same cells (the ledger's recognizer, the form
readers, the funding and indicator rows, the year columns), and tables repeat
cell texts (0.00, 100%, -): the reading of a text is kept, and each caller gets
its own Num at its own offsets, exactly as `parse_cell_number` gives it.
"""
from __future__ import annotations

from worker.numbers import Num, parse_cell_number

MAX_CACHED = 20_000      # texts kept; the memo is dropped whole when full
_READ: dict[str, Num | None] = {}


def _read(text: str) -> Num | None:
    try:
        return _READ[text]
    except KeyError:
        if len(_READ) >= MAX_CACHED:
            _READ.clear()
        n = _READ[text] = parse_cell_number(text, 0)
        return n


def cell_number(text: str, start: int = 0) -> Num | None:
    """`parse_cell_number(text, start)`: a new Num each call (callers may keep or change it)."""
    if not text:
        return None
    n = _read(text)
    if n is None:
        return None
    return Num(n.value, n.unit, n.kind, n.precision, n.raw, n.start + start, n.end + start, n.scale, n.approx)


def is_cell_number(text: str) -> bool:
    """Whether the whole text is one number (`parse_cell_number` is not None)."""
    return _read(text) is not None
