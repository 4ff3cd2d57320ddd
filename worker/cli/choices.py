"""Checks of names typed on the command line (detector ids, fact kinds): a
name that would select nothing is refused (exit 2) with the valid choices."""
from __future__ import annotations

import click


def check_rules(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `--rules ID,...`: every id must name a detector or family (rules or models)."""
    from alerts.catalog import unknown_rules
    from worker.cli.base import _ids

    names = _ids(value)
    if names:
        msg = unknown_rules(names)
        if msg:
            raise click.BadParameter(msg, ctx=ctx, param=param)
    return value


def check_fact_kinds(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `--facts KIND,...`: every kind must be a stored fact kind."""
    from alerts.catalog import close
    from worker.cli.base import _ids
    from worker.facts import FACT_TYPES

    valid = sorted(FACT_TYPES)
    bad = [k for k in _ids(value) or [] if k not in FACT_TYPES]
    if bad:
        near = {n for b in bad for n in close(b, valid, 3)}
        raise click.BadParameter(f"unknown fact kind {', '.join(map(repr, bad))}"
                                 + (f" (did you mean {', '.join(sorted(near))}?)" if near else "")
                                 + f"; the kinds are: {', '.join(valid)}", ctx=ctx, param=param)
    return value


def check_alert_kinds(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """Click callback of `--kind KIND` (repeatable): every kind must be one an alert can have
    (a known kind with no alert stored is fine: it lists nothing)."""
    from alerts.catalog import close, kinds

    known = kinds()
    bad = [k for k in value if k not in known]
    if bad:
        near = {n for b in bad for n in close(b, known, 3)}
        raise click.BadParameter(f"unknown alert kind {', '.join(map(repr, bad))}"
                                 + (f" (did you mean {', '.join(sorted(near))}?)" if near else "")
                                 + f"; the kinds are: {', '.join(known)}", ctx=ctx, param=param)
    return value


def report_statuses() -> tuple[str, ...]:
    """Every status a stored report can have: pending (not read yet), failed, out_of_range, and the final ones."""
    from worker.ingest import FINAL_STATUSES

    return tuple(sorted({"pending", "failed", "out_of_range", *FINAL_STATUSES}))


def check_report_status(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `reports list --status`: a status a report can have."""
    from alerts.catalog import close

    if value is None:
        return None
    valid = list(report_statuses())
    if value not in valid:
        near = close(value, valid, 3)
        raise click.BadParameter(f"unknown report status {value!r}"
                                 + (f" (did you mean {', '.join(near)}?)" if near else "")
                                 + f"; the statuses are: {', '.join(valid)}", ctx=ctx, param=param)
    return value


def time_bound(text: str | None, end: bool) -> str | None:
    """An ISO date or datetime as UTC ISO text comparable with stored times (ValueError if not one).

    A plain date is a whole day: from 00:00 as a start (`end` False), through
    23:59:59 as an end; a datetime without an offset is UTC."""
    from datetime import date, datetime, time, timezone

    if text is None:
        return None
    t = text.strip()
    try:
        if not any(c in t for c in "T :"):
            d = date.fromisoformat(t)
            dt = datetime.combine(d, time(23, 59, 59) if end else time(0, 0, 0))
        else:
            dt = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"expected an ISO date (2026-11-24) or datetime (2026-11-24T18:00, "
                         f"2026-11-24T18:00+08:00), got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def check_since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `--since`: a date means from its 00:00 UTC."""
    try:
        return time_bound(value, end=False)
    except ValueError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None


def check_until(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `--until`: a date means through the end of that day (UTC)."""
    try:
        return time_bound(value, end=True)
    except ValueError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None


def require_report(conn, report_id: int | None) -> None:
    """`alerts --report ID`: the report must be stored (an id that is not selects nothing): exit 2 if not."""
    from alerts.manage import SilenceError, check_silence

    if report_id is None:
        return
    try:
        check_silence(conn, "report", str(report_id))
    except SilenceError as e:
        raise click.BadParameter(str(e), param_hint="'--report'") from None
