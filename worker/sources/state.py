"""A source's state after a poll (`source_state`, `source_events`).

A source whose poll failed, was cut short or brought anything new is recorded
at once, in its own transaction. A quiet one (no error, no note, every report
unchanged) is recorded with the other quiet ones in one transaction per
chunk: polling 1,000 unchanged sources then takes a handful of write locks,
not 1,000. A crash before a chunk is written loses only those sources'
"polled at" time; the HTTP validators and every report were already stored,
so the next run still asks by conditional GET and announces nothing twice.
"""
from __future__ import annotations

import sqlite3

from worker.storage import Store, now_iso

_UPSERT = (
    "INSERT INTO source_state (name, last_poll_at, last_ok_at, last_error, consecutive_failures, polls,"
    " new_documents, requests) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
    " ON CONFLICT(name) DO UPDATE SET last_poll_at = excluded.last_poll_at,"
    " last_ok_at = COALESCE(excluded.last_ok_at, source_state.last_ok_at), last_error = excluded.last_error,"
    " consecutive_failures = CASE WHEN excluded.last_error IS NULL THEN 0"
    " ELSE source_state.consecutive_failures + 1 END, polls = source_state.polls + 1,"
    " new_documents = excluded.new_documents, requests = excluded.requests"
    " RETURNING *")


def is_quiet(res) -> bool:
    """Nothing to say about this poll but "still the same": no error, no
    limit hit, no report other than unchanged."""
    return res.error is None and not res.notes and all(o.status == "unchanged" for o in res.outcomes)


def _write(c: sqlite3.Connection, res, ts: str) -> dict:
    rows = c.execute(_UPSERT, (res.source, ts, None if res.error else ts, res.error, 1 if res.error else 0,
                               res.new_documents, res.requests)).fetchall()    # all: the statement completes
    for note in res.notes:
        c.execute("INSERT INTO source_events (name, at, note) VALUES (?, ?, ?)", (res.source, ts, note))
    return dict(rows[0])


def record_state(store: Store, res) -> dict:
    """Update a source's state after a poll; returns the row."""
    with store.tx() as c:
        return _write(c, res, now_iso())


def record_states(store: Store, results: list) -> list[dict]:
    """Several sources' states in one transaction; their rows, in order."""
    if not results:
        return []
    ts = now_iso()
    with store.tx() as c:
        return [_write(c, res, ts) for res in results]
