"""Alerts as an Excel workbook: one row per alert, the readable columns of
alerts.export, a frozen header row, an auto filter, sized columns, source
URLs as links, and every text cell stored as text (never a formula)."""
from __future__ import annotations

import unicodedata
from pathlib import Path

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
