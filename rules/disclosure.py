"""Tables the publication must carry, and the 空表说明 of empty ones
(disclosure_incomplete).

Which tables are required, and which must carry a 空表说明 when they have no
figures, is data (rules/taxonomy/data/tables.toml). A publication is judged
only when it prints its tables in this document: at least `min_tables` of the
standard tables are found in it (a page that says 报表详见附件 is not judged).
"""
from __future__ import annotations

import re

from rules import evidence as ev
from rules.base import Finding
from rules.registry import detector, family
from rules.taxonomy import default as taxonomy
from worker.facts import ParsedReport
from worker.read.locate import EMPTY_NOTE_RE

family("disclosure", doc=__doc__, min_tables=5)


def _found(rd) -> dict[str, list]:
    out: dict[str, list] = {}
    for t in rd.tables:
        if t.type:
            out.setdefault(t.type, []).append(t)
    return out


def _judged(rd, opts) -> bool:
    tax = taxonomy()
    found = _found(rd)
    return not rd.blank_form and sum(1 for tid in found if tax.tables.get(tid) and tax.tables[tid].required) >= \
        opts["min_tables"]


def _said_absent(text: str, tdef) -> bool:
    """The text says the department has nothing for this table (本部门无政府性基金…)."""
    core = re.sub(r"(?:决算|情况)?表$", "", tdef.name).replace("“", "").replace("”", "")
    words = [w for w in ("政府性基金", "国有资本经营", "三公", "机关运行", "政府采购", "购买服务") if w in core]
    if not words:
        return False
    for m in EMPTY_NOTE_RE.finditer(text):
        around = text[max(0, m.start() - 40): m.end() + 40]
        if any(w in around for w in words):
            return True
    return False


@detector("disclosure.required_table", "disclosure_incomplete", severity="medium")
def required_table(report: ParsedReport, opts: dict) -> list[Finding]:
    """A standard table the template requires (or the report's own 目录 lists)
    that the body does not print, where the body prints the other tables and
    no sentence says the table is omitted because it would be empty."""
    rd = ev.reading(report)
    if rd is None or not _judged(rd, opts):
        return []
    tax = taxonomy()
    found = _found(rd)
    listed = {tid: (line, s, e) for tid, line, s, e in rd.toc}
    wanted = [t.id for t in tax.required_tables()] + [tid for tid in listed if tid not in tax.tables or
                                                      not tax.tables[tid].required]
    out = []
    for tid in dict.fromkeys(wanted):
        if tid in found or tid not in tax.tables:
            continue
        tdef = tax.tables[tid]
        if tid not in listed and _said_absent(report.text, tdef):
            continue            # omitted, and the text says there is nothing to show
        if tid in listed:
            line, s, e = listed[tid]
            title = f"目录列有《{tdef.name}》,正文中没有这张表"
            message = (f"报告目录列出“{line}”,但正文的报表部分找不到这张表(已找到{len(found)}张标准表)。"
                       f"目录与正文不符,或这张表漏发。")
            quotes = [(line, s, e)]
        elif tdef.required:
            title = f"缺少必须公开的《{tdef.name}》"
            message = (f"部门决算公开模板要求公开《{tdef.name}》;本报告公开了其他{len(found)}张标准表,"
                       f"但没有这张表,也没有说明其为空表或不涉及。")
            quotes = []
        else:
            continue
        out.append(Finding("disclosure_incomplete", "disclosure.required_table", "medium", title, message,
                           {"table": tdef.name, "listed_in_contents": tid in listed,
                            "tables_found": sorted(found)}, ("missing_table", tid), quotes))
    return out


@detector("disclosure.empty_table", "disclosure_incomplete", severity="low")
def empty_table(report: ParsedReport, opts: dict) -> list[Finding]:
    """A table that must say why it is empty (政府性基金, 国有资本经营, “三公”)
    printed without figures and without its 空表说明 under it (the template:
    仍保留该表格式,并在本表下方作说明)."""
    rd = ev.reading(report)
    if rd is None or rd.blank_form or not any(t.has_figures for t in rd.tables):
        return []
    tax = taxonomy()
    out = []
    for t in rd.tables:
        tdef = tax.tables.get(t.type)
        # The template asks for the note under the table itself; a sentence of the
        # 情况说明 saying the same does not stand in for it.
        if tdef is None or not tdef.empty_note or t.has_figures or t.empty_note or t.status != "empty":
            continue
        where = f"第{t.page}页" if t.page else ""
        title = f"《{t.title or tdef.name}》为空表,但没有空表说明"
        message = (f"{where}《{t.title or tdef.name}》没有数字,表下也没有说明为何为空(如“本单位无政府性基金预算"
                   f"财政拨款收入和支出,故本表无数据”)。模板要求空表保留格式并作说明。")
        q = [(report.text[t.title_start:t.title_end], t.title_start, t.title_end)] if t.title_start >= 0 else []
        out.append(Finding("disclosure_incomplete", "disclosure.empty_table", "low", title, message,
                           {"table": t.title or tdef.name, "page": t.page}, ("empty_without_note", t.type), q))
    return out


@detector("disclosure.note_on_filled", "disclosure_incomplete", severity="medium")
def note_on_filled(report: ParsedReport, opts: dict) -> list[Finding]:
    """A 空表说明 (本表无数据 …) printed under a table that has figures: the
    note or the figures are wrong."""
    rd = ev.reading(report)
    if rd is None or rd.blank_form:
        return []
    out = []
    for t in rd.tables:
        if not t.type or not t.has_figures or not t.empty_note or t.empty_note_start < 0:
            continue
        if not re.search(r"本表|此表|该表|故|无数据|为空", t.empty_note):
            continue
        s = t.empty_note_start
        e = s + len(t.empty_note)
        title = f"《{t.title or t.type}》有数字,表下却注明为空表"
        message = f"《{t.title or t.type}》(第{t.page}页)列有数字,表下说明却写“{t.empty_note}”。说明与表格矛盾。"
        out.append(Finding("disclosure_incomplete", "disclosure.note_on_filled", "medium", title, message,
                           {"table": t.title or t.type, "page": t.page, "note": t.empty_note},
                           ("note_on_filled", t.type), [(report.text[s:e], s, e)]))
    return out
