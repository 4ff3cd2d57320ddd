"""The auditor's web view (worker/web): pages rendered by the real app over a real
backfilled database, read back as HTML; `audit-worker serve` as a real process."""
from __future__ import annotations

import html
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT
from tests.dbkit import connect, session
from tests.webkit import get

SEV_RANK = {"high": 3, "medium": 2, "low": 1, "info": 0}

def client(db, page_size: int | None = None, lang: str = "zh"):
    """Logged in as a viewer (reading pages need a login)."""
    from tests.webkit import logged_in

    return logged_in(db, "vera", lang=lang, **({"page_size": page_size} if page_size else {}))

def open_alerts(db) -> list[sqlite3.Row]:
    """The inbox by hand: open audit findings (no silences in the example database)."""
    with session(db) as conn:
        assert conn.execute("SELECT count(*) FROM silences").fetchone()[0] == 0
        return conn.execute("SELECT * FROM alerts WHERE status = 'open' AND kind != 'source_failure'").fetchall()

def total_of(page: str) -> int:
    return int(re.search(r'data-total="(\d+)"', page).group(1))

def ids_of(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<td><a href="/alerts/(\d+)">#', page)]

def facet_counts(page: str, facet: str) -> dict[str, int]:
    section = re.search(rf'data-facet="{facet}">(.*?)</section>', page, re.S).group(1)
    return {html.unescape(v): int(n) for v, n in re.findall(r'data-value="([^"]*)">(\d+)<', section)}

def test_inbox_lists_the_open_alerts_most_severe_first_with_counts(web_db):
    rows = open_alerts(web_db)
    assert len(rows) > 10
    page = get(client(web_db), "/").text
    assert total_of(page) == len(rows)
    expected = [r["id"] for r in sorted(rows, key=lambda r: (SEV_RANK[r["severity"]], r["id"]), reverse=True)]
    assert ids_of(page) == expected[:50]
    by_sev: dict[str, int] = {}
    for r in rows:
        by_sev[r["severity"]] = by_sev.get(r["severity"], 0) + 1
    assert facet_counts(page, "severity") == by_sev
    assert "预警收件箱" in page and "级别" in page          # Chinese labels by default

def test_a_filter_narrows_the_inbox_and_the_other_counts(web_db):
    rows = open_alerts(web_db)
    high = [r for r in rows if r["severity"] == "high"]
    assert 0 < len(high) < len(rows)
    page = get(client(web_db), "/?severity=high").text
    assert total_of(page) == len(high)
    assert sorted(ids_of(page)) == sorted(r["id"] for r in high)
    kinds: dict[str, int] = {}
    for r in high:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    assert facet_counts(page, "kind") == kinds           # the other facets count within the filter
    # the filter's own facet still offers every severity, counted without it
    assert sum(facet_counts(page, "severity").values()) == len(rows)

def test_search_finds_an_alert_by_a_word_of_its_quote(web_db):
    conn = connect(web_db)
    quotes = conn.execute("SELECT q.alert_id, q.quote FROM alert_quotes q JOIN alerts a ON a.id = q.alert_id"
                          " WHERE a.status = 'open' AND q.quote IS NOT NULL").fetchall()
    titles = dict(conn.execute("SELECT id, title FROM alerts WHERE status = 'open'").fetchall())
    conn.close()
    # a word of a quote that is not in that alert's title: found through the quote
    alert_id, word = next((a, q[4:10]) for a, q in quotes if len(q) > 12 and q[4:10] not in titles[a]
                          and "\n" not in q[4:10])
    expected = {a for a, q in quotes if word in q} | {a for a, t in titles.items() if word in t}
    page = get(client(web_db), "/?q=" + urllib.request.quote(word)).text
    assert alert_id in ids_of(page)
    assert set(ids_of(page)) == expected
    assert total_of(page) == len(expected)
    assert total_of(get(client(web_db), "/?q=%E2%98%83%E2%98%83nothing").text) == 0

def test_pages_split_the_inbox_in_order(web_db):
    rows = open_alerts(web_db)
    expected = [r["id"] for r in sorted(rows, key=lambda r: (SEV_RANK[r["severity"]], r["id"]), reverse=True)]
    c = client(web_db, page_size=5)
    seen, url = [], "/"
    while url:
        page = get(c, url).text
        ids = ids_of(page)
        assert 0 < len(ids) <= 5
        seen += ids
        m = re.search(r'rel="next" href="([^"]+)"', page)
        url = html.unescape(m.group(1)) if m else None
    assert seen == expected
    assert 'rel="prev"' in get(c, "/?page=2").text
    assert ids_of(get(c, f"/?page={len(expected) // 5 + 2}").text) == []

def test_alert_page_shows_each_quote_marked_inside_the_original_text(web_db):
    conn = connect(web_db)
    row = conn.execute("SELECT q.alert_id, q.quote_start, q.quote_end, COALESCE(r.original_text, r.text)"
                       " FROM alert_quotes q JOIN reports r ON r.id = q.report_id"
                       " WHERE q.quote_start IS NOT NULL AND q.n = 0 ORDER BY q.alert_id LIMIT 1").fetchone()
    conn.close()
    alert_id, s, e, original = row
    page = get(client(web_db), f"/alerts/{alert_id}").text
    m = re.search(r'<span class="before">(.*?)</span><mark>(.*?)</mark><span class="after">(.*?)</span>', page, re.S)
    before, quote, after = (html.unescape(g) for g in m.groups())
    assert quote == original[s:e] and quote.strip()
    assert len(before) == min(200, s) and len(after) == min(200, len(original) - e)
    assert before + quote + after == original[max(0, s - 200):e + 200]
    assert "历史" in page and "产生" in page               # the history, with its raised event

def test_report_page_lists_its_tables_and_alerts(web_db):
    conn = connect(web_db)
    rid, n_alerts = conn.execute("SELECT report_id, count(*) FROM alerts GROUP BY report_id"
                                 " ORDER BY count(*) DESC LIMIT 1").fetchone()
    issuer, n_tables = conn.execute("SELECT issuer, (SELECT count(*) FROM doc_tables t WHERE t.report_id = r.id)"
                                    " FROM reports r WHERE id = ?", (rid,)).fetchone()
    conn.close()
    page = get(client(web_db), f"/reports/{rid}").text
    assert issuer in page
    assert len(ids_of(page)) == n_alerts
    assert len(re.findall(r'class="doc-table"', page)) == n_tables

def test_hostile_text_is_shown_as_text(web_db_copy):
    with session(web_db_copy) as conn:
        alert_id, rid = conn.execute("SELECT id, report_id FROM alerts WHERE status = 'open' LIMIT 1").fetchone()
        conn.execute("UPDATE alerts SET title = '<script>alert(1)</script>标题', message = '<img src=x onerror=alert(2)>'"
                     " WHERE id = ?", (alert_id,))
        conn.execute("UPDATE reports SET title = '<b onclick=x>报告</b>', issuer = '\x1b[31m[red]单位[/red]',"
                     " source = 'javascript:alert(3)' WHERE id = ?", (rid,))
        conn.execute("DELETE FROM documents WHERE report_id = ?", (rid,))      # the report's source is shown
    c = client(web_db_copy)
    for url in ("/", f"/alerts/{alert_id}", f"/reports/{rid}"):
        page = get(c, url).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b onclick" not in page
        assert "\x1b" not in page
        assert 'href="javascript:' not in page
    page = get(c, f"/alerts/{alert_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "[red]单位[/red]" in page                      # Rich markup is plain text here

def test_unknown_ids_give_404(web_db):
    c = client(web_db)
    assert get(c, "/alerts/999999").status_code == 404
    assert get(c, "/reports/999999").status_code == 404
    assert get(c, "/alerts/abc").status_code == 404

def test_only_http_links():
    from worker.web.site import safe_url

    assert safe_url("https://example.gov.cn/a.pdf") == "https://example.gov.cn/a.pdf"
    assert safe_url("http://user:pw@example.gov.cn/a") == "http://example.gov.cn/a"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(" JavaScript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("examples/reports/a.txt") is None

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def test_serve_answers_on_localhost(web_db, tmp_path):
    port = _free_port()
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    (tmp_path / "config.toml").write_text("[web]\npublic_read = true\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "worker.cli", "--config", "config.toml", "--db", str(web_db),
                             "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, body = time.monotonic() + 30, None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.status == 200
                    body = r.read().decode("utf-8")
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.2)
        assert body is not None and "预警收件箱" in body
        assert total_of(body) == len(open_alerts(web_db))
    finally:
        proc.terminate()
        proc.wait(timeout=10)

def test_serve_without_a_database_says_so(tmp_path):
    res = subprocess.run([sys.executable, "-m", "worker.cli", "--db", str(tmp_path / "none.db"), "serve"],
                         cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "no database" in res.stderr
    assert not Path(tmp_path / "none.db").exists()


def test_every_alert_kind_has_a_name_and_the_inbox_uses_it(web_db):
    from alerts import catalog
    from worker.labels import KINDS, Labels

    assert set(catalog.kinds()) <= set(KINDS)              # a new kind needs its words
    zh = Labels("zh")
    page = get(client(web_db), "/").text
    kinds = facet_counts(page, "kind")
    assert kinds
    for kind in kinds:
        assert f'<span title="{kind}">{zh.kind(kind)}</span>' in page
    assert zh.kind("total_mismatch") == "合计不等于分项之和" and Labels("en").kind("total_mismatch") == "total mismatch"
