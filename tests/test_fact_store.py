"""Issue 16: each number of a fact stored once (schema 3).

The oracle is schema 2's way (tests/legacyfacts.py: the whole fact as JSON,
numbers inside it and again in `numbers`): what it read back is what
Store.facts must read back now, field by field and type by type, for the
example reports and generated ones (text and HTML). A schema 2 database is
built with that encoding and opened by the current code, which upgrades it.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, parse_bytes
from tests.legacyfacts import V2_FACTS, V2_NUMBERS, difference, encode_v2, read_back_v2
from worker.facts import Amount, Claim, FundingRow, Indicator, ParsedReport, PartSet, Quote, ReportMeta
from worker.numbers import Num


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("gen")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(out), "--issuers", "5",
                    "--years", "2023-2024", "--seed", "16"], check=True, capture_output=True)
    files = sorted(p for p in out.iterdir() if p.suffix in (".txt", ".html"))
    assert {p.suffix for p in files} == {".txt", ".html"}
    return files


def _store(db_url):
    """A store on the test's database (either kind: `db_url`)."""
    from worker.storage import Store
    return Store(db_url)


def _save(store, key: str, parsed) -> int:
    with store.tx() as c:
        rid = store.upsert_report_row(c, key, key, status="parsed", text=parsed.text)
        store.save_parsed(c, rid, parsed)
    return rid


def _check_read_back(store, files: list[Path]) -> int:
    n = 0
    for p in files:
        parsed = parse_bytes(p.read_bytes(), p.name)
        rid = _save(store, str(p), parsed)
        want = read_back_v2(parsed)
        got = store.facts(rid)
        assert len(got) == len(want), p.name
        for w, g in zip(want, got):
            assert difference(w, g, f"{p.name} {w.kind}") is None
        back = store.parsed_report(rid)
        assert back.meta == want[0] and back.facts == want[1:]
        n += len(got)
    return n


def test_examples_read_back_exactly_as_schema_2_read_them(db_url):
    assert _check_read_back(_store(db_url), sorted(EXAMPLES.glob("*.txt"))) > 1000


def test_generated_reports_read_back_exactly_as_schema_2_read_them(db_url, generated):
    assert _check_read_back(_store(db_url), generated) > 500


def test_each_number_is_stored_once(db_url):
    s = _store(db_url)
    p = next(EXAMPLES.glob("002_*.txt"))
    parsed = parse_bytes(p.read_bytes(), p.name)
    rid = _save(s, str(p), parsed)
    c = s.conn
    # As many rows as numbers in the facts (schema 2's numbers table had the same count) ...
    _, v2_numbers = encode_v2(parsed)
    assert c.execute("SELECT count(*) FROM numbers").fetchone()[0] == len(v2_numbers) > 500
    # ... and none of them inside facts.data, where schema 2 had {"n": [value, unit, …]}.
    datas = [r[0] for r in c.execute("SELECT data FROM facts WHERE data IS NOT NULL")]
    assert datas and not any('"n":' in d for d in datas)
    # The printed figure is the text at its offsets, so it is not stored either.
    assert c.execute("SELECT count(*) FROM numbers WHERE raw_if_differs IS NOT NULL").fetchone()[0] == 0
    # fact_figures gives it back; 玉林 (002) prints 本年支出合计 710.8078 万元.
    rows = c.execute("SELECT * FROM fact_figures WHERE report_id = ? AND raw = '710.8078'", (rid,)).fetchall()
    assert rows and all(r["value"] == 710.8078 and r["value_unit"] == "万元" and r["precision"] == 4
                        and parsed.text[r["raw_start"]:r["raw_end"]] == "710.8078"
                        and r["quote_start"] <= r["raw_start"] < r["raw_end"] <= r["quote_end"] for r in rows)
    # Deleting the report's facts takes their numbers (foreign key, cascade).
    with s.tx() as c2:
        c2.execute("DELETE FROM fact_rows WHERE report_id = ?", (rid,))
    assert c.execute("SELECT count(*) FROM numbers").fetchone()[0] == 0


def _num(value, raw, start, **kw) -> Num:
    return Num(value=value, unit=kw.get("unit", "万元"), kind=kw.get("kind", "money"),
               precision=kw.get("precision", 2), raw=raw, start=start, end=start + len(raw),
               scale=kw.get("scale", 1.0), approx=kw.get("approx", False))


TEXT = "本年支出合计7,226.38万元,其中基本支出约1200元。项目甲执行率为98.5%。"


def _edge_facts() -> list:
    total = _num(7226.38, "7,226.38万元", TEXT.index("7,226"))
    basic = _num(0.12, "1200元", TEXT.index("1200"), unit="元", scale=1e-4, precision=0, approx=True)
    rate = _num(98.5, "98.5%", TEXT.index("98.5"), unit="%", kind="percent", precision=1)
    derived = _num(1.0, "1.00", 0)          # printed elsewhere: offsets 0..4 are not "1.00"
    return [
        Amount(name="本年支出合计", num=total, quote=Quote(TEXT[:18], 0, 18), section="headline", role="total"),
        # A list of Nums with a None between them and a trailing one.
        Claim(type="share", stated=rate, quote=Quote(TEXT[30:], 30, len(TEXT)), candidates=[total, None, basic]),
        # A list of lists: [name, Num]; one more part whose Num is not last.
        PartSet(name="本年支出合计", total=total, parts=[["基本支出", basic], [derived, "尾"]],
                quote=Quote("不在文中的引文", 5, 9), exhaustive=True),
        # The name column is the label; a name longer than the column's 200 characters stays in the JSON.
        FundingRow(owner="项目甲", owner_kind="project", label="合计", quote=Quote("", 3, 3), executed=derived),
        Indicator(owner="项目甲", name="指" * 250, quote=Quote(TEXT[30:], 30, len(TEXT)), actual=rate, note="x"),
    ]


def test_edge_cases_read_back_as_schema_2_read_them(db_url):
    """Hand-made facts: lists with gaps, lists of lists, a quote and a number
    whose text is not the report's, a name longer than the name column."""
    s = _store(db_url)
    parsed = ParsedReport(text=TEXT, meta=ReportMeta(title="t", year=2024), facts=_edge_facts())
    rid = _save(s, "edge", parsed)
    want, got = read_back_v2(parsed), s.facts(rid)
    for w, g in zip(want, got, strict=True):
        assert difference(w, g, w.kind) is None
    c = s.conn
    fields = {(r["fact_seq"], r["field"]): r for r in c.execute("SELECT * FROM fact_figures")}
    assert sorted(fields) == [(1, "num"), (2, "candidates[0]"), (2, "candidates[2]"), (2, "stated"),
                              (3, "parts[0][1]"), (3, "parts[1][0]"), (3, "total"), (4, "executed"),
                              (5, "actual")]
    # Only the number printed elsewhere keeps its text; the others are the text at their offsets.
    kept = [r[0] for r in c.execute("SELECT raw_if_differs FROM numbers WHERE raw_if_differs IS NOT NULL")]
    assert kept == ["1.00", "1.00"]
    assert fields[(2, "candidates[2]")]["raw"] == "1200元" and fields[(3, "parts[1][0]")]["raw"] == "1.00"
    data = {r["seq"]: r for r in c.execute("SELECT seq, name, data, quote_start, quote_end FROM facts")}
    assert json.loads(data[2]["data"])["candidates"] == [None, None]     # the gap kept, trailing Num dropped
    assert json.loads(data[3]["data"])["parts"] == [["基本支出"], [None, "尾"]]
    assert json.loads(data[3]["data"])["quote"] == "不在文中的引文"          # not the text at 5..9
    assert data[4]["name"] == "合计" and json.loads(data[4]["data"])["owner"] == "项目甲"
    assert len(data[5]["name"]) == 200 and json.loads(data[5]["data"])["name"] == "指" * 250
    assert "quote" not in (data[1]["data"] or "") and (data[1]["quote_start"], data[1]["quote_end"]) == (0, 18)


def _downgrade_to_v2(db: Path, parsed_by_id: dict[int, ParsedReport]) -> dict[int, list]:
    """Replace facts and numbers by schema 2's tables holding schema 2's rows
    (same fact ids), as a database made before issue 16 holds them."""
    c = sqlite3.connect(db)
    for (view,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
        c.execute(f'DROP VIEW "{view}"')       # made again on opening (facts is one)
    for table in ("numbers", "fact_rows", "fact_strings"):
        c.execute(f"DROP TABLE {table}")
    c.execute(V2_FACTS)
    c.execute("CREATE INDEX facts_report ON facts(report_id, kind)")
    c.execute(V2_NUMBERS)
    c.execute("CREATE INDEX numbers_report ON numbers(report_id)")
    c.execute("CREATE INDEX numbers_fact ON numbers(fact_id)")
    fid = 0
    old_numbers: dict[int, list] = {}
    for rid, parsed in parsed_by_id.items():
        facts, numbers = encode_v2(parsed)
        ids = {}
        for seq, kind, name, data in facts:
            fid += 1
            ids[seq] = fid
            c.execute("INSERT INTO facts (id, report_id, seq, kind, name, data) VALUES (?, ?, ?, ?, ?, ?)",
                      (fid, rid, seq, kind, name, data))
        rows = [(rid, ids[seq], *rest) for seq, *rest in numbers]
        old_numbers[rid] = [(rid, seq, *rest) for seq, *rest in numbers]
        c.executemany("INSERT INTO numbers (report_id, fact_id, field, value, unit, kind, precision, raw, raw_start,"
                      " raw_end, quote_start, quote_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    c.execute("CREATE VIEW my_numbers AS SELECT report_id, raw FROM numbers")     # an analyst's view of schema 2
    c.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    c.commit()
    c.close()
    return old_numbers


def test_schema_2_database_is_upgraded_in_place_and_detection_finds_the_same(tmp_path, generated):
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    # SQLite only: PostgreSQL stores start at schema 4, there is no older one to upgrade.
    db = tmp_path / "v2.db"
    app = App(Config(path=None, data={}), Store(db))
    app.backfill([EXAMPLES] + generated[:4], detect=True)
    ids = app.store.report_ids()
    parsed = {rid: app.store.parsed_report(rid) for rid in ids}
    alerts = app.store.conn.execute("SELECT id, fingerprint, status, title, message, evidence FROM alerts"
                                    " ORDER BY id").fetchall()
    assert len(ids) == 9 and len(alerts) > 10
    app.store.close()
    old_numbers = _downgrade_to_v2(db, parsed)

    s = Store(db)                      # opening upgrades it
    c = s.conn
    assert s.get_meta("schema_version") == "4"
    assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {r[1] for r in c.execute("PRAGMA table_info(numbers)")} >= {"report_id", "seq", "field", "raw_if_differs"}
    # The analyst's view read a column that is gone: dropped (with a warning), not left broken.
    assert c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'my_numbers'").fetchone()[0] == 0
    for rid, p in parsed.items():
        want = read_back_v2(p)
        for w, g in zip(want, s.facts(rid), strict=True):
            assert difference(w, g, f"#{rid} {w.kind}") is None
        # Every schema 2 number row is a fact_figures row with the same values (a list of
        # lists' field now says where in the item the number stands: parts[2] -> parts[2][1]).
        got = sorted(tuple(r) for r in c.execute(
            "SELECT report_id, fact_seq, field, value, printed_unit, kind, precision, raw, raw_start, raw_end,"
            " quote_start, quote_end FROM fact_figures WHERE report_id = ?", (rid,)))
        old = sorted((r[0], r[1], r[2] + "[1]" if r[2].startswith("parts[") else r[2], *r[3:])
                     for r in old_numbers[rid])
        assert got == old
    _rerun_finds_the_same(s, c, ids, alerts, db)


def test_schema_3_database_is_upgraded_in_place_and_reads_back_the_same(tmp_path, generated):
    """Schema 4 keys facts by (report_id, seq) and stores each distinct name
    and JSON once: a database made at schema 3 is converted in place, every
    fact, number and alert the same, and it is smaller."""
    from tests.legacyfacts import downgrade_to_v3
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    # SQLite only: PostgreSQL stores start at schema 4, there is no older one to upgrade.
    db = tmp_path / "v3.db"
    app = App(Config(path=None, data={}), Store(db))
    app.backfill([EXAMPLES] + generated[:4], detect=True)
    ids = app.store.report_ids()
    parsed = {rid: app.store.parsed_report(rid) for rid in ids}
    alerts = app.store.conn.execute("SELECT id, fingerprint, status, title, message, evidence FROM alerts"
                                    " ORDER BY id").fetchall()
    assert len(ids) == 9 and len(alerts) > 10
    app.store.close()
    downgrade_to_v3(db, parsed)
    c = sqlite3.connect(db)
    old_facts = c.execute("SELECT report_id, seq, kind, name, quote_start, quote_end, data FROM facts"
                          " ORDER BY report_id, seq").fetchall()
    old_numbers = c.execute(
        "SELECT f.report_id, f.seq, n.field, n.value, n.unit, n.kind, n.precision, n.raw_if_differs, n.raw_start,"
        " n.raw_end, n.scale, n.approx FROM numbers n JOIN facts f ON f.id = n.fact_id"
        " ORDER BY f.report_id, f.seq, n.field").fetchall()
    old_bytes = c.execute("SELECT sum(pgsize) FROM dbstat WHERE name IN ('facts', 'facts_report', 'numbers')"
                          ).fetchone()[0]
    c.close()
    assert len(old_facts) > 500 and len(old_numbers) > 1000

    s = Store(db)                      # opening upgrades it
    c = s.conn
    assert s.get_meta("schema_version") == "4"
    assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert c.execute("SELECT type FROM sqlite_master WHERE name = 'facts'").fetchone()[0] == "view"
    # The facts view reads as schema 3's table did (the id aside), and every number is kept.
    assert [tuple(r) for r in c.execute("SELECT report_id, seq, kind, name, quote_start, quote_end, data"
                                        " FROM facts ORDER BY report_id, seq")] == old_facts
    assert [tuple(r) for r in c.execute("SELECT * FROM numbers ORDER BY report_id, seq, field")] == old_numbers
    # Each distinct name and JSON once.
    distinct = c.execute("SELECT count(*) FROM (SELECT name FROM facts WHERE name != ''"
                         " UNION SELECT data FROM facts WHERE data IS NOT NULL)").fetchone()[0]
    assert tuple(c.execute("SELECT count(*), count(DISTINCT value) FROM fact_strings").fetchone()) == (distinct,) * 2
    new_bytes = c.execute("SELECT sum(pgsize) FROM dbstat WHERE name IN ('fact_rows', 'fact_strings',"
                          " 'fact_strings_hash', 'numbers')").fetchone()[0]
    assert new_bytes < old_bytes
    for rid, p in parsed.items():
        for w, g in zip([p.meta] + p.facts, s.facts(rid), strict=True):
            assert difference(w, g, f"#{rid} {w.kind}") is None
        assert s.parsed_report(rid) == p
    _rerun_finds_the_same(s, c, ids, alerts, db)


def test_strings_are_stored_once_and_told_apart_by_value_not_hash(db_url, monkeypatch):
    """Two reports with the same names share their `fact_strings` rows; two
    different strings with the same hash stay two rows (compared by value)."""
    from worker import fact_rows

    s = _store(db_url)
    parsed = ParsedReport(text=TEXT, meta=ReportMeta(title="t", year=2024), facts=_edge_facts())
    a = _save(s, "a", parsed)
    n = s.conn.execute("SELECT count(*) FROM fact_strings").fetchone()[0]
    b = _save(s, "b", parsed)
    assert s.conn.execute("SELECT count(*) FROM fact_strings").fetchone()[0] == n
    assert s.facts(a) == s.facts(b)
    monkeypatch.setattr(fact_rows, "string_hash", lambda v: 7)       # every string collides
    c = _save(s, "c", ParsedReport(text=TEXT, meta=ReportMeta(title="u", year=2025), facts=_edge_facts()))
    got = s.facts(c)
    assert got[0].title == "u" and got[1:] == s.facts(a)[1:]
    assert s.conn.execute("SELECT count(*) FROM fact_strings WHERE hash = 7").fetchone()[0] >= 2


def _rerun_finds_the_same(s, c, ids, alerts, db) -> None:
    """Detection re-run on the upgraded database (every report read: --full):
    every alert found again, unchanged."""
    from alerts.engine import run_detectors
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    app = App(Config(path=None, data={}), s)
    res = run_detectors(app, ids, full=True)
    after = c.execute("SELECT id, fingerprint, status, title, message, evidence FROM alerts ORDER BY id").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in alerts]
    assert (res.new, res.updated, res.withdrawn) == (0, 0, 0) and res.unchanged > 10
    s.close()
    assert Store(db).get_meta("schema_version") == "4"       # opened again: nothing to do
