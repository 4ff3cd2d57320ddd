"""Verdicts from the command line: `alerts judge`, `alerts list --status judged` (the same states as the web
view's queries.STATE), `rules list` with each rule's confirmed / false-alarm counts, and a false alarm's notices."""
from __future__ import annotations

import json

from click.testing import CliRunner

from tests.dbkit import rows
from worker.cli import main
from worker.storage import Store


def db_rows(db, sql: str, *args) -> list[tuple]:
    """Rows of a query on either store (tests/dbkit.py)."""
    return rows(db, sql, args)


def cli(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def judge(db, alert_id, verdict, by="张审计", comment="已核对"):
    return cli("--db", db, "alerts", "judge", alert_id, "--verdict", verdict, "--by", by, "--comment", comment)


def listed(db, *args) -> dict[int, str]:
    res = cli("--db", db, "alerts", "list", "--json", *args)
    assert res.exit_code == 0, res.output
    return {a["id"]: a["state"] for a in map(json.loads, res.output.splitlines())}


def test_judge_records_a_verdict_and_refuses_without_a_comment(examples_db_url):
    db = examples_db_url
    alert_id = db_rows(db, "SELECT min(id) FROM alerts")[0][0]
    res = judge(db, alert_id, "confirmed", comment="表内数字确有差额")
    assert res.exit_code == 0, res.output
    assert [tuple(r) for r in db_rows(db, "SELECT alert_id, verdict, by, comment FROM alert_verdicts")] == \
        [(alert_id, "confirmed", "张审计", "表内数字确有差额")]
    res = judge(db, alert_id, "false-alarm", comment="  ")
    assert res.exit_code == 2 and "needs a comment" in res.output
    assert judge(db, alert_id, "maybe").exit_code == 2
    res = judge(db, 999999, "confirmed")
    assert res.exit_code == 1 and "no alert #999999" in res.output
    assert len(db_rows(db, "SELECT * FROM alert_verdicts")) == 1


def test_status_judged_lists_exactly_the_judged_and_agrees_with_the_web(examples_db_url):
    from worker.web import queries

    db = examples_db_url
    ids = [r[0] for r in db_rows(db, "SELECT id FROM alerts WHERE kind != 'source_failure' ORDER BY id")]
    assert len(ids) >= 8
    a, b, c, d, e, f = ids[:6]
    assert judge(db, a, "confirmed").exit_code == 0
    assert judge(db, b, "false-alarm").exit_code == 0
    assert judge(db, b, "confirmed").exit_code == 0               # judged twice: listed once
    assert cli("--db", db, "alerts", "ack", c, "--by", "x", "--comment", "y").exit_code == 0
    assert judge(db, c, "confirmed").exit_code == 0               # acked and judged: judged
    assert cli("--db", db, "alerts", "ack", d, "--by", "x", "--comment", "y").exit_code == 0
    kind_e = db_rows(db, "SELECT kind FROM alerts WHERE id = ?", e)[0][0]
    assert cli("--db", db, "silence", "--kind", kind_e, "--by", "x", "--comment", "y").exit_code == 0
    store = Store(db)                                             # withdrawn stays withdrawn, judged or not
    with store.tx() as conn:
        conn.execute("UPDATE alerts SET status = 'withdrawn' WHERE id = ?", (f,))
    store.close()
    assert judge(db, f, "confirmed").exit_code == 0
    assert set(listed(db, "--status", "judged")) == {a, b, c}
    assert set(listed(db, "--status", "acked")) == {d}
    # every alert's state, by the CLI and by the web's SQL, is the same
    web = dict(rows(db, f"SELECT a.id, {queries.STATE} FROM alerts a WHERE a.kind != 'source_failure'"))
    cli_states = listed(db, "--all")
    assert cli_states == web
    assert {"judged", "acked", "silenced", "withdrawn", "open"} <= set(web.values())


def _rule_line(output: str, rule: str) -> list[str]:
    line = next(x for x in output.splitlines() if x.startswith(f"│ {rule} "))
    return [c.strip() for c in line.strip("│").split("│")]


def test_rules_list_counts_each_rules_latest_verdicts(examples_db_url, tmp_path):
    db = examples_db_url
    by_rule: dict[str, list[int]] = {}
    for i, rule in db_rows(db, "SELECT id, rule FROM alerts ORDER BY id"):
        by_rule.setdefault(rule, []).append(i)
    two = [r for r, ids in by_rule.items() if len(ids) >= 3][:2]
    assert len(two) == 2
    (r1, r2), untouched = two, next(r for r in by_rule if r not in two)
    x, y, z = by_rule[r1][:3]
    assert judge(db, x, "confirmed").exit_code == 0
    assert judge(db, y, "confirmed").exit_code == 0
    assert judge(db, y, "false-alarm").exit_code == 0             # changed their mind: the latest counts
    assert judge(db, z, "false-alarm").exit_code == 0
    assert judge(db, by_rule[r2][0], "confirmed").exit_code == 0
    res = cli("--db", db, "rules", "list")
    assert res.exit_code == 0, res.output
    assert "confirmed" in res.output and "false alarm" in res.output
    assert _rule_line(res.output, r1)[-2:] == ["1", "2"]
    assert _rule_line(res.output, r2)[-2:] == ["1", "0"]
    assert _rule_line(res.output, untouched)[-2:] == ["0", "0"]
    # without a database: no such columns, and no file is made (an SQLite path: a file's absence shows it)
    missing = tmp_path / "none.db"
    res = cli("--db", missing, "rules", "list")
    assert res.exit_code == 0 and "execution_rate.project" in res.output and "false alarm" not in res.output
    assert not missing.exists()


def test_a_false_alarm_stops_its_notices(examples_db_url, tmp_path):
    from alerts.outbox import queue
    from worker.config import Config
    from worker.storage import Store

    db = examples_db_url
    log = tmp_path / "a.jsonl"
    (tmp_path / "c.toml").write_text(f'[alerts]\nbackoff_seconds = 0.0\n[channels.log]\ntype = "file"\n'
                                     f'path = "{log}"\n', encoding="utf-8")
    cfg = Config(path=str(tmp_path / "c.toml"), data={"alerts": {"backoff_seconds": 0.0},
                                                      "channels": {"log": {"type": "file", "path": str(log)}}})
    alert_id, fp = db_rows(db, "SELECT id, fingerprint FROM alerts WHERE severity = 'high' ORDER BY id LIMIT 1")[0]

    def queue_one() -> int:
        store = Store(db)
        try:
            with store.tx() as c:
                return queue(c, cfg, fp)
        finally:
            store.close()

    assert queue_one() == 1
    res = judge(db, alert_id, "false-alarm", comment="口径不同,不是问题")
    assert res.exit_code == 0 and "1 pending notices cancelled" in res.output
    assert [tuple(r) for r in db_rows(db, "SELECT status, last_error FROM deliveries WHERE alert_id = ?",
                                      alert_id)] == [("cancelled", "judged a false alarm")]
    assert queue_one() == 0                                       # no new notice while it is a false alarm
    res = cli("--config", tmp_path / "c.toml", "--db", db, "deliver")
    assert res.exit_code == 0, res.output
    assert not log.exists() or log.read_text(encoding="utf-8") == ""
    assert judge(db, alert_id, "confirmed", comment="复核后属实").exit_code == 0
    assert queue_one() == 1                                       # confirmed after all: notices go out again
    assert cli("--config", tmp_path / "c.toml", "--db", db, "deliver").exit_code == 0
    (line,) = log.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == alert_id
