"""The library behind the CLI and the daemon: one object per configured run.

`App` ties configuration, the database and the stages together: ingest,
detect, alert, deliver. The CLI mirrors its methods one to one.
"""
from __future__ import annotations

import logging
import os
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from worker import config as cfgmod
from worker.bounds import Bounds
from worker.db.urls import is_postgres
from worker.faults import failpoint
from worker.storage import Store

if TYPE_CHECKING:
    from worker.extract import Limits
    from worker.ingest import Ingestor, Outcome

# The reader (worker.ingest: extractors, parser) is imported by the methods
# that read documents, not here: the views and `status` start without it
# (issue 16). Forks still find it imported: ingest_many and preload_reader
# import it before any child is forked.

log = logging.getLogger("audit_worker")

FAILED = ("failed", "empty", "not_report", "needs_ocr", "unsupported")


class NoDatabase(Exception):
    """A command that only reads found no database file (and created none)."""

    def __init__(self, path: str):
        super().__init__(f"no database at {path}")
        self.path = path


@dataclass
class Summary:
    """What a run did, for the operator reading the terminal.

    Counts are kept for every report, but an outcome itself only when it is
    worth a line (failed, skipped, with warnings; at most LISTED of them):
    a national backfill of 100,000 reports must not hold 100,000 outcomes."""

    LISTED = 1000

    outcomes: list[Outcome] = field(default_factory=list)   # the listed ones
    alerts_new: int = 0
    alerts_updated: int = 0
    alerts_withdrawn: int = 0
    queued: int = 0
    delivery_note: str = ""
    skipped_ids: list = field(default_factory=list)    # stored reports left unchecked by --since/--until
    reparse_all: bool = False       # `backfill --reparse` alone: every report read is a stored one, re-parsed
    notes: list[str] = field(default_factory=list)     # e.g. symlinks the folder walk skipped
    counts: Counter = field(default_factory=Counter)   # outcomes by status
    changed_ids: set = field(default_factory=set)      # reports whose facts were (re)written
    unlisted: int = 0               # outcomes worth a line beyond LISTED
    unchanged_ids: set = field(default_factory=set)   # stored reports found unchanged

    def add(self, o: Outcome) -> None:
        self.counts[o.status] += 1
        if o.status == "unchanged" and o.report_id is not None:
            self.unchanged_ids.add(o.report_id)
        if o.changed and o.report_id:
            self.changed_ids.add(o.report_id)
        if o.status in FAILED or o.status == "skipped" or o.warnings:
            if len(self.outcomes) < self.LISTED:
                self.outcomes.append(o)
            else:
                self.unlisted += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def readable(self) -> int:
        c = self.counts
        return c["ingested"] + c["unchanged"] + c["duplicate"] + c["skipped"] + c["out_of_range"]

    @property
    def outside(self) -> int:
        """Reports left out by --since/--until: recorded out_of_range, or read now and not checked.
        An unchanged stored report is counted once, as unchanged (see unchanged_outside)."""
        unchanged = self.unchanged_ids
        return self.counts["out_of_range"] + sum(1 for i in self.skipped_ids if i not in unchanged)

    @property
    def unchanged_outside(self) -> int:
        """Of the unchanged reports, those --since/--until left unchecked."""
        unchanged = self.unchanged_ids
        return sum(1 for i in self.skipped_ids if i in unchanged)

    def as_dict(self) -> dict:
        c = self.counts
        return {"documents": self.total, "ingested": c["ingested"], "unchanged": c["unchanged"],
                "duplicates": c["duplicate"], "skipped": c["skipped"], "out_of_range": self.outside,
                "failed": sum(c[s] for s in FAILED),
                "alerts_new": self.alerts_new, "alerts_updated": self.alerts_updated,
                "alerts_withdrawn": self.alerts_withdrawn, "queued": self.queued}

    def text(self) -> str:
        c = self.counts
        failed = sum(c[s] for s in FAILED)
        lines = []
        for o in [o for o in self.outcomes if o.status in FAILED] + \
                [o for o in self.outcomes if o.status == "skipped"]:
            lines.append(f"  {o.status:<11} {o.source}: {o.reason}")
        for o in self.outcomes:
            for w in o.warnings:
                lines.append(f"  warning     {o.source}: {w}")
        if self.unlisted:
            lines.append(f"  … and {self.unlisted} more failed, skipped or with warnings "
                         f"(`audit-worker reports list --status failed` lists the failures)")
        lines += [f"  skipped     {n}" for n in self.notes]
        unchanged = f"{c['unchanged']} unchanged"
        if self.unchanged_outside:
            unchanged += f" ({self.unchanged_outside} of them outside --since/--until: not checked)"
        head = (f"{c['ingested']} {'re-parsed' if self.reparse_all else 'ingested'}, {failed} failed"
                f" ({unchanged}, {c['duplicate']} duplicates, {c['skipped']} skipped)")
        if self.outside:
            head += f", {self.outside} outside --since/--until (not checked)"
        alerts = (f"alerts: {self.alerts_new} new, {self.alerts_updated} updated, "
                  f"{self.alerts_withdrawn} withdrawn")
        out = "\n".join(lines + [head, alerts])
        if self.delivery_note:
            out += "\n" + self.delivery_note
        return out


@dataclass
class RunSummary(Summary):
    """A poll of the sources: per-source results beside the documents."""

    polls: list = field(default_factory=list)      # (PollResult, source_state row)

    def text(self) -> str:
        lines = []
        for res, state in self.polls:
            head = f"source {res.source}: {res.new_documents} new, {res.requests} requests"
            if res.unchanged_index:
                head += " (index unchanged)"
            if res.error:
                head += f" — FAILED ({state['consecutive_failures']} in a row): {res.error}"
            lines.append(head)
        return "\n".join(lines + [super().text()])

    def as_dict(self) -> dict:
        d = super().as_dict()
        d["sources"] = len(self.polls)
        d["source_errors"] = sum(1 for r, _ in self.polls if r.error)
        return d


class App:
    def __init__(self, cfg: cfgmod.Config, store: Store):
        self.cfg = cfg
        self.store = store
        self.run_id = uuid.uuid4().hex[:12]

    @classmethod
    def open(cls, config_path: str | None = None, db_path: str | None = None, use: str = "create") -> "App":
        """`use`: "create" the database when missing (commands that write),
        "existing" (commands that only read: NoDatabase when missing), or
        "none" (commands that need only the configuration: in memory), or
        "optional" (the database if its file exists, else in memory: never created)."""
        cfg = cfgmod.load(config_path)
        if use == "none":
            db_path = ":memory:"
        if db_path is None:
            db_path = cfg.database_url
        server = is_postgres(db_path)       # a server's database is there or the connection says why not
        if use == "optional" and not server and not Path(db_path).is_file():
            db_path = ":memory:"
        if use == "existing" and not server and db_path != ":memory:" and not Path(db_path).is_file():
            raise NoDatabase(db_path)
        st = cfg.section("storage")
        return cls(cfg, Store(db_path, timeout=st["busy_timeout_s"], max_size_mb=st["max_size_mb"]))

    @property
    def limits(self) -> Limits:
        from worker.extract import Limits

        lim = self.cfg.section("limits")
        return Limits(max_bytes=lim["max_document_bytes"], max_uncompressed=lim["max_uncompressed_bytes"],
                      max_pdf_pages=lim["max_pdf_pages"], max_inflated=lim["max_inflated_mb"] << 20,
                      max_pdf_stream=lim["max_pdf_stream_mb"] << 20, max_sheet_cells=lim["max_sheet_cells"],
                      document_seconds=float(lim["document_seconds"]), document_memory_mb=lim["document_memory_mb"])

    @property
    def originals(self) -> Path | None:
        """Where PDFs are kept for their page images ([storage] keep_originals), or None."""
        from worker.originals import IN_BLOBS, directory

        if not self.cfg.section("storage")["keep_originals"]:
            return None
        return IN_BLOBS if self.store.is_postgres else directory(self.store.path)

    def ingestor(self, reparse: bool = False, source_name: str = "", bounds: Bounds | None = None) -> Ingestor:
        from worker.ingest import Ingestor

        return Ingestor(self.store, limits=self.limits, reparse=reparse,
                        max_attempts=self.cfg.section("limits")["max_attempts"], source_name=source_name,
                        bounds=bounds, keep_originals=self.originals)

    # -- backfill ----------------------------------------------------------------
    def backfill(self, paths: list[Path], *, reparse: bool = False, rule_ids: list[str] | None = None,
                 detect: bool = True, deliver: str | None = None, dry_run: bool = False,
                 since: int | None = None, until: int | None = None, progress: bool = False,
                 jobs: int | None = None, follow_symlinks: bool = False) -> Summary:
        """Ingest files and folders; with `reparse` and no paths, every stored
        report again, from the bytes kept in the database or its file."""
        from worker.ingest import SUPPORTED_SUFFIXES, iter_files

        run_row = self.store.start_run(self.run_id, "backfill")
        summary = Summary(reparse_all=reparse and not paths)
        ing = self.ingestor(reparse=reparse, bounds=Bounds(since, until))
        if paths or not reparse:
            # Strings, not Paths: a national backfill lists 100,000 files.
            files = [str(f) for f in iter_files(paths, follow_symlinks, summary.notes)
                     if f.suffix.lower() in SUPPORTED_SUFFIXES or f in paths]
            items, count = _file_items(ing, files), len(files)
        else:
            from worker.reparse import stored_items, stored_count

            items, count = stored_items(self.store, ing.limits, summary.notes), stored_count(self.store)
        if detect:
            from alerts.engine import analyser

            ing.analyse = analyser(self, rule_ids)     # detectors run in the parser processes
        # Rules' findings are stored batch by batch as reports come in (memory
        # stays flat, and an interrupted backfill keeps what it found); the
        # statistical models run once, over the whole population, at the end.
        queue = None if dry_run else deliver
        pending: list[int] = []
        analysed: dict = {}
        detected: list[int] = []
        seen: set[int] = set()

        def detect_batch() -> None:
            from alerts.engine import run_detectors

            ids = self._in_years(sorted(pending), since, until, summary)
            if ids:
                res = run_detectors(self, ids, rule_ids=rule_ids, queue=queue, analysed=analysed, models=False)
                summary.alerts_new += res.new
                summary.alerts_updated += res.updated
                summary.alerts_withdrawn += res.withdrawn
                summary.queued += res.queued
                detected.extend(ids)
            pending.clear()
            analysed.clear()

        jobs = jobs if jobs is not None else (min(os.cpu_count() or 1, 4) if count >= 40 else 1)
        outcomes = ing.ingest_many(items, jobs=jobs)
        for outcome in _progress(outcomes, progress, "ingest", total=count):
            summary.add(outcome)
            if outcome.status in FAILED:
                log.warning("document failed run_id=%s source=%s status=%s reason=%s",
                            self.run_id, outcome.source, outcome.status, outcome.reason)
            if detect and outcome.report_id is not None and outcome.report_id not in seen and \
                    outcome.status != "out_of_range":
                seen.add(outcome.report_id)
                pending.append(outcome.report_id)
                if outcome.analysis is not None:
                    analysed[outcome.report_id] = outcome.analysis
            outcome.analysis = None
            if len(pending) >= 200:
                detect_batch()
        if detect:
            detect_batch()
            if detected:
                from alerts.engine import run_models_stage

                res = run_models_stage(self, detected, rule_ids=rule_ids, queue=queue)
                summary.alerts_new += res.new
                summary.alerts_withdrawn += res.withdrawn
                summary.queued += res.queued
        failpoint("after_alerts_stored")
        if deliver is None:
            summary.delivery_note = ("alerts stored, nothing sent (backfill: use --deliver or --digest to notify)"
                                     if detect else "")
        elif dry_run:
            summary.delivery_note = "dry run: nothing queued, nothing sent"
        else:
            from alerts.outbox import flush

            sent = flush(self)
            summary.delivery_note = sent.text()
        self.store.finish_run(run_row, "ok", summary.as_dict())
        return summary

    def _in_years(self, ids: list[int], since, until, summary: Summary) -> list[int]:
        """Reports within --since/--until: a fiscal year (2022) compares with the
        report's year, a date (2022-06-01) with its publication date."""
        bounds = Bounds(since, until)
        if not bounds:
            return ids
        keep = []
        for rid in ids:
            row = self.store.report(rid)
            if row is None:
                continue
            if bounds.excludes(row["year"], row["published_at"] or row["first_seen"]):
                summary.skipped_ids.append(rid)
                continue
            keep.append(rid)
        return keep

    # -- polling ---------------------------------------------------------------------
    def run_once(self, names: list[str] | None = None, deliver: bool = True, should_stop=None,
                 since=None, until=None, rule_ids: list[str] | None = None, detect: bool = True) -> "RunSummary":
        """Poll every enabled source once, ingest what is new, detect, deliver."""
        from worker.config import fetch_settings
        from worker.ingest import Ingestor
        from worker.sources.http import Fetcher, HostPolicy
        from worker.sources.poll import PollResult, SourcePoller
        from worker.sources.run import poll_all

        run_row = self.store.start_run(self.run_id, "run")
        specs = [s for s in self.cfg.sources if s["enabled"] and (not names or s["name"] in names)]
        unknown = set(names or []) - {s["name"] for s in self.cfg.sources}
        if unknown:
            raise KeyError(f"unknown source(s): {', '.join(sorted(unknown))}")
        fetch_cfg = fetch_settings(self.cfg)     # [fetch] plus the fetch deadlines of [limits]
        policy = HostPolicy(fetch_cfg["per_host_interval_seconds"], fetch_cfg["per_host_concurrency"])
        claimed = (set(), threading.Lock())

        limits, originals = self.limits, self.originals        # once, not per source
        max_attempts = self.cfg.section("limits")["max_attempts"]

        from worker.leases import for_app

        leases = for_app(self)      # several workers on a PostgreSQL store; None on SQLite

        def poll_one(spec: dict, store: Store) -> PollResult:     # on a polling thread, with its own connection
            fetcher = Fetcher(fetch_cfg, store, policy)
            ing = Ingestor(store, limits=limits, max_attempts=max_attempts, source_name=spec["name"],
                           bounds=Bounds(since, until), keep_originals=originals)
            if leases is not None:
                ing.on_parsed = leases.record_parse
            try:
                res = SourcePoller(spec, store, ing, fetcher, claimed, should_stop, leases).poll()
            except Exception as e:  # one bad source is that source's failure; the others go on
                log.exception("source crashed run_id=%s source=%s", self.run_id, spec["name"])
                res = PollResult(source=spec["name"], error=f"{type(e).__name__}: {e}")
            if res.error:
                log.warning("source failed run_id=%s source=%s error=%s", self.run_id, res.source, res.error)
            return res

        summary = RunSummary()
        if len(specs) > 1 or leases is not None:
            from worker.preload import preload_reader

            # Threads (pollers, the lease keeper) run while document children fork: nothing may be half-imported then.
            preload_reader()
        if leases is None:
            summary.polls = poll_all(self.store, specs, poll_one)
        else:
            from worker.leases import Keeper

            with Keeper(leases, lambda: Store(self.store.path, timeout=self.store.timeout)):
                summary.polls = poll_all(self.store, specs, poll_one, leases)
        for res, _ in summary.polls:
            for o in res.outcomes:
                summary.add(o)
        changed = self._in_years(sorted(summary.changed_ids),
                                 since, until, summary)
        if leases is not None and detect and not Bounds(since, until):
            from worker.leases import undetected

            # Reports another worker stored and died before checking: this poll checks them.
            changed = sorted(set(changed) | set(undetected(self.store)))
        if changed and detect:
            from alerts.engine import run_detectors

            r = run_detectors(self, changed, rule_ids=rule_ids, queue="each" if deliver else None)
            summary.alerts_new, summary.alerts_updated, summary.alerts_withdrawn = r.new, r.updated, r.withdrawn
        from alerts.operator import source_failures

        summary.alerts_new += source_failures(self, [st for _, st in summary.polls], queue="each" if deliver else None)
        if detect:
            from alerts.duties import sync as duties_sync

            # Disclosure duties (issue 18): a due date passed, a report appeared late, after every poll cycle.
            d = duties_sync(self, queue="each" if deliver else None)
            summary.alerts_new += d.new
            summary.alerts_updated += d.updated
            summary.alerts_withdrawn += d.withdrawn
        if deliver:
            from alerts.outbox import flush

            summary.delivery_note = flush(self).text()
        self.store.finish_run(run_row, "ok", summary.as_dict())
        return summary

    # -- views ---------------------------------------------------------------------
    def list_reports(self, status: str | None = None, by_risk: bool = False, limit: int = 200) -> list[dict]:
        where = "WHERE r.status = ?" if status else ""
        order = "r.risk_score DESC NULLS LAST, r.id" if by_risk else "r.id"
        sql = (f"SELECT r.id, r.status, r.issuer, r.year, r.title, r.source, r.error, r.risk_score,"
               f" (SELECT COUNT(*) FROM alerts a WHERE a.report_id = r.id AND a.status != 'withdrawn') AS alerts"
               f" FROM reports r {where} ORDER BY {order} LIMIT ?")
        args = ([status] if status else []) + [limit]
        return [dict(r) for r in self.store.conn.execute(sql, args)]


def _progress(items, enabled: bool, label: str, total: int | None = None):
    if not enabled or (total or 0) < 20:
        return items
    from rich.progress import track

    return track(items, description=label, total=total, transient=True)


def _file_items(ing: Ingestor, files: list[str]):
    from worker.ingest import file_item

    for f in files:
        yield file_item(Path(f), ing.limits)
