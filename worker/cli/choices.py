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
