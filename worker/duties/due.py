"""Each expected (department, year, type): its report, due date and status (pure).

Due date: the 批复 date printed in the report + publish_within_days when
known; else the entry's deadline, the region's or source's, the global one;
else none (no judgement). Status: found (on or before the due date + grace),
late, missing (due date passed, nothing found), pending (not yet due),
no_deadline (nothing found and no due date).

The publication date is reports.published_at with where it was read. A report
known only by when we first saw it (first_seen) was published no later than
that, so it is on time when first seen by the due date. Seen after it, it is
late only when its source was polled successfully after the due date without
listing it (a proof kept in duty_unseen); otherwise its date is unknown and
the status says so (found, 发布日期未知).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from worker.duties.names import core_keys, entry_region, issuer_from_title, matches, normalize, split
from worker.duties.settings import Disclosure, Expected, fixed_deadline

CHINA = timezone(timedelta(hours=8))
READ_FROM = ("meta", "page", "list", "feed", "attachment")      # published_from values that are read dates


def local_date(ts: str | None) -> date | None:
    """'2025-09-10', '2025-09-10 10:00' or an ISO time with a zone → the day in China."""
    if not ts:
        return None
    t = str(ts).strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        try:
            return date.fromisoformat(t[:10])
        except ValueError:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(CHINA)
    return dt.date()


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def duty_key(e: Expected, year: int, typ: str) -> str:
    return f"{e.source}|{e.name}|{year}|{typ}"


@dataclass
class Duty:
    entry: Expected
    year: int
    type: str
    status: str = ""                 # found | late | missing | pending | no_deadline
    note: str = ""                   # 发布日期未知, …
    report: dict | None = None
    published: date | None = None
    published_from: str = ""         # meta | page | list | feed | attachment | first_seen | unrecorded
    due: date | None = None
    due_from: str = ""               # 批复日期+20天, expected[0], [disclosure.deadlines] 北京市, …
    days_late: int | None = None
    days_late_at_least: bool = False     # from a poll that did not list it, not the publication date
    unseen_at: str = ""
    candidates: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return duty_key(self.entry, self.year, self.type)


def published_of(r: dict) -> tuple[date | None, str]:
    """The report's publication day and where it was read ('first_seen' when only seen)."""
    frm = r.get("published_from")
    if r.get("published_at") and frm != "first_seen":
        return local_date(r["published_at"]), frm or "unrecorded"
    return local_date(r.get("first_seen")), "first_seen"


def is_read(frm: str) -> bool:
    return frm in READ_FROM or frm == "unrecorded"


def fixed_due(d: Disclosure, e: Expected, year: int) -> tuple[date | None, str]:
    """The due date when no 批复 date is known: the entry's, the region's or source's, the global one."""
    if (due := e.deadline_for(year)) is not None:
        return due, e.origin or "expected"
    region = entry_region(e.name, e.region)
    best = ""
    for k in d.deadlines:
        if region and (region.startswith(k) or region.endswith(k)) and len(k) > len(best):
            best = k
    if best:
        return fixed_deadline(d.deadlines[best], year), f"[disclosure.deadlines] {best}"
    if e.source and e.source in d.deadlines:
        return fixed_deadline(d.deadlines[e.source], year), f"[disclosure.deadlines] {e.source}"
    if d.deadline:
        return fixed_deadline(d.deadline, year), "[disclosure] deadline"
    return None, ""


def approval_due(d: Disclosure, r: dict) -> date | None:
    a = local_date(r.get("approved_at"))
    return a + timedelta(days=d.publish_within_days) if a else None


def _issuer(r: dict) -> str:
    return r.get("issuer") or issuer_from_title(r.get("title") or "")


class Index:
    """Reports by (year, type, name core): each duty looks only at reports whose
    issuer could name it, instead of at every report (matches() then decides).
    A core is filed also without a leading bare unit word (区政务服务局 → 政务服务局),
    so every pair same_core() accepts shares a slot."""

    def __init__(self, reports: list[dict]):
        self.slots: dict[tuple, list[dict]] = {}
        for r in reports:
            issuer = _issuer(r)
            if not issuer:
                continue
            for k in core_keys(split(issuer).core):
                self.slots.setdefault((r.get("year"), r.get("report_type"), k), []).append(r)

    def candidates(self, names: list[str], year: int, typ: str) -> list[dict]:
        seen: dict[int, dict] = {}
        for n in names:
            for k in core_keys(split(n).core):
                for r in self.slots.get((year, typ, k), ()):
                    seen.setdefault(id(r), r)
        return list(seen.values())


def matching(e: Expected, year: int, typ: str, reports: list[dict] | Index) -> list[dict]:
    names = [e.name, *e.aliases]
    region = entry_region(e.name, e.region)
    pool = reports.candidates(names, year, typ) if isinstance(reports, Index) else reports
    found = [r for r in pool
             if r.get("year") == year and r.get("report_type") == typ
             and matches(names, region, e.source, _issuer(r), r.get("region") or "", r.get("source_name") or "")]
    return sorted(found, key=lambda r: r["id"])


def judge(d: Disclosure, e: Expected, year: int, typ: str, reports: list[dict] | Index, unseen: dict[tuple, str],
          today: date) -> Duty:
    """`unseen`: (duty key, source name) → when that source was polled after the due date without the report."""
    duty = Duty(e, year, typ, candidates=matching(e, year, typ, reports))
    grace = timedelta(days=d.grace_days)
    if duty.candidates:
        # The earliest publication among the reports found (a republication does not make it late).
        r = min(duty.candidates, key=lambda r: (published_of(r)[0] or date.max, r["id"]))
        duty.report = r
        duty.published, duty.published_from = published_of(r)
        due = approval_due(d, r)
        if due is not None:
            duty.due, duty.due_from = due, f"批复日期+{d.publish_within_days}天"
        else:
            duty.due, duty.due_from = fixed_due(d, e, year)
        if duty.due is None or duty.published is None:
            duty.status, duty.note = "found", ("无截止日期" if duty.due is None else "发布日期未知")
        elif duty.published <= duty.due + grace:
            duty.status = "found"
        elif duty.published_from != "first_seen":
            duty.status, duty.days_late = "late", (duty.published - duty.due).days
        else:
            proof = unseen.get((duty.key, r.get("source_name") or ""))
            seen = local_date(proof)
            if proof and seen is not None and seen > duty.due + grace and proof < (r.get("first_seen") or ""):
                duty.status, duty.unseen_at = "late", proof
                duty.days_late, duty.days_late_at_least = (seen - duty.due).days, True
            else:
                duty.status, duty.note = "found", "发布日期未知"
        return duty
    duty.due, duty.due_from = fixed_due(d, e, year)
    if duty.due is None:
        duty.status, duty.note = "no_deadline", "无截止日期"
    elif today > duty.due + grace:
        duty.status = "missing"
    else:
        duty.status = "pending"
    return duty


def duties(d: Disclosure, entries: list[Expected], reports: list[dict], unseen: dict[tuple, str],
           today: date, year: int | None = None, source: str | None = None) -> list[Duty]:
    out, seen = [], set()
    index = Index(reports)
    for e in entries:
        if source and e.source != source:
            continue
        for y in e.years:
            if year is not None and y != year:
                continue
            for t in e.types:
                k = (e.source, normalize(e.name), y, t)
                if k in seen:
                    continue        # owed twice (settings.duplicates refuses it at load): judged once
                seen.add(k)
                out.append(judge(d, e, y, t, index, unseen, today))
    return out


def late_unexpected(d: Disclosure, reports: list[dict], claimed: set[int]) -> list[dict]:
    """Reports no expected entry claims, published after 批复 + publish_within_days (+ grace), both dates
    read from the page or report (never first_seen)."""
    out = []
    for r in reports:
        if r["id"] in claimed or not r.get("approved_at") or not r.get("published_at"):
            continue
        pub, frm = published_of(r)
        due = approval_due(d, r)
        if pub is None or due is None or not is_read(frm):
            continue
        if pub > due + timedelta(days=d.grace_days):
            out.append({"report": r, "published": pub, "published_from": frm, "due": due,
                        "days_late": (pub - due).days})
    return out
