"""Running the statistical detectors over the population of stored reports.

1. Features (and the small material cross-report checks need) are computed
   from each report's facts when its facts change, and stored in
   `report_features`.
2. The population table is read in one query. When it differs from the one
   the models were fitted on (reports added, removed or re-parsed), every
   model is refitted and its state stored with its version in
   `model_state`; otherwise the stored state is reused.
3. After a refit every report is judged again (its peers changed); otherwise
   only the reports given. Findings are stored like the rules' (same
   fingerprints, grouping, withdrawal), under `models.*` rule ids.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import pickle
from dataclasses import dataclass, field

from models.registry import FAMILIES, REGISTRY, load_all, options_for
from worker.storage import now_iso

log = logging.getLogger("audit_worker.models")

MODEL_VERSION = "1"
from models.schema import DDL  # noqa: E402  (kept with the other tables)


def store_features(conn, report_id: int, text: str, meta_row) -> None:
    """Store one report's features (inside the caller's transaction)."""
    sha = hashlib.sha256(f"{meta_row['issuer']}|{meta_row['year']}|{meta_row['level']}|{text}".encode()).hexdigest()
    conn.execute(
        "INSERT INTO report_features (report_id, issuer, year, level, data, data_sha, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(report_id) DO UPDATE SET issuer = excluded.issuer,"
        " year = excluded.year, level = excluded.level, data = excluded.data, data_sha = excluded.data_sha,"
        " updated_at = CASE WHEN report_features.data_sha = excluded.data_sha THEN report_features.updated_at"
        " ELSE excluded.updated_at END",
        (report_id, meta_row["issuer"], meta_row["year"], meta_row["level"], text, sha, now_iso()))


@dataclass
class Context:
    population: object                  # pandas DataFrame, one row per parsed report
    state: dict
    opts: dict
    targets: set
    rows_cache: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)
    covered: dict = field(default_factory=dict)      # report id → kinds of its open rule alerts
    loader: object = None                            # report id → its material (read on demand)
    _index: dict | None = None

    def material(self, row: dict) -> dict:
        """A report's cross-report material (growth claims, named amounts,
        satisfactions): kept out of the population table, which would
        otherwise hold every report's quotes in memory at once."""
        if "material" in row:
            return row["material"]
        return self.loader(row["report_id"]) if self.loader is not None else {}

    def rows(self):
        """Rows (dicts) of the reports to judge."""
        return [r for r in self.rows_cache if r["report_id"] in self.targets]

    def by_issuer_year(self) -> dict:
        """(issuer, year) → the report; keys two reports share are left out."""
        if self._index is None:
            seen: dict = {}
            for r in self.rows_cache:
                k = (r["issuer"], r["year"])
                seen[k] = None if k in seen else r
            self._index = {k: v for k, v in seen.items() if v is not None}
        return self._index


def population(conn):
    import pandas as pd

    rows = []
    for r in conn.execute("SELECT f.report_id, f.issuer, f.year, f.level, f.data FROM report_features f"
                          " JOIN reports r ON r.id = f.report_id WHERE r.status = 'parsed' ORDER BY f.report_id"):
        d = json.loads(r["data"])
        d.pop("material", None)
        d.update(report_id=r["report_id"], issuer=r["issuer"], year=r["year"], level=r["level"] or "")
        rows.append(d)
    df = pd.DataFrame(rows)
    return df, rows


def population_key(conn) -> str:
    """A digest of the population's content: it changes when a report is
    added, removed or its features change, not when they are recomputed."""
    import sklearn      # here, not at the top: store_features (every detect) needs no scikit-learn

    h = hashlib.sha256(f"{MODEL_VERSION}|{sklearn.__version__}".encode())
    for rid, sha in conn.execute("SELECT f.report_id, f.data_sha FROM report_features f JOIN reports r"
                                 " ON r.id = f.report_id WHERE r.status = 'parsed' ORDER BY f.report_id"):
        h.update(f"{rid}:{sha};".encode())
    return h.hexdigest()[:24]


def run_models(app, report_ids: list[int], queue: str | None = None, force_refit: bool = False) -> dict:
    """Fit if the population changed, judge, and store the findings."""
    from alerts.engine import group, store_findings

    load_all()
    conn = app.store.conn
    cfg_models = app.cfg.models
    df, rows = population(conn)
    if df.empty:
        return {"refit": False, "findings": 0}
    key = population_key(conn)
    refit = force_refit
    states: dict[str, dict] = {}
    for fam in FAMILIES:
        row = conn.execute("SELECT * FROM model_state WHERE family = ?", (fam,)).fetchone()
        if row is None or row["population_key"] != key or row["version"] != MODEL_VERSION:
            refit = True
        else:
            states[fam] = pickle.loads(row["state"]) if row["state"] else {}
    if refit:
        states = {}
        for fam in FAMILIES:
            opts = options_for(fam, cfg_models)
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
    targets = set(df["report_id"]) if refit else set(report_ids) & set(df["report_id"])
    found: dict[int, list] = {}
    scores: dict = {}
    ran: list[str] = []
    covered: dict[int, set] = {}

    @functools.lru_cache(maxsize=512)
    def load_material(report_id: int) -> dict:
        row = conn.execute("SELECT data FROM report_features WHERE report_id = ?", (report_id,)).fetchone()
        return json.loads(row[0]).get("material", {}) if row else {}

    for rid, kind in conn.execute("SELECT report_id, kind FROM alerts WHERE status IN ('open', 'acked')"
                                  " AND rule NOT LIKE 'models.%'"):
        covered.setdefault(rid, set()).add(kind)
    for mid, det in sorted(REGISTRY.items()):
        opts = options_for(det.family, cfg_models)
        if not opts.get("enabled", True):
            continue
        ran.append(mid)
        ctx = Context(population=df, state=states.get(det.family, {}), opts=opts, targets=targets, rows_cache=rows,
                      covered=covered, loader=load_material)
        try:
            for rid, fs in det.detect(ctx).items():
                found.setdefault(int(rid), []).extend(fs)
        except Exception:  # one model must not silence the others
            log.exception("model failed id=%s", mid)
        scores.update(ctx.scores)
    if scores:
        with app.store.tx() as c:
            c.executemany("UPDATE reports SET risk_score = ?, risk_features = ? WHERE id = ?",
                          [(s, json.dumps(f, ensure_ascii=False), rid) for rid, (s, f) in scores.items()])
    total = None
    with_alerts = {r[0] for r in conn.execute(
        "SELECT DISTINCT report_id FROM alerts WHERE rule LIKE 'models.%' AND status IN ('open', 'acked')")}
    for rid in sorted(targets & (set(found) | with_alerts)):
        row = app.store.report(rid)
        if row is None:
            continue
        with app.store.tx() as c:
            total = store_findings(app, c, row, group(found.get(rid, [])), ran, queue, total)
    return {"refit": refit, "findings": sum(len(v) for v in found.values()), "judged": len(targets),
            "new": total.new if total else 0, "queued": total.queued if total else 0,
            "withdrawn": total.withdrawn if total else 0}
