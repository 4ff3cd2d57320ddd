"""A detection re-run skips the stored reports whose check would find the
same (alerts/stamps.py): same facts, row, rules, settings and code. Real
reports, a real database (each store: `db_url`); what a skipping re-run leaves must be what a
full re-run leaves."""
from __future__ import annotations

import shutil
import sqlite3
import time
from urllib.parse import unquote, urlsplit

from conftest import EXAMPLES
from dbkit import is_pg, rows

from alerts.engine import run_detectors
from worker.app import App
from worker.config import load
from worker.storage import Store


def _app(tmp_path, db, extra: str = "") -> App:
    cfg = tmp_path / "config.toml"
    cfg.write_text(extra, encoding="utf-8")
    return App(load(str(cfg)), Store(db))


def _alerts(db) -> list[tuple]:
    return rows(db, "SELECT fingerprint, rule, status, severity, title, message, evidence FROM alerts"
                    " ORDER BY fingerprint")


def _seen(db) -> dict:
    return dict(rows(db, "SELECT fingerprint, last_seen_at FROM alerts WHERE status = 'open'"))


def _copy(request, db, tmp_path) -> str:
    """A copy of the (closed) database `db`, of the same kind: SQLite's backup, or
    a PostgreSQL database made from it as a template (dropped after the test)."""
    if not is_pg(db):
        out = tmp_path / "full.db"
        with sqlite3.connect(db) as src, sqlite3.connect(out) as dst:
            src.backup(dst)
        return str(out)
    srv = request.getfixturevalue("pg_server")
    name = unquote(urlsplit(db).path.lstrip("/")) + "_copy"
    url = srv.create_database(name, template=unquote(urlsplit(db).path.lstrip("/")))
    request.addfinalizer(lambda: srv.drop_database(name))
    return url


def _backfilled(tmp_path, db):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(EXAMPLES.glob("*.*")):
        shutil.copy(p, folder / p.name)
    app = _app(tmp_path, db)
    app.backfill([folder])
    return app, db


def test_an_unchanged_report_is_not_read_again_and_its_alerts_are_seen_again(tmp_path, db_url):
    app, db = _backfilled(tmp_path, db_url)
    ids = app.store.report_ids()
    before, seen = _alerts(db), _seen(db)
    assert before and len(ids) >= 4
    time.sleep(1.1)     # last_seen_at is to the second
    res = run_detectors(app, ids, models=False)
    assert res.skipped == len(ids) == res.reports
    assert res.new == res.updated == res.withdrawn == 0
    assert _alerts(db) == before
    rules_open = {fp for fp, rule, st, *_ in before if st == "open" and not rule.startswith("models")}
    after = _seen(db)
    assert rules_open and all(after[fp] > seen[fp] for fp in rules_open)     # recorded as found again


def test_skipping_leaves_what_a_full_check_leaves(tmp_path, db_url, request):
    app, db = _backfilled(tmp_path, db_url)
    ids = app.store.report_ids()
    app.store.close()
    full_db = _copy(request, db, tmp_path)
    skipping = _app(tmp_path, db)
    full = _app(tmp_path, full_db)
    r1 = run_detectors(skipping, ids)
    r2 = run_detectors(full, ids, full=True)
    assert r1.skipped == len(ids) and r2.skipped == 0 and r2.reports == len(ids)
    assert (r1.new, r1.updated, r1.withdrawn, r1.unchanged) == (r2.new, r2.updated, r2.withdrawn, r2.unchanged)
    assert _alerts(db) == _alerts(full_db)


def test_a_changed_setting_checks_everything_again(tmp_path, db_url):
    app, db = _backfilled(tmp_path, db_url)
    ids = app.store.report_ids()
    app.store.close()
    # A stricter threshold: every report is read again, and the setting takes effect.
    stricter = _app(tmp_path, db, "[rules.execution_rate]\nwarn_below = 99.9\n")
    res = run_detectors(stricter, ids, models=False)
    assert res.skipped == 0 and res.reports == len(ids)
    # The same setting again: nothing left to read.
    assert run_detectors(stricter, ids, models=False).skipped == len(ids)


def test_a_report_parsed_again_or_moved_is_checked_again_alone(tmp_path, db_url):
    app, db = _backfilled(tmp_path, db_url)
    ids = app.store.report_ids()
    with app.store.tx() as c:
        c.execute("UPDATE reports SET parsed_at = '2099-01-01T00:00:00Z' WHERE id = ?", (ids[0],))
        c.execute("UPDATE reports SET source = 'https://example.gov.cn/moved.html' WHERE id = ?", (ids[1],))
    res = run_detectors(app, ids, models=False)
    assert res.skipped == len(ids) - 2 and res.reports == len(ids)
    moved = app.store.conn.execute("SELECT DISTINCT source FROM alerts WHERE report_id = ?", (ids[1],)).fetchall()
    assert [r[0] for r in moved] in ([], ["https://example.gov.cn/moved.html"])


def test_a_selection_of_rules_has_its_own_stamp(tmp_path, db_url):
    app, db = _backfilled(tmp_path, db_url)
    ids = app.store.report_ids()
    # Only the totals rules: not the run the stamps were made by, so every report is read.
    assert run_detectors(app, ids, rule_ids=["totals"], models=False).skipped == 0
    assert run_detectors(app, ids, rule_ids=["totals"], models=False).skipped == len(ids)
    # All rules again: the stamps are now those of the totals run; everything is read again.
    assert run_detectors(app, ids, models=False).skipped == 0


def test_reminders_due_keep_every_report_checked(tmp_path, db_url):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(EXAMPLES.glob("*.txt"))[:2]:
        shutil.copy(p, folder / p.name)
    app = _app(tmp_path, db_url, "[alerts]\nrealert_after = \"1d\"\n")
    app.backfill([folder])
    ids = app.store.report_ids()
    assert run_detectors(app, ids, models=False).skipped == len(ids)        # no queue: no reminder
    assert run_detectors(app, ids, models=False, queue="each").skipped == 0
