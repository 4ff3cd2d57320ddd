"""Schema 2 → 3: each number of a fact stored once.

Schema 2 kept every fact whole as JSON in `facts`.`data` (numbers inside as
positional arrays) and every number again, readably, in `numbers`. Schema 3
keeps the numbers only in `numbers` (one row per fact and field, WITHOUT
ROWID) and the rest of the fact in `facts` (quote offsets as columns). Runs
inside worker/schema_migrate.py's transaction, foreign keys off: each report's
facts are read as schema 2 stored them, encoded as schema 3 stores them and
written with the same fact ids into new tables that then replace the old ones.
"""
from __future__ import annotations

import json
import sqlite3

from worker import fact_rows
from worker.facts import fact_from_row

V2_FACTS = """CREATE TABLE IF NOT EXISTS facts (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT,
    data TEXT NOT NULL
)"""
V2_NUMBERS = """CREATE TABLE IF NOT EXISTS numbers (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    field TEXT,
    value REAL, unit TEXT, kind TEXT, precision INTEGER, raw TEXT,
    raw_start INTEGER, raw_end INTEGER,
    quote_start INTEGER, quote_end INTEGER
)"""
# The tables as schema 2 made them: an upgrade from schema 1 rebuilds these first.
V2_CREATES = {"facts": V2_FACTS, "numbers": V2_NUMBERS}

# The tables as schema 3 made them (schema 4 converts these: worker/schema_v4.py).
V3_FACTS = """CREATE TABLE IF NOT EXISTS facts (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    name TEXT,
    quote_start INTEGER, quote_end INTEGER,
    data TEXT
)"""
V3_NUMBERS = """CREATE TABLE IF NOT EXISTS numbers (
    fact_id INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value REAL, unit TEXT, kind TEXT, precision INTEGER,
    raw_if_differs TEXT,
    raw_start INTEGER, raw_end INTEGER,
    scale REAL, approx INTEGER,
    PRIMARY KEY (fact_id, field)
) WITHOUT ROWID"""
V3_CREATES = {"facts": V3_FACTS, "numbers": V3_NUMBERS}
V3_FACTS_INSERT = ("INSERT INTO facts (id, report_id, seq, kind, name, quote_start, quote_end, data)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
V3_NUMBERS_INSERT = ("INSERT INTO numbers (fact_id, field, value, unit, kind, precision, raw_if_differs, raw_start,"
                     " raw_end, scale, approx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _new(create: str, table: str) -> str:
    return create.replace(f"CREATE TABLE IF NOT EXISTS {table} (", f'CREATE TABLE "new_{table}" (', 1)


def convert(conn: sqlite3.Connection) -> dict[str, int]:
    """Rewrite `facts` and `numbers` in schema 3's form (inside the caller's
    transaction). Returns counts: facts, numbers, facts kept as they were
    (a kind this version does not know: their JSON and numbers are copied)."""
    conn.execute(_new(V3_FACTS, "facts"))
    conn.execute(_new(V3_NUMBERS, "numbers"))
    done = {"facts": 0, "numbers": 0, "facts kept as stored": 0}
    reports = conn.execute("SELECT DISTINCT f.report_id, r.text FROM facts f LEFT JOIN reports r ON r.id = f.report_id"
                           " ORDER BY f.report_id")
    for report_id, text in reports:
        frows, nrows = [], []
        for fid, seq, kind, name, data in conn.execute(
                "SELECT id, seq, kind, name, data FROM facts WHERE report_id = ? ORDER BY seq", (report_id,)):
            try:
                fact = fact_from_row(kind, data, text)
            except (KeyError, ValueError, TypeError, IndexError, json.JSONDecodeError):
                # Not a fact this version reads: kept as it was, numbers and all.
                frows.append((fid, report_id, seq, kind, name, None, None, data))
                nrows += [(fid, *r) for r in conn.execute(
                    "SELECT field, value, unit, kind, precision, raw, raw_start, raw_end, 1.0, 0 FROM numbers"
                    " WHERE fact_id = ?", (fid,))]
                done["facts kept as stored"] += 1
                continue
            frow, nums = fact_rows.encode_fact(seq, fact, text)
            frows.append((fid, report_id, *frow))
            nrows += [(fid, *n[1:]) for n in nums]
        conn.executemany(V3_FACTS_INSERT.replace("INTO facts", 'INTO "new_facts"'), frows)
        conn.executemany(V3_NUMBERS_INSERT.replace("INTO numbers", 'OR IGNORE INTO "new_numbers"'), nrows)
        done["facts"] += len(frows)
        done["numbers"] += len(nrows)
    for table in ("numbers", "facts"):
        conn.execute(f'DROP TABLE "{table}"')
    for table in ("facts", "numbers"):
        conn.execute(f'ALTER TABLE "new_{table}" RENAME TO "{table}"')
    return done
