"""From facts to alerts: run detectors, merge findings, store, withdraw.

Stage by stage, like an alert manager: detectors produce findings (pure);
findings of one kind with the same key are grouped into one alert carrying
every quote; alerts are stored by fingerprint (so a re-run changes nothing),
raised, updated, re-raised or withdrawn; the outbox is filled in the same
transaction.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from alerts.catalog import is_model
from alerts.format import tidy
from rules.base import SEVERITY_ORDER, Finding
from rules.registry import REGISTRY, detector_options, load_all
from worker.facts import ParsedReport
from worker.quotes import QuoteSource
from worker.storage import now_iso

log = logging.getLogger("audit_worker.detect")


@dataclass
class Result:
    new: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    queued: int = 0
    reports: int = 0
    skipped: int = 0        # of `reports`: unchanged since their last check (alerts/stamps.py)


def select(rule_ids: list[str] | None) -> list[str]:
    load_all()
    if not rule_ids:
        return sorted(REGISTRY)
    chosen = []
    for rid in rule_ids:
        if is_model(rid):
            continue
        matches = [d for d in REGISTRY if d == rid or d.startswith(rid + ".")]
        if not matches:
            raise KeyError(f"unknown detector {rid!r} (see `audit-worker rules list`)")
        chosen += matches
    return sorted(set(chosen))


def evaluate(report: ParsedReport, config_rules: dict | None, rule_ids: list[str] | None = None,
             strict: bool = False) -> list[Finding]:
    """Run the chosen detectors on one report and group their findings (pure).
    A detector that raises is logged and skipped, unless `strict` (tests)."""
    findings: list[Finding] = []
    for rid in select(rule_ids):
        det = REGISTRY[rid]
        opts = detector_options(det.family, config_rules)
        if not opts.get("enabled", True):
            continue
        try:
            findings.extend(det.func(report, opts))
        except Exception:  # one faulty rule must not hide the others' findings
            if strict:
                raise
            log.exception("detector failed rule=%s", rid)
    return group(findings)


def group(findings: list[Finding]) -> list[Finding]:
    merged: dict[tuple, Finding] = {}
    anchors: dict[tuple, tuple] = {}
    for f in findings:
        k = (f.kind, _freeze(f.key))
        if f.anchor is not None:
            # The same printed figure questioned twice: one alert, keyed by the first.
            k = anchors.setdefault((f.kind, tuple(f.anchor)), k)
        if k not in merged:
            merged[k] = f
        elif f.priority > merged[k].priority:
            f.merge(merged[k])
            merged[k] = f
        else:
            merged[k].merge(f)
    return list(merged.values())


def _freeze(x):
    if isinstance(x, (list, tuple)):
        return tuple(_freeze(i) for i in x)
    return x


def fingerprint(kind: str, report_key: str, key: tuple) -> str:
    """What makes a finding the same on a re-run: kind, report, facts involved."""
    payload = json.dumps([kind, report_key, _freeze(key)], ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


@dataclass
class Analysis:
    """What detection computes from one report's facts alone (picklable, so
    parser processes compute it while they hold the facts)."""

    findings: list | None             # None: rules were not asked for
    features: str                     # models.features.feature_text


def analyse(cfg_rules: dict | None, rule_ids: list[str] | None, report: ParsedReport) -> Analysis:
    """Rules' findings and model features of one report (pure)."""
    from models.features import feature_text

    run_rules, wanted = _rule_plan(rule_ids)
    return Analysis(evaluate(report, cfg_rules, wanted or None) if run_rules else None, feature_text(report))


def analyser(app, rule_ids: list[str] | None = None):
    """`analyse` bound to the app's rule options, for Ingestor(analyse=...)."""
    import functools

    return functools.partial(analyse, app.cfg.rules, rule_ids)


def _rule_plan(rule_ids):
    """(run the rules at all, the rule ids asked for) from ids that may name models too."""
    wanted_rules = [r for r in (rule_ids or []) if not is_model(r)]
    return (not rule_ids or bool(wanted_rules)), wanted_rules


def run_detectors(app, report_ids: list[int], rule_ids: list[str] | None = None,
                  queue: str | None = None, models: bool = True, analysed: dict | None = None,
                  batch: int = 50, jobs: int | None = None, full: bool = False) -> Result:
    """Detect on stored reports and store the alerts; queue deliveries if asked.

    Rules run per report; then the statistical models run over the whole
    population (refitted only when it changed). `rule_ids` may name rules
    (execution_rate, totals.parts) and models (models, models.peer).
    `analysed` maps report ids to an Analysis computed at parse time with the
    same rules; the others are read back from the database, by `jobs` forked
    processes when there are many (alerts/rerun.py; None: the cores, up to 4).
    A stored report whose facts, row, rules and settings are those of its
    last check is not read again (alerts/stamps.py) unless `full`, or unless
    reminders may be due (`realert_after` with a queue). Reports are written
    `batch` to a transaction."""
    from alerts import stamps
    from alerts.rerun import Loaded, analysed_batches

    res = Result()
    analysed = analysed or {}
    run_rules, wanted_rules = _rule_plan(rule_ids)
    rules_run = select(wanted_rules or None) if run_rules else []
    ready, stored = [], []
    for rid in report_ids:
        a = analysed.get(rid)
        (ready if a is not None and not (run_rules and a.findings is None) else stored).append(rid)
    key = stamps.run_key(app.cfg.rules, rules_run) if run_rules else None
    if key is not None and stored and not full and not (queue and app.cfg.section("alerts")["realert_after"]):
        skip = stamps.unchanged(app.store.conn, key, stored)
        if skip:
            stored = [rid for rid in stored if rid not in skip]
            with app.store.tx() as conn:
                res.unchanged += stamps.seen_again(conn, sorted(skip), rules_run, now_iso())
            res.reports += len(skip)
            res.skipped += len(skip)

    def given(ids):
        """Reports analysed at parse time (used only while still parsed)."""
        out, again = [], []
        for rid in ids:
            row = app.store.report(rid)
            if row is None:
                continue
            if row["status"] != "parsed":
                again.append(rid)
                continue
            out.append(Loaded(dict(row), analysed[rid]))
        return out, again

    for i in range(0, len(ready), batch):
        loaded, again = given(ready[i:i + batch])
        _write(app, loaded, run_rules, rules_run, queue, res, key)
        stored += again
    for _, loaded in analysed_batches(app, stored, rule_ids, jobs, batch):
        _write(app, loaded, run_rules, rules_run, queue, res, key)
    if models:
        run_models_stage(app, report_ids, rule_ids, queue, res)
    return res


def _write(app, loaded: list, run_rules: bool, rules_run: list[str], queue: str | None, res: Result,
           key: str | None = None) -> None:
    """One batch of analysed reports: features, alerts and the stamp of the
    check, in one transaction."""
    from alerts import stamps
    from models.engine import store_features

    with app.store.tx() as conn:
        for item in loaded:
            res.reports += 1
            a, row = item.analysis, item.row
            if a is not None:
                store_features(conn, row["id"], a.features, row)
            else:
                conn.execute("DELETE FROM report_features WHERE report_id = ?", (row["id"],))
            if run_rules:
                store_findings(app, conn, row, (a.findings or []) if a else [], rules_run, queue, res,
                               evidence=item.evidence)
            if key is not None:
                stamps.write(conn, key, row, checked=a is not None and a.findings is not None)


def run_models_stage(app, report_ids: list[int], rule_ids: list[str] | None = None, queue: str | None = None,
                     res: Result | None = None) -> Result:
    """The statistical models over the population, when `rule_ids` asks for
    them (no ids: everything)."""
    res = res if res is not None else Result()
    if not rule_ids or any(is_model(r) for r in rule_ids):
        from models.engine import run_models

        out = run_models(app, report_ids, queue=queue)
        res.new += out.get("new", 0)
        res.queued += out.get("queued", 0)
        res.withdrawn += out.get("withdrawn", 0)
    return res


def store_findings(app, conn, row, findings: list[Finding], rules_run: list[str], queue: str | None,
                   res: Result | None = None, evidence: list | None = None) -> Result:
    """Upsert one report's alerts from its findings and withdraw those of the
    rules that ran and no longer find them (inside the caller's transaction).
    `evidence`: each finding's contract evidence when already computed."""
    from alerts import outbox, restated
    from worker.versions import lineage

    res = res if res is not None else Result()
    realert = bool(app.cfg.section("alerts")["realert_after"])
    seen = set()
    # A restated report's alerts are fingerprinted under its lineage (its own key unless it
    # superseded a report under another key); a superseded report's problems live on in its successor.
    lin = lineage(conn, row["id"], row["key"])
    if lin.superseded_by is not None:
        findings, evidence = [], None
    source = QuoteSource.from_row(conn, row) if findings and evidence is None else None
    others: dict[int, QuoteSource | None] = {}     # other reports quoted (last year's), loaded once per call

    def other(rid: int) -> QuoteSource | None:
        if rid not in others:
            others[rid] = QuoteSource.load(conn, rid)
        return others[rid]

    for n, f in enumerate(findings):
        fp = fingerprint(f.kind, lin.key, f.key)
        seen.add(fp)
        status = _upsert(conn, fp, f, row, evidence[n] if evidence is not None else f.contract_evidence(source, other))
        if status == "new":
            res.new += 1
        elif status in ("severity_up", "reraised"):
            res.updated += 1
        else:
            res.unchanged += 1
        if queue and status in ("new", "severity_up", "reraised"):
            res.queued += outbox.queue(conn, app.cfg, fp, event="firing", digest=(queue == "digest"),
                                       run_id=app.run_id)
        elif queue and realert:
            # Unchanged, but delivered long ago: remind (realert_after).
            res.queued += outbox.queue(conn, app.cfg, fp, event="firing", digest=(queue == "digest"),
                                       run_id=app.run_id, only_if_delivered=True)
    if not rules_run:
        return res
    marks = ",".join("?" for _ in rules_run)
    reports = [row["id"], *lin.predecessors]
    stale = conn.execute(
        f"SELECT id, fingerprint, evidence FROM alerts WHERE report_id IN ({','.join('?' for _ in reports)})"
        f" AND status IN ('open', 'acked') AND rule IN ({marks})", (*reports, *rules_run)).fetchall()
    note = restated.withdrawal_note(conn, row, lin)
    for a in stale:
        if a["fingerprint"] in seen:
            continue
        ts = now_iso()
        conn.execute("UPDATE alerts SET status = 'withdrawn', withdrawn_at = ?, updated_at = ? WHERE id = ?",
                     (ts, ts, a["id"]))
        if note is not None:
            conn.execute("UPDATE alerts SET evidence = ? WHERE id = ?",
                         (json.dumps({**json.loads(a["evidence"] or "{}"), "withdrawn": note}, ensure_ascii=False),
                          a["id"]))
        conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'withdrawn', ?, ?)",
                     (a["id"], ts, note or "finding no longer present in the report"))
        res.withdrawn += 1
        if queue:
            res.queued += outbox.queue(conn, app.cfg, a["fingerprint"], event="withdrawn",
                                       digest=(queue == "digest"), run_id=app.run_id)
    if lin.superseded_by is None:
        restated.settle(app, conn, row, lin, queue, res)
    return res


def _upsert(conn, fp: str, f: Finding, row, evidence: dict) -> str:
    ts = now_iso()
    evidence = json.dumps(evidence, ensure_ascii=False)
    title, message = tidy(f.title), tidy(f.message)
    old = conn.execute("SELECT id, rule, severity, status, title, message, evidence, source, report_id FROM alerts"
                       " WHERE fingerprint = ?", (fp,)).fetchone()
    if old is None:
        cur = conn.execute(
            "INSERT INTO alerts (fingerprint, kind, rule, severity, report_id, source, title, message, evidence,"
            " status, created_at, updated_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?, 'open', ?, ?, ?)",
            (fp, f.kind, f.rule, f.severity, row["id"], row["source"], title, message, evidence, ts, ts, ts))
        conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'raised', ?, ?)",
                     (cur.lastrowid, ts, f.severity))
        return "new"
    status = "unchanged"
    new_status = old["status"]
    if old["status"] == "withdrawn":
        status, new_status = "reraised", "open"
    elif SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[old["severity"]]:
        status = "severity_up"
    severity = (f.severity if status != "unchanged" or SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[old["severity"]]
                else old["severity"])
    if status == "unchanged" and (f.rule, severity, title, message, evidence, row["source"], row["id"]) == \
            (old["rule"], old["severity"], old["title"], old["message"], old["evidence"], old["source"],
             old["report_id"]):
        # The same alert found again: only when it was last seen changes (a re-run rewrites nothing else).
        conn.execute("UPDATE alerts SET last_seen_at = ? WHERE id = ?", (ts, old["id"]))
        return status
    conn.execute(
        "UPDATE alerts SET rule = ?, severity = ?, title = ?, message = ?, evidence = ?, source = ?, status = ?,"
        " report_id = ?, last_seen_at = ?, updated_at = CASE WHEN ? != 'unchanged' THEN ? ELSE updated_at END,"
        " withdrawn_at = CASE WHEN ? = 'reraised' THEN NULL ELSE withdrawn_at END WHERE id = ?",
        (f.rule, severity, title, message, evidence, row["source"], new_status, row["id"], ts, status, ts, status,
         old["id"]))
    if status != "unchanged":
        conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, ?, ?, ?)",
                     (old["id"], status, ts, f.severity))
    return status
