"""Tables written by hand for the ledger tests: rows of cells, rendered into a
report text the way extractors render grids, so every cell has real offsets.

A cell "<" is covered by the merged cell to its left, "^" by the one above.
"""
from __future__ import annotations

from worker.parse.tables import Cell, Table, grid_table, render_grid


def grid(rows: list[list[str]], start: int = 0, unit: str = "万元", page: int | None = None) -> tuple[str, Table]:
    plain = [["" if c in ("<", "^") else c for c in r] for r in rows]
    text = render_grid(plain)
    t = grid_table(text, start, plain, unit=unit)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            cell = t.rows[r][c]
            cell.page = page
            if v == "<":
                cell.span_from = _origin(t, r, c - 1, "<", rows)
            elif v == "^":
                cell.span_from = _origin(t, r - 1, c, "^", rows)
    t.page = t.page_end = page
    return text, t


def _origin(t: Table, r: int, c: int, mark: str, rows) -> tuple[int, int]:
    while rows[r][c] in ("<", "^"):
        if rows[r][c] == "<":
            c -= 1
        else:
            r -= 1
    return (r, c)


def document(parts: list) -> tuple[str, list[Table]]:
    """Lines of text and tables (from `grid`) joined into one report text."""
    text, tables = "", []
    for p in parts:
        if isinstance(p, str):
            text += p + "\n"
            continue
        rows, unit = p
        body, t = grid(rows, start=len(text), unit=unit)
        text += body + "\n"
        tables.append(t)
    return text, tables
