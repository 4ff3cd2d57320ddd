"""Disclosure duties on a portal served on 127.0.0.1 (issue 18 acceptance, the
duties half): three expected departments, one publishing on time, one late,
one not at all; `run` raises exactly one late_publication and one
report_missing, `coverage` shows found / late / missing, a re-run adds
nothing, and the missing report appearing late withdraws report_missing in
favour of late_publication."""
import json
from collections import Counter

from click.testing import CliRunner
from servers import Portal
from test_sources import SEED

from worker.app import App
from worker.cli import main
from worker.config import Config
from worker.storage import Store

DUTIES = ("report_missing", "late_publication")


def page(title: str, text: str, head: str = "", info: str = "") -> str:
    """A detail page as portals lay it out: the title, a line of 发布时间/来源 under it (or a meta tag), the body."""
    paras = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return (f"<html><head><meta charset='utf-8'>{head}<title>{title}</title></head><body>"
            f"<div class='nav'>首页 | 政务公开 | 财政资金</div><h1>{title}</h1>{info}"
            f"<div class='TRS_Editor'>{paras}</div><div class='footer'>主办单位 版权所有</div></body></html>")


def listing(portal, items):
    """The column's list page (no dates beside the links: each page's own date is read)."""
    lis = "".join(f"<li><a href='{p}'>{t}</a></li>" for t, p in items)
    portal.add("/list/index.html", f"<html><body><ul class='list'>{lis}</ul></body></html>")


ITEMS = [("玉林市大数据发展和政务服务局2024年度部门决算", "/art/yl.html"),
         ("北京市通州区政务服务管理局2023年度部门决算", "/art/tz.html")]


def build(portal):
    # 玉林 2024: its report prints its 批复 date (2025-08-25): due 20 days later, 2025-09-14; published
    # 2025-09-10 (发布时间 under the title, as 【…】): on time.
    portal.add("/art/yl.html", page("玉林市大数据发展和政务服务局2024年度部门决算",
                                    "本单位2024年度部门决算已于2025年8月25日经玉林市财政局批复。\n"
                                    + SEED["002"].replace("|", " "),
                                    info="<div class='info'>【发布时间:2025-09-10 10:00】【来源:本站】</div>"))
    # 通州 2023: no 批复 date printed, so the fixed deadline 09-30 of 2024; the portal's meta tag says
    # 2024-10-15: 15 days late.
    portal.add("/art/tz.html", page("北京市通州区政务服务管理局2023年度部门决算", SEED["004"].replace("|", " "),
                                    head="<meta name='PubDate' content='2024-10-15 10:00'>"))
    # 雅安 2020: not listed at first (missing after 2021-09-30); appears later, 发布日期 2021-11-01: 32 days late.
    body = SEED["003"].replace("发布时间:2021-09-14 10:21", "")
    portal.add("/art/ya.html", page("雅安市政务服务和大数据局2020年度部门决算", body,
                                    info="<div class='info'>发布日期: 2021-11-01 来源:市政务服务和大数据局</div>"))
    listing(portal, ITEMS)


def config(tmp_path, portal) -> dict:
    return {
        "fetch": {"per_host_interval_seconds": 0.0, "timeout_seconds": 2.0, "retries": 0, "backoff_seconds": 0.0},
        "alerts": {"backoff_seconds": 0.0},
        "channels": {"log": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}},
        "sources": [{"name": "portal", "kind": "html_index", "url": portal.url("/list/index.html"),
                     "link_selector": "ul.list a", "link_pattern": "决算", "allow_private": True}],
        "disclosure": {"deadline": "09-30"},
        "expected": [
            {"name": "玉林市大数据发展和政务服务局", "years": [2024], "source": "portal"},
            {"name": "北京市通州区政务服务管理局", "aliases": ["区政务服务局"], "years": [2023], "source": "portal"},
            {"name": "雅安市政务服务和大数据局", "years": [2020], "source": "portal"},
        ],
    }


def duty_alerts(app):
    return [dict(r) for r in app.store.conn.execute(
        "SELECT a.*, r.issuer FROM alerts a LEFT JOIN reports r ON r.id = a.report_id"
        " WHERE a.kind IN ('report_missing', 'late_publication') ORDER BY a.id")]


def sent(tmp_path):
    path = tmp_path / "alerts.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Counter((a["kind"], a.get("event", "firing")) for a in map(json.loads, lines) if a["kind"] in DUTIES)


def toml(data: dict) -> str:
    """Enough TOML for these configs: tables of scalars and lists, arrays of tables (JSON values are TOML)."""
    out = []
    for sec, v in data.items():
        for item in (v if isinstance(v, list) else [v]):
            out.append(f"[[{sec}]]" if isinstance(v, list) else f"[{sec}]")
            subs = {k: x for k, x in item.items() if isinstance(x, dict)}
            out += [f"{k} = {json.dumps(x, ensure_ascii=False)}" for k, x in item.items() if k not in subs]
            for k, sub in subs.items():
                out.append(f"[{sec}.{k}]")
                out += [f"{kk} = {json.dumps(x, ensure_ascii=False)}" for kk, x in sub.items()]
    return "\n".join(out) + "\n"


def coverage(tmp_path, db_url, data, year, fmt="json"):
    p = tmp_path / "config.toml"
    p.write_text(toml(data), encoding="utf-8")
    res = CliRunner().invoke(main, ["--config", str(p), "--db", db_url, "coverage", "--year", str(year),
                                    "--format", fmt], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return [json.loads(x) for x in res.output.splitlines()] if fmt == "json" else res.output


def test_on_time_late_and_missing_each_alerted_once(tmp_path, db_url):
    with Portal() as portal:
        build(portal)
        data = config(tmp_path, portal)
        app = App(Config(path=None, data=data), Store(db_url))
        s1 = app.run_once()
        assert s1.counts["ingested"] == 2
        got = duty_alerts(app)
        assert sorted(a["kind"] for a in got) == ["late_publication", "report_missing"]
        late = next(a for a in got if a["kind"] == "late_publication")
        assert late["issuer"] == "北京市通州区政务服务管理局"
        ev = json.loads(late["evidence"])
        assert (ev["published_at"], ev["due"], ev["days_late"]) == ("2024-10-15", "2024-09-30", 15)
        assert ev["due_from"] == "[disclosure] deadline"
        assert ev["published_from"] == "meta"             # read from the page's PubDate meta tag
        missing = next(a for a in got if a["kind"] == "report_missing")
        assert missing["report_id"] is None and missing["source"] == "portal"
        assert "雅安市政务服务和大数据局" in missing["title"] and "2020" in missing["title"]
        assert json.loads(missing["evidence"])["due"] == "2021-09-30"
        assert sent(tmp_path) == Counter({("late_publication", "firing"): 1, ("report_missing", "firing"): 1})

        rows = {r["department"]: r for y in (2020, 2023, 2024) for r in coverage(tmp_path, db_url, data, y)}
        assert {k: v["status"] for k, v in rows.items()} == {
            "玉林市大数据发展和政务服务局": "found", "北京市通州区政务服务管理局": "late", "雅安市政务服务和大数据局": "missing"}
        yl = rows["玉林市大数据发展和政务服务局"]
        assert (yl["published_at"], yl["published_from"]) == ("2025-09-10", "page")
        assert yl["due"] == "2025-09-14"                 # its printed 批复 date + 20 days, before the fixed 09-30
        assert rows["北京市通州区政务服务管理局"]["days_late"] == 15
        assert rows["北京市通州区政务服务管理局"]["report_id"] == late["report_id"]
        table = coverage(tmp_path, db_url, data, 2023, fmt="table")
        assert "逾期公开" in table and "[disclosure] deadline" in table

        # A second run: nothing new raised, updated or queued.
        before = (duty_alerts(app), app.store.conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0])
        s2 = app.run_once()
        assert (s2.alerts_new, s2.alerts_updated, s2.alerts_withdrawn) == (0, 0, 0)
        assert (duty_alerts(app), app.store.conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]) == before

        # The missing report appears, after its due date: report_missing withdrawn with a pointer, late raised.
        listing(portal, ITEMS + [("雅安市政务服务和大数据局2020年度部门决算", "/art/ya.html")])
        app.run_once()
        got = {a["kind"] + (a["issuer"] or ""): a for a in duty_alerts(app)}
        gone = got["report_missing"]
        assert gone["status"] == "withdrawn"
        ya = app.store.conn.execute("SELECT id FROM reports WHERE key LIKE '%ya.html'").fetchone()[0]
        assert json.loads(gone["evidence"])["found_report_id"] == ya
        assert f"report #{ya} found" in app.store.conn.execute(
            "SELECT detail FROM alert_events WHERE alert_id = ? AND event = 'withdrawn'", (gone["id"],)).fetchone()[0]
        assert json.loads(got["late_publication雅安市政务服务和大数据局"]["evidence"])["days_late"] == 32
        assert sent(tmp_path) == Counter({("late_publication", "firing"): 2, ("report_missing", "firing"): 1,
                                          ("report_missing", "withdrawn"): 1})


def test_nothing_expected_nothing_raised(tmp_path, db_url):
    with Portal() as portal:
        build(portal)
        data = config(tmp_path, portal)
        data.pop("expected")
        app = App(Config(path=None, data=data), Store(db_url))
        app.run_once()
        assert duty_alerts(app) == []
        assert coverage(tmp_path, db_url, data, 2024) == []
