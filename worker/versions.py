"""Versions of a report: what an earlier content held, and which report carries the next one.

A portal republishes a report in two ways: the same page or attachment with
new content (same key), or a corrected copy under a new address (a new key of
the same named source, same department, year and report type). Before the
earlier content is lost, `record` keeps what a comparison needs of it (each
ledger figure with its identity, value, row label and a short quote; the
tables recognized) in `report_versions`, with a pointer to the report that
carries the next version. Detection compares the two (worker/restate.py) and
alerts (alerts/restated.py).

Alerts are fingerprinted under a report's *lineage key*: its own key, or for
a report that superseded another under a new key, the key of the first
report of the chain. So a problem still found in the corrected copy is the
same alert, and a report never restated keeps the fingerprints it had.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from worker.textnorm import normalize

DDL = """
CREATE TABLE IF NOT EXISTS report_versions (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    content_sha TEXT NOT NULL,
    title TEXT, issuer TEXT, year INTEGER, report_type TEXT,
    published_at TEXT, parsed_at TEXT,
    figures TEXT NOT NULL,
    tables TEXT NOT NULL,
    successor_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    successor_sha TEXT NOT NULL,
    lineage_key TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    checked_at TEXT
);
CREATE INDEX IF NOT EXISTS report_versions_report ON report_versions(report_id);
CREATE INDEX IF NOT EXISTS report_versions_successor ON report_versions(successor_id);
"""

QUOTE_CHARS = 120          # an old figure's quote is kept this long at most
# Report types of which a department publishes one a year: a second one under a new
# address is a new version. Not 绩效自评: one per project, many a year.
ONE_A_YEAR = ("部门决算", "单位决算")
_PLACEHOLDER = re.compile(r"某|XX|xx|××|\*|＊|…")


@dataclass
class Snapshot:
    """A version's figures and tables, as compared (worker/restate.py).

    figures: [concept, dims (JSON), measure, period, where, value, half, shown,
    table type, table title, label, quote, quote start, quote end], one per
    identity (the first in the ledger's order); tables: [type, title, filled]."""

    figures: list
    tables: list


def snapshot(conn: sqlite3.Connection, report_id: int, text: str | None = None) -> Snapshot:
    """A stored report's ledger, compacted (quotes cut to QUOTE_CHARS)."""
    if text is None:
        row = conn.execute("SELECT text FROM reports WHERE id = ?", (report_id,)).fetchone()
        text = (row[0] if row else None) or ""
    tables, kinds = [], {}
    for t in conn.execute("SELECT idx, type, title, has_figures, facts FROM doc_tables WHERE report_id = ?"
                          " ORDER BY idx", (report_id,)):
        kinds[t["idx"]] = (t["type"] or "", t["title"] or "")
        if t["type"]:
            tables.append([t["type"], t["title"] or "", bool(t["has_figures"] or t["facts"])])
    figures, seen = [], set()
    for f in conn.execute("SELECT concept, dims, measure, period, found_in, value, unit, kind, precision, raw,"
                          " scale, approx, table_idx, label, quote_start, quote_end FROM ledger"
                          " WHERE report_id = ? ORDER BY seq", (report_id,)):
        ident = (f["concept"], f["dims"], f["measure"], f["period"], f["found_in"])
        if ident in seen or f["value"] is None:
            continue
        seen.add(ident)
        ttype, ttitle = kinds.get(f["table_idx"], ("", "")) if f["found_in"] == "table" else ("", "")
        qs, qe = f["quote_start"], f["quote_end"]
        quote = text[qs:qe][:QUOTE_CHARS] if qs is not None and qe is not None else ""
        figures.append([*ident, f["value"], _half(f), _shown(f), ttype, ttitle, f["label"] or "", quote, qs,
                        qs + len(quote) if qs is not None else None])
    return Snapshot(figures, tables)


def _half(f) -> float:
    """Half a unit in the last printed place (worker/numbers.Num.half_ulp; counts are exact)."""
    scale = f["scale"] if f["scale"] is not None else 1.0
    if f["kind"] == "count" and scale == 1.0 and not f["approx"]:
        return 0.0
    if f["approx"]:
        return abs(f["value"]) * 0.5
    return 0.5 * (10 ** -(f["precision"] or 0)) * scale


def _shown(f) -> str:
    raw = "".join((f["raw"] or "").split())
    unit = f["unit"] or ""
    if not raw:
        return ""
    return raw if not unit or raw.endswith(unit) else raw + unit


# -- lineage ----------------------------------------------------------------------------------
@dataclass
class Lineage:
    key: str                    # the identity alerts are fingerprinted under
    version: int                # the report's current version number (1: never restated)
    superseded_by: int | None   # a report that carries its next version under another key
    predecessors: list          # reports it superseded under another key
    pending: list               # report_versions rows of restatements not yet compared


def lineage(conn: sqlite3.Connection, report_id: int, key: str) -> Lineage:
    rows = conn.execute("SELECT * FROM report_versions WHERE successor_id = ? OR report_id = ? ORDER BY version, id",
                        (report_id, report_id)).fetchall()
    if not rows:
        return Lineage(key, 1, None, [], [])
    before = [r for r in rows if r["successor_id"] == report_id]
    after = [r for r in rows if r["report_id"] == report_id and r["successor_id"] != report_id]
    return Lineage(key=before[-1]["lineage_key"] if before else key,
                   version=(before[-1]["version"] + 1) if before else 1,
                   superseded_by=after[-1]["successor_id"] if after else None,
                   predecessors=sorted({r["report_id"] for r in before if r["report_id"] != report_id}),
                   pending=[r for r in before if r["checked_at"] is None])


def record(conn: sqlite3.Connection, old_id: int, successor_id: int, successor_sha: str, ts: str) -> None:
    """Keep the old version of a report (its row and ledger still stored) before it
    is replaced in place, or superseded by `successor_id`."""
    old = conn.execute("SELECT * FROM reports WHERE id = ?", (old_id,)).fetchone()
    lin = lineage(conn, old["id"], old["key"])
    snap = snapshot(conn, old["id"], old["text"])
    conn.execute(
        "INSERT INTO report_versions (report_id, version, content_sha, title, issuer, year, report_type,"
        " published_at, parsed_at, figures, tables, successor_id, successor_sha, lineage_key, recorded_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (old["id"], lin.version, old["content_sha"], old["title"], old["issuer"], old["year"], old["report_type"],
         old["published_at"] or old["first_seen"], old["parsed_at"],
         json.dumps(snap.figures, ensure_ascii=False, separators=(",", ":")),
         json.dumps(snap.tables, ensure_ascii=False, separators=(",", ":")), successor_id, successor_sha, lin.key,
         ts))


def loaded(row) -> Snapshot:
    """A stored version's snapshot."""
    return Snapshot(json.loads(row["figures"]), json.loads(row["tables"]))


# -- which reports are versions of each other -----------------------------------------------------
def department(issuer: str | None) -> str:
    """A department's name for matching: normalized (full width, traditional), no spaces or
    punctuation. One function, so alias matching of expected publishers can replace it."""
    text = normalize(issuer or "").text
    return re.sub(r"[\s\W_]+", "", text)


def is_named(issuer: str | None) -> bool:
    d = department(issuer)
    return len(d) >= 4 and not _PLACEHOLDER.search(issuer or "")


def before_replace(conn: sqlite3.Connection, key: str, sha: str, ts: str) -> bool:
    """New parsed content under a key whose parsed content differs: keep the old version.
    True when the key had no parsed content (its first parse: `after_store` looks for
    the report it may republish under another key)."""
    old = conn.execute("SELECT id, status, content_sha FROM reports WHERE key = ?", (key,)).fetchone()
    if old is not None and old["status"] == "parsed" and old["content_sha"] != sha:
        record(conn, old["id"], old["id"], sha, ts)
    return old is None or old["status"] != "parsed"


def after_store(conn: sqlite3.Connection, report_id: int, first: bool, ts: str) -> None:
    """A key parsed for the first time: the report it republishes, if any, is superseded."""
    if not first:
        return
    new = conn.execute("SELECT id, key, source_name, issuer, year, report_type, published_at, content_sha"
                       " FROM reports WHERE id = ?", (report_id,)).fetchone()
    old = predecessor(conn, new)
    if old is not None and lineage(conn, report_id, new["key"]).version == 1:
        record(conn, old["id"], report_id, new["content_sha"], ts)


def predecessor(conn: sqlite3.Connection, new) -> sqlite3.Row | None:
    """The report a newly stored one (a new key) republishes: the same named source, a
    report of the same department, year and type, parsed, not superseded already, and
    not published after the new one. None for reports of no named source (backfills)."""
    if not new["source_name"] or new["report_type"] not in ONE_A_YEAR or new["year"] is None \
            or not is_named(new["issuer"]):
        return None
    want = department(new["issuer"])
    cands = conn.execute(
        "SELECT id, key, issuer, published_at FROM reports WHERE source_name = ? AND year = ? AND report_type = ? AND status = 'parsed'"
        " AND id != ? AND content_sha != ? ORDER BY id DESC",
        (new["source_name"], new["year"], new["report_type"], new["id"], new["content_sha"])).fetchall()
    for c in cands:
        if department(c["issuer"]) != want:
            continue
        if lineage(conn, c["id"], c["key"]).superseded_by is not None:
            continue
        mine, theirs = new["published_at"], c["published_at"]
        if mine and theirs and mine[:10] < theirs[:10]:
            return None         # an older copy found later: not a restatement of the newer one
        return c
    return None
