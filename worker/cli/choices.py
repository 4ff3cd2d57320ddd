"""Checks of names typed on the command line (detector ids, fact kinds): a
name that would select nothing is refused (exit 2) with the valid choices."""
from __future__ import annotations

import click


def _refuse(what: str, plural: str, bad: list[str], valid: list[str], ctx, param) -> None:
    """Exit 2 naming the unknown values, close matches and every valid one."""
    from alerts.catalog import close

    near = sorted({n for b in bad for n in close(b, valid, 3)})
    raise click.BadParameter(f"unknown {what} {', '.join(map(repr, bad))}"
                             + (f" (did you mean {', '.join(near)}?)" if near else "")
                             + f"; the {plural} are: {', '.join(valid)}", ctx=ctx, param=param)


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
    from worker.cli.base import _ids
    from worker.facts import FACT_TYPES

    bad = [k for k in _ids(value) or [] if k not in FACT_TYPES]
    if bad:
        _refuse("fact kind", "kinds", bad, sorted(FACT_TYPES), ctx, param)
    return value


def check_alert_kinds(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """Click callback of `--kind KIND` (repeatable): every kind must be one an alert can have
    (a known kind with no alert stored is fine: it lists nothing)."""
    if not value:
        return value        # no --kind: the detectors' modules are not loaded (a fast `alerts list`)
    from alerts.catalog import kinds

    known = kinds()
    bad = [k for k in value if k not in known]
    if bad:
        _refuse("alert kind", "kinds", bad, list(known), ctx, param)
    return value


def report_statuses() -> tuple[str, ...]:
    """Every status a stored report can have: pending (not read yet), failed, out_of_range, and the final ones."""
    from worker.ingest import FINAL_STATUSES

    return tuple(sorted({"pending", "failed", "out_of_range", *FINAL_STATUSES}))


def check_report_status(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `reports list --status`: a status a report can have."""
    if value is not None and value not in report_statuses():
        _refuse("report status", "statuses", [value], list(report_statuses()), ctx, param)
    return value


def check_since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `--since`: a date means from its 00:00 UTC."""
    from worker.bounds import iso_utc

    try:
        return iso_utc(value, end_of_day=False)
    except ValueError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None


def check_until(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of `--until`: a date means through the end of that day (UTC)."""
    from worker.bounds import iso_utc

    try:
        return iso_utc(value, end_of_day=True)
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
