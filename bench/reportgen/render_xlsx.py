"""XLSX rendering with openpyxl: a 目录 sheet, one sheet per table (title row
merged across, unit row, merged header cells, body, 注), and a 情况说明 sheet."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .blocks import render
from .document import TABLE_KEYS, Report
from .grid import Amt, LTable, cell_text, scale

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _sheet_name(i: int, t: LTable) -> str:
    name = f"{i + 1}{t.base_title}"
    for ch in "[]:*?/\\":
        name = name.replace(ch, "")
    return name[:31]


def _table_sheet(wb: Workbook, i: int, t: LTable, as_text: bool) -> None:
    ws = wb.create_sheet(_sheet_name(i, t))
    n = t.ncols
    r = 1
    if t.pre_title:
        ws.cell(r, 1, t.pre_title).font = Font(bold=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
        r += 1
    ws.cell(r, 1, t.title).font = Font(bold=True, size=14)
    ws.cell(r, 1).alignment = CENTER
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
    r += 1
    ws.cell(r, n, f"单位：{t.unit}").alignment = Alignment(horizontal="right")
    r += 1
    h0 = r
    for row in t.header:
        for c, h in enumerate(row, 1):
            cell = ws.cell(r, c, h)
            cell.alignment = CENTER
            cell.border = BOX
        r += 1
    for r0, c0, r1, c1 in t.hmerges:
        ws.merge_cells(start_row=h0 + r0, start_column=c0 + 1, end_row=h0 + r1, end_column=c1 + 1)
    b0 = r
    fmt = "#,##0.00" if t.thousands else "0.00"
    for row in t.rows:
        for c, v in enumerate(row, 1):
            cell = ws.cell(r, c)
            cell.border = BOX
            if isinstance(v, Amt):
                if v.blank or v.text is not None or as_text or (v.v == 0 and t.zero in ("-", "")):
                    cell.value = cell_text(v, t) or None
                    cell.alignment = Alignment(horizontal="right")
                else:
                    cell.value = scale(v.v, t.unit)
                    cell.number_format = fmt if v.v or t.zero == "0.00" else "0"
            elif v:
                cell.value = v
        r += 1
    for r0, c0, r1, c1 in t.bmerges:
        ws.merge_cells(start_row=b0 + r0, start_column=c0 + 1, end_row=b0 + r1, end_column=c1 + 1)
    for text in (t.note, t.empty_note):
        if text:
            ws.cell(r, 1, text)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
            r += 1
    for c, w in enumerate(t.widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = 9 * w


def render_xlsx(rep: Report, path: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "目录"
    cover = next(b for b in rep.blocks if b.kind == "cover")
    ws.cell(1, 1, "".join(render(line) for line in cover.lines))
    toc = next(b for b in rep.blocks if b.kind == "toc")
    ws.cell(2, 1, "目录")
    for k, line in enumerate(toc.lines, 3):
        ws.cell(k, 1, render(line))
    ws.column_dimensions["A"].width = 60
    i = 0
    for b in rep.blocks:
        if b.kind == "table" and b.table.key in TABLE_KEYS:
            if not b.dropped:
                _table_sheet(wb, i, b.table, rep.variant.get("numbers_as_text", False))
            i += 1
    if rep.variant.get("xlsx_narrative", True):
        ws = wb.create_sheet("情况说明")
        r = 1
        for b in rep.blocks:
            if b.kind in ("heading", "para"):
                ws.cell(r, 1, b.text)
                r += 1
            elif b.kind == "table" and b.table.key == "units":
                for row in b.table.rows:
                    ws.cell(r, 1, "  ".join(x for x in row if x))
                    r += 1
        ws.column_dimensions["A"].width = 120
    stamp = datetime(rep.year + 1, 8, 20, 9, 0, 0)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = rep.issuer
    buf = io.BytesIO()
    wb.save(buf)
    # rewrite the zip with fixed entry dates: the same seed gives the same bytes
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", lambda m: m.group(1) + iso, data)
            dst.writestr(zi, data)
