"""Shared test helpers: the bundled example reports, parsing, a real database."""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The views speak Chinese by default (`--lang`); the tests read the English labels
# unless they ask otherwise (tests/test_i14_cli.py checks the Chinese default).
os.environ.setdefault("AUDIT_WORKER_LANG", "en")

EXAMPLES = ROOT / "examples" / "reports"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_path(prefix: str) -> Path:
    return next(EXAMPLES.glob(prefix + "_*.txt"))


def parse_text(text: str):
    from worker.parse import parse_report
    from worker.textnorm import normalize

    return parse_report(normalize(text).text)


def parse_bytes(data: bytes, name: str = "x.txt"):
    from worker.extract import extract
    from worker.ingest import remap_grid
    from worker.parse import parse_report
    from worker.textnorm import normalize

    ex = extract(data, name)
    norm = normalize(ex.text)
    for g in ex.grids:
        remap_grid(g, norm)
    return parse_report(norm.text, ex.grids)


@pytest.fixture(scope="session")
def seeds():
    """Each example report parsed once: {'000': ParsedReport, …}."""
    out = {}
    for p in sorted(EXAMPLES.glob("*.txt")):
        out[p.name[:3]] = parse_bytes(p.read_bytes(), p.name)
    return out


@pytest.fixture
def reports(tmp_path):
    """The example reports copied into a folder of their own."""
    import shutil

    d = tmp_path / "reports"
    shutil.copytree(EXAMPLES, d)
    return d


@pytest.fixture
def app(db_url):
    """An App on a fresh database (each store: see `db_url`)."""
    from worker.app import App
    from worker.config import Config
    from worker.storage import Store

    a = App(Config(path=None, data={}), Store(db_url))
    yield a
    a.store.close()


def by_name(items, name):
    hits = [i for i in items if i.name == name]
    assert hits, f"{name!r} not among {[i.name for i in items][:30]}"
    return hits[0]


def findings(text: str, rules: str | list[str], config: dict | None = None):
    """Findings the given detectors raise on a report text (nothing stored)."""
    from alerts.engine import evaluate

    ids = [rules] if isinstance(rules, str) else rules
    return evaluate(parse_text(text), config or {}, ids, strict=True)


def pipe(*rows):
    """A table as the portals flatten it, one row a line: "a | b | c"."""
    return "\n".join(" | ".join(r) for r in rows) + "\n"


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory):
    """The example reports backfilled once per session (tests that change the
    database use `examples_db_copy`)."""
    from click.testing import CliRunner

    from worker.cli import main

    db = tmp_path_factory.mktemp("examples") / "base.db"
    res = CliRunner().invoke(main, ["--db", str(db), "backfill", str(EXAMPLES)])
    assert res.exit_code == 0, res.output
    return db


@pytest.fixture
def examples_db_copy(examples_db, tmp_path):
    """A private copy of `examples_db`, for a test that changes it."""
    out = tmp_path / "a.db"
    with sqlite3.connect(examples_db) as src, sqlite3.connect(out) as dst:
        src.backup(dst)
    return str(out)


def db_rows(db, sql: str, *args) -> list[sqlite3.Row]:
    """Rows of a query on a database (a file or a PostgreSQL URL), by name (a fresh connection: what
    another process sees)."""
    from tests.dbkit import connect

    conn = connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll `predicate` every 0.2 s until it holds (True) or `timeout` passes (False)."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


# Both stores: a test that takes `db_url` runs once on an SQLite file and once on
# a PostgreSQL database (AUDIT_WORKER_TEST_STORES=sqlite picks one kind).
STORES = [s for s in os.environ.get("AUDIT_WORKER_TEST_STORES", "sqlite,postgresql").split(",") if s]


# Users of the web view in `web_db` (tests/webkit.py logs in as them).
WEB_USERS = {"vera": ("viewer", "vera-reads-1"), "audrey": ("auditor", "audrey-checks-2"),
             "ada": ("admin", "ada-manages-3")}


def _add_web_users(db) -> None:
    """The users of WEB_USERS, added by the real `users add` command."""
    from click.testing import CliRunner

    from worker.cli import main

    for name, (role, password) in WEB_USERS.items():
        res = CliRunner().invoke(main, ["--db", str(db), "users", "add", name, "--role", role, "--password-stdin"],
                                 input=password + "\n")
        assert res.exit_code == 0, res.output


@pytest.fixture(scope="session")
def web_db_sqlite(examples_db, tmp_path_factory):
    """`examples_db` with the users of WEB_USERS (an SQLite file)."""
    db = tmp_path_factory.mktemp("web") / "web.db"
    with sqlite3.connect(examples_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    _add_web_users(db)
    return db


WEB_PG_TEMPLATE = "aw_web_template"


@pytest.fixture(scope="session")
def web_pg_template(pg_server):
    """A PostgreSQL database as `web_db_sqlite` (the example reports backfilled, the users added), only
    ever copied (CREATE DATABASE … TEMPLATE refuses a template someone is connected to): its name."""
    from click.testing import CliRunner

    from worker.cli import main

    url = pg_server.create_database(WEB_PG_TEMPLATE)
    res = CliRunner().invoke(main, ["--db", url, "backfill", str(EXAMPLES)])
    assert res.exit_code == 0, res.output
    _add_web_users(url)
    # The commands ran in this process and may leave their connections open: a template takes none.
    pg_server._admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                             (WEB_PG_TEMPLATE,))
    return WEB_PG_TEMPLATE


@pytest.fixture(scope="session", params=STORES)
def web_db(request):
    """The example reports with the users of WEB_USERS, on each store (read-only tests): an SQLite
    file's path, or a PostgreSQL database's URL."""
    if request.param == "sqlite":
        return request.getfixturevalue("web_db_sqlite")
    srv = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("web_pg_template")
    # pytest makes a parametrized session fixture again whenever the param changes, which a process of
    # pytest-xdist (tests sent in batches) does more than once: the copy of a read-only template is the same.
    srv.drop_database("aw_web")
    return srv.create_database("aw_web", template=template)


@pytest.fixture
def web_db_copy(web_db, request, tmp_path):
    """A private copy of `web_db`, for a test that changes it (acts, logs in: the audit log grows)."""
    if str(web_db).startswith("postgresql://"):
        import uuid

        srv = request.getfixturevalue("pg_server")
        name = "w_" + uuid.uuid4().hex[:12]
        # From the template nobody logs in to: the audit log holds the `users add` rows alone.
        url = srv.create_database(name, template=WEB_PG_TEMPLATE)
        yield url
        srv.drop_database(name)
        return
    out = tmp_path / "w.db"
    with sqlite3.connect(web_db) as src, sqlite3.connect(out) as dst:
        src.backup(dst)
        # Reading tests log in to `web_db` too: this copy's audit log starts with the `users add` rows alone.
        dst.execute("DELETE FROM web_audit WHERE \"user\" IS NULL OR \"user\" NOT LIKE 'cli:%'")
    yield str(out)


# A real PostgreSQL server (tests/pgserver.py), started once per run by the first
# test that asks for it: tests that do not use PostgreSQL start nothing.
@pytest.fixture(scope="session")
def pg_server():
    """The run's throwaway PostgreSQL server; the test is skipped, saying why, when none can be started."""
    from tests.pgserver import PgServer, Unavailable

    srv = PgServer()
    try:
        srv.start()
    except Unavailable as e:
        pytest.skip(f"no PostgreSQL test server: {e}")
    yield srv
    srv.stop()


@pytest.fixture
def pg_url(pg_server, request):
    """A fresh, empty database of its own for this test (dropped afterwards): its libpq URL."""
    import re
    import uuid

    name = "t_" + re.sub(r"[^a-z0-9]", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)




@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A database with this version's schema already made, copied for each test (faster than migrating)."""
    from worker.storage import Store

    url = pg_server.create_database("aw_template")
    Store(url).close()
    return "aw_template"


@pytest.fixture(params=STORES)
def db_url(request, tmp_path):
    """A fresh database for this test: an SQLite file's path, or a PostgreSQL URL
    (a copy of the schema template, dropped afterwards)."""
    if request.param == "sqlite":
        yield str(tmp_path / "t.db")
        return
    import re
    import uuid

    srv = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = "t_" + re.sub(r"[^a-z0-9]", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    url = srv.create_database(name, template=template)
    yield url
    srv.drop_database(name)


@pytest.fixture
def second_db_url(db_url, request, tmp_path):
    """Another fresh database of the same store as `db_url` (a test comparing two databases)."""
    if not str(db_url).startswith("postgresql://"):
        yield str(tmp_path / "second.db")
        return
    import uuid

    srv = request.getfixturevalue("pg_server")
    name = "t_second_" + uuid.uuid4().hex[:12]
    yield srv.create_database(name, template=request.getfixturevalue("pg_template"))
    srv.drop_database(name)


def _pg_quiet(srv, name: str) -> None:
    """Close every connection to database `name` (in-process CLI runs leave theirs open), so it can be a template."""
    srv._admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                       " AND pid <> pg_backend_pid()", (name,))


@pytest.fixture(scope="session")
def examples_pg(pg_server, pg_template):
    """`examples_db` on PostgreSQL: the example reports backfilled once per session
    into the database `aw_examples` (a template for the copies below); its URL."""
    from click.testing import CliRunner

    from worker.cli import main

    url = pg_server.create_database("aw_examples", template=pg_template)
    res = CliRunner().invoke(main, ["--db", url, "backfill", str(EXAMPLES)])
    assert res.exit_code == 0, res.output
    _pg_quiet(pg_server, "aw_examples")
    return url


@pytest.fixture(scope="session", params=STORES)
def examples_url(request):
    """`examples_db` on each store: the SQLite file, or the PostgreSQL database the
    example reports were backfilled into (read-only tests; see `examples_url_copy`)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("examples_db"))
    return request.getfixturevalue("examples_pg")


def _examples_pg_copy(request, prefix: str):
    import re
    import uuid

    srv = request.getfixturevalue("pg_server")
    request.getfixturevalue("examples_pg")
    _pg_quiet(srv, "aw_examples")
    name = prefix + re.sub(r"[^a-z0-9]", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    return name, srv.create_database(name, template="aw_examples")


@pytest.fixture
def examples_url_copy(examples_url, request, tmp_path):
    """A private copy of `examples_url`, for a test that changes it."""
    if not examples_url.startswith("postgresql://"):
        out = tmp_path / "a.db"
        with sqlite3.connect(examples_url) as src, sqlite3.connect(out) as dst:
            src.backup(dst)
        yield str(out)
        return
    name, url = _examples_pg_copy(request, "t_examples_")
    yield url
    request.getfixturevalue("pg_server").drop_database(name)


@pytest.fixture(params=STORES)
def examples_db_url(request):
    """`examples_db_copy` on each store: a private SQLite copy, or a PostgreSQL
    database made from `examples_pg` (dropped afterwards)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("examples_db_copy")
        return
    name, url = _examples_pg_copy(request, "e_")
    yield url
    request.getfixturevalue("pg_server").drop_database(name)


def fresh_db(request, tmp_path_factory, store: str, stem: str):
    """A fresh database on `store` ("sqlite" or "postgresql") for a fixture of any
    scope (a module's data backfilled once per store): (its path or URL, a function dropping it)."""
    if store == "sqlite":
        return str(tmp_path_factory.mktemp(stem) / f"{stem}.db"), lambda: None
    import uuid

    srv = request.getfixturevalue("pg_server")
    name = f"t_{stem}_{uuid.uuid4().hex[:12]}"
    url = srv.create_database(name, template=request.getfixturevalue("pg_template"))
    return url, lambda: srv.drop_database(name)
