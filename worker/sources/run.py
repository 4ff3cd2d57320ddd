"""Polling many sources at once: threads, their connections, the recorded state.

Up to four threads poll the sources (the per-host interval and concurrency
are the fetcher's `HostPolicy`, shared by all). Each thread opens one
connection and keeps it for every source it polls: a connection per source
cost an open and, before worker/schema_once.py, a schema check under the
write lock each. A source with something to record (an error, a limit hit,
a new or changed report) has its state written by its thread at once; quiet
ones are written by the calling thread in chunks (worker/sources/state.py),
so an unchanged source takes no write lock of its own.

With `leases` (a PostgreSQL store shared by several workers, worker/leases.py)
each source is leased before it is polled and released after its state is
written; a source another live worker holds is skipped (None in the result).
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from worker.sources.state import is_quiet, record_state, record_states
from worker.storage import Store

log = logging.getLogger("audit_worker.sources")

THREADS = 4
CHUNK = 250      # quiet sources per state transaction


def poll_all(store: Store, specs: list[dict], poll_one: Callable[[dict, Store], object],
             leases=None) -> list[tuple]:
    """(PollResult, source_state row) per spec polled, in order. `poll_one(spec, conn)`
    polls one source on the calling thread's own Store and returns its result.
    `leases` (worker.leases.Leases): poll only the sources this owner could lease."""
    local = threading.local()
    opened: list[Store] = []
    lock = threading.Lock()

    def own_store() -> Store:
        if getattr(local, "store", None) is None:
            local.store = Store(store.path, timeout=store.timeout, max_size_mb=store.max_size_mb)
            with lock:
                opened.append(local.store)
        return local.store

    def work(spec: dict) -> tuple | None:
        mine = own_store()
        if leases is None:
            res = poll_one(spec, mine)
            return res, (None if is_quiet(res) else record_state(mine, res))
        if not leases.claim(mine, "source", spec["name"]):
            log.info("source skipped: leased by another worker source=%s", spec["name"])
            return None
        try:
            res = poll_one(spec, mine)
            # A quiet source's state waits for its chunk (written after the lease is released): only its
            # "polled at" time, never a second poll, can interleave with another worker's.
            return res, (None if is_quiet(res) else record_state(mine, res))
        finally:
            leases.release(mine, "source", spec["name"])

    polls: list[tuple] = []
    waiting: list[int] = []           # indexes in `polls` whose state is not written yet

    def flush() -> None:
        rows = record_states(store, [polls[i][0] for i in waiting])
        for i, row in zip(waiting, rows):
            polls[i] = (polls[i][0], row)
        waiting.clear()

    if not specs:
        return polls
    try:
        with ThreadPoolExecutor(max_workers=min(THREADS, len(specs))) as ex:
            for done in ex.map(work, specs):
                if done is None:
                    continue
                res, state = done
                polls.append((res, state))
                if state is None:
                    waiting.append(len(polls) - 1)
                    if len(waiting) >= CHUNK:
                        flush()
        flush()
    finally:
        for s in opened:
            s.close()
    return polls
