"""The throwaway PostgreSQL server of the tests (tests/pgserver.py, fixtures `pg_server` and `pg_url`)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.pgserver import BINDIR_ENV, PgServer, Unavailable, find_bindir

psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]>=3.1')")


def test_pg_url_stores_and_reads_back(pg_url):
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE reports (id serial PRIMARY KEY, title text NOT NULL, amount numeric)")
        conn.execute("INSERT INTO reports (title, amount) VALUES (%s, %s), (%s, %s)",
                     ("某某局2023年度部门决算", "1234.56", "绩效自评报告", None))
        conn.commit()
    with psycopg.connect(pg_url) as conn:  # a fresh connection sees the committed rows
        rows = conn.execute("SELECT title, amount::text FROM reports ORDER BY id").fetchall()
        assert rows == [("某某局2023年度部门决算", "1234.56"), ("绩效自评报告", None)]
        assert conn.execute("SHOW server_encoding").fetchone()[0] == "UTF8"
        # Over the Unix socket: no TCP address at all.
        assert conn.execute("SELECT inet_server_addr()").fetchone()[0] is None
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_gets_an_empty_database(pg_url, turn):
    # Whichever turn runs second would find the first one's table if databases were shared.
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        assert tables == []
        conn.execute("CREATE TABLE marker (turn int)")
        conn.execute("INSERT INTO marker VALUES (%s)", (turn,))


def test_two_databases_are_separate(pg_server, pg_url):
    other = pg_server.create_database("separate_other")
    try:
        with psycopg.connect(pg_url) as a, psycopg.connect(other) as b:
            a.execute("CREATE TABLE t (x int)")
            a.execute("INSERT INTO t VALUES (1)")
            a.commit()
            assert a.execute("SELECT current_database()").fetchone()[0] != \
                b.execute("SELECT current_database()").fetchone()[0]
            with pytest.raises(psycopg.errors.UndefinedTable):
                b.execute("SELECT x FROM t")
    finally:
        pg_server.drop_database("separate_other")


def test_drop_database_ends_open_connections(pg_server):
    url = pg_server.create_database("left_open")
    conn = psycopg.connect(url)  # a test that forgets to close must not block the drop
    try:
        conn.execute("SELECT 1")
        pg_server.drop_database("left_open")
        assert "left_open" not in pg_server.databases()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    finally:
        conn.close()


def test_stop_ends_the_server_and_removes_its_directory():
    srv = PgServer().start()  # a server of its own: the session's one stays up
    url, folder = srv.url("postgres"), srv.dir
    assert folder is not None and (folder / "data" / "PG_VERSION").exists()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    srv.stop()
    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5)
    with pytest.raises(Unavailable, match="not running"):
        srv.url("postgres")
    srv.stop()  # twice is harmless


def test_no_binaries_gives_the_reason(tmp_path):
    assert find_bindir([str(tmp_path)]) is None
    with pytest.raises(Unavailable) as e:
        PgServer(bindir=tmp_path).start()
    assert "PostgreSQL server binaries (initdb, pg_ctl) not found" in str(e.value)
    assert str(tmp_path) in str(e.value) and "apt-get install postgresql" in str(e.value)


def test_failed_start_gives_the_server_log(pg_server):
    # A real failure: the server itself refuses an unknown setting; the reason quotes its log.
    with pytest.raises(Unavailable) as e:
        PgServer(settings={"no_such_setting": "1"}).start()
    assert "pg_ctl start failed" in str(e.value)
    assert 'unrecognized configuration parameter "no_such_setting"' in str(e.value)


def test_fixture_skips_with_the_reason_when_no_server(tmp_path):
    # The real fixture in a pytest run of its own, its binaries pointed at an empty folder.
    env = {**os.environ, BINDIR_ENV: str(tmp_path), "PYTHONPATH": str(ROOT), "COLUMNS": "400"}
    res = subprocess.run([sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider",
                          "tests/test_pgserver.py::test_pg_url_stores_and_reads_back"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 skipped" in res.stdout
    assert (f"no PostgreSQL test server: PostgreSQL server binaries (initdb, pg_ctl) not found "
            f"in ${BINDIR_ENV}={tmp_path} (apt-get install postgresql)") in res.stdout
