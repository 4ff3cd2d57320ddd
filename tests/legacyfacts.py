"""How schema 2 (audit-worker before issue 16) stored facts: the whole fact as
JSON in facts.data, numbers inside it as positional arrays, and every number
again in `numbers`. Kept for the tests that build a schema 2 database and
compare what was read back then with what is read back now."""
from __future__ import annotations

from worker import schema_v3
from worker.facts import fact_from_row

# The CREATE statements of schema 2's facts and numbers.
V2_FACTS = schema_v3.V2_FACTS.replace(" IF NOT EXISTS", "")
V2_NUMBERS = schema_v3.V2_NUMBERS.replace(" IF NOT EXISTS", "")


def encode_v2(parsed) -> tuple[list, list]:
    """Schema 2's rows: facts (seq, kind, name, data) and numbers
    (seq, field, value, unit, kind, precision, raw, start, end, quote_start, quote_end)."""
    facts, numbers = [], []
    for seq, f in enumerate([parsed.meta] + list(parsed.facts)):
        facts.append((seq, f.kind, f.display_name[:200] if f.kind != "meta" else "", f.to_json(parsed.text)))
        quote = getattr(f, "quote", None)
        qs, qe = (quote.start, quote.end) if quote else (None, None)
        for fieldname, n in f.numbers():
            numbers.append((seq, fieldname, n.value, n.unit, n.kind, n.precision, n.raw, n.start, n.end, qs, qe))
    return facts, numbers


def read_back_v2(parsed) -> list:
    """The facts schema 2 gave back for a parsed report (meta first)."""
    facts, _ = encode_v2(parsed)
    return [fact_from_row(kind, data, parsed.text) for _, kind, _, data in facts]


def difference(a, b, path: str = "") -> str | None:
    """Where two facts (or values in them) differ, types included; None when equal."""
    import dataclasses

    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} != {type(b).__name__} {b!r}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            d = difference(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            d = difference(a[k], b[k], f"{path}[{k}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


# How schema 3 (audit-worker 0.16's first round) stored facts: a `facts` table
# with an id per fact and an index on (report_id, kind), names and JSON in each
# row, numbers keyed by (fact_id, field). Its encoding of a fact is the one
# worker.fact_rows.encode_facts still makes; this is its `save`, as it was.
def save_v3(conn, report_id: int, parsed) -> None:
    from worker.fact_rows import encode_facts
    from worker.schema_v3 import V3_FACTS_INSERT, V3_NUMBERS_INSERT

    rows = encode_facts(parsed)
    conn.execute("DELETE FROM numbers WHERE fact_id IN (SELECT id FROM facts WHERE report_id = ?)", (report_id,))
    conn.execute("DELETE FROM facts WHERE report_id = ?", (report_id,))
    base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM facts").fetchone()[0] + 1
    conn.executemany(V3_FACTS_INSERT, [(base + r[0], report_id, *r) for r in rows.facts])
    conn.executemany(V3_NUMBERS_INSERT, [(base + r[0], *r[1:]) for r in rows.numbers])


def downgrade_to_v3(db, parsed_by_id: dict) -> None:
    """Replace a database's facts by schema 3's tables holding schema 3's rows,
    as a database made by audit-worker at schema 3 holds them."""
    import sqlite3

    from worker.schema_v3 import V3_FACTS, V3_NUMBERS

    c = sqlite3.connect(db)
    for (view,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
        c.execute(f'DROP VIEW "{view}"')       # made again on opening (facts is one)
    for table in ("numbers", "fact_rows", "fact_strings"):
        c.execute(f"DROP TABLE {table}")
    c.execute(V3_FACTS)
    c.execute("CREATE INDEX facts_report ON facts(report_id, kind)")
    c.execute(V3_NUMBERS)
    for rid, parsed in parsed_by_id.items():
        save_v3(c, rid, parsed)
    c.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    c.commit()
    c.close()
