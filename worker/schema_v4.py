"""Schema 3 → 4: facts keyed by report and sequence, their strings stored once.

Schema 3 kept a fact as a row of `facts` (an id, its report, seq, kind, name,
quote offsets, JSON) with an index on (report_id, kind), and its numbers in
`numbers` keyed by (fact_id, field). Schema 4 keys a fact by (report_id, seq)
in `fact_rows` (WITHOUT ROWID: the key is the table, no id, no index), keeps
its name and JSON as ids into `fact_strings` (each distinct string once) and
keys its numbers by (report_id, seq, field). The rows map one to one, so no
fact is decoded: unknown kinds are carried over as they are. Runs inside
worker/schema_migrate.py's transaction, foreign keys off; the `facts` view
(worker/schema_views.py) is made afterwards and reads as the old table did.
"""
from __future__ import annotations

import sqlite3

from worker import fact_rows


def convert(conn: sqlite3.Connection, creates: dict[str, str]) -> dict[str, int]:
    """Rewrite schema 3's `facts` and `numbers` as `fact_rows`, `fact_strings`
    and the new `numbers` (inside the caller's transaction). Returns counts."""
    conn.execute(creates["fact_strings"])
    conn.execute("CREATE INDEX IF NOT EXISTS fact_strings_hash ON fact_strings(hash)")
    conn.execute(creates["fact_rows"])
    conn.execute(creates["numbers"].replace("CREATE TABLE IF NOT EXISTS numbers (", 'CREATE TABLE "new_numbers" (', 1))
    done = {"facts": 0, "numbers": 0}
    reports = [r[0] for r in conn.execute("SELECT DISTINCT report_id FROM facts ORDER BY report_id")]
    insert_numbers = fact_rows.NUMBERS_INSERT.replace("INTO numbers", 'INTO "new_numbers"')
    for report_id in reports:
        facts = conn.execute("SELECT id, seq, kind, name, quote_start, quote_end, data FROM facts"
                             " WHERE report_id = ? ORDER BY seq", (report_id,)).fetchall()
        ids = fact_rows.intern(conn, [s for f in facts for s in (f[3], f[6]) if s])
        conn.executemany(fact_rows.FACTS_INSERT, [(report_id, seq, kind, ids.get(name), qs, qe, ids.get(data))
                                                  for _, seq, kind, name, qs, qe, data in facts])
        seq_of = {f[0]: f[1] for f in facts}
        nums = conn.execute(
            "SELECT n.fact_id, n.field, n.value, n.unit, n.kind, n.precision, n.raw_if_differs, n.raw_start,"
            " n.raw_end, n.scale, n.approx FROM numbers n JOIN facts f ON f.id = n.fact_id WHERE f.report_id = ?",
            (report_id,)).fetchall()
        conn.executemany(insert_numbers, [(report_id, seq_of[n[0]], *n[1:]) for n in nums])
        done["facts"] += len(facts)
        done["numbers"] += len(nums)
    conn.execute('DROP TABLE "numbers"')
    conn.execute('DROP TABLE "facts"')
    conn.execute('ALTER TABLE "new_numbers" RENAME TO "numbers"')
    return done
