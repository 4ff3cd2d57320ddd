"""Commands on stored alerts: list, show, export, ack, silence."""
from __future__ import annotations

from pathlib import Path

import click

from worker.cli.base import Ctx, main


@main.group()
def alerts():
    """Stored alerts: list, show, export, acknowledge."""


def _alert_filters(f):
    f = click.option("--report", "report_id", type=int, default=None, help="only this report")(f)
    f = click.option("--kind", "kinds", multiple=True, help="only this kind (repeatable)")(f)
    f = click.option("--min-severity", type=click.Choice(["info", "low", "medium", "high"]), default=None)(f)
    f = click.option("--all", "include_withdrawn", is_flag=True, help="include withdrawn alerts")(f)
    f = click.option("--since", default=None, help="created at or after (ISO date)")(f)
    f = click.option("--until", default=None, help="created at or before (ISO date)")(f)
    return f


@alerts.command("list")
@_alert_filters
@click.pass_obj
def alerts_list(obj: Ctx, report_id, kinds, min_severity, include_withdrawn, since, until):
    """List alerts, highest severity first within each report."""
    from alerts.export import alert_rows
    from worker import views

    rows = alert_rows(obj.app.store.conn, include_withdrawn=include_withdrawn, report_id=report_id,
                      kinds=list(kinds) or None, min_severity=min_severity, since=since, until=until)
    views.print_alerts(rows)


@alerts.command("show")
@click.argument("alert_id", type=int)
@click.pass_obj
def alerts_show(obj: Ctx, alert_id):
    """Show one alert with its evidence, quotes and history."""
    from alerts.export import alert_rows, to_contract
    from worker import views

    rows = alert_rows(obj.app.store.conn, include_withdrawn=True, ids=[alert_id])
    if not rows:
        raise click.ClickException(f"no alert #{alert_id}")
    events = obj.app.store.conn.execute("SELECT event, at, detail FROM alert_events WHERE alert_id = ? ORDER BY id",
                                        (alert_id,)).fetchall()
    views.print_alert(to_contract(rows[0]), events)


@alerts.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="file to write (default: stdout)")
@_alert_filters
@click.pass_obj
def alerts_export(obj: Ctx, fmt, output, report_id, kinds, min_severity, include_withdrawn, since, until):
    """Export alerts in the alert contract (JSON lines) or as CSV."""
    from alerts.export import alert_rows, csv_text, jsonl

    rows = alert_rows(obj.app.store.conn, include_withdrawn=include_withdrawn, report_id=report_id,
                      kinds=list(kinds) or None, min_severity=min_severity, since=since, until=until)
    text = ("\n".join(jsonl(rows)) + ("\n" if rows else "")) if fmt == "jsonl" else csv_text(rows)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{len(rows)} alerts written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@alerts.command("ack")
@click.argument("alert_id", type=int)
@click.option("--by", "by", required=True, help="who acknowledges (recorded)")
@click.option("--comment", required=True, help="why (recorded)")
@click.pass_obj
def alerts_ack(obj: Ctx, alert_id, by, comment):
    """Acknowledge an alert: no further notices are sent for it."""
    from alerts.manage import ack

    try:
        cancelled = ack(obj.app.store, alert_id, by, comment)
    except LookupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"alert #{alert_id} acknowledged by {by}; {cancelled} pending notices cancelled")


@main.group(invoke_without_command=True)
@click.option("--rule", "rule", default=None, help="silence a detector id or family")
@click.option("--report", "report", type=int, default=None, help="silence a report id")
@click.option("--kind", "kind", default=None, help="silence an alert kind")
@click.option("--until", "until", default=None, help="end of the silence (ISO date or datetime); default: until expired")
@click.option("--by", "by", default=None, help="who silences (required to create one)")
@click.option("--comment", default=None, help="why (required to create one)")
@click.pass_context
def silence(ctx, rule, report, kind, until, by, comment):
    """Stop deliveries for a rule, a report or a kind, with who, why and until when.

    `silence --rule X --by NAME --comment TEXT` creates one; `silence list` and
    `silence expire ID` manage them."""
    if ctx.invoked_subcommand is not None:
        return
    from alerts.manage import add_silence

    chosen = [(m, v) for m, v in (("rule", rule), ("report", report), ("kind", kind)) if v is not None]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --rule, --report or --kind")
    if not by or not comment:
        raise click.UsageError("--by and --comment are required: a silence records who and why")
    try:
        sid = add_silence(ctx.obj.app.store, chosen[0][0], str(chosen[0][1]), until, by, comment)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    click.echo(f"silence #{sid}: {chosen[0][0]} = {chosen[0][1]} until {until or 'expired'} ({by}: {comment})")


@silence.command("list")
@click.option("--all", "show_all", is_flag=True, help="include expired silences")
@click.pass_obj
def silence_list(obj: Ctx, show_all):
    """Active silences (and expired ones with --all)."""
    from alerts.manage import silences
    from worker import views

    views.print_silences(silences(obj.app.store, show_all))


@silence.command("expire")
@click.argument("silence_id", type=int)
@click.pass_obj
def silence_expire(obj: Ctx, silence_id):
    """End a silence now."""
    from alerts.manage import expire_silence

    if not expire_silence(obj.app.store, silence_id):
        raise click.ClickException(f"no active silence #{silence_id}")
    click.echo(f"silence #{silence_id} expired")
