"""Operator commands: deliver, channels, status, config check."""
from __future__ import annotations

import json
import sys

import click

from worker.cli.base import Ctx, _echo_text, lang_option, main
from worker.config import ConfigError


# -- delivery ------------------------------------------------------------------------------
@main.command()
@click.option("--channel", "channels", multiple=True,
              help="only this channel (repeatable): a channel as named in the config (an email channel means "
                   "all its recipient groups) or one group, NAME/GROUP")
@click.option("--resend-unsure", is_flag=True,
              help="first queue again the deliveries left 'unsure' after two crashes mid-send")
@click.option("--retry-failed", is_flag=True,
              help="first queue again the failed deliveries (after fixing the channel): attempts reset, an event "
                   "recorded; never those of acknowledged, silenced or withdrawn alerts or already delivered")
@click.option("--alert", "alert_ids", multiple=True, type=int,
              help="with --retry-failed: only the failed deliveries of this alert id (repeatable)")
@click.pass_obj
def deliver(obj: Ctx, channels, resend_unsure, retry_failed, alert_ids):
    """Send every due delivery in the outbox (retries included).

    Exits 0 when nothing failed, 1 when a delivery failed, 2 for an unknown
    channel name or --alert without --retry-failed."""
    from alerts.outbox import flush, target_names

    if alert_ids and not retry_failed:
        raise click.UsageError("--alert selects failed deliveries to queue again: use it with --retry-failed")
    only: list[str] = []
    for name in channels:
        try:
            only += [t for t in target_names(obj.app.cfg, name) if t not in only]
        except LookupError as e:
            raise click.BadParameter(str(e), param_hint="--channel") from None
    if resend_unsure or retry_failed:
        from alerts.schema import ensure_columns

        ensure_columns(obj.app.store)
    if resend_unsure:
        from alerts.lease import resend_unsure as requeue

        click.echo(f"{requeue(obj.app.store)} unsure deliveries queued again")
    if retry_failed:
        from alerts.requeue import requeue_failed

        done = requeue_failed(obj.app.store, obj.app.cfg, channels=only or None, alert_ids=list(alert_ids) or None,
                              by=_operator())
        _echo_text(done.text())
    res = flush(obj.app, only=only or None)
    _echo_text(res.text())
    sys.exit(0 if res.failed == 0 else 1)


def _operator() -> str:
    """Who queued deliveries again, for the alert's history."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:          # no user name in a bare container
        return "operator"


@main.group()
def channels():
    """Delivery channels."""


@channels.command("test")
@click.argument("name")
@click.pass_obj
def channels_test(obj: Ctx, name):
    """Send a clearly marked test notification through one channel.

    NAME is a channel as named in the config (`hook`; an email channel with
    one recipient group: `mail`) or one group of an email channel
    (`mail/auditors`). Exits 0 when delivered, 1 when it failed or NAME is
    unknown or names several groups (the valid names are listed)."""
    from alerts.manage import test_channel
    from alerts.outbox import target_names

    try:
        ok, detail = test_channel(obj.app.cfg, name)
    except LookupError as e:
        raise click.ClickException(str(e.args[0])) from None
    name = target_names(obj.app.cfg, name)[0]
    _echo_text(("OK   " if ok else "FAIL ") + f"{name}: {detail}")
    sys.exit(0 if ok else 1)


# -- operations ---------------------------------------------------------------------------
@main.command()
@click.option("--json", "as_json", is_flag=True, help="machine-readable output for monitoring")
@lang_option
@click.pass_obj
def status(obj: Ctx, as_json):
    """Last runs, sources with errors, pending and failed deliveries, open alerts.

    Exits 1 when unhealthy (for an external monitor): the database fails
    PRAGMA quick_check, a run died or failed since the last good one,
    deliveries have failed, the daemon's heartbeat is older than twice the
    poll interval, or a source has failed too many polls in a row. The
    reasons are listed under "problems"."""
    from worker import status as st

    data = st.collect(obj.app)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        from worker import views        # rich: only for the terminal view

        views.print_status(data, obj.lang)
    sys.exit(0 if data["healthy"] else 1)


@main.group()
def config():
    """The configuration file."""


@config.command("check")
@click.option("--no-env", is_flag=True,
              help="do not require the environment variables named by *_env keys to be set "
                   "(checking a config away from the machine that holds the secrets)")
@click.option("--strict", is_flag=True,
              help="warnings fail too (exit 2): e.g. a webhook receiver whose name resolves here to a "
                   "private address without allow_private")
@click.pass_obj
def config_check(obj: Ctx, no_env, strict):
    """Validate config.toml: every wrong key, type or value is reported with
    the file and the key, before anything runs; also that regular expressions
    and selectors compile, URLs are http(s) without credentials, email
    channels have a host and recipients, a webhook receiver given as a
    private, loopback or link-local address (or localhost) has
    allow_private = true, and the environment variables that hold the
    secrets are named correctly and set.

    A webhook receiver given by a DNS name is resolved here (at most 3 s):
    a private address is a warning, since DNS may answer differently where
    the daemon runs (every send checks it again). Exits 0 when valid
    (warnings are printed), 2 with every problem (or a warning with
    --strict)."""
    from worker import config as cfgmod
    from worker.config_checks import resolved_warnings

    try:
        cfg = cfgmod.load(obj.config_path, env=not no_env)
    except ConfigError as e:
        click.echo("configuration error:\n" + str(e), err=True)
        sys.exit(2)
    warnings, notes = resolved_warnings(cfg.data)
    for w in warnings:
        _echo_text(f"warning: {w}")
    for n in notes:
        _echo_text(f"note: {n}")
    if strict and warnings:
        click.echo(f"{cfg.path}: {len(warnings)} warning(s), failing because of --strict", err=True)
        sys.exit(2)
    click.echo(f"{cfg.path or '(defaults: no config file)'}: OK — {len(cfg.sources)} sources, "
               f"{len(cfg.channels)} channels" + (f", {len(warnings)} warning(s)" if warnings else ""))
