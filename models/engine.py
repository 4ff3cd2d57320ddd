"""Running the statistical detectors over the population of stored reports.

1. Features (and the small material cross-report checks need) are computed
   from each report's facts when its facts change, and stored in
   `report_features`.
2. The population table (numbers only, models/population.py) is read in one query. When it differs from the one
   the models were fitted on (reports added, removed or re-parsed), every
   model is refitted and its state stored with its version in
   `model_state`; otherwise the stored state is reused.
3. After a refit every report is judged again (its peers changed); otherwise
   only the reports given, chunk by chunk. Findings are stored like the
   rules' (same fingerprints, grouping, withdrawal), under `models.*` rule ids.
"""
from __future__ import annotations

import hashlib
import json
import logging
import pickle
from dataclasses import dataclass, field

from models.population import RowSource, population
from models.registry import FAMILIES, REGISTRY, load_all, options_for
from worker.storage import now_iso

log = logging.getLogger("audit_worker.models")

MODEL_VERSION = "1"
from models.schema import DDL  # noqa: E402  (kept with the other tables)


def store_features(conn, report_id: int, text: str, meta_row) -> None:
    """Store one report's features (inside the caller's transaction); the
    same features again write nothing."""
    sha = hashlib.sha256(f"{meta_row['issuer']}|{meta_row['year']}|{meta_row['level']}|{text}".encode()).hexdigest()
    conn.execute(
        "INSERT INTO report_features (report_id, issuer, year, level, data, data_sha, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(report_id) DO UPDATE SET issuer = excluded.issuer,"
        " year = excluded.year, level = excluded.level, data = excluded.data, data_sha = excluded.data_sha,"
        " updated_at = excluded.updated_at WHERE report_features.data_sha != excluded.data_sha",
        (report_id, meta_row["issuer"], meta_row["year"], meta_row["level"], text, sha, now_iso()))


CHUNK = 1000        # reports judged (and their alerts written) together: what memory holds at once


@dataclass
class Context:
    population: object                  # pandas DataFrame, one row per parsed report (numbers only)
    state: dict
    opts: dict
    targets: set
    rows_cache: list = field(default_factory=list)   # rows given whole (tests); else read from `source`
    scores: dict = field(default_factory=dict)
    covered: dict = field(default_factory=dict)      # report id → kinds of its open rule alerts
    loader: object = None                            # report id → its material (read on demand)
    source: RowSource | None = None                  # the database's rows, for report ids in [lo, hi]
    lo: int = 0
    hi: int = 0
    shared: dict = field(default_factory=dict)       # what a detector computes once per run, across chunks
    _index: dict | None = None

    def material(self, row: dict) -> dict:
        """A report's cross-report material (growth claims, named amounts,
        satisfactions): kept out of the population table, which would
        otherwise hold every report's quotes in memory at once."""
        if "material" in row:
            return row["material"]
        return self.loader(row["report_id"]) if self.loader is not None else {}

    def rows(self):
        """Rows (dicts) of the reports to judge, in report id order."""
        if self.source is not None:
            return self.source.rows(self.targets, self.lo, self.hi)
        return [r for r in self.rows_cache if r["report_id"] in self.targets]

    def previous(self, row: dict) -> dict | None:
        """The report of the same issuer a year before (None when there is
        none, or two share that issuer and year)."""
        if self.source is not None:
            return self.source.previous(row)
        return self.by_issuer_year().get((row["issuer"], row["year"] - 1))

    def by_issuer_year(self) -> dict:
        """(issuer, year) → the report; keys two reports share are left out."""
        if self._index is None:
            seen: dict = {}
            for r in self.rows_cache:
                k = (r["issuer"], r["year"])
                seen[k] = None if k in seen else r
            self._index = {k: v for k, v in seen.items() if v is not None}
        return self._index


def population_key(conn) -> str:
    """A digest of the population's content: it changes when a report is
    added, removed or its features change, not when they are recomputed."""
    import sklearn      # here, not at the top: store_features (every detect) needs no scikit-learn

    h = hashlib.sha256(f"{MODEL_VERSION}|{sklearn.__version__}".encode())
    for rid, sha in conn.execute("SELECT f.report_id, f.data_sha FROM report_features f JOIN reports r"
                                 " ON r.id = f.report_id WHERE r.status = 'parsed' ORDER BY f.report_id"):
        h.update(f"{rid}:{sha};".encode())
    return h.hexdigest()[:24]


def _fit(app, df, key: str, force_refit: bool) -> tuple[bool, dict]:
    """The families' fitted states: stored ones when the population is the
    one they were fitted on, else fitted now and stored."""
    conn = app.store.conn
    refit = force_refit
    states: dict[str, dict] = {}
    for fam in FAMILIES:
        row = conn.execute("SELECT * FROM model_state WHERE family = ?", (fam,)).fetchone()
        if row is None or row["population_key"] != key or row["version"] != MODEL_VERSION:
            refit = True
        else:
            states[fam] = pickle.loads(row["state"]) if row["state"] else {}
    if not refit:
        return False, states
    states = {}
    for fam in FAMILIES:
        opts = options_for(fam, app.cfg.models)
        fitters = [d.fit for d in REGISTRY.values() if d.family == fam and d.fit is not None]
        states[fam] = fitters[0](df, opts) if fitters and opts.get("enabled", True) else {}
    with app.store.tx() as c:
        for fam, st in states.items():
            c.execute("INSERT INTO model_state (family, version, population_key, n, fitted_at, state)"
                      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(family) DO UPDATE SET version = excluded.version,"
                      " population_key = excluded.population_key, n = excluded.n, fitted_at = excluded.fitted_at,"
                      " state = excluded.state",
                      (fam, MODEL_VERSION, key, len(df), now_iso(), pickle.dumps(st)))
    log.info("models refitted on %s reports (population %s)", len(df), key)
    return True, states


def _covered(conn, lo: int, hi: int) -> dict[int, set]:
    covered: dict[int, set] = {}
    for rid, kind in conn.execute("SELECT report_id, kind FROM alerts WHERE status IN ('open', 'acked')"
                                  " AND rule NOT LIKE 'models.%' AND report_id BETWEEN ? AND ?", (lo, hi)):
        covered.setdefault(rid, set()).add(kind)
    return covered


def _store_scores(app, scores: dict) -> None:
    """Risk scores, rewritten only where they changed (a report row is large)."""
    if not scores:
        return
    with app.store.tx() as c:
        c.executemany("UPDATE reports SET risk_score = ?, risk_features = ? WHERE id = ? AND"
                      " (risk_score IS NOT ? OR risk_features IS NOT ?)",
                      [(s, f, rid, s, f) for rid, (s, f) in
                       ((rid, (s, json.dumps(f, ensure_ascii=False))) for rid, (s, f) in scores.items())])


def run_models(app, report_ids: list[int], queue: str | None = None, force_refit: bool = False) -> dict:
    """Fit if the population changed, judge, and store the findings.

    The population table holds numbers only; the reports are judged and
    their alerts written CHUNK by CHUNK in report id order, each chunk's rows
    and material read from the database, so memory does not grow with the
    number of reports."""
    from alerts.engine import Result, group, store_findings

    load_all()
    conn = app.store.conn
    df = population(conn)
    if df.empty:
        return {"refit": False, "findings": 0}
    refit, states = _fit(app, df, population_key(conn), force_refit)
    ids = df["report_id"].to_numpy()
    wanted = None if refit else set(report_ids)         # None: every report
    enabled = [(mid, det, options_for(det.family, app.cfg.models)) for mid, det in sorted(REGISTRY.items())]
    enabled = [(mid, det, opts) for mid, det, opts in enabled if opts.get("enabled", True)]
    ran = [mid for mid, _, _ in enabled]
    source = RowSource(conn)
    shared: dict = {}
    total = Result()
    findings = judged = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        lo, hi = int(chunk[0]), int(chunk[-1])
        targets = {int(i) for i in chunk} if wanted is None else {int(i) for i in chunk if int(i) in wanted}
        judged += len(targets)
        covered = _covered(conn, lo, hi)
        found: dict[int, list] = {}
        scores: dict = {}
        for mid, det, opts in enabled:
            ctx = Context(population=df, state=states.get(det.family, {}), opts=opts, targets=targets,
                          covered=covered, loader=source.material, source=source, lo=lo, hi=hi,
                          shared=shared.setdefault(mid, {}))
            try:
                for rid, fs in det.detect(ctx).items():
                    found.setdefault(int(rid), []).extend(fs)
            except Exception:  # one model must not silence the others
                log.exception("model failed id=%s", mid)
            scores.update(ctx.scores)
        _store_scores(app, scores)
        findings += sum(len(v) for v in found.values())
        with_alerts = {r[0] for r in conn.execute(
            "SELECT DISTINCT report_id FROM alerts WHERE rule LIKE 'models.%' AND status IN ('open', 'acked')"
            " AND report_id BETWEEN ? AND ?", (lo, hi))}
        todo = sorted(targets & (set(found) | with_alerts))
        if todo:
            with app.store.tx() as c:
                for rid in todo:
                    row = c.execute("SELECT * FROM reports WHERE id = ?", (rid,)).fetchone()
                    if row is not None:
                        store_findings(app, c, row, group(found.get(rid, [])), ran, queue, total)
    return {"refit": refit, "findings": findings, "judged": judged, "new": total.new, "queued": total.queued,
            "withdrawn": total.withdrawn}
