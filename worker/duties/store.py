"""The duties' inputs read from the database, and the proofs of lateness kept there.

duty_unseen: a source polled successfully after a duty's due date while its
report was still not found (one row per duty and source, written once): what
lets a report known only by when it was first seen be judged late.
"""
from __future__ import annotations

DDL = """
CREATE TABLE IF NOT EXISTS duty_unseen (
    duty TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (duty, source)
);
"""

_COLUMNS = ("id, key, source, source_name, status, title, issuer, region, year, report_type, published_at,"
            " published_from, published_quote, approved_at, approved_quote, approved_start, approved_end, first_seen")


def reports(conn, years: set[int]) -> list[dict]:
    """Reports of the expected years, and every report with a 批复 date (the rule without an entry).
    Only what was published as a report: read (parsed), the same bytes as one (duplicate) or
    outside --since/--until; not a list page, an empty or unreadable document."""
    marks = ",".join("?" for _ in years)
    where = f"(year IN ({marks}) OR approved_at IS NOT NULL)" if years else "approved_at IS NOT NULL"
    return [dict(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM reports WHERE {where} AND status IN ('parsed', 'duplicate', 'out_of_range')"
        f" ORDER BY id", tuple(sorted(years)))]


def last_ok(conn) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT name, last_ok_at FROM source_state WHERE last_ok_at IS NOT NULL")}


def unseen(conn) -> dict[tuple, str]:
    return {(r[0], r[1]): r[2] for r in conn.execute("SELECT duty, source, at FROM duty_unseen")}


def record_unseen(store, rows: list[tuple[str, str, str]]) -> None:
    if not rows:
        return
    with store.tx() as conn:
        for duty, source, at in rows:
            conn.execute("INSERT INTO duty_unseen (duty, source, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                         (duty, source, at))
