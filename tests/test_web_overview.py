"""The overview page (/overview): alert counts and execution rates per issuer and year as SVG
charts with their tables, the models' risk ranking and each rule's record with the verdicts —
numbers checked against the database by hand, the SVG parsed as XML."""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

from tests.conftest import seed_path
from tests.webkit import client, get, logged_in
from tests.dbkit import connect, session

SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & 局'


def table(page: str, name: str) -> str:
    return re.search(rf'data-table="{name}">(.*?)</table>', page, re.S).group(1)


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", page, re.S)]


def alert_table(page: str) -> dict[tuple[str, int], dict[str, int]]:
    out = {}
    for issuer, year, cells in re.findall(r'<tr data-issuer="([^"]*)" data-year="(\d*)">(.*?)</tr>',
                                          table(page, "alerts"), re.S):
        out[(html.unescape(issuer), int(year))] = {s: int(n) for s, n in re.findall(r'data-sev="(\w+)">(\d+)<',
                                                                                     cells)}
    return out


def by_hand(db, where: str = "", *args) -> dict[tuple[str, int], dict[str, int]]:
    conn = connect(db)
    out: dict = {}
    for issuer, year, sev in conn.execute(
            "SELECT r.issuer, r.year, a.severity FROM alerts a JOIN reports r ON r.id = a.report_id"
            " WHERE a.status != 'withdrawn' AND a.kind != 'source_failure'" + where, args):
        row = out.setdefault((issuer, year), {"high": 0, "medium": 0, "low": 0, "info": 0, "total": 0})
        row[sev] += 1
        row["total"] += 1
    conn.close()
    return out


def test_alert_counts_per_issuer_and_year_are_the_databases(web_db):
    page = get(logged_in(web_db), "/overview").text
    expected = by_hand(web_db)
    assert len(expected) >= 3
    assert alert_table(page) == expected
    assert "总览" in page and "各单位各年度预警" in page           # Chinese by default
    # the chart draws the same totals: one bar label per issuer and year, the total after each bar
    chart = svgs(page)[0]
    labels = [t.find(f"{SVG_NS}title").text for t in chart.iter(f"{SVG_NS}text") if t.get("class") == "label"]
    assert sorted(labels) == sorted(f"{i} · {y}" for i, y in expected)
    totals = [int(t.text) for t in chart.iter(f"{SVG_NS}text") if t.get("class") == "value"]
    assert sorted(totals) == sorted(r["total"] for r in expected.values())


def test_stacked_bars_are_as_long_as_their_counts(web_db):
    chart = svgs(get(logged_in(web_db), "/overview").text)[0]
    widths = {}
    for rect in chart.iter(f"{SVG_NS}rect"):
        title = rect.find(f"{SVG_NS}title")
        if title is not None:
            label, n = title.text.rsplit(": ", 1)
            widths[label] = (float(rect.get("width")), int(n))
    assert len(widths) >= 4
    per_unit = {round(w / n, 6) for w, n in widths.values()}
    assert max(per_unit) - min(per_unit) < 0.01          # one scale for every bar


def test_filters_by_year_and_region(web_db):
    c = logged_in(web_db)
    assert alert_table(get(c, "/overview?year=2020").text) == by_hand(web_db, " AND r.year = ?", 2020)
    region = connect(web_db).execute("SELECT region FROM reports WHERE region LIKE '北京%'"
                                             " ORDER BY id").fetchone()[0]
    page = get(c, "/overview?region=" + region).text
    assert alert_table(page) == by_hand(web_db, " AND r.region = ?", region)
    assert f'<option value="{region}" selected>' in page


def test_execution_rate_of_a_report_with_known_budget_and_outturn(web_db):
    # 000: 全年预算数7337.715191万元 … 资金总体支出7226.379014万元 … 预算执行率为98.48%
    text = seed_path("000").read_text(encoding="utf-8")
    budget = float(re.search(r"全年预算数([\d.]+)万元", text).group(1))
    spent = float(re.search(r"资金总体支出([\d.]+)万元", text).group(1))
    assert round(100 * spent / budget, 2) == 98.48 and "预算执行率为98.48%" in text
    conn = connect(web_db)
    rid, issuer, year = conn.execute("SELECT id, issuer, year FROM reports WHERE source LIKE '%000_%'").fetchone()
    page = get(logged_in(web_db), "/overview").text
    rows = re.findall(r'<tr class="chosen" data-chosen="1" data-report="(\d+)" data-basis="(\w+)">(.*?)</tr>',
                      table(page, "rates"), re.S)
    mine = [r for r in rows if int(r[0]) == rid]
    assert len(mine) == 1 and mine[0][1] == "stated"          # one rate charted per issuer and year
    assert f'data-rate="{round(100 * spent / budget, 2)}"' in mine[0][2]
    assert str(budget) in mine[0][2] and str(spent) in mine[0][2]
    # each issuer and year is charted once
    chosen = [int(r[0]) for r in rows]
    pairs = [conn.execute("SELECT issuer, year FROM reports WHERE id = ?", (i,)).fetchone() for i in chosen]
    assert len(pairs) == len(set(pairs))
    # the bar: its tooltip gives the rate, and bars are drawn to one scale (98.48 against 73.2)
    chart = svgs(page)[1]
    bars = {t.text.split(" · ")[0]: (float(r.get("width")), float(t.text.rsplit(": ", 1)[1].rstrip("%")))
            for r in chart.iter(f"{SVG_NS}rect") if (t := r.find(f"{SVG_NS}title")) is not None}
    assert bars[issuer][1] == 98.48 and str(year) in page
    (w1, v1), (w2, v2) = bars[issuer], next(v for k, v in bars.items() if k != issuer)
    assert abs(w1 / w2 - v1 / v2) < 0.01
    ref = [line for line in chart.iter(f"{SVG_NS}line") if line.get("class") == "reference"]
    assert len(ref) == 1 and "100%" in ref[0].find(f"{SVG_NS}title").text
    # the reference line sits where a 100% bar would end
    x0 = min(float(r.get("x")) for r in chart.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None)
    assert abs(float(ref[0].get("x1")) - (x0 + w1 * 100 / v1)) < 1.0


def test_hostile_issuer_names_are_escaped_in_the_svg_and_the_tables(web_db_copy):
    with session(web_db_copy) as conn:
        rid = conn.execute("SELECT report_id FROM execution_rates WHERE basis = 'stated' ORDER BY report_id"
                           ).fetchone()[0]
        conn.execute("UPDATE reports SET issuer = ? WHERE id = ?", (HOSTILE + "\x1b[31m\x07", rid))
    conn.close()
    page = get(logged_in(web_db_copy), "/overview").text
    assert "<script>" not in page and "\x1b" not in page and "\x07" not in page
    assert html.escape(HOSTILE, quote=False) in page
    charts = svgs(page)                                   # well-formed XML, or this raises
    assert len(charts) == 2
    for chart in charts:
        assert chart.find(f"{SVG_NS}title").text
        texts = ["".join(t.itertext()) for t in chart.iter()]
        assert any(HOSTILE in t for t in texts)           # shown as the text it is


def test_svg_builder_escapes_and_stays_well_formed():
    from worker.web import svg

    out = svg.bars('标题 <b>&"', "说明", ['<img src=x onerror=alert(1)>', "a\x00b\ufffe"],
                   [svg.Series("高", '"red', [3.0, 1.0]), svg.Series("中", "#e67e22", [None, 2.0])], stacked=True)
    root = ET.fromstring(out)
    assert root.find(f"{SVG_NS}title").text == '标题 <b>&"'
    assert "<img" not in out and "onerror=alert(1)>" not in out.replace("&gt;", "")
    rects = [r for r in root.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
    assert [r.find(f"{SVG_NS}title").text.rsplit(": ", 1)[1] for r in rects] == ["3", "1", "2"]
    assert float(rects[0].get("width")) == 3 * float(rects[1].get("width"))


def set_scores(db, scores: dict[int, float]) -> None:
    with session(db) as conn:
        for rid, s in scores.items():
            feats = [{"feature": "f_growth", "label": f"增长<{rid}>", "z": 3.5 - rid}]
            conn.execute("UPDATE reports SET risk_score = ?, risk_features = ? WHERE id = ?",
                         (s, json.dumps(feats, ensure_ascii=False), rid))
    conn.close()


def test_risk_ranking_follows_the_stored_scores(web_db_copy):
    conn = connect(web_db_copy)
    ids = [r[0] for r in conn.execute("SELECT id FROM reports ORDER BY id")]
    model_alerts = {r[0] for r in conn.execute(
        "SELECT report_id FROM alerts WHERE rule LIKE 'models.%' AND status != 'withdrawn'")}
    conn.close()
    scores = {ids[0]: 0.25, ids[1]: 0.9, ids[2]: 0.6}
    set_scores(web_db_copy, scores)
    page = get(logged_in(web_db_copy), "/overview").text
    ranked = [int(i) for i in re.findall(r'<tr data-report="(\d+)">', table(page, "risk"))]
    unscored = sorted(model_alerts - set(scores))
    assert ranked[:3] == sorted(scores, key=lambda i: -scores[i])
    assert sorted(ranked[3:]) == unscored                    # the models' alerts without a score follow
    assert f'href="/reports/{ids[1]}"' in table(page, "risk")
    assert "0.900" in table(page, "risk") and f"增长&lt;{ids[1]}&gt; (z={3.5 - ids[1]})" in page
    # the year filter applies to the ranking
    year = connect(web_db_copy).execute("SELECT year FROM reports WHERE id = ?", (ids[1],)).fetchone()[0]
    page = get(logged_in(web_db_copy), f"/overview?year={year}").text
    shown = {int(i) for i in re.findall(r'<tr data-report="(\d+)">', table(page, "risk"))}
    conn = connect(web_db_copy)
    assert shown and all(conn.execute("SELECT year FROM reports WHERE id = ?", (i,)).fetchone()[0] == year
                         for i in shown)


def test_risk_ranking_lists_the_models_alerts_as_reasons(web_db):
    conn = connect(web_db)
    alerts = conn.execute("SELECT id, rule, report_id FROM alerts WHERE rule LIKE 'models.%'"
                          " AND status != 'withdrawn'").fetchall()
    assert alerts, "the example database has alerts of the statistical models"
    risk = table(get(logged_in(web_db), "/overview").text, "risk")
    for aid, rule, rid in alerts:
        row = re.search(rf'<tr data-report="{rid}">(.*?)</tr>', risk, re.S).group(1)
        assert f'href="/alerts/{aid}"' in row and rule in row


def trust_row(page: str, rule: str) -> dict[str, str]:
    row = re.search(rf'<tr data-rule="{re.escape(rule)}">(.*?)</tr>', table(page, "trust"), re.S).group(1)
    return dict(re.findall(r'data-n="(\w+)">([^<]*)<', row))


def test_rule_trust_counts_the_latest_verdict_of_each_alert(web_db_copy):
    from alerts import verdicts
    from worker.storage import Store

    conn = connect(web_db_copy)
    rule, = conn.execute("SELECT rule FROM alerts WHERE kind != 'source_failure' AND status = 'open'"
                         " GROUP BY rule HAVING count(*) >= 3 ORDER BY rule").fetchone()
    ids = [r[0] for r in conn.execute("SELECT id FROM alerts WHERE rule = ? AND status = 'open' ORDER BY id",
                                      (rule,))]
    raised = conn.execute("SELECT count(*) FROM alerts WHERE rule = ?", (rule,)).fetchone()[0]
    conn.close()
    page = get(logged_in(web_db_copy), "/overview").text
    assert trust_row(page, rule) == {"raised": str(raised), "open": str(len(ids)), "confirmed": "0",
                                     "false_alarm": "0", "share": "—"}
    store = Store(web_db_copy)
    try:
        verdicts.add(store, ids[0], "confirmed", "audrey", "核对原表,数字确实不符")
        verdicts.add(store, ids[1], "confirmed", "audrey", "先判为属实")
        verdicts.add(store, ids[1], "false_alarm", "ada", "复核:口径不同,不是问题")    # the latest counts
        verdicts.add(store, ids[2], "false_alarm", "audrey", "表述差异")
    finally:
        store.close()
    page = get(logged_in(web_db_copy), "/overview").text
    # by hand: 1 confirmed, 2 false alarms (latest verdicts), judged alerts are no longer open
    assert trust_row(page, rule) == {"raised": str(raised), "open": str(len(ids) - 3), "confirmed": "1",
                                     "false_alarm": "2", "share": "33%"}


def test_overview_needs_a_login_and_speaks_english_when_asked(web_db):
    r = get(client(web_db), "/overview")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    page = get(logged_in(web_db, lang="en"), "/overview").text
    assert "Alerts per issuer and year" in page and "Rule trust" in page and 'href="/overview"' in page
