"""Issue 14 item 12: foreign keys, readable columns, the analyst views, and the
in-place upgrade of a database made by the previous version (schema 1).

The old database is built from tests/fixtures/schema_v1.sql (the CREATE
statements of that version) and filled with a real report parsed and encoded
the way that version stored it; the current code then opens it.

A new database and the views run on each store (`db_url`); the upgrade of an
old database is SQLite's alone: PostgreSQL stores begin at schema 4.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, FIXTURES, ROOT, parse_bytes, seed_path
from tests.dbkit import scalar

V1_SCHEMA = (FIXTURES / "schema_v1.sql").read_text(encoding="utf-8")
REBUILT = ("reports", "documents", "facts", "numbers", "alerts", "alert_events", "delivery_recipients",
           "doc_tables", "ledger", "statements", "readings", "report_features")
TS = "2024-01-01T00:00:00+00:00"


# PostgreSQL's catalogue as PRAGMA foreign_key_list reads SQLite's: (column, parent table, on delete).
PG_FKS = """SELECT a.attname, p.relname, CASE k.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT'
                   WHEN 'a' THEN 'NO ACTION' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END
              FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
              JOIN pg_namespace n ON n.oid = t.relnamespace
              CROSS JOIN LATERAL unnest(k.conkey) AS c(attnum)
              JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.attnum
             WHERE k.contype = 'f' AND n.nspname = current_schema() AND t.relname = ?"""


def fks(conn, table) -> set[tuple]:
    """(column, parent table, on delete) of each foreign key of a table."""
    if getattr(conn, "dialect", "") == "postgresql":
        return {tuple(r) for r in conn.execute(PG_FKS, (table,))}
    return {(r[3], r[2], r[6]) for r in conn.execute(f"PRAGMA foreign_key_list({table})")}


def make_v1(path: Path) -> dict:
    """A schema-1 database holding example 002 (玉林) parsed, two alerts on it,
    an operator alert (report_id 0), an alert whose report was deleted, a
    delivery with its recipient, and a view an analyst made."""
    from tests.legacyfacts import encode_v2
    from worker import ledger_store

    src = seed_path("002")
    parsed = parse_bytes(src.read_bytes(), src.name)
    fact_rows, number_rows = encode_v2(parsed)      # as schema 1 and 2 stored them
    led = ledger_store.encode(parsed.reading)
    c = sqlite3.connect(path)
    c.executescript(V1_SCHEMA)
    c.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    m = parsed.meta
    c.execute("INSERT INTO reports (id, key, source, status, title, issuer, region, year, report_type, text,"
              " first_seen, updated_at) VALUES (1, 'k1', ?, 'parsed', ?, ?, ?, ?, ?, ?, ?, ?)",
              (str(src), m.title, m.issuer, m.region, m.year, m.report_type, parsed.text, TS, TS))
    c.execute("INSERT INTO reports (id, key, source, status, title, text, first_seen, updated_at, duplicate_of)"
              " VALUES (2, 'k2', 'b.txt', 'duplicate', 'dup', '', ?, ?, 1)", (TS, TS))
    c.execute("INSERT INTO documents (report_id, url, role) VALUES (1, ?, 'main')", (str(src),))
    for seq, kind, name, data in fact_rows:
        c.execute("INSERT INTO facts (report_id, seq, kind, name, data) VALUES (1, ?, ?, ?, ?)",
                  (seq, kind, name, data))
    ids = {seq: fid for fid, seq in c.execute("SELECT id, seq FROM facts")}
    c.executemany('INSERT INTO numbers (report_id, fact_id, field, value, unit, kind, precision, raw, start, "end",'
                  " quote_start, quote_end) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  [(ids[seq], *rest) for seq, *rest in number_rows])
    c.executemany("INSERT INTO doc_tables VALUES (1, " + ",".join("?" * 20) + ")", led.tables)
    c.executemany("INSERT INTO ledger VALUES (1, " + ",".join("?" * 27) + ")", led.facts)
    c.executemany("INSERT INTO statements VALUES (1, " + ",".join("?" * 13) + ")", led.statements)
    c.execute("INSERT INTO readings VALUES (1, ?, ?, ?, ?, ?, ?, ?)", led.meta)
    c.execute("INSERT INTO report_features VALUES (1, ?, 2024, 'city', '{}', 'x', ?)", (m.issuer, TS))
    alert = ("INSERT INTO alerts (id, fingerprint, kind, rule, severity, report_id, source, title, message, evidence,"
             " status, created_at, updated_at, last_seen_at)"
             " VALUES (?, ?, ?, 'r.x', ?, ?, 's', ?, 'm', ?, 'open', ?, ?, ?)")
    at = parsed.text.index("710.8078")
    start = parsed.text.rindex("\n", 0, at) + 1
    q = parsed.text[start:parsed.text.index("\n", at)]
    ev = json.dumps({"quote": [q, "第二段"], "locations": [{"start": start, "end": start + len(q), "page": 3}]},
                    ensure_ascii=False)
    c.execute(alert, (1, "f1", "execution_rate_low", "high", 1, "执行率低", ev, TS, TS, TS))
    c.execute(alert, (2, "f2", "total_mismatch", "low", 1, "合计不符", '{"quote": "一句"}', TS, TS, TS))
    c.execute(alert, (3, "f3", "source_failure", "high", 0, "数据源失败", '{"quote": "timeout"}', TS, TS, TS))
    c.execute(alert, (4, "f4", "unit_error", "medium", 99, "报告已删", '{"quote": "x"}', TS, TS, TS))
    for a in (1, 2, 3, 4):
        c.execute("INSERT INTO alert_events (alert_id, event, at) VALUES (?, 'raised', ?)", (a, TS))
    c.execute("INSERT INTO deliveries (id, alert_id, channel, next_attempt_at, created_at) VALUES (1, 1, 'mail', ?, ?)",
              (TS, TS))
    c.execute("INSERT INTO delivery_recipients VALUES (1, 'a@b.c', 'accepted', '250 ok', ?)", (TS,))
    c.execute("CREATE VIEW my_high AS SELECT id, title FROM alerts WHERE severity = 'high'")
    c.commit()
    before = {t: c.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in REBUILT}
    c.close()
    return {"before": before, "parsed": parsed}


def test_new_database_has_foreign_keys_and_readable_columns(db_url):
    from worker.storage import SCHEMA_VERSION, Store

    s = Store(db_url)
    c = s.conn
    assert s.get_meta("schema_version") == str(SCHEMA_VERSION) == "4"
    assert ("report_id", "reports", "CASCADE") in fks(c, "fact_rows")
    assert fks(c, "numbers") == {("report_id", "fact_rows", "CASCADE"), ("seq", "fact_rows", "CASCADE")}
    assert fks(c, "alerts") == {("report_id", "reports", "RESTRICT")}
    assert ("alert_id", "alerts", "NO ACTION") in fks(c, "alert_events")
    for t in ("documents", "ledger", "doc_tables", "statements", "readings", "report_features"):
        assert ("report_id", "reports", "CASCADE") in fks(c, t), t
    # No column an analyst has to quote, and offsets say what they are offsets of.
    for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        cols = {r[1] for r in c.execute(f"PRAGMA table_info({t})")}
        assert cols and not cols & {"end", "where", "start"}, (t, cols)
    assert {"raw_start", "raw_end"} <= {r[1] for r in c.execute("PRAGMA table_info(numbers)")}
    assert {"raw_start", "raw_end", "found_in"} <= {r[1] for r in c.execute("PRAGMA table_info(ledger)")}
    assert {"table_start", "table_end"} <= {r[1] for r in c.execute("PRAGMA table_info(doc_tables)")}
    views = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert {"alert_details", "alert_quotes", "report_figures", "fact_figures", "execution_rates", "ledger_facts",
            "ledger_gpb_expense"} <= views
    with pytest.raises(sqlite3.IntegrityError):
        c.execute("INSERT INTO fact_rows (report_id, seq, kind) VALUES (42, 0, 'meta')")
    s.close()


def test_v1_database_is_upgraded_in_place_keeping_every_alert(tmp_path):
    from worker.storage import Store

    db = tmp_path / "old.db"
    old = make_v1(db)
    s = Store(db)
    c = s.conn
    assert s.get_meta("schema_version") == "4"
    assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    # Every row is there with the same values (columns renamed, not moved; facts
    # and numbers rewritten by the step to schema 3, compared below) ...
    for t, rows in old["before"].items():
        if t in ("facts", "numbers"):
            continue
        after = c.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
        if t == "alerts":
            assert [r[0] for r in after] == [1, 2, 3, 4]
            continue
        if t == "alert_events":
            assert [tuple(r) for r in after][:4] == rows
            continue
        if t == "reports":      # columns added since (issue 18) come last, empty
            assert all(tuple(r)[len(rows[0]):] == (None,) * 6 for r in after)
            after = [tuple(r)[:len(rows[0])] for r in after]
        assert [tuple(r) for r in after] == rows, t
    # ... except the operator alert and the alert whose report was gone: kept, report_id NULL, noted.
    rid = {r["id"]: r["report_id"] for r in c.execute("SELECT id, report_id FROM alerts")}
    assert rid == {1: 1, 2: 1, 3: None, 4: None}
    note = c.execute("SELECT detail FROM alert_events WHERE alert_id = 4 AND event = 'migrated'").fetchone()
    assert note and "#99" in note[0]
    # The stored reading loads back with the renamed offset columns.
    parsed = old["parsed"]
    back = s.parsed_report(1)
    assert [(f.num.start, f.num.end, f.where) for f in back.reading.facts] == \
           [(f.num.start, f.num.end, f.where) for f in parsed.reading.facts]
    assert [(t.start, t.end) for t in back.reading.tables] == [(t.start, t.end) for t in parsed.reading.tables]
    from tests.legacyfacts import read_back_v2
    assert s.facts(1) == read_back_v2(parsed)
    n = c.execute("SELECT * FROM fact_figures WHERE raw = '710.8078'").fetchone()
    assert parsed.text[n["raw_start"]:n["raw_end"]] == "710.8078"
    # The analyst's own view survived; ours were made.
    assert c.execute("SELECT count(*) FROM my_high").fetchone()[0] == 2
    a = c.execute("SELECT * FROM alert_details WHERE alert_id = 1").fetchone()
    assert a["issuer"] == "玉林市大数据发展和政务服务局" and a["year"] == 2024 and a["page"] == 3
    assert a["quote"].endswith("\n第二段") and "710.8078" in a["quote"] and a["quotes"] == 2
    assert c.execute("SELECT report_title FROM alert_details WHERE alert_id = 3").fetchone()[0] is None
    s.close()


def test_deleting_a_report_cascades_to_its_facts_but_never_to_alerts(tmp_path):
    from worker.storage import Store

    db = tmp_path / "old.db"
    make_v1(db)
    s = Store(db)
    c = s.conn
    # Report 1 has alerts: RESTRICT, nothing deleted.
    with pytest.raises(sqlite3.IntegrityError):
        c.execute("DELETE FROM reports WHERE id = 1")
    assert c.execute("SELECT count(*) FROM facts WHERE report_id = 1").fetchone()[0] > 50
    # Once its alerts are moved off (an explicit decision), the report goes with everything parsed from it.
    c.execute("UPDATE alerts SET report_id = NULL WHERE report_id = 1")
    c.execute("DELETE FROM reports WHERE id = 1")
    for t in ("facts", "fact_rows", "numbers", "ledger", "doc_tables", "statements", "readings", "documents", "report_features"):
        assert c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0, t
    assert c.execute("SELECT count(*) FROM alerts").fetchone()[0] == 4
    # The duplicate that pointed at it forgets it rather than pointing nowhere.
    assert c.execute("SELECT duplicate_of FROM reports WHERE id = 2").fetchone()[0] is None
    s.close()


def test_upgrade_runs_once_and_a_newer_database_is_refused(tmp_path):
    from worker.storage import DatabaseFault, Store

    db = tmp_path / "old.db"
    make_v1(db)
    Store(db).close()
    s = Store(db)                     # second open: nothing to do, views kept
    assert s.get_meta("schema_version") == "4"
    views_sha = s.get_meta("views_sha")
    s.set_meta("schema_version", "99")
    s.close()
    with pytest.raises(DatabaseFault, match="newer audit-worker"):
        Store(db)
    c = sqlite3.connect(db)
    assert c.execute("SELECT value FROM meta WHERE key = 'views_sha'").fetchone()[0] == views_sha
    c.close()


def test_a_database_of_a_newer_version_is_refused(db_url):
    from worker.storage import DatabaseFault, Store

    s = Store(db_url)
    views_sha = s.get_meta("views_sha")
    s.set_meta("schema_version", "99")
    s.close()
    with pytest.raises(DatabaseFault, match="newer audit-worker"):
        Store(db_url)
    assert scalar(db_url, "SELECT value FROM meta WHERE key = 'views_sha'") == views_sha      # nothing touched
    assert scalar(db_url, "SELECT value FROM meta WHERE key = 'schema_version'") == "99"


def test_reports_show_json_reads_an_upgraded_database(tmp_path):
    db = tmp_path / "old.db"
    make_v1(db)
    p = subprocess.run([sys.executable, "-m", "worker.cli", "--db", str(db), "reports", "show", "1", "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    kinds = {f["kind"] for f in out["facts"]}
    assert {"amount", "line_item", "claim"} <= kinds


def test_views_on_the_example_reports(db_url):
    """Figures checked by hand against the example reports' own words."""
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    app = App(Config(path=None, data={}), Store(db_url))
    app.backfill([EXAMPLES], detect=True)
    c = app.store.conn
    rid = {r["issuer"]: r["id"] for r in c.execute("SELECT id, issuer FROM reports")}
    # 000 丰台: "2024年全年预算数7337.715191万元 … 资金总体支出7226.379014万元 … 预算执行率为98.48%"
    r = c.execute("SELECT * FROM execution_rates WHERE report_id = ? AND basis = 'stated'",
                  (rid["北京市丰台区政务服务和数据管理局"],)).fetchone()
    assert (r["year"], r["budget_adjusted_wanyuan"], r["outturn_wanyuan"], r["stated_rate_pct"]) == \
           (2024, 7337.715191, 7226.379014, 98.48)
    assert r["rate_of_adjusted_pct"] == 98.48 and "98.48%" in r["quote"]
    # 002 玉林: "一般公共预算财政拨款支出年初预算为1031.24万元,支出决算为1954.42万元,完成年初预算的189.52%"
    r = c.execute("SELECT * FROM execution_rates WHERE report_id = ? AND basis = 'ledger'",
                  (rid["玉林市大数据发展和政务服务局"],)).fetchone()
    assert (r["budget_initial_wanyuan"], r["outturn_wanyuan"], r["rate_of_initial_pct"]) == (1031.24, 1954.42, 189.52)
    # Every number of every fact is in fact_figures; each figure's quote holds the figure as printed.
    assert c.execute("SELECT count(*) FROM fact_figures").fetchone()[0] == \
           c.execute("SELECT count(*) FROM numbers").fetchone()[0] > 1000
    figs = c.execute("SELECT raw, quote FROM report_figures").fetchall()
    assert figs and all(f["raw"] in f["quote"] for f in figs)
    # Every alert is in alert_details, with its report and its quotes.
    assert c.execute("SELECT count(*) FROM alert_details").fetchone()[0] == \
           c.execute("SELECT count(*) FROM alerts").fetchone()[0] > 20
    for a in c.execute("SELECT d.*, a.evidence FROM alert_details d JOIN alerts a ON a.id = d.alert_id"):
        ev = json.loads(a["evidence"])
        quotes = [q["text"] for q in ev["quotes"]]      # the alert contract: a list of quote objects
        assert a["quotes"] == len(quotes) and a["issuer"] and a["source_url"].endswith(".txt")
        if quotes:
            assert a["quote"].split("\n")[0] == quotes[0].split("\n")[0]
        for q, row in zip(ev["quotes"], c.execute("SELECT * FROM alert_quotes WHERE alert_id = ? ORDER BY n",
                                                  (a["alert_id"],)).fetchall()):
            assert (row["quote"], row["quote_start"], row["quote_end"]) == (q["text"], q["start"], q["end"])
    app.store.close()


def test_two_processes_opening_an_old_database_at_once_upgrade_it_once(tmp_path):
    db = tmp_path / "old.db"
    old = make_v1(db)
    code = "import sys; from worker.storage import Store; Store(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db)], cwd=ROOT, env={"PYTHONPATH": str(ROOT)},
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read()
    c = sqlite3.connect(db)
    assert c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "4"
    assert c.execute("SELECT count(*) FROM facts").fetchone()[0] == len(old["before"]["facts"])
    assert c.execute("SELECT count(*) FROM alert_events WHERE event = 'migrated'").fetchone()[0] == 1
    c.close()
