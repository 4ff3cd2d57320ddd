"""Export from the inbox (/export.csv, /export.xlsx): the inbox's filter, its alerts in its order,
the columns of `alerts export`, text never a formula, a cap that says when it cut."""
from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from urllib.parse import unquote

from tests.webkit import client, get, logged_in
from tests.dbkit import connect, session

SEV_RANK = {"high": 3, "medium": 2, "low": 1, "info": 0}
BOM = b"\xef\xbb\xbf"


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[len(BOM):].decode("utf-8"))))


def xlsx_rows(body: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(body)).active


def inbox_ids(c, query: str) -> list[int]:
    page = get(c, "/?" + query).text
    return [int(i) for i in re.findall(r'<td><a href="/alerts/(\d+)">#', page)]


def a_filter(db) -> tuple[str, list[int]]:
    """severity=high and the commonest kind among the open high alerts, with the ids by hand (inbox order)."""
    conn = connect(db)
    kind, = conn.execute("SELECT kind FROM alerts WHERE severity = 'high' AND status = 'open'"
                         " AND kind != 'source_failure' GROUP BY kind ORDER BY count(*) DESC, kind").fetchone()
    ids = [r[0] for r in conn.execute("SELECT id FROM alerts WHERE severity = 'high' AND kind = ?"
                                      " AND status = 'open' ORDER BY id DESC", (kind,))]
    conn.close()
    assert len(ids) >= 2
    return f"severity=high&kind={kind}", ids


def test_csv_of_a_filter_has_the_inboxs_rows_in_order(web_db):
    query, ids = a_filter(web_db)
    c = logged_in(web_db, page_size=1000)
    assert inbox_ids(c, query) == ids
    r = get(c, "/export.csv?" + query)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = csv_rows(r.content)
    assert rows[0][:4] == ["编号", "级别", "类型", "规则"] and "原文引述" in rows[0]     # the page's language
    assert [int(row[0]) for row in rows[1:]] == ids
    assert {row[1] for row in rows[1:]} == {"高"}
    conn = connect(web_db)
    title = conn.execute("SELECT title FROM alerts WHERE id = ?", (ids[0],)).fetchone()[0]
    assert rows[1][rows[0].index("标题")] == title
    assert rows[1][rows[0].index("状态")] == "待处理"


def test_every_state_and_a_search_follow_the_inbox(web_db_copy):
    from alerts import verdicts
    from worker.storage import Store

    conn = connect(web_db_copy)
    first, second = [r[0] for r in conn.execute("SELECT id FROM alerts WHERE status = 'open'"
                                                " AND kind != 'source_failure' ORDER BY id LIMIT 2")]
    conn.close()
    store = Store(web_db_copy)
    try:
        verdicts.add(store, first, "confirmed", "audrey", "核对属实")
    finally:
        store.close()
    c = logged_in(web_db_copy, page_size=1000)
    for query in ("status=all", "status=judged", "", "q=执行率&status=all"):
        ids = [int(row[0]) for row in csv_rows(get(c, "/export.csv?" + query).content)[1:]]
        assert ids == inbox_ids(c, query), query
        assert len(ids) > 0, query
    judged = csv_rows(get(c, "/export.csv?status=judged").content)
    assert [int(r[0]) for r in judged[1:]] == [first] and judged[1][judged[0].index("状态")] == "已研判"
    assert first not in [int(r[0]) for r in csv_rows(get(c, "/export.csv").content)[1:]]    # open by default
    assert second in [int(r[0]) for r in csv_rows(get(c, "/export.csv").content)[1:]]


def test_xlsx_of_a_filter_opens_with_the_same_rows(web_db):
    query, ids = a_filter(web_db)
    r = get(logged_in(web_db), "/export.xlsx?" + query)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert int(r.headers["content-length"]) == len(r.content)
    ws = xlsx_rows(r.content)
    head = [c.value for c in ws[1]]
    assert head[:3] == ["编号", "级别", "类型"] and ws.title == "预警"
    assert [ws.cell(i, 1).value for i in range(2, ws.max_row + 1)] == ids
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:R{len(ids) + 1}"
    src = ws.cell(2, head.index("来源地址") + 1)
    assert src.data_type == "s" and src.value


def test_the_download_is_an_attachment_with_a_safe_name(web_db):
    r = get(logged_in(web_db), "/export.csv")
    cd = r.headers["content-disposition"]
    m = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"; filename\*=UTF-8\'\'(\S+)', cd)
    assert m and m.group(1).endswith(".csv") and m.group(1).startswith("audit-alerts-")
    assert unquote(m.group(2)).startswith("预警导出-") and unquote(m.group(2)).endswith(".csv")
    assert cd.isascii() and r.headers["cache-control"] == "no-store"
    assert get(logged_in(web_db, lang="en"), "/export.csv").headers["content-disposition"].endswith(".csv")
    en = csv_rows(get(logged_in(web_db, lang="en"), "/export.csv").content)
    assert en[0][:2] == ["id", "severity"]


def test_formula_looking_cells_are_neutralised(web_db_copy):
    with session(web_db_copy) as conn:
        aid = conn.execute("SELECT id FROM alerts WHERE status = 'open' AND kind != 'source_failure'"
                           " ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE alerts SET title = ?, message = ?, source = ? WHERE id = ?",
                     ('=HYPERLINK("http://evil","x")', "@SUM(A1)", "https://portal.example/r.pdf", aid))
        rid = conn.execute("SELECT report_id FROM alerts WHERE id = ?", (aid,)).fetchone()[0]
        conn.execute("UPDATE reports SET issuer = '+cmd|calc', title = '-2+3' WHERE id = ?", (rid,))
    conn.close()
    c = logged_in(web_db_copy)
    rows = csv_rows(get(c, "/export.csv").content)
    head, row = rows[0], next(r for r in rows[1:] if r[0] == str(aid))
    assert row[head.index("标题")] == '\'=HYPERLINK("http://evil","x")'
    assert row[head.index("说明")] == "'@SUM(A1)"
    assert row[head.index("单位")] == "'+cmd|calc" and row[head.index("报告标题")] == "'-2+3"
    for cells in rows[1:]:
        assert not any(v[:1] in ("=", "+", "-", "@") for v in cells)
    body = get(c, "/export.xlsx").content
    ws = xlsx_rows(body)
    xhead = [x.value for x in ws[1]]
    r = next(i for i in range(2, ws.max_row + 1) if ws.cell(i, 1).value == aid)
    title = ws.cell(r, xhead.index("标题") + 1)
    assert title.value == '=HYPERLINK("http://evil","x")' and title.data_type == "s" and title.quotePrefix
    assert ws.cell(r, xhead.index("单位") + 1).quotePrefix
    src = ws.cell(r, xhead.index("来源地址") + 1)
    assert src.hyperlink.target == "https://portal.example/r.pdf" and not src.quotePrefix
    assert not ws.cell(r, 1).quotePrefix and ws.cell(r, 1).data_type == "n"     # the id stays a number
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet


def test_a_capped_export_says_it_was_cut(web_db):
    c = logged_in(web_db, export_max_rows=3, page_size=1000)
    all_ids = inbox_ids(c, "status=all")
    assert len(all_ids) > 3
    r = get(c, "/export.csv?status=all")
    rows = csv_rows(r.content)
    assert [int(x[0]) for x in rows[1:4]] == all_ids[:3] and len(rows) == 5
    assert rows[4] == ["(仅导出前 3 条,另有预警符合筛选但未导出;请缩小筛选范围)"]
    assert r.headers["x-export-truncated"] == "1"
    ws = xlsx_rows(get(c, "/export.xlsx?status=all").content)
    assert [ws.cell(i, 1).value for i in range(2, 5)] == all_ids[:3]
    assert ws.cell(5, 1).value.startswith("(仅导出前 3 条") and ws.max_row == 5
    assert ws.auto_filter.ref == "A1:R4"
    # exactly the cap: nothing was cut, no note
    c2 = logged_in(web_db, export_max_rows=len(all_ids))
    r2 = get(c2, "/export.csv?status=all")
    assert len(csv_rows(r2.content)) == len(all_ids) + 1 and r2.headers["x-export-truncated"] == "0"
    # the inbox warns beside its links
    assert "导出最多 3 条" in get(c, "/?status=all").text
    assert "导出最多" not in get(c2, "/?status=all").text


def test_the_inbox_links_to_the_exports_of_its_filter(web_db):
    page = get(logged_in(web_db), "/?severity=high&year=2020&q=" + "预算").text
    links = {k: html.unescape(v) for v, k in re.findall(r'href="([^"]*)" data-export="(\w+)"', page)}
    assert set(links) == {"csv", "xlsx"}
    for fmt, link in links.items():
        assert link.startswith(f"/export.{fmt}?") and "severity=high" in link and "year=2020" in link
        assert "q=%E9%A2%84%E7%AE%97" in link and "page=" not in link
    assert "导出 CSV" in page and "导出 XLSX" in page


def test_an_export_needs_a_login(web_db):
    for url in ("/export.csv", "/export.xlsx?severity=high"):
        r = get(client(web_db), url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert get(client(web_db, public_read=True), "/export.csv").status_code == 200


def test_a_workbook_has_its_own_lower_cap(web_db):
    c = logged_in(web_db, export_xlsx_max_rows=2, page_size=1000)
    all_ids = inbox_ids(c, "status=all")
    assert len(all_ids) > 2
    ws = xlsx_rows(get(c, "/export.xlsx?status=all").content)
    assert [ws.cell(i, 1).value for i in range(2, 4)] == all_ids[:2]
    assert ws.cell(4, 1).value.startswith("(仅导出前 2 条") and ws.max_row == 4
    rows = csv_rows(get(c, "/export.csv?status=all").content)       # CSV keeps export_max_rows
    assert [int(x[0]) for x in rows[1:]] == all_ids
    assert "XLSX 最多 2 条" in get(c, "/?status=all").text
