"""Operator commands: deliver, channels, status, config check."""
from __future__ import annotations

import json
import sys

import click

from worker.cli.base import Ctx, main
from worker.config import ConfigError


# -- delivery ------------------------------------------------------------------------------
@main.command()
@click.option("--channel", "channels", multiple=True, help="only this channel target (repeatable)")
@click.option("--resend-unsure", is_flag=True,
              help="first queue again the deliveries left 'unsure' after two crashes mid-send")
@click.pass_obj
def deliver(obj: Ctx, channels, resend_unsure):
    """Send every due delivery in the outbox (retries included)."""
    from alerts.outbox import flush

    if resend_unsure:
        from alerts.lease import resend_unsure as requeue
        from alerts.schema import ensure_columns

        ensure_columns(obj.app.store)
        click.echo(f"{requeue(obj.app.store)} unsure deliveries queued again")
    res = flush(obj.app, only=list(channels) or None)
    click.echo(res.text())
    sys.exit(0 if res.failed == 0 else 1)


@main.group()
def channels():
    """Delivery channels."""


@channels.command("test")
@click.argument("name")
@click.pass_obj
def channels_test(obj: Ctx, name):
    """Send a clearly marked test notification through one channel."""
    from alerts.manage import test_channel

    try:
        ok, detail = test_channel(obj.app.cfg, name)
    except KeyError as e:
        raise click.ClickException(str(e.args[0])) from None
    click.echo(("OK   " if ok else "FAIL ") + f"{name}: {detail}")
    sys.exit(0 if ok else 1)


# -- operations ---------------------------------------------------------------------------
@main.command()
@click.option("--json", "as_json", is_flag=True, help="machine-readable output for monitoring")
@click.pass_obj
def status(obj: Ctx, as_json):
    """Last runs, sources with errors, pending and failed deliveries, open alerts.

    Exits 1 when unhealthy (for an external monitor): the database fails
    PRAGMA quick_check, a run died or failed since the last good one,
    deliveries have failed, the daemon's heartbeat is older than twice the
    poll interval, or a source has failed too many polls in a row. The
    reasons are listed under "problems"."""
    from worker import status as st
    from worker import views

    data = st.collect(obj.app)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        views.print_status(data, obj.lang)
    sys.exit(0 if data["healthy"] else 1)


@main.group()
def config():
    """The configuration file."""


@config.command("check")
@click.option("--no-env", is_flag=True,
              help="do not require the environment variables named by *_env keys to be set "
                   "(checking a config away from the machine that holds the secrets)")
@click.pass_obj
def config_check(obj: Ctx, no_env):
    """Validate config.toml: every wrong key, type or value is reported with
    the file and the key, before anything runs; also that regular expressions
    and selectors compile, URLs are http(s) without credentials, email
    channels have a host and recipients, and the environment variables that
    hold the secrets are named correctly and set."""
    from worker import config as cfgmod

    try:
        cfg = cfgmod.load(obj.config_path, env=not no_env)
    except ConfigError as e:
        click.echo("configuration error:\n" + str(e), err=True)
        sys.exit(2)
    click.echo(f"{cfg.path or '(defaults: no config file)'}: OK — {len(cfg.sources)} sources, "
               f"{len(cfg.channels)} channels")
