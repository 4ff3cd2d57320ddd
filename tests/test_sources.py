"""Fetching from a portal served on 127.0.0.1: discovery, conditional GET,
attachments, encodings, and every way a fetch can go wrong."""
import io
import json
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES
from pdfgen import make_pdf
from servers import Portal

from worker.app import App
from worker.cli import main
from worker.config import Config
from worker.storage import Store

SEED = {p.name[:3]: p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.txt")}


def html_page(title: str, body_text: str, extra: str = "", charset: str = "utf-8") -> str:
    paras = "".join(f"<p>{line}</p>" for line in body_text.split("\n") if line.strip())
    return (f"<html><head><meta charset='{charset}'><title>{title}</title></head><body>"
            f"<div class='nav'>首页 | 政务公开 | 财政资金</div><div class='TRS_Editor'>{paras}{extra}</div>"
            f"<div class='footer'>主办单位 版权所有</div></body></html>")


def xlsx_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    ws.append(["项目名称", "某数据平台运维项目"])
    ws.append(["项目资金", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["年度资金总额", "", 300, 300, 120, 10, 0.4, 4])
    ws["G3"].number_format = "0.00%"
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    ws.append(["产出指标", "数量指标", "巡检次数", "≥12次", "12次", 20, 20])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_portal(portal: Portal) -> None:
    index1 = ("<html><body><ul class='list'>"
              "<li><a href='/art/1.html'>北京市政务服务管理局2020年度部门决算</a></li>"
              "<li><a href='../art/2.html'>玉林市大数据发展和政务服务局2024年度部门决算</a></li>"
              "<li><a href='/art/3.html'>某县2023年度部门决算(附件)</a></li>"
              "<li><a href='/news/1.html'>关于春节放假的通知</a></li>"
              "</ul><a class='next' href='index_1.html'>下一页</a></body></html>")
    index2 = ("<html><body><ul class='list'>"
              "<li><a href='/art/4.html'>某中心2023年度部门决算</a></li>"
              "<li><a href='http://example.invalid/art/9.html'>外站2023年度部门决算</a></li>"
              "</ul></body></html>")
    portal.add("/list/index.html", index1)
    portal.add("/list/index_1.html", index2)
    portal.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", type="text/plain")
    portal.add("/art/1.html", html_page("北京市政务服务管理局2020年度部门决算", SEED["001"]))
    gbk = html_page("玉林市大数据发展和政务服务局2024年度部门决算", SEED["002"].replace("|", " "), charset="gbk")
    portal.add("/art/2.html", gbk.encode("gbk", "replace"), type="text/html")
    pdf = make_pdf([["某县财政局2023年度部门决算",
                     "2023年度本年支出合计1,250.00万元,其中:基本支出250.00万元,项目支出1,000.00万元。",
                     "“测试信息化项目”项目全年预算数为800万元,执行数为200万元,完成预算的25%。"]])
    portal.add("/art/3.html", html_page("某县2023年度部门决算", "某县财政局2023年度部门决算,详见附件。",
                                        extra="<a href='../files/3.pdf'>决算公开.pdf</a>"))
    portal.add("/files/3.pdf", pdf, type="application/pdf")
    portal.add("/art/4.html", html_page("某中心2023年度部门决算", "某中心2023年度部门决算,预算执行情况见附表。",
                                        extra="<a href='/files/4.xlsx'>自评表.xlsx</a>"))
    portal.add("/files/4.xlsx", xlsx_bytes(),
               type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    portal.add("/news/1.html", html_page("通知", "春节放假安排"))
    portal.add("/rss.xml", f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>财政</title>
<item><title>北京市政务服务管理局2020年度部门决算</title><link>{portal.url('/art/1.html')}</link>
<pubDate>Thu, 02 Sep 2021 10:00:00 GMT</pubDate></item>
<item><title>通州区2023年度部门决算</title><link>{portal.url('/art/5.html')}</link></item>
</channel></rss>""", type="application/rss+xml")
    portal.add("/art/5.html", html_page("北京市通州区政务服务管理局2023年度部门决算", SEED["004"].replace("|", " ")))


def make_app(tmp_path, db_url, portal, **fetch):
    data = {
        "fetch": {"per_host_interval_seconds": 0.0, "timeout_seconds": 2.0, "retries": 0, "backoff_seconds": 0.0,
                  **fetch},
        "alerts": {"backoff_seconds": 0.0},
        "channels": {"log": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}},
        "sources": [
            {"name": "portal", "kind": "html_index", "url": portal.url("/list/index.html"),
             "link_selector": "ul.list a", "link_pattern": "决算", "next_selector": "a.next", "max_pages": 5,
             "allow_private": True},
            {"name": "feed", "kind": "rss", "url": portal.url("/rss.xml"), "allow_private": True},
        ],
    }
    return App(Config(path=None, data=data), Store(db_url))


def statuses(app):
    return {r["key"].rsplit("/", 1)[-1]: (r["status"], r["error"]) for r in app.store.conn.execute(
        "SELECT key, status, error FROM reports")}


def test_first_run_ingests_everything_second_run_nothing_new(tmp_path, db_url):
    with Portal() as portal:
        build_portal(portal)
        app = make_app(tmp_path, db_url, portal)
        s1 = app.run_once()
        st = statuses(app)
        assert {k: v[0] for k, v in st.items()} == {"1.html": "parsed", "2.html": "parsed", "3.html": "parsed",
                                                    "4.html": "parsed", "5.html": "parsed"}
        assert s1.counts["ingested"] == 5 and s1.alerts_new > 5
        # The GBK page, the PDF and the XLSX were read.
        docs = {r["url"].rsplit("/", 1)[-1]: r for r in app.store.conn.execute("SELECT * FROM documents")}
        assert docs["2.html"]["encoding"] == "gb18030"
        assert docs["3.pdf"]["role"] == "attachment" and docs["3.pdf"]["content_type"] == "application/pdf"
        r3 = app.store.report_by_key(portal.url("/art/3.html"))
        assert "完成预算的25%" in r3["text"]
        kinds = Counter(a["kind"] for a in (json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text(
            encoding="utf-8").splitlines()))
        assert kinds["execution_rate_low"] >= 3      # the PDF's project, the XLSX's 40%, 玉林's rates
        r4 = app.store.report_by_key(portal.url("/art/4.html"))
        proj = [r["name"] for r in app.store.conn.execute(
            "SELECT name FROM facts WHERE report_id = ? AND kind = 'project'", (r4["id"],))]
        assert proj and proj[0] == "某数据平台运维项目"
        # Only configured hosts: the link to example.invalid was never fetched.
        assert not any("9.html" in p for p, _ in portal.hits)
        # Second run: conditional GETs, nothing downloaded, nothing new.
        portal.hits.clear()
        sent = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8")
        s2 = app.run_once()
        assert s2.counts["ingested"] == 0 and s2.alerts_new == 0
        assert {code for _, code in portal.hits} <= {304}
        assert (tmp_path / "alerts.jsonl").read_text(encoding="utf-8") == sent
        # A report newly added to page 1 is picked up by the next run.
        portal.add("/art/6.html", html_page("雅安市政务服务和大数据局2020年度部门决算", SEED["003"]))
        page = portal.routes["/list/index.html"]["body"].decode()
        portal.add("/list/index.html", page.replace("<ul class='list'>",
                                                    "<ul class='list'><li><a href='/art/6.html'>雅安2020年度部门决算</a></li>"))
        s3 = app.run_once()
        assert s3.counts["ingested"] == 1 and s3.alerts_new > 0
        assert statuses(app)["6.html"][0] == "parsed"


def test_every_fetch_failure_is_recorded_and_the_run_goes_on(tmp_path, db_url):
    with Portal() as portal:
        build_portal(portal)
        other = f"http://localhost:{portal.port}/art/1.html"
        portal.add("/art/7.html", b"", redirect=other)                      # to another host
        portal.add("/art/8.html", html_page("某局2023年度部门决算", "决算说明见附件。",
                                            extra="<a href='/files/8.pdf'>附件.pdf</a>"))
        portal.add("/files/8.pdf", b"%PDF-1.4\n" + b"0" * 300_000, type="application/pdf")   # over the cap
        portal.add("/art/9.html", html_page("某局2023年度部门决算", "很慢的页面 预算 决算 万元"), delay=3.0)
        portal.add("/art/11.html", html_page("某局2023年度部门决算", "决算说明见附件。",
                                             extra="<a href='/files/11.pdf'>附件.pdf</a>"))
        portal.add("/files/11.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", type="application/pdf")
        portal.add("/files/12.pdf", make_pdf([["扫描件"]], text_layer=False), type="application/pdf")
        links = "".join(f"<li><a href='/art/{n}.html'>某局2023年度部门决算{n}</a></li>" for n in (7, 8, 9, 10, 11))
        links += "<li><a href='/files/12.pdf'>某局2023年度部门决算(扫描件)</a></li>"
        portal.add("/list/index.html", f"<html><body><ul class='list'>{links}</ul></body></html>")
        app = make_app(tmp_path, db_url, portal, max_bytes=200_000, timeout_seconds=1.0)
        s = app.run_once(["portal"])
        st = statuses(app)
        assert st["7.html"][0] == "failed" and "重定向到未配置的主机 localhost" in st["7.html"][1]
        assert st["8.html"][0] == "failed" and "文件过大" in st["8.html"][1]
        assert st["9.html"][0] == "failed" and "超时" in st["9.html"][1]
        assert st["10.html"][0] == "failed" and "HTTP 404" in st["10.html"][1]
        assert st["11.html"][0] == "failed" and "PDF" in st["11.html"][1]
        assert st["12.pdf"][0] == "needs_ocr" and "OCR" in st["12.pdf"][1]
        assert s.polls[0][0].error is None          # the source itself is fine
        res = CliRunner().invoke(main, ["--db", db_url, "reports", "list", "--status", "failed"])
        assert "重定向" in res.output


def test_unreachable_source_is_recorded_with_failures_in_a_row(tmp_path, db_url):
    with Portal() as portal:
        build_portal(portal)
        app = make_app(tmp_path, db_url, portal)
    # The portal is gone now.
    app.cfg.data["alerts"]["source_failure_threshold"] = 2
    s1 = app.run_once(["portal"])
    assert s1.polls[0][0].error and "无法连接" in s1.polls[0][0].error
    s2 = app.run_once(["portal"])
    assert s2.polls[0][1]["consecutive_failures"] == 2
    ops = app.store.conn.execute("SELECT kind, title, status FROM alerts WHERE kind = 'source_failure'").fetchall()
    assert len(ops) == 1 and "连续2次" in ops[0]["title"]
    res = CliRunner().invoke(main, ["--db", db_url, "sources", "list"])
    assert res.exit_code == 0


def test_private_addresses_are_refused_unless_allowed(tmp_path, db_url):
    with Portal() as portal:
        build_portal(portal)
        app = make_app(tmp_path, db_url, portal)
        app.cfg.data["sources"][0]["allow_private"] = False
        s = app.run_once(["portal"])
        assert "private or loopback" in s.polls[0][0].error
        assert portal.hits == []


def test_robots_txt_is_respected(tmp_path, db_url):
    with Portal() as portal:
        build_portal(portal)
        portal.add("/private/1.html", html_page("某局2023年度部门决算", SEED["004"]))
        portal.add("/list/index.html", "<html><body><ul class='list'><li><a href='/private/1.html'>某局2023年度部门决算</a>"
                                       "</li></ul></body></html>")
        app = make_app(tmp_path, db_url, portal)
        app.run_once(["portal"])
        assert "robots.txt" in statuses(app)["1.html"][1]
        assert not any(p.startswith("/private/") for p, _ in portal.hits)


def test_sitemap_and_local_dir_sources(tmp_path, db_url):
    with Portal() as portal:
        build_portal(portal)
        portal.add("/sitemap.xml", f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{portal.url('/art/1.html')}</loc></url><url><loc>{portal.url('/news/1.html')}</loc></url></urlset>""",
                   type="application/xml")
        folder = tmp_path / "drop"
        folder.mkdir()
        (folder / "r.txt").write_text(SEED["003"], encoding="utf-8")
        data = {"fetch": {"per_host_interval_seconds": 0.0, "retries": 0},
                "sources": [{"name": "map", "kind": "sitemap", "url": portal.url("/sitemap.xml"),
                             "link_pattern": "art", "allow_private": True},
                            {"name": "drop", "kind": "local_dir", "path": str(folder)}]}
        app = App(Config(path=None, data=data), Store(db_url))
        s = app.run_once(deliver=False)
        assert s.counts["ingested"] == 2
        keys = sorted(r["key"].rsplit("/", 1)[-1] for r in app.store.conn.execute("SELECT key FROM reports"))
        assert keys == ["1.html", "r.txt"]


@pytest.mark.parametrize("url,why", [
    ("ftp://127.0.0.1/x", "scheme"),
    ("http://10.1.2.3/x", "private"),
    ("http://169.254.169.254/latest", "private"),
])
def test_url_safety(url, why):
    from worker.net import UnsafeURL, check_url, redact

    with pytest.raises(UnsafeURL, match=why):
        check_url(url)
    assert redact("https://user:pw@host.example/p?token=abc") == "https://host.example/p?token=…"


def test_allowed_hosts_name_a_port_and_other_ports_stay_out(tmp_path, db_url):
    """An attachment on another port of the portal's host is fetched only
    when allowed_hosts names that port (a different port is a different host)."""
    with Portal() as portal, Portal() as files:
        build_portal(portal)
        files.add("/3.pdf", portal.routes["/files/3.pdf"]["body"], type="application/pdf")
        portal.add("/art/3.html", html_page("某县2023年度部门决算", "某县财政局2023年度部门决算,详见附件。",
                                            extra=f"<a href='{files.url('/3.pdf')}'>决算公开.pdf</a>"))
        app = make_app(tmp_path, db_url, portal)
        app.run_once(["portal"], deliver=False)
        assert files.hits == []
        app.cfg.data["sources"][0]["allowed_hosts"] = [f"127.0.0.1:{files.port}"]
        app.store.conn.execute("DELETE FROM http_cache")
        app.store.conn.commit()
        app.run_once(["portal"], deliver=False)
        assert ("/3.pdf", 200) in files.hits
        r3 = app.store.report_by_key(portal.url("/art/3.html"))
        assert "完成预算的25%" in r3["text"]


def test_a_source_with_a_bad_pattern_fails_alone(tmp_path, db_url):
    with Portal() as portal:
        build_portal(portal)
        app = make_app(tmp_path, db_url, portal)
        app.cfg.data["sources"][0]["link_pattern"] = "(决算"
        s = app.run_once(deliver=False)
        errors = {res.source: res.error for res, _ in s.polls}
        assert "link_pattern" in errors["portal"] and errors["feed"] is None
        assert s.counts["ingested"] == 2        # the feed's two reports
