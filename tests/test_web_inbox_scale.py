"""The inbox at scale (worker/web/inbox_sql.py, alerts/search.py): the same answers as the plain
SQL it replaces, computed here by hand from the database; the full-text index kept in step by
triggers and made for a database from before it. Speed is measured in bench/web_inbox.py."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter

import pytest

from alerts import search
from tests.dbkit import connect as db_connect
from tests.dbkit import is_pg, session
from worker.storage import Store
from worker.web import queries

SEV_RANK = {"high": 3, "medium": 2, "low": 1, "info": 0}
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def connect(db) -> sqlite3.Connection:
    """A connection to the database, either store (PostgreSQL's commits each statement)."""
    return db_connect(db)


def like_contains(text, word: str) -> bool:
    """LIKE '%word%' as SQLite means it: a substring, ASCII letters in either case."""
    return text is not None and word.translate(ASCII_LOWER) in str(text).translate(ASCII_LOWER)


def by_hand_search(conn, word: str) -> set[int]:
    quotes: dict[int, list] = {}
    for r in conn.execute("SELECT alert_id, quote FROM alert_quotes"):
        quotes.setdefault(r["alert_id"], []).append(r["quote"])
    return {a["id"] for a in conn.execute("SELECT id, title FROM alerts")
            if like_contains(a["title"], word) or any(like_contains(q, word) for q in quotes.get(a["id"], []))}


def add_alert(conn, fp: str, title: str, quotes: list[str], report_id=None, kind="unit_error",
              rule="unit.yuan_for_wan", severity="medium") -> int:
    evidence = json.dumps({"quotes": [{"text": q, "start": 0, "end": len(q)} for q in quotes]}, ensure_ascii=False)
    cur = conn.execute("INSERT INTO alerts (fingerprint, kind, rule, severity, report_id, source, title, message,"
                       " evidence, created_at, updated_at, last_seen_at) VALUES (?,?,?,?,?,'t',?,'m',?,"
                       " '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
                       (fp, kind, rule, severity, report_id, title, evidence))
    return cur.lastrowid


def words_of(conn) -> list[str]:
    """Words to look for: 3+ characters of a quote, 2 characters, 1, a title's word, ASCII in another case."""
    quote = next(r[0] for r in conn.execute("SELECT quote FROM alert_quotes WHERE length(quote) > 20 ORDER BY alert_id"))
    title = conn.execute("SELECT title FROM alerts ORDER BY id LIMIT 1").fetchone()[0]
    return [quote[5:11], quote[5:7], quote[6], title[2:6], "万元", "PDF", "pdf", "pD", "无此词语☃", "100%_达标", "100%x达标",
            "a_b", "%", "_"]


def test_full_text_search_finds_exactly_what_like_finds(web_db_copy):
    conn = connect(web_db_copy)
    if not is_pg(web_db_copy):
        conn.isolation_level = None
    # LIKE's wildcards are searched as text, and ASCII case does not matter (as in LIKE)
    pct = add_alert(conn, "t-pct", "增长率100%_达标", ["Revenue 100%_达标 PDF"])
    add_alert(conn, "t-near", "增长率100x达标", ["a-b 100xx达标"])
    assert search.available(conn)
    for word in words_of(conn):
        expected = by_hand_search(conn, word)
        assert set(search.matching_ids(conn, word)) == expected, word
        assert set(search.matching_ids(conn, word, use_index=False)) == expected, word
    assert by_hand_search(conn, "100%_达标") == {pct}
    assert pct in by_hand_search(conn, "pdf")
    assert len(by_hand_search(conn, "万元")) > 5                    # the 2-character path finds many


def test_triggers_keep_the_index_in_step(web_db_copy):
    store = Store(web_db_copy)
    try:
        with store.tx() as c:
            new = add_alert(c, "t-new", "标题甲乙丙", ["原文中的独有词语一"], report_id=1)
        conn = store.conn
        assert search.matching_ids(conn, "独有词语一") == [new]
        assert search.matching_ids(conn, "甲乙丙") == [new]
        with store.tx() as c:
            c.execute("UPDATE alerts SET evidence = ? WHERE id = ?",
                      (json.dumps({"quotes": [{"text": "改过的独有词语二"}]}, ensure_ascii=False), new))
        assert search.matching_ids(conn, "独有词语一") == []
        assert search.matching_ids(conn, "独有词语二") == [new]
        with store.tx() as c:
            c.execute("UPDATE alerts SET title = '新标题丁戊己' WHERE id = ?", (new,))
        assert search.matching_ids(conn, "甲乙丙") == []
        assert search.matching_ids(conn, "丁戊己") == [new]
        with store.tx() as c:             # an update that changes neither leaves the index as it is
            c.execute("UPDATE alerts SET status = 'acked' WHERE id = ?", (new,))
        assert search.matching_ids(conn, "丁戊己") == [new]
        with store.tx() as c:
            c.execute("DELETE FROM alert_events WHERE alert_id = ?", (new,))
            c.execute("DELETE FROM alerts WHERE id = ?", (new,))
        assert search.matching_ids(conn, "丁戊己") == [] and search.matching_ids(conn, "独有词语二") == []
        # the text table holds each alert's title and quotes as the view gives them, the index agrees with it
        text = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT alert_id, title, quotes FROM alert_text")}
        by_view = {r[0]: (r[1], None) for r in conn.execute(
            "SELECT id, title FROM alerts")}
        quotes: dict = {}
        for r in conn.execute("SELECT alert_id, quote FROM alert_quotes ORDER BY alert_id, n"):
            if r[1] is not None:
                quotes.setdefault(r[0], []).append(str(r[1]))
        by_view = {i: (t, "\n".join(quotes[i]) if i in quotes else None) for i, (t, _) in by_view.items()}
        assert text == by_view and len(text) > 20
        if not store.is_postgres:
            conn.execute("INSERT INTO alert_search (alert_search) VALUES ('integrity-check')")
    finally:
        store.close()


def test_a_database_from_before_gets_the_indexes_on_open(examples_db_copy):
    conn = sqlite3.connect(examples_db_copy, isolation_level=None)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    ours = set(search.OBJECTS) | {"alerts_inbox_order", "alerts_inbox_facets", "alerts_inbox_reports"}
    assert ours <= names
    # as made before this version: no text table, index, triggers or inbox indexes, no version noted
    for name in search.TRIGGERS:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("DROP TABLE alert_search")
    conn.execute("DROP TABLE alert_text")
    for name in ("alerts_inbox_order", "alerts_inbox_facets", "alerts_inbox_reports"):
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("DELETE FROM meta WHERE key = ?", (search.META_KEY,))
    conn.execute("UPDATE alerts SET title = title || '补记词语' WHERE id = 1")
    assert not ours & {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    Store(examples_db_copy).close()
    conn = connect(examples_db_copy)
    assert ours <= {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert search.matching_ids(conn, "补记词语") == [1]
    word = words_of(conn)[0]
    assert set(search.matching_ids(conn, word)) == by_hand_search(conn, word) != set()
    assert conn.execute("SELECT count(*) FROM alert_text").fetchone()[0] == \
        conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
    plan = " ".join(r[3] for r in conn.execute(
        f"EXPLAIN QUERY PLAN SELECT a.id FROM alerts a WHERE a.kind != 'source_failure'"
        f" ORDER BY {queries.ORDER} LIMIT 5"))
    assert "alerts_inbox_order" in plan and "TEMP B-TREE" not in plan      # the order is read, not sorted
    conn.close()
    # a trigger lost (say, by a table rebuilt in a migration) while a title changed: refilled on open
    conn = sqlite3.connect(examples_db_copy, isolation_level=None)
    conn.execute('DROP TRIGGER "alert_text_update"')
    conn.execute("UPDATE alerts SET title = '换了标题庚辛壬' WHERE id = 2")
    conn.close()
    Store(examples_db_copy).close()
    conn = connect(examples_db_copy)
    assert search.matching_ids(conn, "庚辛壬") == [2]
    conn.close()


# --- the inbox under every kind of filter, against the specification by hand -----------------

NOW = "2026-06-01T00:00:00+00:00"


@pytest.fixture()
def busy_db(web_db_copy):
    """The example alerts acknowledged, withdrawn, judged and silenced in every combination."""
    with session(web_db_copy) as conn:
        _make_busy(conn)
    return web_db_copy


def _make_busy(conn) -> None:
    ids = [r[0] for r in conn.execute("SELECT id FROM alerts ORDER BY id")]
    conn.execute("UPDATE alerts SET status = 'acked' WHERE id IN (?, ?, ?, ?)", (ids[0], ids[3], ids[10], ids[20]))
    conn.execute("UPDATE alerts SET status = 'withdrawn' WHERE id IN (?, ?, ?)", (ids[1], ids[11], ids[21]))
    for a in (ids[0], ids[1], ids[2], ids[12], ids[13], ids[13]):        # acked, withdrawn and open ones judged
        conn.execute("INSERT INTO alert_verdicts (alert_id, verdict, comment, by, at) VALUES (?, 'confirmed', 'c',"
                     " 'audrey', ?)", (a, NOW))
    silences = [("kind", "undefined_ratio", None, None), ("rule", "conflict", "2999-01-01T00:00:00+00:00", None),
                ("report", "5", None, None), ("rule", "execution_rate", "2000-01-01T00:00:00+00:00", None),
                ("kind", "unit_error", None, NOW), ("rule", "indicator.target", None, None)]
    for matcher, value, until, expired in silences:
        conn.execute("INSERT INTO silences (matcher, value, until, created_by, comment, created_at, expired_at)"
                     " VALUES (?, ?, ?, 'op', 'c', ?, ?)", (matcher, value, until, NOW, expired))
    add_alert(conn, "t-op", "来源无法访问", [], kind="source_failure", rule="source.down")


def state_by_hand(conn, a) -> str:
    judged = {r[0] for r in conn.execute("SELECT alert_id FROM alert_verdicts")}
    if a["status"] == "withdrawn":
        return "withdrawn"
    if a["id"] in judged:
        return "judged"
    if a["status"] == "acked":
        return "acked"
    for s in conn.execute("SELECT * FROM silences WHERE expired_at IS NULL"):
        if s["until"] is not None and s["until"] <= NOW:
            continue
        if (s["matcher"] == "kind" and a["kind"] == s["value"]) or \
           (s["matcher"] == "rule" and (a["rule"] == s["value"] or a["rule"].startswith(s["value"] + "."))) or \
           (s["matcher"] == "report" and str(a["report_id"]) == s["value"]):
            return "silenced"
    return a["status"]


def inbox_by_hand(conn, params: dict) -> tuple[list[int], dict[str, dict[str, int]]]:
    rows = []
    for a in conn.execute("SELECT a.*, r.issuer, r.region, r.year FROM alerts a LEFT JOIN reports r"
                          " ON r.id = a.report_id WHERE a.kind != 'source_failure'"):
        d = dict(a)
        d["status"] = state_by_hand(conn, a)          # the facet `status` is the state
        rows.append(d)
    if params.get("q"):
        found = by_hand_search(conn, params["q"])
        rows = [r for r in rows if r["id"] in found]
    filters = {k: v for k, v in params.items() if k in queries.FACETS}
    if "status" not in params:
        filters["status"] = "open"
    elif filters["status"] == "all":
        del filters["status"]

    def keep(r, skip=None) -> bool:
        return all(str(r[k]) == v for k, v in filters.items() if k != skip)

    listed = sorted((r for r in rows if keep(r)), key=lambda r: (SEV_RANK[r["severity"]], r["id"]), reverse=True)
    facets = {k: dict(Counter("" if r[k] is None else str(r[k]) for r in rows if keep(r, skip=k)))
              for k in queries.FACETS}
    return [r["id"] for r in listed], facets


def test_inbox_pages_counts_and_states_equal_the_specification(busy_db):
    conn = connect(busy_db)
    a_report = conn.execute("SELECT issuer, year FROM reports WHERE id = 4").fetchone()
    quote_word = words_of(conn)[0]
    cases = [{}, {"status": "all"}, {"severity": "high"}, {"status": "all", "kind": "text_table_conflict"},
             {"issuer": a_report["issuer"], "status": "all"}, {"year": str(a_report["year"]), "severity": "medium"},
             {"q": quote_word, "status": "all"}, {"q": quote_word[:2]}, {"q": "万元", "status": "judged"},
             {"status": "judged", "issuer": a_report["issuer"]}, {"status": "nothing"}, {"year": "abc"}]
    cases += [{"status": s} for s in queries.STATUSES]
    seen_states = set()
    for params in cases:
        f = queries.Filters.from_params(params)
        expected_ids, expected_facets = inbox_by_hand(conn, params)
        rows, total, facets = queries.inbox_page(conn, f, 1, 1000)
        assert [r["id"] for r in rows] == expected_ids, params
        assert total == len(expected_ids), params
        assert list(facets) == list(queries.FACETS)
        for key, values in facets.items():
            assert dict(values) == expected_facets[key], (params, key)
            assert [n for _, n in values] == sorted((n for _, n in values), reverse=True)
        assert queries.inbox(conn, f, 1, 1000) == (rows, total)
        assert queries.counts(conn, f) == facets
        seen_states |= {r["state"] for r in rows}
    assert seen_states == set(queries.STATUSES)        # every state was there to be counted
    # each listed alert's state is what queries.STATE, the SQL of the alert page, says
    rows, _, _ = queries.inbox_page(conn, queries.Filters.from_params({"status": "all"}), 1, 1000)
    by_sql = dict(conn.execute(f"SELECT a.id, {queries.STATE} FROM alerts a").fetchall())
    assert {r["id"]: r["state"] for r in rows} == {i: by_sql[i] for i in (r["id"] for r in rows)}
    conn.close()


def test_pages_follow_the_inbox_order(busy_db):
    conn = connect(busy_db)
    for params in ({"status": "all"}, {}, {"severity": "medium", "status": "all"}):
        f = queries.Filters.from_params(params)
        expected, _ = inbox_by_hand(conn, params)
        seen, page = [], 1
        while True:
            rows, total = queries.inbox(conn, f, page, 4)
            assert total == len(expected)
            if not rows:
                break
            seen += [r["id"] for r in rows]
            page += 1
        assert seen == expected and page == -(-len(expected) // 4) + 1
    conn.close()
