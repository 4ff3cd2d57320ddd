"""The relations of a report's tables, checked now with the production rule code.

Only failures are stored (as alerts); which relations passed is not. The
ledger detectors (rules/ledger_tables.py: ledger.sum, ledger.same_figure)
and `reports show` (worker/verify.py) take every relation from
`rules.evidence.checks`, a pure function of the stored ledger; the page calls
the same function on the same ledger (worker.ledger_store.load), so what it
shows as passed or failed is what the detectors saw. It costs about 20 ms (an idle core) for
a full 部门决算 of nine tables.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

from rules import evidence as ev
from rules.relations import Check
from worker import ledger_store
from worker.facts import ParsedReport, ReportMeta
from worker.ledger import Reading


@dataclass
class Relation:
    kind: str                 # sum | identity | equal
    ok: bool
    name: str
    where: str                # the total's place (ev.where)
    stated: float
    computed: float
    table: int                # -1: the narrative or several tables
    seqs: list[int]           # ledger seq of the total, then of the parts
    open: bool = False        # parts not read may make up the difference


@dataclass
class Checked:
    relations: list[Relation] = field(default_factory=list)
    ms: float = 0.0
    read: bool = True         # False: the report has no stored ledger (parsed by an older version)

    def of_table(self, idx: int) -> list[Relation]:
        return [r for r in self.relations if r.table == idx]

    @property
    def failed(self) -> list[Relation]:
        return [r for r in self.relations if not r.ok]


def _relation(rd: Reading, c: Check) -> Relation:
    total = rd.facts[c.total]
    return Relation(kind=c.kind, ok=c.ok, name=c.name, where=ev.where(rd, total), stated=total.num.value,
                    computed=round((c.computed[0] + c.computed[1]) / 2, 6), table=c.table, seqs=c.facts,
                    open=c.open)


def check(conn: sqlite3.Connection, report_id: int, text: str) -> Checked:
    """Every relation of the stored ledger, passed or failed (ledger seq = the index of Reading.facts)."""
    t0 = time.perf_counter()
    rd = ledger_store.load(conn, report_id, text)
    if rd is None:
        return Checked(read=False)
    checks = ev.checks(ParsedReport(text=text, meta=ReportMeta(), reading=rd))
    out = Checked([_relation(rd, c) for c in checks])
    out.ms = round((time.perf_counter() - t0) * 1000, 1)
    return out
