"""A detection re-run over many stored reports (alerts/rerun.py, models/engine.py):
forked processes read and analyse, the main process alone writes, the models
judge chunk by chunk; the alerts and risk scores stay exactly those of the
single-process engine before these changes (tests/fixtures/rerun_golden.json,
taken with it on the same generated corpus)."""
import json
import sqlite3
import uuid

import pytest
import rerunkit
from conftest import STORES
from dbkit import is_pg

from alerts.engine import run_detectors
from worker.app import App
from worker.config import Config
from worker.storage import Store


@pytest.fixture(scope="module", params=STORES)
def backfilled(request, tmp_path_factory):
    """The corpus backfilled once per store (as `db_url`, but for the module):
    an SQLite file, or a PostgreSQL database made from the schema template."""
    tmp = tmp_path_factory.mktemp("rerun")
    corpus = rerunkit.generate(tmp / "corpus")
    name = None
    if request.param == "sqlite":
        db = str(tmp / "g.db")
    else:
        srv, template = request.getfixturevalue("pg_server"), request.getfixturevalue("pg_template")
        name = "rerun_" + uuid.uuid4().hex[:8]
        db = srv.create_database(name, template=template)
    app = App(Config(path=None, data={}), Store(db))
    app.backfill([corpus])
    app.store.close()
    yield db
    if name:
        srv.drop_database(name)


@pytest.fixture
def app(backfilled, tmp_path, request):
    """A private copy of `backfilled`, of the same kind."""
    name = None
    if is_pg(backfilled):
        srv = request.getfixturevalue("pg_server")
        name = "rerun_" + uuid.uuid4().hex[:8]
        db = srv.create_database(name, template=backfilled.split("?")[0].rsplit("/", 1)[1])
    else:
        db = str(tmp_path / "g.db")
        src = sqlite3.connect(backfilled)
        dst = sqlite3.connect(db)
        src.backup(dst)
        src.close()
        dst.close()
    a = App(Config(path=None, data={}), Store(db))
    yield a
    a.store.close()
    if name:
        srv.drop_database(name)


def golden() -> dict:
    return json.loads(rerunkit.GOLDEN.read_text(encoding="utf-8"))


def test_backfill_alerts_and_scores_are_those_of_the_former_engine(backfilled):
    snap = rerunkit.snapshot(backfilled)
    assert len(snap["alerts"]) == 82 and sum(1 for a in snap["alerts"] if a[1].startswith("models.")) == 23
    assert snap == golden()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rerun_in_forked_processes_changes_nothing(app, jobs):
    before = rerunkit.fingerprints(app.store.path)
    res = run_detectors(app, app.store.report_ids(), jobs=jobs)
    assert (res.new, res.updated, res.withdrawn, res.reports) == (0, 0, 0, 200)
    assert rerunkit.fingerprints(app.store.path) == before
    assert rerunkit.snapshot(app.store.path) == golden()


def test_parallel_rerun_raises_and_withdraws_like_one_process(app):
    """A withdrawn alert found again is re-raised, an alert no rule finds any
    more is withdrawn, an edited one is rewritten: by the forked path too."""
    conn = app.store.conn
    rule_alert = conn.execute("SELECT id FROM alerts WHERE rule = 'totals.parts' ORDER BY id LIMIT 1").fetchone()[0]
    model_alert = conn.execute("SELECT id FROM alerts WHERE rule LIKE 'models.peer%' ORDER BY id LIMIT 1").fetchone()[0]
    with app.store.tx() as c:
        c.execute("UPDATE alerts SET status = 'withdrawn' WHERE id = ?", (rule_alert,))
        c.execute("UPDATE alerts SET title = 'edited' WHERE id = ?", (model_alert,))
        fake = c.execute("INSERT INTO alerts (fingerprint, kind, rule, severity, report_id, source, title, message,"
                         " evidence, status, created_at, updated_at, last_seen_at) SELECT 'x' || fingerprint, kind,"
                         " rule, severity, report_id, source, title, message, evidence, 'open', created_at, updated_at,"
                         " last_seen_at FROM alerts WHERE id = ?", (rule_alert,)).lastrowid
    # --full: the reports themselves are unchanged (their stamps would skip them);
    # what is tested is the forked path's raising and withdrawing.
    res = run_detectors(app, app.store.report_ids(), jobs=2, full=True)
    assert (res.new, res.updated, res.withdrawn) == (0, 1, 1)
    status = dict(conn.execute("SELECT id, status FROM alerts WHERE id IN (?, ?)", (rule_alert, fake)).fetchall())
    assert status == {rule_alert: "open", fake: "withdrawn"}
    title = conn.execute("SELECT title FROM alerts WHERE id = ?", (model_alert,)).fetchone()[0]
    assert title != "edited"
    conn.execute("DELETE FROM alert_events WHERE alert_id = ?", (fake,))
    conn.execute("DELETE FROM alerts WHERE id = ?", (fake,))
    assert rerunkit.snapshot(app.store.path) == golden()


def test_an_unchanged_alert_is_not_rewritten(app):
    """Found again: only last_seen_at moves (no event, no new text, no updated_at)."""
    conn = app.store.conn
    with app.store.tx() as c:
        c.execute("UPDATE alerts SET updated_at = '2000-01-01T00:00:00+00:00', last_seen_at = '2000-01-01T00:00:00+00:00'")
    events = conn.execute("SELECT COUNT(*) FROM alert_events").fetchone()[0]
    run_detectors(app, app.store.report_ids(), jobs=2)
    assert conn.execute("SELECT COUNT(*) FROM alert_events").fetchone()[0] == events
    assert {r[0] for r in conn.execute("SELECT updated_at FROM alerts")} == {"2000-01-01T00:00:00+00:00"}
    assert "2000" not in {r[0][:4] for r in conn.execute("SELECT last_seen_at FROM alerts")}


def test_models_judge_chunk_by_chunk_with_the_same_results(app, monkeypatch):
    """Chunks smaller than the population (and a forced refit): the same alerts and scores."""
    import models.engine as me

    monkeypatch.setattr(me, "CHUNK", 7)
    out = me.run_models(app, app.store.report_ids(), force_refit=True)
    assert out["refit"] and out["judged"] == 200 and out["new"] == 0 and out["withdrawn"] == 0
    assert rerunkit.snapshot(app.store.path) == golden()
