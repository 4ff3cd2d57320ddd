"""Publication dates on a portal served on 127.0.0.1: a list page with dates
beside its links, detail pages with a meta tag, with 发布时间 text only, with
neither (the list's date is kept), and a feed; each stored with its source."""
import json

from conftest import EXAMPLES
from servers import Portal

from worker.app import App
from worker.config import Config
from worker.storage import Store

SEED = {p.name[:3]: p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.txt")}


def page(title: str, body: str, head: str = "", info: str = "") -> str:
    paras = "".join(f"<p>{line}</p>" for line in body.split("\n") if line.strip())
    return (f"<html><head><meta charset='utf-8'>{head}<title>{title}</title></head><body>"
            f"<div class='nav'>首页 | 政务公开 | 2023-01-05 更新</div><h1>{title}</h1>{info}"
            f"<div class='TRS_Editor'>{paras}</div><div class='footer'>主办单位 版权所有</div></body></html>")


def build(portal: Portal) -> None:
    portal.add("/list/index.html", (
        "<html><body><ul class='list'>"
        "<li><a href='/art/a.html'>北京市丰台区政务服务和数据管理局2024年度部门决算</a><span>2025-09-10</span></li>"
        "<li><a href='/art/b.html'>玉林市大数据发展和政务服务局2024年度部门决算</a><span>2025-08-20</span></li>"
        "<li><a href='/art/c.html'>北京市通州区政务服务管理局2023年度部门决算</a><span>2024-09-12</span></li>"
        "</ul></body></html>"))
    # a: a meta tag (and a list date 21 days later); the report prints its 批复 date.
    portal.add("/art/a.html", page("北京市丰台区政务服务和数据管理局2024年度部门决算",
                                   "本部门2024年度部门决算已经区财政局2025年8月1日批复。\n" + SEED["000"],
                                   head="<meta name='PubDate' content='2025-08-20 10:00'>"))
    # b: 发布时间 printed under the title, outside the content block.
    portal.add("/art/b.html", page("玉林市大数据发展和政务服务局2024年度部门决算", SEED["002"],
                                   info="<div class='info'>发布时间:2025-08-19 14:54 来源:本站</div>"))
    # c: no date on the page: the list's.
    portal.add("/art/c.html", page("北京市通州区政务服务管理局2023年度部门决算", SEED["004"]))
    # d: only in the feed (its own 发布时间 line taken out).
    body = SEED["003"].replace("发布时间:2021-09-14 10:21", "")
    portal.add("/art/d.html", page("雅安市政务服务和大数据局2020年度部门决算", body))
    portal.add("/rss.xml", f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>财政</title>
<item><title>雅安市政务服务和大数据局2020年度部门决算</title><link>{portal.url('/art/d.html')}</link>
<pubDate>Wed, 15 Sep 2021 02:00:00 GMT</pubDate></item></channel></rss>""", type="application/rss+xml")


def make_app(db_url, portal) -> App:
    data = {
        "fetch": {"per_host_interval_seconds": 0.0, "timeout_seconds": 2.0, "retries": 0, "backoff_seconds": 0.0},
        "sources": [
            {"name": "portal", "kind": "html_index", "url": portal.url("/list/index.html"),
             "link_selector": "ul.list a", "link_pattern": "决算", "allow_private": True},
            {"name": "feed", "kind": "rss", "url": portal.url("/rss.xml"), "allow_private": True},
        ],
    }
    return App(Config(path=None, data=data), Store(db_url))


def dates(app) -> dict:
    return {r["key"].rsplit("/", 1)[-1]: dict(r) for r in app.store.conn.execute(
        "SELECT key, status, published_at, published_from, published_quote, approved_at, approved_quote,"
        " approved_start, approved_end, text, warnings FROM reports")}


def test_each_report_keeps_its_best_date_and_where_it_was_read(db_url):
    with Portal() as portal:
        build(portal)
        app = make_app(db_url, portal)
        app.run_once()
        got = dates(app)
        assert {k: v["status"] for k, v in got.items()} == {k: "parsed" for k in ("a.html", "b.html", "c.html",
                                                                                  "d.html")}
        a, b, c, d = (got[k] for k in ("a.html", "b.html", "c.html", "d.html"))
        assert (a["published_at"], a["published_from"], a["published_quote"]) == (
            "2025-08-20T10:00", "meta", "<meta name=\"PubDate\" content=\"2025-08-20 10:00\">")
        # The list said 2025-09-10: more than 3 days apart, so both are in the warnings.
        assert any("不一致" in w and "list 2025-09-10" in w for w in json.loads(a["warnings"]))
        assert (a["approved_at"], a["approved_quote"]) == ("2025-08-01", "本部门2024年度部门决算已经区财政局2025年8月1日批复")
        assert a["text"][a["approved_start"]:a["approved_end"]] == a["approved_quote"]
        assert (b["published_at"], b["published_from"], b["published_quote"]) == (
            "2025-08-19T14:54", "page", "发布时间:2025-08-19 14:54")
        assert not any("不一致" in w for w in json.loads(b["warnings"] or "[]"))     # list 2025-08-20: 1 day
        assert b["approved_at"] is None
        assert (c["published_at"], c["published_from"]) == ("2024-09-12", "list")
        assert c["published_quote"] == "北京市通州区政务服务管理局2023年度部门决算2024-09-12"
        assert (d["published_at"], d["published_from"], d["published_quote"]) == (
            "2021-09-15T02:00:00+00:00", "feed", "Wed, 15 Sep 2021 02:00:00 GMT")

        # `reports show` prints both dates, with where each was read and the text.
        from click.testing import CliRunner

        from worker.cli import main
        rid = app.store.report_by_key(portal.url("/art/a.html"))["id"]
        out = CliRunner().invoke(main, ["--db", str(db_url), "reports", "show", str(rid), "--lang", "zh"],
                                 catch_exceptions=False, env={"COLUMNS": "200"}).output
        assert "发布日期: 2025-08-20T10:00 (网页元数据) “<meta name=\"PubDate\" content=\"2025-08-20 10:00\">”" in out
        assert "批复日期: 2025-08-01 “本部门2024年度部门决算已经区财政局2025年8月1日批复”" in out

        # A re-parse (no index date at hand) keeps the list's date: never first_seen instead.
        app.store.conn.execute("UPDATE reports SET published_quote = published_quote || ' '")
        app.store.conn.commit()
        res = CliRunner().invoke(main, ["--db", str(db_url), "backfill", "--reparse", "--no-detect"],
                                 catch_exceptions=False)
        assert res.exit_code == 0, res.output
        again = dates(make_app(db_url, portal))
        assert all(v["status"] == "parsed" for v in again.values())
        assert {k: (v["published_at"], v["published_from"]) for k, v in again.items()} == {
            k: (v["published_at"], v["published_from"]) for k, v in got.items()}
        # It was written again: the meta and page dates were read afresh (their quotes as printed);
        # the list's and feed's came from what was stored.
        assert again["a.html"]["published_quote"] == a["published_quote"]
        assert again["c.html"]["published_quote"] == c["published_quote"] + " "
