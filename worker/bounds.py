"""--since / --until: which reports a run takes in.

A bound is a fiscal year (2022), compared with the report's year, or a date
(2022-06-01), compared with its publication date (else the day it was first
seen). A report of unknown year or date is inside every bound: nothing is
left out on a guess. Pure functions; the ingestor records a report outside
the bounds as `out_of_range` with the reason, and a later run without the
bound reads it in.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bounds:
    since: int | str | None = None
    until: int | str | None = None

    def __bool__(self) -> bool:
        return self.since is not None or self.until is not None

    def excludes(self, year: int | None, published: str | None) -> str | None:
        """Why a report of this fiscal year and publication date is outside, or None."""
        for bound, lower, flag in ((self.since, True, "--since"), (self.until, False, "--until")):
            if bound is None:
                continue
            if isinstance(bound, int):
                if year is not None and (year < bound if lower else year > bound):
                    return f"财政年度 {year} {'早于' if lower else '晚于'} {flag} {bound}"
                continue
            day = (published or "")[:10]
            if day and (day < bound if lower else day > bound):
                return f"发布日期 {day} {'早于' if lower else '晚于'} {flag} {bound}"
        return None


def out_of_range_note(why: str) -> str:
    """The reason stored with a report left out by a bound."""
    return f"{why}:本次未读入(不计算、不预警);不带该界限再运行 backfill 即可读入"


def iso_utc(text: str | None, end_of_day: bool = False) -> str | None:
    """An ISO date or datetime as UTC ISO text comparable with stored times
    (ValueError if it is not one). A plain date means 00:00 UTC that day, or
    23:59:59 with `end_of_day` (a filter's --until takes the whole day); a
    datetime without an offset is UTC."""
    from datetime import date, datetime, time, timezone

    if text is None:
        return None
    t = text.strip()
    try:
        if not any(c in t for c in "T :"):
            dt = datetime.combine(date.fromisoformat(t), time(23, 59, 59) if end_of_day else time(0, 0, 0))
        else:
            dt = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"expected an ISO date (2026-11-24) or datetime (2026-11-24T18:00, "
                         f"2026-11-24T18:00+08:00), got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()
