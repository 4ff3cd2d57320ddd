"""The duties of a database: settings + reports + source states → Duty rows.

Also keeps the proofs of lateness (worker/duties/store.py): after each
evaluation, every source polled successfully after an overdue duty's due date
while its report is still not found is recorded once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from worker.duties import due as duemod
from worker.duties import settings, store


@dataclass
class Evaluation:
    duties: list[duemod.Duty] = field(default_factory=list)
    unexpected_late: list[dict] = field(default_factory=list)
    today: date | None = None


def evaluate(app, today: date | None = None, year: int | None = None, source: str | None = None,
             record: bool = True) -> Evaluation:
    d = settings.disclosure(app.cfg)
    entries = settings.expected(app.cfg)
    today = today or duemod.today_in_china()
    conn = app.store.conn
    years = {y for e in entries for y in e.years}
    reports = store.reports(conn, years)
    unseen = store.unseen(conn)
    all_duties = duemod.duties(d, entries, reports, unseen, today)
    if record:
        _record_proofs(app, d, all_duties, unseen)
    claimed = {r["id"] for x in all_duties for r in x.candidates}
    out = Evaluation(today=today, unexpected_late=duemod.late_unexpected(d, reports, claimed))
    out.duties = [x for x in all_duties if (year is None or x.year == year)
                  and (not source or x.entry.source == source)]
    if year is not None or source:
        out.unexpected_late = [u for u in out.unexpected_late if (year is None or u["report"]["year"] == year)
                               and (not source or u["report"]["source_name"] == source)]
    return out


def _record_proofs(app, d: settings.Disclosure, duties: list[duemod.Duty], unseen: dict) -> None:
    overdue = [x for x in duties if x.status == "missing"]
    if not overdue:
        return
    ok = store.last_ok(app.store.conn)
    grace = timedelta(days=d.grace_days)
    rows = []
    for x in overdue:
        for src in ([x.entry.source] if x.entry.source else sorted(ok)):
            at = ok.get(src)
            day = duemod.local_date(at)
            # Polled after the due date and (this evaluation follows that poll) not found.
            if day is not None and day > x.due + grace and (x.key, src) not in unseen:
                rows.append((x.key, src, at))
    store.record_unseen(app.store, rows)
