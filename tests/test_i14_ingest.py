"""Issue 14, ingestion: duplicates inside one backfill (4), list pages (5),
--since/--until and `backfill --reparse` alone (10), a corrected detail page
behind a list page that answers 304 (11). Real folders, a real database (each store),
real CLI subprocesses and a real HTTP server (pytest-httpserver)."""
from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, ROOT, seed_path
from dbkit import connect

from worker.app import App
from worker.config import Config
from worker.extract import Limits
from worker.ingest import Doc, _prepare
from worker.storage import Store

CORPUS = Path("/work/shared/corpus")


def rows(db, sql: str, *args) -> list:
    """Rows of a query by name, through a fresh connection (what another process sees), on either store."""
    conn = connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


# -- 4: the same bytes twice in one folder ------------------------------------------------

def test_identical_files_in_one_backfill_are_one_report_and_a_duplicate(app, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    data = seed_path("002").read_bytes()
    (folder / "a.txt").write_bytes(data)
    (folder / "b.txt").write_bytes(data)                       # same bytes, another name
    text = data.decode("utf-8")
    # The same report in another format is other bytes: read on its own (same bytes = duplicate).
    (folder / "c.html").write_text("<html><body><div class='TRS_Editor'>" + "".join(
        f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip()) + "</div></body></html>",
        encoding="utf-8")
    s = app.backfill([folder])
    st = {Path(r["key"]).name: r for r in app.store.conn.execute("SELECT * FROM reports")}
    assert st["a.txt"]["status"] == "parsed"
    assert st["b.txt"]["status"] == "duplicate" and st["b.txt"]["duplicate_of"] == st["a.txt"]["id"]
    assert f"#{st['a.txt']['id']}" in st["b.txt"]["error"]
    assert st["c.html"]["status"] == "parsed"
    assert s.counts["duplicate"] == 1 and "1 duplicates" in s.text()
    per = dict(app.store.conn.execute("SELECT report_id, COUNT(*) FROM alerts GROUP BY report_id").fetchall())
    assert per.get(st["a.txt"]["id"], 0) > 0 and per.get(st["b.txt"]["id"], 0) == 0
    assert app.store.conn.execute("SELECT COUNT(*) FROM facts WHERE report_id = ?",
                                  (st["b.txt"]["id"],)).fetchone()[0] == 0


# -- 5: a page of links is not a report ---------------------------------------------------

LIST_ITEMS = [("北京市丰台区政务服务和数据管理局2024年度部门决算", "2025-08-20"),
              ("北京市丰台区财政局2024年度部门决算", "2025-08-20"),
              ("北京市丰台区教育委员会2024年度部门决算", "2025-08-19"),
              ("北京市丰台区卫生健康委员会2024年度部门决算", "2025-08-19"),
              ("北京市丰台区民政局2024年度部门决算", "2025-08-18"),
              ("北京市丰台区2024年度项目支出绩效自评结果", "2025-08-18"),
              ("北京市丰台区审计局2024年度部门决算", "2025-08-17")]


def list_page_ul() -> str:
    items = "".join(f"<li><a href='/art/{i}.html'>{t}</a><span>{d}</span></li>" for i, (t, d) in enumerate(LIST_ITEMS))
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>部门决算 - 某区人民政府</title></head><body>"
            "<div class='top'>某区人民政府门户网站</div><div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
            f"<div class='main'><h2>部门决算</h2><ul class='list'>{items}</ul>"
            "<div class='page'>共 3 页 <a href='index_1.html'>下一页</a> <a href='index_2.html'>尾页</a></div></div>"
            "<div class='footer'>主办:某区人民政府办公室 版权所有</div></body></html>")


def list_page_table_gbk() -> bytes:
    """An older portal: the list laid out in a table, GBK, no class names at all."""
    trs = "".join(f"<tr><td>·</td><td><a href='/xxgk/{i}.htm' target='_blank'>{t}</a></td><td>[{d}]</td></tr>"
                  for i, (t, d) in enumerate(LIST_ITEMS * 2))
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'></head><body>"
            "<table><tr><td><a href='/'>网站首页</a> <a href='/zwgk'>政务公开</a> <a href='/czyjs'>财政预决算</a></td></tr>"
            f"<tr><td><table width='100%'>{trs}</table></td></tr>"
            "<tr><td>共14条 分2页 当前第1页 <a href='?p=2'>下一页</a></td></tr></table></body></html>")
    return page.encode("gbk")


def test_a_list_page_is_skipped_with_its_reason_and_reports_are_not(app, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text(list_page_ul(), encoding="utf-8")
    (folder / "list.htm").write_bytes(list_page_table_gbk())
    shutil.copy(FIXTURES / "html_report.html", folder / "report.html")
    s = app.backfill([folder])
    st = {Path(r["key"]).name: r for r in app.store.conn.execute("SELECT * FROM reports")}
    for name in ("index.html", "list.htm"):
        row = st[name]
        assert row["status"] == "skipped", (name, row["status"], row["title"])
        assert "链接列表页,不是报告" in row["error"] and "个链接" in row["error"]
        assert app.store.conn.execute("SELECT COUNT(*) FROM alerts WHERE report_id = ?", (row["id"],)).fetchone()[0] == 0
        assert app.store.conn.execute("SELECT COUNT(*) FROM facts WHERE report_id = ?", (row["id"],)).fetchone()[0] == 0
    assert "9 个链接" in st["index.html"]["error"]          # 7 reports, 下一页, 尾页 (the menu is navigation)
    assert st["report.html"]["status"] == "parsed"
    assert s.counts["skipped"] == 2 and "2 skipped" in s.text() and "index.html" in s.text()
    # Skipped is final: the next run does not read the page again.
    assert app.backfill([folder]).counts["unchanged"] == 3


def _nav(n: int) -> str:
    return "".join(f"<a href='/c{i}/'>栏目{i}</a> " for i in range(n))


def _related(n: int) -> str:
    return "<ul>" + "".join(f"<li><a href='/r/{i}.html'>某区某局2023年度部门决算公开{i}</a></li>" for i in range(n)) + "</ul>"


def _body(text: str, tables: bool) -> str:
    out, trs = [], []
    for line in text.split("\n"):
        if tables and "|" in line:
            trs.append("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in line.strip("|").split("|")) + "</tr>")
            continue
        if trs:
            out.append("<table>" + "".join(trs) + "</table>")
            trs = []
        if line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    if trs:
        out.append("<table>" + "".join(trs) + "</table>")
    return "".join(out)


def html_shapes(text: str):
    """A report as portals publish it, from kind to hostile: a marked content
    block; a long unmarked menu and a list of related reports around it; no
    tables; the text in a <pre>."""
    title = html.escape(text.strip().split("\n")[0][:40])
    yield "marked", (f"<html><head><title>{title}</title></head><body><div class='nav'>{_nav(30)}</div>"
                     f"<div class='TRS_Editor'>{_body(text, True)}</div><div class='footer'>版权所有</div></body></html>")
    yield "menu+related", (f"<html><head><title>{title}</title></head><body><div>{_nav(30)}</div>"
                           f"<div>{_body(text, True)}</div>{_related(10)}<div>版权所有</div></body></html>")
    yield "no-tables", f"<html><body><div>{_nav(30)}</div><div>{_body(text, False)}</div>{_related(10)}</body></html>"
    yield "pre", f"<html><body><div>{_nav(30)}</div><pre>{html.escape(text)}</pre>{_related(10)}</body></html>"


def real_reports() -> list[Path]:
    found = sorted(EXAMPLES.glob("*.txt"))
    for sub in ("seeds", "real-dev/docs"):
        found += sorted((CORPUS / sub).glob("*.txt"))
    return found


def test_no_real_report_in_html_is_taken_for_a_list_page():
    """Every bundled example and every corpus report (seeds, real-dev), in
    each HTML shape, through the same preparation as an ingest: none is
    skipped as a list of links."""
    docs = real_reports()
    assert len(docs) >= 5
    if CORPUS.is_dir():
        assert len(docs) >= 5 + 5 + 46
    checked = 0
    for path in docs:
        text = path.read_text(encoding="utf-8")
        for shape, page in html_shapes(text):
            prep = _prepare([Doc(url=f"{path.stem}.html", data=page.encode("utf-8"), content_type="text/html")],
                            Limits())
            assert prep.status != "skipped", (path.name, shape, prep.reason)
            checked += 1
    fixture = _prepare([Doc(url="r.html", data=(FIXTURES / "html_report.html").read_bytes())], Limits())
    assert fixture.status == "parsed"
    # …while the list pages are, through the same path.
    for data in (list_page_ul().encode("utf-8"), list_page_table_gbk()):
        assert _prepare([Doc(url="index.html", data=data)], Limits()).status == "skipped"
    assert checked == 4 * len(docs)


# -- 10: --since / --until and backfill --reparse alone -----------------------------------

def test_out_of_range_reports_are_recorded_as_such_and_read_in_later(tmp_path, db_url, second_db_url):
    db = db_url
    r = cli("--db", str(db), "backfill", str(EXAMPLES), "--since", "2023", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "2 outside --since/--until" in r.stdout
    old = rows(db, "SELECT id, status, error, year FROM reports WHERE year = 2020")
    assert len(old) == 2
    for row in old:
        assert row["status"] == "out_of_range", dict(row)
        assert "财政年度 2020 早于 --since 2023" in row["error"]
        assert rows(db, "SELECT COUNT(*) FROM facts WHERE report_id = ?", row["id"])[0][0] == 0
        assert rows(db, "SELECT COUNT(*) FROM alerts WHERE report_id = ?", row["id"])[0][0] == 0
    assert {r["status"] for r in rows(db, "SELECT status FROM reports WHERE year >= 2023")} == {"parsed"}
    # The same bound again: still outside, counted, not read again.
    r = cli("--db", str(db), "backfill", str(EXAMPLES), "--since", "2023", cwd=tmp_path)
    assert "0 ingested" in r.stdout and "2 outside --since/--until" in r.stdout
    # Without the bound they are read in, not taken as done.
    r = cli("--db", str(db), "backfill", str(EXAMPLES), cwd=tmp_path)
    assert r.returncode == 0 and "2 ingested" in r.stdout, r.stdout
    for row in old:
        assert rows(db, "SELECT status FROM reports WHERE id = ?", row["id"])[0][0] == "parsed"
        assert rows(db, "SELECT COUNT(*) FROM alerts WHERE report_id = ?", row["id"])[0][0] > 0
    # --until, the other side.
    db2 = second_db_url
    r = cli("--db", str(db2), "backfill", str(EXAMPLES), "--until", "2020", cwd=tmp_path)
    late = rows(db2, "SELECT status, error FROM reports WHERE year > 2020")
    assert late and all(x["status"] == "out_of_range" and "晚于 --until 2020" in x["error"] for x in late)


def test_backfill_reparse_alone_reparses_every_stored_report(tmp_path, db_url):
    folder = tmp_path / "r"
    shutil.copytree(EXAMPLES, folder)
    db = db_url
    assert cli("--db", str(db), "backfill", str(folder), cwd=tmp_path).returncode == 0
    before = rows(db, "SELECT id, parsed_at FROM reports ORDER BY id")
    facts = rows(db, "SELECT COUNT(*) FROM facts")[0][0]
    alerts = rows(db, "SELECT fingerprint FROM alerts ORDER BY id")
    old = "2000-01-01T00:00:00+00:00"
    conn = connect(db)
    conn.execute("UPDATE reports SET parsed_at = ?", (old,))       # to see each report parsed again
    conn.execute("UPDATE alerts SET last_seen_at = ?", (old,))     # to see the detectors run on it
    conn.commit()
    conn.close()
    r = cli("--db", str(db), "backfill", "--reparse", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{len(before)} re-parsed" in r.stdout and "alerts: 0 new" in r.stdout
    after = rows(db, "SELECT id, parsed_at FROM reports ORDER BY id")
    assert [a["id"] for a in after] == [b["id"] for b in before]
    assert all(a["parsed_at"] > old for a in after)
    assert rows(db, "SELECT COUNT(*) FROM facts")[0][0] == facts
    assert [a[0] for a in rows(db, "SELECT fingerprint FROM alerts ORDER BY id")] == [a[0] for a in alerts]
    assert all(a[0] > old for a in rows(db, "SELECT last_seen_at FROM alerts WHERE status = 'open'"))
    # A report whose file is gone is named, and left as it was.
    gone = next(folder.glob("001_*.txt"))
    gone.unlink()
    r = cli("--db", str(db), "backfill", "--reparse", cwd=tmp_path)
    assert r.returncode == 0 and f"{len(before) - 1} re-parsed" in r.stdout and "已不存在" in r.stdout
    # No database: a mistake, not a first run (an SQLite file that is not there, whichever the store above).
    r = cli("--db", str(tmp_path / "none.db"), "backfill", "--reparse", cwd=tmp_path)
    assert r.returncode == 2 and "no database at" in r.stderr and not (tmp_path / "none.db").exists()


# -- 11: a corrected detail page behind a list page answering 304 --------------------------

REPORT_V1 = ("某县财政局2023年度部门决算\n"
             "2023年度本年支出合计1,250.00万元,其中:基本支出250.00万元,项目支出1,000.00万元。\n"
             "“测试信息化项目”项目全年预算数为800万元,执行数为200万元,完成预算的25%。\n")
REPORT_V2 = REPORT_V1.replace("执行数为200万元,完成预算的25%", "执行数为780万元,完成预算的97.5%")


class Site:
    """Pages with ETags; a request whose If-None-Match matches gets a 304."""

    def __init__(self, server):
        self.server = server
        self.pages: dict[str, bytes] = {}
        self.hits: list[tuple[str, int]] = []

    def put(self, path: str, body: str) -> None:
        new = path not in self.pages
        self.pages[path] = body.encode("utf-8")
        if new:
            self.server.expect_request(path).respond_with_handler(lambda req, p=path: self._serve(p, req))

    def _serve(self, path: str, request):
        from werkzeug import Response

        body = self.pages[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.hits.append((path, 304))
            return Response(status=304, headers={"ETag": etag})
        self.hits.append((path, 200))
        return Response(body, status=200, headers={"ETag": etag}, content_type="text/html; charset=utf-8")


def detail(text: str) -> str:
    paras = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return (f"<html><head><title>{text.splitlines()[0]}</title></head><body><div class='nav'>首页</div>"
            f"<div class='TRS_Editor'>{paras}</div></body></html>")


def test_a_corrected_detail_page_is_refetched_while_the_list_page_answers_304(httpserver, tmp_path, db_url):
    site = Site(httpserver)
    site.put("/list/index.html", "<html><body><ul class='list'>"
                                 "<li><a href='/art/1.html'>某县财政局2023年度部门决算</a></li></ul></body></html>")
    site.put("/art/1.html", detail(REPORT_V1))
    data = {"fetch": {"per_host_interval_seconds": 0.0, "timeout_seconds": 5.0, "retries": 0,
                      "respect_robots_txt": False},
            "sources": [{"name": "county", "kind": "html_index", "url": httpserver.url_for("/list/index.html"),
                         "link_selector": "ul.list a", "link_pattern": "决算", "allow_private": True}]}
    app = App(Config(path=None, data=data), Store(db_url))
    key = httpserver.url_for("/art/1.html")
    s1 = app.run_once(deliver=False)
    assert s1.counts["ingested"] == 1
    low = app.store.conn.execute("SELECT id, status FROM alerts WHERE kind = 'execution_rate_low'").fetchall()
    assert len(low) == 1 and low[0]["status"] == "open"
    # Nothing changed: a 304 for the list page and for the detail page, nothing re-read.
    site.hits.clear()
    s2 = app.run_once(deliver=False)
    assert site.hits == [("/list/index.html", 304), ("/art/1.html", 304)]
    assert s2.counts["unchanged"] == 1 and s2.counts["ingested"] == 0
    # The portal corrects the report at the same URL; its list page is untouched.
    site.put("/art/1.html", detail(REPORT_V2))
    site.hits.clear()
    s3 = app.run_once(deliver=False)
    assert ("/list/index.html", 304) in site.hits and ("/art/1.html", 200) in site.hits
    assert s3.polls[0][0].unchanged_index and s3.counts["ingested"] == 1
    row = app.store.report_by_key(key)
    assert row["status"] == "parsed" and "执行数为780万元" in row["text"] and "200万元" not in row["text"]
    assert app.store.conn.execute("SELECT status FROM alerts WHERE id = ?", (low[0]["id"],)).fetchone()[0] \
        == "withdrawn"
    # `backfill --reparse` alone re-reads the polled report from the bytes kept in the database.
    app.store.close()
    httpserver.clear()          # the site is gone: nothing may be fetched
    r = cli("--db", db_url, "backfill", "--reparse", cwd=tmp_path)
    assert r.returncode == 0 and "1 re-parsed" in r.stdout, r.stdout + r.stderr
    again = rows(db_url, "SELECT status, text, source_name FROM reports WHERE key = ?", key)[0]
    assert again["status"] == "parsed" and "执行数为780万元" in again["text"] and again["source_name"] == "county"


@pytest.mark.parametrize("kind", ["rss"])
def test_a_feed_answering_304_still_revalidates_its_reports(httpserver, tmp_path, kind, db_url):
    site = Site(httpserver)
    site.put("/art/1.html", detail(REPORT_V1))
    site.put("/rss.xml", f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>财政</title>
<item><title>某县财政局2023年度部门决算</title><link>{httpserver.url_for('/art/1.html')}</link></item>
</channel></rss>""")
    data = {"fetch": {"per_host_interval_seconds": 0.0, "timeout_seconds": 5.0, "retries": 0,
                      "respect_robots_txt": False},
            "sources": [{"name": "feed", "kind": kind, "url": httpserver.url_for("/rss.xml"), "allow_private": True}]}
    app = App(Config(path=None, data=data), Store(db_url))
    assert app.run_once(deliver=False).counts["ingested"] == 1
    site.put("/art/1.html", detail(REPORT_V2))
    site.hits.clear()
    s = app.run_once(deliver=False)
    assert ("/rss.xml", 304) in site.hits and s.counts["ingested"] == 1
    assert "执行数为780万元" in app.store.report_by_key(httpserver.url_for("/art/1.html"))["text"]
    app.store.close()
