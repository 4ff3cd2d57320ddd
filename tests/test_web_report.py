"""The report page (/reports/{id}): the tables as grids with the cells of failed
checks marked, the relations checked, the narrative with its claims marked, and
the issuer's other years. Pages of the real app over real backfilled databases,
read back with an HTML parser; expectations come from SQLite and by hand."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from tests.conftest import STORES, db_rows
from tests.webkit import client, get, logged_in

# Two years of one issuer, written by hand. In 2023 the 项目支出 of 20103 is
# printed 110.00 while its 项 add up to 60.00 + 40.00 = 100.00 (and 201 says
# 100.00, and the row 300.00 = 200.00 + 110.00 does not close): one wrong figure.
TABLE = """3.支出决算表
单位:万元
项目 |  | 本年支出合计 | 基本支出 | 项目支出
功能分类科目编码 | 科目名称 |  |  | 
 | 合计 | {t} | {tb} | {tp}
201 | 一般公共服务支出 | {t} | {tb} | {tp}
20103 | 政府办公厅(室)及相关机构事务 | {t} | {tb} | {xp}
2010301 | 行政运行 | {a} | {ab} | {ap}
2010350 | 事业运行 | {b} | 0.00 | {bp}"""

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>[bold red]红[/bold red]\x1b[31m"


def report_text(year: int, t: str, tb: str, tp: str, xp: str, a: str, ab: str, ap: str, b: str, bp: str,
                share: str, hostile: str = "") -> str:
    return f"""北京市测试区审计样例局{year}年度部门决算

第一部分 部门概况
一、主要职能
北京市测试区审计样例局负责样例工作。{hostile}

第二部分 {year}年度部门决算表
{TABLE.format(t=t, tb=tb, tp=tp, xp=xp, a=a, ab=ab, ap=ap, b=b, bp=bp)}

第三部分 {year}年度部门决算情况说明
一、支出决算情况说明
{year}年度支出决算{t}万元。其中：基本支出{tb}万元，占{share}%；项目支出{tp}万元。
"""


@pytest.fixture(scope="module", params=STORES)
def two_years(request, tmp_path_factory):
    """Two years of one department backfilled, on each store: (database, {year: report id})."""
    from worker.cli import main

    d = tmp_path_factory.mktemp("two_years")
    (d / "y2022.txt").write_text(report_text(2022, "250.00", "170.00", "80.00", "80.00", "210.00", "170.00",
                                             "40.00", "40.00", "40.00", "68.00"), encoding="utf-8")
    (d / "y2023.txt").write_text(report_text(2023, "300.00", "200.00", "100.00", "110.00", "260.00", "200.00",
                                             "60.00", "40.00", "40.00", "66.67", HOSTILE), encoding="utf-8")
    srv = name = None
    db: object = d / "r.db"
    if request.param == "postgresql":
        srv = request.getfixturevalue("pg_server")
        name = "two_years_" + d.name.lower().replace("-", "_")[-12:]
        db = srv.create_database(name)
    res = CliRunner().invoke(main, ["--db", str(db), "backfill", str(d)])
    assert res.exit_code == 0, res.output
    ids = {r["year"]: r["id"] for r in rows(db, "SELECT id, year FROM reports")}
    assert sorted(ids) == [2022, 2023]
    yield db, ids
    if srv is not None:
        srv.drop_database(name)


rows = db_rows      # tests/conftest.py: a fresh connection per query


class Page(HTMLParser):
    """What the tests read from a report page: grid cells, the narrative's pieces, the years table."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.grids: dict[int, dict] = {}
        self.pieces: list[dict] = []          # the narrative: {text, cls, title, href}
        self.years_head: list[str] = []       # data-report of the year columns
        self.years: dict[str, dict[str, str]] = {}
        self.relations: list[list[str]] = []  # rows of the relation tables: [kind, name, where, ..., result]
        self._grid = self._row = self._cell = None
        self._narr = 0
        self._piece: dict | None = None
        self._years_row: str | None = None
        self._th: list | None = None
        self._years_cell: str | None = None
        self._rel: list | None = None
        self._td: list | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "section" and (a.get("id") or "").startswith("t") and "data-rows" in a:
            self._grid = int(a["id"][1:])
            self.grids[self._grid] = {"rows": int(a["data-rows"]), "cols": int(a["data-cols"]), "cells": {},
                                      "shape": []}
        elif tag == "tr" and self._grid is not None and "data-row" in a:
            self._row = int(a["data-row"])
            self.grids[self._grid]["shape"].append(0)
        elif tag == "td" and self._row is not None and "data-col" in a:
            self._cell = {"text": "", "cls": cls.split(), "title": a.get("title", ""), "href": ""}
            self.grids[self._grid]["cells"][(self._row, int(a["data-col"]))] = self._cell
            self.grids[self._grid]["shape"][-1] += 1
        elif tag == "a" and self._cell is not None:
            self._cell["href"] = a.get("href", "")
        elif tag == "div" and "narrative" in cls:
            self._narr = 1
        elif self._narr and tag in ("mark", "a"):
            self._piece = {"text": "", "cls": cls.split(), "title": a.get("title", ""), "href": a.get("href", "")}
            self.pieces.append(self._piece)
        elif tag == "th" and "data-report" in a:
            self.years_head.append(a["data-report"])
        elif tag == "tr" and self._grid is None and not self._narr:
            self._th, self._rel = None, [] if self._in_relations else None
        elif tag == "th" and self._years_row is None and self._in_years:
            self._th = []
        elif tag == "td" and "data-report" in a and self._years_row is not None:
            self._years_cell = a["data-report"]
            self.years[self._years_row][self._years_cell] = ""
        elif tag == "td" and self._rel is not None:
            self._td = []
        if tag == "table":
            self._in_years = "years" in cls
            self._in_relations = "relations" in cls

    _in_years = False
    _in_relations = False

    def handle_endtag(self, tag):
        if tag == "section":
            self._grid = None
        elif tag == "tr":
            self._row = None
            self._years_row = None
            if self._rel:
                self.relations.append(self._rel)
            self._rel = None
        elif tag == "td":
            self._cell = None
            self._years_cell = None
            if self._td is not None and self._rel is not None:
                self._rel.append("".join(self._td).strip())
            self._td = None
        elif tag == "th" and self._th is not None:
            self._years_row = "".join(self._th).strip()
            self.years[self._years_row] = {}
            self._th = None
        elif self._narr and tag in ("mark", "a"):
            self._piece = None
        elif tag == "div" and self._narr:
            self._narr = 0
        elif tag == "table":
            self._in_years = self._in_relations = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        elif self._narr:
            if self._piece is not None:
                self._piece["text"] += data
            else:
                self.pieces.append({"text": data, "cls": [], "title": "", "href": ""})
        elif self._th is not None:
            self._th.append(data)
        elif self._years_cell is not None:
            self.years[self._years_row][self._years_cell] += data
        elif self._td is not None:
            self._td.append(data)


def page_of(db, report_id: int) -> tuple[str, Page]:
    res = get(client(db, public_read=True), f"/reports/{report_id}")
    assert res.status_code == 200, res.text
    return res.text, Page(res.text)


# -- the grid -------------------------------------------------------------------------------

def assert_grid_matches_the_database(db, report_id: int, p: Page) -> None:
    tables = rows(db, "SELECT idx, n_rows, n_cols FROM doc_tables WHERE report_id = ? ORDER BY idx", report_id)
    assert sorted(p.grids) == [t["idx"] for t in tables]
    for t in tables:
        g = p.grids[t["idx"]]
        assert (g["rows"], g["cols"]) == (t["n_rows"], t["n_cols"])
        assert g["shape"] == [t["n_cols"]] * t["n_rows"]
    for f in rows(db, "SELECT table_idx, row, col, raw FROM report_figures WHERE report_id = ? AND found_in = 'table'",
                  report_id):
        cell = p.grids[f["table_idx"]]["cells"][(f["row"], f["col"])]
        assert cell["text"] == f["raw"] and "num" in cell["cls"], (f["row"], f["col"])


def test_the_grid_has_the_tables_shape_and_figures(two_years):
    db, ids = two_years
    for rid in ids.values():
        _, p = page_of(db, rid)
        assert_grid_matches_the_database(db, rid, p)
    _, p = page_of(db, ids[2023])
    cells = p.grids[0]["cells"]
    # By hand, from the text written above: the row of 20103 holds 300.00, 200.00, 110.00.
    assert [cells[at(db, ids[2023], "20103", h)]["text"] for h in ("本年支出合计", "基本支出", "项目支出")] == \
        ["300.00", "200.00", "110.00"]
    assert "num" in cells[at(db, ids[2023], "20103", "项目支出")]["cls"]


def at(db, report_id: int, code: str, header: str) -> tuple[int, int]:
    """(row, col) the reader gave the figure of a row (by its code) and column."""
    (r,) = rows(db, "SELECT row, col FROM report_figures WHERE report_id = ? AND found_in = 'table'"
                    " AND row_label LIKE ? AND column_header = ?", report_id, code + " %", header)
    return r["row"], r["col"]


def test_the_cells_of_a_failed_relation_are_marked_and_link_to_the_alert(two_years):
    db, ids = two_years
    alerts = rows(db, "SELECT id, evidence FROM alerts WHERE report_id = ? AND rule = 'ledger.sum'", ids[2023])
    assert len(alerts) == 1
    alert_id = alerts[0]["id"]
    _, p = page_of(db, ids[2023])
    cells = p.grids[0]["cells"]
    wrong = cells[at(db, ids[2023], "20103", "项目支出")]          # 110.00
    assert wrong["text"] == "110.00"
    assert "alerted" in wrong["cls"] and wrong["href"] == f"/alerts/{alert_id}"
    assert f"#{alert_id}" in wrong["title"]
    # Cells the alert quotes (by their offsets in SQLite) are marked; a figure no relation failed on is not.
    quoted = rows(db, "SELECT l.row, l.col FROM ledger l JOIN alert_quotes q ON q.report_id = l.report_id"
                      " WHERE l.report_id = ? AND q.alert_id = ? AND l.found_in = 'table'"
                      " AND l.raw_start >= q.quote_start AND l.raw_end <= q.quote_end", ids[2023], alert_id)
    assert len(quoted) >= 2
    assert {(r["row"], r["col"]) for r in quoted} == {(r, c) for (r, c), x in cells.items() if "alerted" in x["cls"]}
    # The 项 under the wrong 款 are in a failed relation (checked now), 行政运行's 基本支出 only in passing ones.
    assert "failed" in cells[at(db, ids[2023], "2010301", "项目支出")]["cls"]
    assert "failed" in cells[at(db, ids[2023], "2010350", "项目支出")]["cls"]
    assert not {"failed", "alerted"} & set(cells[at(db, ids[2023], "2010301", "基本支出")]["cls"])


def test_a_passing_table_has_no_marked_cell(two_years):
    db, ids = two_years
    assert rows(db, "SELECT count(*) FROM alerts WHERE report_id = ?", ids[2022])[0][0] == 0
    text, p = page_of(db, ids[2022])
    assert p.grids and all(not {"failed", "alerted"} & set(c["cls"]) for g in p.grids.values()
                           for c in g["cells"].values())
    assert 'class="num alerted' not in text and " failed\"" not in text


def test_the_relations_checked_are_listed_passed_and_failed(two_years):
    db, ids = two_years
    _, p = page_of(db, ids[2023])
    failed = [r for r in p.relations if r[-1] == "未通过"]
    passed = [r for r in p.relations if r[-1] == "通过"]
    assert passed and failed
    (ev,) = [json.loads(r["evidence"]) for r in rows(db, "SELECT evidence FROM alerts WHERE report_id = ?"
                                                     " AND rule = 'ledger.sum'", ids[2023])]
    assert {x["relation"] for x in ev["relations"]} <= {r[1] for r in failed}
    by_name = {r[1]: r for r in failed}
    assert by_name["20103 = 2010301 + 2010350"][3:5] == ["110.00", "100.00"]      # printed, computed (by hand)
    _, p22 = page_of(db, ids[2022])
    assert p22.relations and all(r[-1] == "通过" for r in p22.relations)


# -- the narrative ----------------------------------------------------------------------------

def narrative_marks(db, report_id: int, p: Page) -> list[tuple[int, int, list[str], str]]:
    """(start, end, classes, title) of each marked piece, as offsets in the original text:
    a table left out of the narrative stands for its text (doc_tables offsets)."""
    tables = [(t["table_start"], t["table_end"]) for t in
              rows(db, "SELECT table_start, table_end FROM doc_tables WHERE report_id = ? ORDER BY table_start",
                   report_id)]
    pos, out = 0, []
    for piece in p.pieces:
        if "table-ref" in piece["cls"]:
            pos = next(e for s, e in tables if s == pos)
            continue
        if piece["cls"]:
            out.append((pos, pos + len(piece["text"]), piece["cls"], piece["title"]))
        pos += len(piece["text"])
    return out


def test_claims_are_marked_in_the_narrative_at_their_offsets(two_years):
    db, ids = two_years
    rid = ids[2022]          # (2023's hostile text has control characters, dropped when shown)
    original = rows(db, "SELECT COALESCE(original_text, text) FROM reports WHERE id = ?", rid)[0][0]
    _, p = page_of(db, rid)
    marks = narrative_marks(db, rid, p)
    (t,) = rows(db, "SELECT table_start, table_end FROM doc_tables WHERE report_id = ?", rid)
    shown = "".join(x["text"] for x in p.pieces if "table-ref" not in x["cls"])
    assert shown == original[:t["table_start"]] + original[t["table_end"]:]
    claims = rows(db, "SELECT raw, raw_start, raw_end FROM fact_figures"
                      " WHERE report_id = ? AND fact_kind = 'claim' AND field = 'stated'", rid)
    assert claims
    for c in claims:
        assert original[c["raw_start"]:c["raw_end"]] == c["raw"]
        hit = [m for m in marks if (m[0], m[1]) == (c["raw_start"], c["raw_end"]) and "claim" in m[2]]
        assert hit, c["raw"]
    share = next(m for m in marks if original[m[0]:m[1]] == "68.00%")
    assert "占比" in share[3] and "相符" in share[3]          # 170.00 / 250.00 = 68 %, by hand
    figures = rows(db, "SELECT raw_start, raw_end FROM ledger WHERE report_id = ? AND found_in = 'text'", rid)
    assert figures and all(any((m[0], m[1]) == (f["raw_start"], f["raw_end"]) and "figure" in m[2] for m in marks)
                           for f in figures)


def test_hostile_text_in_the_narrative_is_shown_as_text(two_years):
    db, ids = two_years
    text, p = page_of(db, ids[2023])
    assert "<script>alert(1)" not in text and "<img src=x" not in text and "\x1b" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert any("<script>alert(1)</script>" in x["text"] and "[bold red]红[/bold red]" in x["text"] for x in p.pieces)


# -- the other years --------------------------------------------------------------------------------

def test_the_other_years_are_listed_with_their_totals_in_columns(two_years):
    from rules.taxonomy import default

    db, ids = two_years
    text, p = page_of(db, ids[2023])
    assert f'href="/reports/{ids[2022]}"' in text
    assert p.years_head == [str(ids[2022]), str(ids[2023])]         # by year
    tax = default()
    expense = p.years[tax.concepts["expense"].name]
    assert expense == {str(ids[2022]): "250.00", str(ids[2023]): "300.00"}     # by hand, from the texts above
    basic = p.years[f"{tax.concepts['expense'].name}({tax.dims['type'].members['basic'].name})"]
    assert basic == {str(ids[2022]): "170.00", str(ids[2023]): "200.00"}
    _, p22 = page_of(db, ids[2022])
    assert p22.years_head == [str(ids[2022]), str(ids[2023])]


def test_an_unknown_report_is_404(two_years, web_db):
    db, _ = two_years
    assert get(client(db, public_read=True), "/reports/999999").status_code == 404
    assert get(logged_in(web_db, "vera"), "/reports/999999").status_code == 404


def test_a_grid_extracted_from_html_shows_the_tables_own_cells(tmp_path, db_url):
    """A table extracted as a grid (one row a line, cells between "|") is shown with its labels and headers."""
    from bench.reportgen import generate
    from worker.cli import main

    generate(tmp_path / "in", pdf=0, xlsx=0, html=1, seed=7)
    db = db_url
    res = CliRunner().invoke(main, ["--db", str(db), "backfill", str(tmp_path / "in")])
    assert res.exit_code == 0, res.output
    (rid,) = [r["id"] for r in rows(db, "SELECT id FROM reports")]
    text, p = page_of(db, rid)
    assert_grid_matches_the_database(db, rid, p)
    original = rows(db, "SELECT COALESCE(original_text, text) FROM reports WHERE id = ?", rid)[0][0]
    checked = 0
    for f in rows(db, "SELECT l.table_idx, l.row, l.label_start, l.label_end FROM ledger l WHERE l.report_id = ?"
                      " AND l.found_in = 'table' AND l.label_end > l.label_start", rid):
        label = original[f["label_start"]:f["label_end"]]
        assert label in [c["text"] for (r, _), c in p.grids[f["table_idx"]]["cells"].items() if r == f["row"]]
        checked += 1
    assert checked > 100
    assert "表格原文不是逐行分栏的格式" not in text


# -- the examples ------------------------------------------------------------------------------------

def test_the_examples_pages_show_grids_marks_and_the_narrative(web_db):
    c = logged_in(web_db, "vera")
    for r in rows(web_db, "SELECT id FROM reports"):
        res = get(c, f"/reports/{r['id']}")
        assert res.status_code == 200
        p = Page(res.text)
        assert_grid_matches_the_database(web_db, r["id"], p)
        assert p.pieces
    # An alert quoting a table's row: the figures of that row are marked and link to it.
    (a,) = rows(web_db, "SELECT a.id, a.report_id, q.quote FROM alerts a JOIN alert_quotes q ON q.alert_id = a.id"
                        " WHERE a.rule = 'conflict.project_money' AND q.quote LIKE '%|%'")
    p = Page(get(c, f"/reports/{a['report_id']}").text)
    marked = [x for g in p.grids.values() for x in g["cells"].values() if "alerted" in x["cls"]]
    assert marked and all(x["href"] == f"/alerts/{a['id']}" and x["text"] in a["quote"] for x in marked)


def test_segments_cut_the_text_into_plain_pieces_with_overlaps_tables_and_a_limit():
    from worker.web.report_text import Segment, Span, segments

    text = "0123456789abcdefghij"
    segs, cut = segments(text, [Span(2, 6, "quote", "#1 t", "/alerts/1"), Span(4, 5, "claim", "c")],
                         [(8, 12, "[表]", "#t0")], limit=16)
    assert cut
    assert segs == [Segment("01"), Segment("23", "quote", "#1 t", "/alerts/1"),
                    Segment("4", "quote claim", "#1 t\nc", "/alerts/1"), Segment("5", "quote", "#1 t", "/alerts/1"),
                    Segment("67"), Segment("[表]", "table", "[表]", "#t0"), Segment("cdef")]
    assert segments(text, [], limit=100) == ([Segment(text)], False)
