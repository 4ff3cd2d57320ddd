"""Issue 14 item 12: `datasette out/demo.db -m docs/datasette/metadata.yml`.

Datasette itself loads the shipped metadata (its own parser, its own app and
test client, in process) on a database built from examples/reports by the
CLI, and every view and canned query runs and returns rows where it should.
The metadata and docs/schema.md describe every table, view and column.
"""
from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys

import pytest
from datasette.app import Datasette
from datasette.utils import parse_metadata

from tests.conftest import EXAMPLES, ROOT

METADATA = ROOT / "docs" / "datasette" / "metadata.yml"
SCHEMA_MD = ROOT / "docs" / "schema.md"
# Views that must have rows on the example reports (ledger_<table> views may
# be empty: the examples are text reports without recognized standard tables).
FILLED = {"alert_details", "alert_quotes", "report_figures", "fact_figures", "execution_rates", "ledger_facts"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("ds")
    cfg = d / "config.toml"
    cfg.write_text("", encoding="utf-8")
    db = d / "demo.db"
    p = subprocess.run([sys.executable, "-m", "worker.cli", "--config", str(cfg), "--db", str(db), "backfill",
                        str(EXAMPLES)], capture_output=True, text=True, cwd=ROOT, timeout=300,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    return db


def metadata() -> dict:
    return parse_metadata(METADATA.read_text(encoding="utf-8"))


def objects(db) -> dict[str, list[str]]:
    """Every table and view of the database -> its columns (sqlite internals left out)."""
    c = sqlite3.connect(db)
    names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                                     " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    out = {n: [r[1] for r in c.execute(f'PRAGMA table_info("{n}")')] for n in names}
    c.close()
    return out


def test_datasette_serves_every_view_and_canned_query(demo_db):
    meta = metadata()
    db_meta = meta["databases"]["demo"]
    assert meta["databases"]["audit"] == db_meta        # the same for config.toml's out/audit.db
    views = [n for n in objects(demo_db) if n in db_meta["tables"] or n.startswith("ledger_")]
    c = sqlite3.connect(demo_db)
    open_alerts = c.execute("SELECT count(*) FROM alerts WHERE status = 'open'").fetchone()[0]
    by_report = c.execute("SELECT report_id, count(*) FROM alerts WHERE status != 'withdrawn' GROUP BY report_id"
                          " ORDER BY 2 DESC, report_id").fetchall()
    c.close()

    async def run() -> None:
        ds = Datasette([str(demo_db)], metadata=meta)
        await ds.invoke_startup()
        index = await ds.client.get("/")
        assert index.status_code == 200 and "audit-worker" in index.text
        home = await ds.client.get("/demo.json")
        assert home.status_code == 200, home.text
        for name in views:
            r = await ds.client.get(f"/demo/{name}.json?_shape=array&_size=3")
            if db_meta["tables"].get(name, {}).get("allow") is False:
                assert r.status_code == 403, name      # web_users: password hashes are not browsable
                continue
            assert r.status_code == 200, (name, r.text[:300])
            if name in FILLED:
                assert r.json(), f"view {name} has no rows on the example reports"
        # The HTML page of a view shows its description and its columns' descriptions.
        page = await ds.client.get("/demo/alert_details")
        assert page.status_code == 200
        assert "One row per alert" in page.text and "the quoted words of the report" in page.text
        for name, q in db_meta["queries"].items():
            params = "&report_id=1" if ":report_id" in q["sql"] else ""
            r = await ds.client.get(f"/demo/{name}.json?_shape=array{params}")
            assert r.status_code == 200, (name, r.text[:300])
            assert r.json(), f"canned query {name} returned no rows"
            html = await ds.client.get(f"/demo/{name}?{params.lstrip('&')}")
            assert html.status_code == 200 and q["title"] in html.text
        rows = (await ds.client.get("/demo/open_alerts_by_severity.json?_shape=array&_size=max")).json()
        assert len(rows) == open_alerts
        ranks = {"high": 3, "medium": 2, "low": 1, "info": 0}
        assert [ranks[r["severity"]] for r in rows] == sorted((ranks[r["severity"]] for r in rows), reverse=True)
        top = (await ds.client.get("/demo/reports_with_most_alerts.json?_shape=array")).json()
        assert [(t["report_id"], t["alerts"]) for t in top] == [tuple(b) for b in by_report]
        rates = (await ds.client.get("/demo/execution_rate_by_department_and_year.json?_shape=array")).json()
        fengtai = [r for r in rates if r["issuer"] == "北京市丰台区政务服务和数据管理局" and r["basis"] == "stated"]
        assert fengtai and fengtai[0]["year"] == 2024 and fengtai[0]["rate_of_adjusted_pct"] == 98.48

    asyncio.run(run())


def test_metadata_and_schema_doc_describe_every_table_view_and_column(demo_db):
    db_meta = metadata()["databases"]["demo"]["tables"]
    have = objects(demo_db)
    doc = SCHEMA_MD.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9_]+)`", doc))
    missing, stale, undocumented = [], [], []
    for name, cols in have.items():
        if name.startswith("ledger_") and name not in ("ledger_facts",):
            continue        # one view per standard table, described together as ledger_<table id>
        described = db_meta.get(name, {})
        if not described.get("description"):
            missing.append(name)
        missing += [f"{name}.{c}" for c in cols if c not in described.get("columns", {})]
        undocumented += [n for n in [name, *cols] if n not in documented]
    for name, t in db_meta.items():
        if name not in have:
            stale.append(name)
        stale += [f"{name}.{c}" for c in t.get("columns", {}) if name in have and c not in have[name]]
    assert not missing, f"describe these in {METADATA.relative_to(ROOT)}: {missing}"
    assert not stale, f"these are described in {METADATA.relative_to(ROOT)} but not in the database: {stale}"
    assert not undocumented, f"docs/schema.md does not mention (as `name`): {sorted(set(undocumented))}"
    assert "ledger_<table id>" in doc


def _example_queries(postgres_only: bool) -> list[str]:
    """The doc's example statements, of the sections for every store or of those marked (PostgreSQL only)."""
    doc = SCHEMA_MD.read_text(encoding="utf-8")
    out = []
    for section in re.split(r"\n(?=### )", doc):
        if ("(PostgreSQL only)" in section.split("\n", 1)[0]) != postgres_only:
            continue
        for block in re.findall(r"```sql\n(.*?)```", section, re.S):
            out += [s for s in block.split(";")
                    if any(line.strip() and not line.strip().startswith("--") for line in s.splitlines())]
    return out


def test_every_example_query_of_the_schema_doc_runs(demo_db):
    c = sqlite3.connect(demo_db)
    ran = 0
    for stmt in _example_queries(postgres_only=False):
        c.execute(stmt).fetchall()
        ran += 1
    c.close()
    assert ran >= 27


def test_the_postgresql_only_example_queries_run_there(pg_url):
    from worker import leases
    from worker.storage import Store

    store = Store(pg_url)
    leases.ensure(store)
    stmts = _example_queries(postgres_only=True)
    assert stmts
    for stmt in stmts:
        store.conn.execute(stmt).fetchall()
    store.close()
