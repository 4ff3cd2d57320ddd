"""The ledger in SQLite: tables recognized, facts, statements, and views.

`encode` runs in the parser process (rows ready to insert), `save` writes
them in the report's transaction, `load` rebuilds the `Reading` for detectors
re-run on stored reports. Analysts query `ledger` (one row per figure, dims as
JSON), `doc_tables`, and the views of worker/schema_views.py (`ledger_facts`,
`ledger_<table id>`, `report_figures`); docs/schema.md describes them all.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from worker.facts import Quote
from worker.ledger import Heading, LFact, Reading, ReadTable, Statement
from worker.numbers import Num

DDL = """
CREATE TABLE IF NOT EXISTS doc_tables (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    type TEXT, title TEXT, unit TEXT, kind TEXT,
    page INTEGER, page_end INTEGER, table_start INTEGER, table_end INTEGER,
    n_rows INTEGER, n_cols INTEGER, facts INTEGER,
    status TEXT, has_figures INTEGER,
    unmapped TEXT, notes TEXT, empty_note TEXT, empty_note_start INTEGER,
    title_start INTEGER, title_end INTEGER,
    PRIMARY KEY (report_id, idx)
);
CREATE TABLE IF NOT EXISTS ledger (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    concept TEXT NOT NULL,
    dims TEXT NOT NULL,
    measure TEXT, period TEXT,
    value REAL, unit TEXT, kind TEXT, precision INTEGER, raw TEXT, scale REAL, approx INTEGER,
    found_in TEXT, table_idx INTEGER, row INTEGER, col INTEGER,
    label TEXT, header TEXT, page INTEGER,
    raw_start INTEGER, raw_end INTEGER, quote_start INTEGER, quote_end INTEGER,
    label_start INTEGER, label_end INTEGER, blank INTEGER, section TEXT,
    PRIMARY KEY (report_id, seq)
);
CREATE INDEX IF NOT EXISTS ledger_concept ON ledger(concept, measure);
CREATE TABLE IF NOT EXISTS statements (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    stated TEXT, subject INTEGER, base TEXT, delta TEXT,
    words TEXT, direction INTEGER, page INTEGER, section TEXT,
    quote_start INTEGER, quote_end INTEGER, operands TEXT,
    PRIMARY KEY (report_id, seq)
);
CREATE TABLE IF NOT EXISTS readings (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    year INTEGER, issuer TEXT, blank_form INTEGER,
    pages TEXT, toc TEXT, placeholders TEXT, headings TEXT
);
"""

_NUM = ("value", "unit", "kind", "precision", "raw", "start", "end", "scale", "approx")


@dataclass
class LedgerRows:
    tables: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    statements: list = field(default_factory=list)
    meta: tuple = ()


def migrate(conn: sqlite3.Connection) -> None:
    """Columns added since a database was made."""
    have = {r[1] for r in conn.execute("PRAGMA table_info(statements)")}
    if "operands" not in have:
        conn.execute("ALTER TABLE statements ADD COLUMN operands TEXT")


def _num(n: Num | None) -> str | None:
    return None if n is None else json.dumps([getattr(n, f) for f in _NUM], ensure_ascii=False)


def _unnum(s: str | None) -> Num | None:
    return None if not s else Num(**dict(zip(_NUM, json.loads(s))))


def encode(reading: Reading) -> LedgerRows:
    rows = LedgerRows()
    for t in reading.tables:
        rows.tables.append((t.index, t.type, t.title, t.unit, t.kind, t.page, t.page_end, t.start, t.end, t.rows,
                            t.cols, t.facts, t.status, int(t.has_figures), json.dumps(t.unmapped, ensure_ascii=False),
                            json.dumps(t.notes, ensure_ascii=False), t.empty_note, t.empty_note_start,
                            t.title_start, t.title_end))
    for i, f in enumerate(reading.facts):
        n = f.num
        rows.facts.append((i, f.concept, json.dumps(dict(f.dims), ensure_ascii=False, sort_keys=True), f.measure,
                           f.period, n.value, n.unit, n.kind, n.precision, n.raw, n.scale, int(n.approx), f.where,
                           f.table, f.row, f.col, f.label, f.header, f.page, n.start, n.end, f.quote.start,
                           f.quote.end, f.label_start, f.label_end, int(f.blank), f.section))
    for i, s in enumerate(reading.statements):
        rows.statements.append((i, s.type, _num(s.stated), s.subject, json.dumps(s.base, ensure_ascii=False),
                                _num(s.delta), s.words, s.direction, s.page, s.section, s.quote.start, s.quote.end,
                                json.dumps([_num(n) for n in s.operands]) if s.operands else None))
    rows.meta = (reading.year, reading.issuer, int(reading.blank_form), json.dumps(reading.pages),
                 json.dumps(reading.toc, ensure_ascii=False), json.dumps(reading.placeholders, ensure_ascii=False),
                 json.dumps([[h.text, h.start, h.end, h.page, h.kind] for h in reading.headings], ensure_ascii=False))
    return rows


def delete(conn: sqlite3.Connection, report_id: int) -> None:
    for t in ("doc_tables", "ledger", "statements", "readings"):
        conn.execute(f"DELETE FROM {t} WHERE report_id = ?", (report_id,))


def save(conn: sqlite3.Connection, report_id: int, rows: LedgerRows) -> None:
    delete(conn, report_id)
    conn.executemany("INSERT INTO doc_tables VALUES (?, " + ",".join("?" * 20) + ")",
                     [(report_id, *r) for r in rows.tables])
    conn.executemany("INSERT INTO ledger VALUES (?, " + ",".join("?" * 27) + ")", [(report_id, *r) for r in rows.facts])
    conn.executemany("INSERT INTO statements VALUES (?, " + ",".join("?" * 13) + ")",
                     [(report_id, *r) for r in rows.statements])
    if rows.meta:
        conn.execute("INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (report_id, *rows.meta))


def load(conn: sqlite3.Connection, report_id: int, text: str) -> Reading | None:
    meta = conn.execute("SELECT * FROM readings WHERE report_id = ?", (report_id,)).fetchone()
    if meta is None:
        return None
    r = Reading(year=meta["year"], issuer=meta["issuer"] or "", blank_form=bool(meta["blank_form"]),
                pages=json.loads(meta["pages"] or "[]"), toc=[tuple(x) for x in json.loads(meta["toc"] or "[]")],
                placeholders=[tuple(x) for x in json.loads(meta["placeholders"] or "[]")],
                headings=[Heading(*h) for h in json.loads(meta["headings"] or "[]")])
    for t in conn.execute("SELECT * FROM doc_tables WHERE report_id = ? ORDER BY idx", (report_id,)):
        r.tables.append(ReadTable(index=t["idx"], type=t["type"] or "", title=t["title"] or "", unit=t["unit"] or "",
                                  kind=t["kind"] or "", page=t["page"], page_end=t["page_end"],
                                  start=t["table_start"], end=t["table_end"], rows=t["n_rows"], cols=t["n_cols"],
                                  facts=t["facts"],
                                  has_figures=bool(t["has_figures"]), status=t["status"],
                                  unmapped=json.loads(t["unmapped"] or "[]"), notes=json.loads(t["notes"] or "[]"),
                                  empty_note=t["empty_note"] or "", empty_note_start=t["empty_note_start"],
                                  title_start=t["title_start"], title_end=t["title_end"]))
    for f in conn.execute("SELECT * FROM ledger WHERE report_id = ? ORDER BY seq", (report_id,)):
        n = Num(value=f["value"], unit=f["unit"] or "", kind=f["kind"], precision=f["precision"], raw=f["raw"],
                start=f["raw_start"], end=f["raw_end"], scale=f["scale"], approx=bool(f["approx"]))
        qs, qe = f["quote_start"], f["quote_end"]
        r.facts.append(LFact(concept=f["concept"], dims=tuple(sorted(json.loads(f["dims"]).items())), num=n,
                             quote=Quote(text[qs:qe], qs, qe), where=f["found_in"], measure=f["measure"],
                             period=f["period"], table=f["table_idx"], row=f["row"], col=f["col"], label=f["label"],
                             header=f["header"], page=f["page"], blank=bool(f["blank"]), section=f["section"] or "",
                             label_start=f["label_start"], label_end=f["label_end"]))
    for s in conn.execute("SELECT * FROM statements WHERE report_id = ? ORDER BY seq", (report_id,)):
        qs, qe = s["quote_start"], s["quote_end"]
        r.statements.append(Statement(type=s["type"], quote=Quote(text[qs:qe], qs, qe), stated=_unnum(s["stated"]),
                                      subject=s["subject"], base=[_key(b) for b in json.loads(s["base"] or "[]")],
                                      delta=_unnum(s["delta"]), words=s["words"] or "", direction=s["direction"],
                                      page=s["page"], section=s["section"] or "",
                                      operands=[_unnum(n) for n in json.loads(s["operands"] or "[]")]))
    return r


def _key(b: list) -> tuple:
    """A base key back from JSON: (concept, dims, measure, period) with dims as tuples."""
    concept, dims, measure, period = b
    return (concept, tuple(tuple(x) for x in dims), measure, period)
