"""Alerts as an Excel workbook: one row per alert, the readable columns of
alerts.export, a frozen header row, an auto filter, sized columns, source
URLs as links, and every text cell stored as text (never a formula)."""
from __future__ import annotations

import unicodedata
from itertools import chain, islice
from pathlib import Path
from typing import IO, Callable

from alerts.export import COLUMNS, headers, readable
from worker.labels import DEFAULT, Labels
from worker.safe_text import clean, csv_cell

WRAPPED = {"title", "message", "quotes", "other", "report_title"}     # long text: wrapped, not widened
MAX_WIDTH = {"title": 50, "message": 70, "quotes": 70, "other": 40, "report_title": 40, "source": 50}


def _width(text: str) -> int:
    """Display width of the longest line: a CJK character takes two columns."""
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.split("\n")), default=0)


def _is_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def write_xlsx(rows, path: str | Path, lang: str = DEFAULT, states: dict | None = None) -> int:
    """Write the alerts to `path`; returns the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    L = Labels(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = "预警" if lang == "zh" else "alerts"
    ws.append(headers(L))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [_width(h) for h in headers(L)]
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for r, row in enumerate(rows, start=2):
        values = readable(row, L, (states or {}).get(row["id"]))
        for c, col in enumerate(COLUMNS, start=1):
            v = values[col]
            cell = ws.cell(row=r, column=c)
            if isinstance(v, str):
                v = clean(v)      # no control characters (openpyxl refuses them, Excel would too)
                cell.value = v
                # Text stays text: a quote or file name starting with = + - @ is stored as a string
                # with Excel's quote prefix, never as a formula (the test of alerts.export's CSV cells).
                cell.data_type = "s"
                if csv_cell(v) != v:
                    cell.quotePrefix = True
                if col == "source" and _is_link(v):
                    cell.hyperlink = v
                    cell.style = "Hyperlink"
            else:
                cell.value = v
            cell.alignment = wrap if col in WRAPPED else top
            widths[c - 1] = max(widths[c - 1], _width("" if v is None else str(v)))
    for c, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(widths[c - 1], MAX_WIDTH.get(col, 30)) + 2
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, ws.max_row)}"
    wb.save(str(path))
    return ws.max_row - 1


def write_xlsx_stream(rows, out: str | Path | IO[bytes], lang: str = DEFAULT, states: dict | None = None,
                      note: Callable[[], str | None] | None = None, sample: int = 200) -> int:
    """write_xlsx in openpyxl's write-only mode: memory stays bounded however many rows (the web's
    export). Columns are sized from the first `sample` rows. `note` is called once the alerts are
    written: a text it returns is a last row (an export that was cut says so). Returns the number of
    alerts written."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    L = Labels(lang)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("预警" if lang == "zh" else "alerts")
    it = iter(rows)
    first = [readable(row, L, (states or {}).get(row["id"])) for row in islice(it, sample)]
    widths = [_width(h) for h in headers(L)]
    for values in first:
        for c, col in enumerate(COLUMNS):
            v = values[col]
            widths[c] = max(widths[c], _width("" if v is None else clean(v)))
    # Sizes and panes go before the first row: a write-only sheet writes its head first.
    for c, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(widths[c - 1], MAX_WIDTH.get(col, 30)) + 2
    ws.freeze_panes = "A2"
    bold, wrap, top = Font(bold=True), Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")

    def head(h: str):
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        return cell

    # A cell's style is copied from one made per kind of cell: styling every cell anew costs most of
    # the time of a large export (openpyxl hashes the style objects on each assignment).
    protos: dict[tuple, Cell] = {}

    def proto(wrapped: bool, quote: bool, link: bool) -> Cell:
        key = (wrapped, quote, link)
        if key not in protos:
            cell = protos[key] = WriteOnlyCell(ws)
            if link:
                cell.style = "Hyperlink"
            cell.alignment = wrap if wrapped else top
            cell.quotePrefix = quote
        return protos[key]

    def cell_of(col: str, v):
        if not isinstance(v, str):
            return Cell(ws, row=1, column=1, value=v, style_array=proto(col in WRAPPED, False, False)._style)
        v = clean(v)
        link = col == "source" and _is_link(v)
        cell = Cell(ws, row=1, column=1, style_array=proto(col in WRAPPED, csv_cell(v) != v, link)._style)
        cell.value = v
        cell.data_type = "s"             # text stays text, never a formula (as write_xlsx)
        if link:
            cell.hyperlink = v
        return cell

    ws.append([head(h) for h in headers(L)])
    n = 0
    rest = (readable(row, L, (states or {}).get(row["id"])) for row in it)
    for values in chain(first, rest):
        ws.append([cell_of(col, values[col]) for col in COLUMNS])
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{n + 1}"
    text = note() if note is not None else None
    if text:
        ws.append([cell_of("title", text)])
    wb.save(out if not isinstance(out, (str, Path)) else str(out))
    return n
