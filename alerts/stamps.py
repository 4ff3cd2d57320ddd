"""Which stored reports a detection re-run may skip: nothing their rules'
findings depend on has changed since they were last checked.

A rule's findings on a report follow from the report's stored facts (its
text as parsed: parser version, parse time, content), its row (key, source,
issuer, year, level: fingerprints and the alert's source), the rules' code
and data, their settings and which rules ran. A report's stamp is a hash of
all of that, written beside its alerts in the transaction that stores them.
When a re-run finds the same stamp, checking the report again would find the
same alerts: it only records that they were seen again (`last_seen_at`), as
a full check would. Rules read one report at a time (a quote of another
report comes from the statistical models, which always run in full), so a
report's own stamp is enough.

The code's part is a hash of every source and data file of the packages the
findings come from: any upgrade, any edited rule or taxonomy re-checks
everything. `detect --full` ignores the stamps.
"""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

DDL = """
CREATE TABLE IF NOT EXISTS detect_stamps (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    stamp TEXT NOT NULL
);
"""

_PACKAGES = ("alerts", "models", "rules", "worker")
_SUFFIXES = {".py", ".toml", ".json", ".yaml", ".yml", ".csv", ".txt"}
# The report row's fields a finding or its alert depends on (besides the facts, which
# parser_version, parsed_at and content_sha stand for).
ROW_FIELDS = ("key", "source", "status", "issuer", "year", "level", "parser_version", "parsed_at", "content_sha")


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of every source and data file of the detecting packages."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for pkg in _PACKAGES:
        for p in sorted((root / pkg).rglob("*")):
            if p.suffix in _SUFFIXES and "__pycache__" not in p.parts and p.is_file():
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def run_key(rules_cfg: dict, rules_run: list[str]) -> str:
    """What a rules run depends on besides the report: code, settings, the rules run."""
    h = hashlib.sha256(code_version().encode())
    h.update(json.dumps(rules_cfg, sort_keys=True, default=str, ensure_ascii=False).encode())
    h.update(json.dumps(sorted(rules_run)).encode())
    return h.hexdigest()


def stamp(key: str, row) -> str:
    """The stamp of one report (a row or dict with ROW_FIELDS) under a run's key."""
    parts = json.dumps([key] + [row[f] for f in ROW_FIELDS], default=str, ensure_ascii=False)
    return hashlib.sha256(parts.encode()).hexdigest()[:32]


def unchanged(conn, key: str, ids: list[int]) -> set[int]:
    """The reports among `ids` whose stored stamp is the one they would get now."""
    out: set[int] = set()
    cols = ", ".join(f"r.{f}" for f in ROW_FIELDS)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in conn.execute(f"SELECT r.id, s.stamp, {cols} FROM reports r JOIN detect_stamps s"
                                f" ON s.report_id = r.id WHERE r.id IN ({','.join('?' * len(chunk))})", chunk):
            if row["stamp"] == stamp(key, row):
                out.add(row["id"])
    return out


def write(conn, key: str, row, checked: bool) -> None:
    """Record a report as checked under `key` (or forget it: not checkable)."""
    if checked:
        conn.execute("INSERT INTO detect_stamps (report_id, stamp) VALUES (?, ?) ON CONFLICT(report_id)"
                     " DO UPDATE SET stamp = excluded.stamp", (row["id"], stamp(key, row)))
    else:
        conn.execute("DELETE FROM detect_stamps WHERE report_id = ?", (row["id"],))


def seen_again(conn, ids: list[int], rules_run: list[str], ts: str) -> int:
    """The open alerts of the rules run on skipped reports were found again:
    record it as a full check would. Returns how many."""
    n = 0
    marks = ",".join("?" for _ in rules_run)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        n += conn.execute(f"UPDATE alerts SET last_seen_at = ? WHERE report_id IN ({','.join('?' * len(chunk))})"
                          f" AND status IN ('open', 'acked') AND rule IN ({marks})",
                          (ts, *chunk, *rules_run)).rowcount
    return n
