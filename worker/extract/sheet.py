"""Spreadsheet attachments (XLSX, XLS): every sheet as a grid, rows and columns kept."""
from __future__ import annotations

import io
import re

from worker.extract import Extracted, ExtractError
from worker.parse.tables import grid_table, render_grid


def _fmt(value, number_format: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            m = re.search(r"0\.(0+)%", number_format)
            decimals = len(m.group(1)) if m else 0
            return f"{value * 100:.{decimals}f}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, float):
            return repr(round(value, 10))
        return str(value)
    return str(value).strip()


def _assemble(sheets: list[tuple[str, list[list[str]]]], content_type: str) -> Extracted:
    parts: list[str] = []
    grids = []
    length = 0
    for title, rows in sheets:
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            continue
        width = max(len(r) for r in rows)
        # Trim columns that are empty in every row.
        keep = [j for j in range(width) if any(j < len(r) and r[j].strip() for r in rows)]
        rows = [[r[j] if j < len(r) else "" for j in keep] for r in rows]
        head = f"{title}\n"
        parts.append(head)
        length += len(head)
        rendered = render_grid(rows)
        grids.append(grid_table(rendered, length, rows, caption=title))
        parts.append(rendered + "\n")
        length += len(rendered) + 1
    text = "".join(parts)
    if not text.strip():
        raise ExtractError("empty", "表格文件中没有任何内容")
    return Extracted(text=text, grids=grids, content_type=content_type)


def extract_xlsx(data: bytes) -> Extracted:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:
        raise ExtractError("failed", f"XLSX 文件损坏或无法打开({type(e).__name__})") from None
    sheets = []
    for ws in wb.worksheets:
        merged = {}
        for rng in ws.merged_cells.ranges:
            top = ws.cell(rng.min_row, rng.min_col)
            v = _fmt(top.value, top.number_format)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    merged[(r, c)] = v
        rows = []
        for r, row in enumerate(ws.iter_rows(), start=1):
            rows.append([merged.get((r, c), _fmt(cell.value, cell.number_format))
                         for c, cell in enumerate(row, start=1)])
        sheets.append((ws.title, rows))
    return _assemble(sheets, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def extract_xls(data: bytes) -> Extracted:
    try:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as e:
        raise ExtractError("failed", f"XLS 文件损坏或无法打开({type(e).__name__})") from None
    sheets = []
    for sh in book.sheets():
        merged = {}
        for r0, r1, c0, c1 in sh.merged_cells:
            v = _fmt(sh.cell_value(r0, c0))
            for r in range(r0, r1):
                for c in range(c0, c1):
                    merged[(r, c)] = v
        rows = []
        for r in range(sh.nrows):
            rows.append([merged.get((r, c), _fmt(sh.cell_value(r, c))) for c in range(sh.ncols)])
        sheets.append((sh.name, rows))
    return _assemble(sheets, "application/vnd.ms-excel")
