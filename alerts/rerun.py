"""Detection over many stored reports on every core.

Reading a report's facts back and running the rules on it is most of a
re-run's cost, and each report is independent: forked processes take
batches of report ids, read those reports from the database themselves
(a connection of their own), run the rules, compute the model features and
the alerts' quoted evidence, and return only that (small) to the main
process, which alone writes. Batches come back in id order, so alerts are
written in the same order as by one process.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from dataclasses import dataclass

# Fewer reports than this to read: one process, unless asked (forking costs more than it saves).
PARALLEL_FROM = 400
BATCH = 50


@dataclass
class Loaded:
    """One stored report, analysed: what the main process needs to write."""

    row: dict                         # the reports row's fields the writes use (no text)
    analysis: object | None           # alerts.engine.Analysis; None: the report is not parsed
    evidence: list | None = None      # each finding's contract evidence, computed beside its facts


# The reports row's fields the writes use (and the check's stamp: alerts/stamps.py).
ROW_FIELDS = ("id", "key", "source", "status", "issuer", "year", "level", "parser_version", "parsed_at",
              "content_sha")


def analyse_stored(store, cfg_rules: dict | None, rule_ids: list[str] | None, ids: list[int]) -> list[Loaded]:
    """Read and analyse stored reports (in any process)."""
    from alerts.engine import analyse
    from worker.quotes import QuoteSource

    out = []
    for rid in ids:
        row = store.report(rid)
        if row is None:
            continue
        report = store.parsed_report(rid) if row["status"] == "parsed" else None
        a = None if report is None else analyse(cfg_rules, rule_ids, report)
        evidence = None
        if a is not None and a.findings:
            source = QuoteSource.from_row(store.conn, row)
            others: dict = {}

            def other(i: int):
                if i not in others:
                    others[i] = QuoteSource.load(store.conn, i)
                return others[i]

            evidence = [f.contract_evidence(source, other) for f in a.findings]
        out.append(Loaded({k: row[k] for k in ROW_FIELDS}, a, evidence))
    return out


_child: dict = {}


def _init(path: str, timeout: float, cfg_rules, rule_ids) -> None:
    from worker.storage import Store

    _child.update(store=Store(path, timeout=timeout), cfg_rules=cfg_rules, rule_ids=rule_ids)


def _work(ids: list[int]) -> list[Loaded]:
    return analyse_stored(_child["store"], _child["cfg_rules"], _child["rule_ids"], ids)


def jobs_for(count: int, jobs: int | None) -> int:
    """Processes for `count` reports: `jobs` when given, else the cores (up to
    4) once there are PARALLEL_FROM reports."""
    if jobs is None:
        return min(os.cpu_count() or 1, 4) if count >= PARALLEL_FROM else 1
    return max(1, jobs)


def analysed_batches(app, ids: list[int], rule_ids: list[str] | None, jobs: int | None = None,
                     batch: int = BATCH):
    """Yield (ids, [Loaded]) batch by batch, in order: forked processes read
    and analyse while the caller writes the batches already returned. At
    most a few batches per process wait for the caller, so memory stays flat
    however many reports there are."""
    chunks = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    n = jobs_for(len(ids), jobs)
    if n == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield chunk, analyse_stored(app.store, app.cfg.rules, rule_ids, chunk)
        return
    import importlib

    from alerts.engine import select

    select(None)                                     # imported once here, not in every child
    importlib.import_module("models.features")
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(n, initializer=_init, initargs=(app.store.path, app.store.timeout, app.cfg.rules,
                                                  rule_ids)) as pool:
        pending: deque = deque()
        it = iter(chunks)
        for chunk in it:
            pending.append((chunk, pool.apply_async(_work, (chunk,))))
            if len(pending) >= 3 * n:
                break
        while pending:
            chunk, res = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, pool.apply_async(_work, (nxt,))))
            yield chunk, res.get()
