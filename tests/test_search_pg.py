"""Full-text search on a PostgreSQL store (alerts/search_pg.py): pg_trgm over alert_text, made
on open for a database without it, exact under a UTF-8 locale, and the LIKE over the view
where pg_trgm cannot be created. (The answers on both stores: tests/test_web_inbox_scale.py.)"""
from __future__ import annotations

import logging
import uuid

import pytest

from alerts import search, search_pg
from tests.dbkit import connect
from tests.test_web_inbox_scale import add_alert, by_hand_search, words_of
from worker import schema_once
from worker.storage import Store


@pytest.fixture
def pg_copy(pg_server, web_pg_template):
    """A private copy of the PostgreSQL web database (the example reports, the web users)."""
    name = "s_" + uuid.uuid4().hex[:12]
    url = pg_server.create_database(name, template=web_pg_template)
    yield url
    pg_server.drop_database(name)


def _objects(conn) -> set[str]:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    names |= {r[0] for r in conn.raw.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    return names


OURS = {"alert_text", *search_pg.INDEXES, *search_pg.TRIGGERS}


def test_a_database_without_the_search_objects_gets_them_on_open(pg_copy):
    conn = connect(pg_copy)
    assert OURS <= _objects(conn) and search.available(conn)
    for name in search_pg.TRIGGERS:
        conn.execute(f'DROP TRIGGER "{name}" ON alerts')
    conn.execute("DROP TABLE alert_text")
    conn.execute("DELETE FROM meta WHERE key = ?", (search.META_KEY,))
    conn.execute("UPDATE alerts SET title = title || '补记词语' WHERE id = 1")
    assert not OURS & _objects(conn) and not search.available(conn)
    assert search.matching_ids(conn, "补记词语") == [1]             # the LIKE over the view meanwhile
    conn.close()
    Store(pg_copy).close()
    conn = connect(pg_copy)
    assert OURS <= _objects(conn) and search.available(conn)
    assert search.matching_ids(conn, "补记词语") == [1]
    word = words_of(conn)[0]
    assert set(search.matching_ids(conn, word)) == by_hand_search(conn, word) != set()
    assert conn.execute("SELECT count(*) FROM alert_text").fetchone()[0] == \
        conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
    # a trigger lost while a title changed: refilled by the next full check (a new process makes one)
    conn.execute('DROP TRIGGER "alert_text_update" ON alerts')
    conn.execute("UPDATE alerts SET title = '换了标题庚辛壬' WHERE id = 2")
    conn.close()
    schema_once.forget_all()
    Store(pg_copy).close()
    conn = connect(pg_copy)
    assert search.matching_ids(conn, "庚辛壬") == [2]
    conn.close()


def test_the_trigram_indexes_serve_the_search(pg_copy):
    conn = connect(pg_copy)
    raw = conn.raw
    raw.execute("SET enable_seqscan = off")       # the example database is small: show the index can be used
    plan = "\n".join(r[0] for r in raw.execute("EXPLAIN " + search_pg._MATCH, {"like": "%pdf%", "folded": "pdf"}))
    assert "alert_text_title_trgm" in plan and "alert_text_quotes_trgm" in plan, plan
    conn.close()


def test_case_is_folded_for_ascii_only_under_a_utf8_locale(pg_server, pg_copy):
    """ILIKE folds Ä and ä under a UTF-8 locale; SQLite's LIKE does not, and neither does the search."""
    name = "u_" + uuid.uuid4().hex[:12]
    try:
        pg_server._admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
                                 f" LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    except Exception as e:                         # the server's system has no C.UTF-8 locale
        pytest.skip(f"no C.UTF-8 locale for a database: {e}")
    try:
        url = pg_server.url(name)
        store = Store(url)
        try:
            with store.tx() as c:
                upper = add_alert(c, "t-u", "ÄRGER Straße", ["ÉCOLE Ωmega"])
                lower = add_alert(c, "t-l", "ärger strasse", ["école ωMEGA"])
            conn = store.conn
            assert conn.execute("SELECT 'Ä' ILIKE 'ä'").fetchone()[0]     # the server does fold it
            assert search.matching_ids(conn, "ärger") == [lower]
            assert search.matching_ids(conn, "ÄRGER") == [upper]
            assert search.matching_ids(conn, "RGER") == [upper, lower]      # ASCII letters in either case
            assert search.matching_ids(conn, "école") == [lower]
            assert search.matching_ids(conn, "Ωmega") == [upper]
            assert search.matching_ids(conn, "ÄRGER", use_index=False) == [upper]
            for word in ("ärger", "RGER", "école", "Ωmega", "straße"):
                assert set(search.matching_ids(conn, word)) == by_hand_search(conn, word), word
        finally:
            store.close()
    finally:
        pg_server.drop_database(name)


def test_without_pg_trgm_search_reads_the_view_and_says_so_once(pg_server, caplog):
    """A role that may not create extensions (no CREATE on the database): the store works, the log
    says once why search is slower, and search gives the same answers through the view."""
    name = "n_" + uuid.uuid4().hex[:12]
    admin = pg_server._admin
    admin.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aw_noext') THEN"
                  " CREATE ROLE aw_noext LOGIN; END IF; END $$")
    admin.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    admin.execute(f"REVOKE CREATE ON DATABASE {name} FROM PUBLIC")
    try:
        with pg_server._connect(name) as own:
            own.execute("GRANT CREATE ON SCHEMA public TO aw_noext")
        url = pg_server.url(name).replace("postgresql://postgres@", "postgresql://aw_noext@", 1)
        search_pg._said_no_trgm = False
        caplog.set_level(logging.WARNING, logger="audit_worker.search")
        for _ in range(2):
            schema_once.forget_all()
            Store(url).close()
        said = [r for r in caplog.records if "pg_trgm" in r.getMessage()]
        assert len(said) == 1 and "cannot be created" in said[0].getMessage()
        store = Store(url)
        try:
            with store.tx() as c:
                new = add_alert(c, "t-n", "标题甲乙丙", ["x原文独有词语"])
            conn = store.conn
            assert not search.available(conn)
            assert conn.execute("SELECT to_regclass('alert_text')").fetchone()[0] is None
            assert search.matching_ids(conn, "原文独有词语") == [new]
            assert search.matching_ids(conn, "乙丙") == [new]
        finally:
            store.close()
    finally:
        pg_server.drop_database(name)
