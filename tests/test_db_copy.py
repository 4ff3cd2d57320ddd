"""Issue 17: `audit-worker db copy` moves an installation, `db upgrade`/`db version` on either store.

Real parts throughout: examples/reports backfilled into a real SQLite file,
copied into a real PostgreSQL server (`pg_url`: a fresh database per test),
and the CLI's own views compared on both."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, FIXTURES

import dbkit
from worker.cli import main
from worker.storage import SCHEMA_VERSION

TIMES = ("created_at", "updated_at", "last_seen_at", "acked_at", "withdrawn_at")


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(*args) -> str:
    res = cli(*args)
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def four(tmp_path_factory):
    """Four of the five example reports backfilled into SQLite (the fifth is for an ingest after the copy),
    plus a binary blob with every byte value in it."""
    d = tmp_path_factory.mktemp("copy")
    src = d / "reports"
    src.mkdir()
    files = sorted(EXAMPLES.glob("*.txt"))
    for f in files[:4]:
        shutil.copy(f, src / f.name)
    (d / "fifth").mkdir()
    shutil.copy(files[4], d / "fifth" / files[4].name)
    db = d / "four.db"
    ok("--db", db, "backfill", src)
    conn = sqlite3.connect(db)
    data = bytes(range(256)) * 3
    conn.execute("INSERT INTO blobs (sha256, size, data) VALUES ('b1', ?, ?)", (len(data), data))
    conn.commit()
    conn.close()
    return db


def fresh(four, tmp_path):
    """A copy of the source for a test that changes it (SQLite's backup: the WAL's pages included)."""
    db = tmp_path / "src.db"
    a, b = sqlite3.connect(four), sqlite3.connect(db)
    a.backup(b)
    a.close()
    b.close()
    return db


def counts(url) -> dict[str, int]:
    conn = dbkit.connect(url)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names
                if not n.startswith(("alert_search", "sqlite_")) and n not in ("alert_text", "meta")}
    finally:
        conn.close()


def export(db, drop_times=False) -> list[dict]:
    rows = [json.loads(line) for line in ok("--db", db, "alerts", "export").splitlines() if line.strip()]
    if drop_times:
        for r in rows:
            for k in TIMES:
                r.pop(k, None)
    return rows


def status(db) -> dict:
    res = cli("--db", db, "status", "--json")
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.output)
    data.pop("database")
    data["heartbeat"].pop("file")
    return data


def views(db) -> dict:
    """What an analyst sees through the CLI."""
    ids = [r[0] for r in dbkit.rows(db, "SELECT id FROM reports ORDER BY id")]
    return {"export": export(db), "csv": ok("--db", db, "alerts", "export", "--format", "csv"),
            "reports": ok("--db", db, "reports", "list"),
            "shown": [ok("--db", db, "reports", "show", i) for i in ids],
            "alert": ok("--db", db, "alerts", "show", "1"), "status": status(db)}


def table(url, name: str, order: str) -> list[tuple]:
    return dbkit.rows(url, f'SELECT * FROM "{name}" ORDER BY {order}')


def test_sqlite_to_postgresql_gives_the_same_answers(four, pg_url, monkeypatch):
    from worker.db import copy as copymod

    monkeypatch.setattr(copymod, "BATCH", 7)           # many batches: the streaming's edges are crossed
    out = ok("db", "copy", "--from", f"sqlite:///{four}", "--to", pg_url)
    assert "row counts verified" in out
    want = counts(four)
    got = counts(pg_url)
    for t, n in want.items():
        assert got[t] == n, t
    assert want["reports"] == 4 and want["alerts"] > 0 and want["numbers"] > 0
    # every row of the parsed facts, as stored (ids kept)
    for name, order in (("fact_rows", "report_id, seq"), ("numbers", "report_id, seq, field"),
                        ("fact_strings", "id"), ("reports", "id"), ("alerts", "id"), ("ledger", "report_id, seq")):
        assert table(pg_url, name, order) == table(four, name, order), name
    # meta: each store keeps its own search index's version (FTS5 "1"; pg_trgm "pg1"), the rest is copied
    meta = dict(dbkit.rows(four, "SELECT key, value FROM meta"))
    assert meta.pop("alert_search_version") == "1"
    pg_meta = dict(dbkit.rows(pg_url, "SELECT key, value FROM meta"))
    assert pg_meta.pop("alert_search_version") == "pg1"
    assert pg_meta == meta
    blob = dbkit.rows(pg_url, "SELECT data FROM blobs WHERE sha256 = 'b1'")[0][0]
    assert bytes(blob) == bytes(range(256)) * 3
    assert views(pg_url) == views(four)


def test_an_ingest_after_the_copy_gets_fresh_ids(four, pg_url, tmp_path):
    src = fresh(four, tmp_path)
    ok("db", "copy", "--from", src, "--to", pg_url)
    top = {t: dbkit.scalar(src, f"SELECT max(id) FROM {t}") for t in ("reports", "alerts", "runs", "alert_events")}
    fifth = four.parent / "fifth"
    ok("--db", pg_url, "backfill", fifth)               # the sequences were set: no id taken twice
    ok("--db", src, "backfill", fifth)
    for t, n in top.items():
        assert dbkit.scalar(pg_url, f"SELECT min(id) FROM {t} WHERE id > ?", (n,)) == n + 1, t
    assert dbkit.scalar(pg_url, "SELECT count(*) FROM reports") == 5
    assert export(pg_url, drop_times=True) == export(src, drop_times=True)


def test_a_target_holding_data_is_refused_and_left_as_it_was(four, pg_url, tmp_path):
    src = fresh(four, tmp_path)
    ok("db", "copy", "--from", src, "--to", pg_url)
    ok("--db", pg_url, "alerts", "ack", "1", "--by", "auditor", "--comment", "seen")
    before = counts(pg_url)
    acked = table(pg_url, "alerts", "id")
    res = cli("db", "copy", "--from", src, "--to", pg_url)
    assert res.exit_code == 1
    assert "already holds data" in res.output and "4 reports" in res.output and "--force" in res.output
    assert "Nothing was written" in res.output
    assert counts(pg_url) == before and table(pg_url, "alerts", "id") == acked
    # --force replaces the target's contents with the source's
    ok("db", "copy", "--from", src, "--to", pg_url, "--force")
    assert table(pg_url, "alerts", "id") == table(src, "alerts", "id")
    assert counts(pg_url) == counts(src)


def test_a_target_with_only_a_web_user_is_refused_too(four, pg_url):
    res = CliRunner().invoke(main, ["--db", pg_url, "users", "add", "ann", "--role", "auditor", "--password-stdin"],
                             input="a-long-password-1\n")
    assert res.exit_code == 0, res.output
    res = cli("db", "copy", "--from", four, "--to", pg_url)
    assert res.exit_code == 1 and "1 web_users" in res.output
    assert dbkit.scalar(pg_url, "SELECT count(*) FROM reports") == 0


def test_postgresql_back_to_sqlite_and_sqlite_to_sqlite(four, pg_url, tmp_path):
    src = fresh(four, tmp_path)
    # a duplicate pointing forward (to a later id): the self-reference is set after every row is in
    conn = sqlite3.connect(src)
    conn.execute("UPDATE reports SET duplicate_of = 4 WHERE id = 1")
    conn.commit()
    conn.close()
    ok("db", "copy", "--from", src, "--to", pg_url)
    back = tmp_path / "back.db"
    ok("db", "copy", "--from", pg_url, "--to", f"sqlite:///{back}")
    again = tmp_path / "again.db"
    ok("db", "copy", "--from", back, "--to", again)
    for db in (back, again):
        assert counts(db) == counts(src)
        assert dbkit.scalar(db, "SELECT duplicate_of FROM reports WHERE id = 1") == 4
        # the SQLite target's full-text search was rebuilt from the copied alerts (looked at before any
        # command opens the file: opening would repair it)
        assert table(db, "alert_text", "alert_id") == table(src, "alert_text", "alert_id")
        assert dbkit.scalar(db, "SELECT count(*) FROM alert_search") == counts(src)["alerts"]
        names = {r[0] for r in dbkit.rows(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"alert_text_insert", "alert_search_insert"} <= names
        assert views(db) == views(src)
        fk = sqlite3.connect(db).execute("PRAGMA foreign_key_check").fetchall()
        assert fk == []


def test_bad_urls_and_unreachable_servers_end_with_one_line(four, pg_server, tmp_path):
    cases = {
        f"postgresql://postgres@/no_such_db?host={pg_server.dir}&port={pg_server.port}": "does not exist",
        f"postgresql://postgres@/x?host={tmp_path}/nowhere": "cannot be reached",
        "postgresql://postgres:secret@/x": "carries a password",
        "mysql://db/x": "not a database this version knows",
    }
    for url, words in cases.items():
        res = cli("db", "copy", "--from", four, "--to", url)
        assert res.exit_code == 4, (url, res.output)
        assert words in res.output and "Traceback" not in res.output and "secret" not in res.output
    missing = tmp_path / "missing.db"
    res = cli("db", "copy", "--from", missing, "--to", tmp_path / "t.db")
    assert res.exit_code == 2 and "no database at" in res.output
    assert not missing.exists() and not (tmp_path / "t.db").exists()
    res = cli("db", "copy", "--from", four, "--to", f"sqlite:///{four.parent}/../{four.parent.name}/{four.name}")
    assert res.exit_code == 1 and "same database" in res.output


def test_db_upgrade_and_version_on_postgresql(pg_url):
    res = cli("db", "version", "--db", pg_url)
    assert res.exit_code == 1 and "schema none" in res.output and "db upgrade" in res.output
    assert dbkit.scalar(pg_url, "SELECT to_regclass('reports') IS NULL") is True     # looking changed nothing
    out = ok("db", "upgrade", "--db", pg_url)
    assert f"none (no schema yet) → {SCHEMA_VERSION} (upgraded)" in out
    assert dbkit.scalar(pg_url, "SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
    assert f"schema {SCHEMA_VERSION} " in ok("--db", pg_url, "db", "version")      # the global --db too
    assert f"{SCHEMA_VERSION} → {SCHEMA_VERSION} (unchanged)" in ok("db", "upgrade", "--db", pg_url)


def test_db_upgrade_and_version_on_sqlite(tmp_path):
    db = tmp_path / "v1.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    res = cli("db", "version", "--db", db)
    assert res.exit_code == 1 and "schema 1 " in res.output
    assert f"schema 1 → {SCHEMA_VERSION} (upgraded)" in ok("db", "upgrade", "--db", db)
    assert dbkit.scalar(db, "SELECT value FROM meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
    res = cli("db", "version", "--db", db)
    assert res.exit_code == 0 and "up to date" in res.output
    res = cli("db", "version", "--db", tmp_path / "none.db")
    assert res.exit_code == 2 and not (tmp_path / "none.db").exists()


def test_pdfs_kept_beside_the_sqlite_file_travel_into_postgresql_blobs(four, pg_url, tmp_path):
    import hashlib

    from tests.pdfgen import make_pdf
    from worker import originals

    src = fresh(four, tmp_path)
    pdf = make_pdf([["部门决算"]])
    sha = hashlib.sha256(pdf).hexdigest()
    kept = tmp_path / "originals"
    kept.mkdir()
    (kept / f"{sha}.pdf").write_bytes(pdf)
    (kept / f"{'0' * 64}.pdf").write_bytes(pdf)          # named for bytes it does not hold: left behind
    conn = sqlite3.connect(src)
    conn.execute("UPDATE documents SET sha256 = ? WHERE id = 1", (sha,))
    conn.execute("UPDATE documents SET sha256 = ? WHERE id = 2", ("0" * 64,))
    conn.commit()
    conn.close()
    out = ok("db", "copy", "--from", src, "--to", pg_url)
    assert "1 PDF originals kept beside the source (originals/) carried over into the blobs table" in out
    assert dbkit.scalar(pg_url, "SELECT count(*) FROM blobs") == 2           # the fixture's blob and this one
    conn = dbkit.connect(pg_url)
    try:
        assert originals.load(conn, pg_url, sha, None, 10**7) == pdf       # where the page images look
        assert originals.load(conn, pg_url, "0" * 64, None, 10**7) is None
    finally:
        conn.close()
    # an SQLite target elsewhere gets the file in its own originals/
    other = tmp_path / "elsewhere" / "t.db"
    assert "1 PDF originals" in ok("db", "copy", "--from", src, "--to", other)
    assert (other.parent / "originals" / f"{sha}.pdf").read_bytes() == pdf


def test_rows_are_streamed_in_batches_bounded_by_their_size(tmp_path, monkeypatch):
    """Big rows (a blob's PDF, a report's text) come a few at a time, small ones thousands at a time."""
    import os

    from worker.db import copy as copymod
    from worker.storage import Store

    monkeypatch.setattr(copymod, "BATCH_BYTES", 1 << 20)
    store = Store(tmp_path / "big.db")
    with store.tx() as c:
        c.executemany("INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
                      [(f"{i:064x}", 128 << 10, os.urandom(128 << 10)) for i in range(200)])
        c.executemany("INSERT INTO http_cache (url) VALUES (?)", [(f"http://x/{i}",) for i in range(5000)])
    reader = copymod.Reader(store)
    try:
        big = [len(b) for b in reader.rows("blobs", ["sha256", "size", "data"])]
        small = [len(b) for b in reader.rows("http_cache", ["url"])]
    finally:
        reader.close()
        store.close()
    assert sum(big) == 200 and sum(small) == 5000
    assert big[0] == 64 and 4 <= max(big[1:]) <= 8      # 1 MB a batch: 128 KB rows 8 at a time at most
    assert small[0] == 64 and max(small[1:]) == copymod.BATCH


def test_a_search_table_kept_by_triggers_is_left_to_them_and_replaced_with_force(four, pg_url):
    """The search table a PostgreSQL store fills from `alerts` by trigger (alerts/search_pg.py) is not copied:
    the trigger fills it as the alerts arrive; --force empties it with the rest (TRUNCATE fires no row trigger)."""
    ok("db", "upgrade", "--db", pg_url)
    ok("db", "copy", "--from", four, "--to", pg_url)
    want = dbkit.rows(four, "SELECT id, title FROM alerts ORDER BY id")
    assert dbkit.rows(pg_url, "SELECT alert_id, title FROM alert_text ORDER BY alert_id") == want
    ok("db", "copy", "--from", four, "--to", pg_url, "--force")
    assert dbkit.rows(pg_url, "SELECT alert_id, title FROM alert_text ORDER BY alert_id") == want


def test_a_row_postgresql_cannot_hold_fails_the_copy_with_nothing_written(four, pg_url, tmp_path):
    src = fresh(four, tmp_path)
    conn = sqlite3.connect(src)
    conn.execute("UPDATE reports SET title = 'a' || char(0) || 'b' WHERE id = 2")     # SQLite keeps a NUL
    conn.commit()
    conn.close()
    res = cli("db", "copy", "--from", src, "--to", pg_url)
    assert res.exit_code == 4, res.output
    assert "copy failed (rolled back, nothing was written) at table reports" in res.output
    assert "NUL" in res.output and "Traceback" not in res.output
    assert {n for n in counts(pg_url).values()} == {0}
