"""HTML rendering: one page, narrative as <p>, each table as <table> with
its title in <h3> or <p>, colspan/rowspan headers; UTF-8 or GBK."""
from __future__ import annotations

from html import escape

from .blocks import render
from .document import Report
from .grid import LTable, text_of


def _spans(merges, r, c):
    for r0, c0, r1, c1 in merges:
        if (r0, c0) == (r, c):
            return r1 - r0 + 1, c1 - c0 + 1, False
        if r0 <= r <= r1 and c0 <= c <= c1:
            return 1, 1, True
    return 1, 1, False


def _grid(rows, merges, t: LTable, tag: str, numeric: list) -> list[str]:
    out = []
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            rs, cs, covered = _spans(merges, r, c)
            if covered:
                continue
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            if tag == "td" and c in numeric:
                attrs += ' align="right"'
            cells.append(f"<{tag}{attrs}>{escape(text_of(cell, t))}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return out


def table_html(t: LTable, title_tag: str) -> str:
    parts = []
    if t.pre_title:
        parts.append(f'<p class="pre-title">{escape(t.pre_title)}</p>')
    if t.title:
        parts.append(f"<{title_tag} class=\"table-title\">{escape(t.title)}</{title_tag}>")
    if t.unit:
        parts.append(f'<p class="unit" style="text-align:right">单位：{t.unit}</p>')
    parts.append('<table border="1" cellspacing="0" cellpadding="3">')
    parts += ["<thead>"] + _grid(t.header, t.hmerges, t, "th", []) + ["</thead>", "<tbody>"]
    parts += _grid(t.rows, t.bmerges, t, "td", t.numeric_cols) + ["</tbody>", "</table>"]
    for s in (t.note, t.empty_note):
        if s:
            parts.append(f'<p class="note">{escape(s)}</p>')
    return "\n".join(parts)


def render_html(rep: Report, path: str) -> None:
    enc = rep.variant.get("encoding", "utf-8")
    tag = rep.variant.get("title_tag", "h3")
    head = f"{rep.issuer}{rep.year}年度部门决算"
    body = ['<div class="header"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 财政预决算</div>',
            '<div class="article">']
    for b in rep.blocks:
        if b.kind == "cover":
            body += [f'<h1 style="text-align:center">{escape(render(line))}</h1>' for line in b.lines]
        elif b.kind == "toc":
            body.append('<div class="toc"><p><b>目录</b></p>')
            body += [f"<p>{escape(render(line))}</p>" for line in b.lines]
            body.append("</div>")
        elif b.kind == "heading":
            lv = min(b.level + 1, 4)
            body.append(f"<h{lv}>{escape(b.text)}</h{lv}>")
        elif b.kind == "para":
            body.append(f'<p style="text-indent:2em">{escape(b.text)}</p>')
        elif b.kind == "table" and not b.dropped:
            body.append(table_html(b.table, tag))
    body += ["</div>", '<div class="footer">主办单位：' + escape(rep.issuer) + "　版权所有</div>"]
    charset = "gbk" if enc == "gbk" else "utf-8"
    doc = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta http-equiv="Content-Type" '
           f'content="text/html; charset={charset}">\n<title>{escape(head)}</title>\n</head>\n<body>\n'
           + "\n".join(body) + "\n</body>\n</html>\n")
    with open(path, "wb") as f:
        f.write(doc.encode(charset, errors="strict"))
