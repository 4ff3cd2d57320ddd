"""Commands on stored alerts: list, show, export, ack, judge, silence."""
from __future__ import annotations

import json
from pathlib import Path

import click

from worker.cli.base import Ctx, lang_option, main
from worker.cli.choices import check_alert_kinds, check_since, check_until, require_report

STATES = ("open", "acked", "silenced", "withdrawn", "judged")     # as worker/web/queries.STATUSES


@main.group()
def alerts():
    """Stored alerts: list, show, export, acknowledge, judge."""


def _alert_filters(f):
    f = click.option("--report", "report_id", type=int, default=None,
                     help="only this report (a stored report id, see `reports list`)")(f)
    f = click.option("--kind", "kinds", multiple=True, callback=check_alert_kinds,
                     help="only this kind (repeatable; see `rules list`); an unknown kind is refused (exit 2)")(f)
    f = click.option("--min-severity", type=click.Choice(["info", "low", "medium", "high"]), default=None)(f)
    f = click.option("--status", "states", type=click.Choice(STATES), multiple=True,
                     help="only alerts in this state (repeatable): open, acked, silenced (open but covered by an "
                          "active silence), withdrawn, judged (with a verdict: `alerts judge`)")(f)
    f = click.option("--all", "include_withdrawn", is_flag=True, help="include withdrawn alerts")(f)
    f = click.option("--since", default=None, callback=check_since,
                     help="created at or after: ISO date (from 00:00 UTC) or datetime (no offset: UTC)")(f)
    f = click.option("--until", default=None, callback=check_until,
                     help="created at or before: ISO date (through the end of that day, UTC) or datetime")(f)
    f = lang_option(f)
    return f


def _select(obj: Ctx, report_id, kinds, min_severity, states, include_withdrawn, since, until):
    """The alerts the filters ask for, and each one's state (open/acked/silenced/withdrawn/judged) by id."""
    from alerts.export import alert_rows
    from alerts.manage import judged_ids, silences, state

    conn = obj.app.store.conn
    require_report(conn, report_id)
    rows = alert_rows(conn, include_withdrawn=include_withdrawn or "withdrawn" in states, report_id=report_id,
                      kinds=list(kinds) or None, min_severity=min_severity, since=since, until=until,
                      operator="source_failure" in kinds)      # operator alerts only when asked for by kind
    active = silences(obj.app.store)
    judged = judged_ids(conn)
    by_id = {r["id"]: state(r, active, r["id"] in judged) for r in rows}
    if states:
        rows = [r for r in rows if by_id[r["id"]] in states]
    return rows, by_id, active


@alerts.command("list")
@_alert_filters
@click.option("--json", "as_json", is_flag=True,
              help="print JSON lines: the alert contract, plus `state` and the matching `silence`")
@click.pass_obj
def alerts_list(obj: Ctx, report_id, kinds, min_severity, states, include_withdrawn, since, until, as_json):
    """List alerts, highest severity first, then the newest."""
    from alerts.export import by_severity, to_contract
    from alerts.outbox import matching_silence
    from worker import views_alerts

    rows, by_id, active = _select(obj, report_id, kinds, min_severity, states, include_withdrawn, since, until)
    rows = by_severity(rows)
    if as_json:
        for r in rows:
            sil = matching_silence(active, r) if by_id[r["id"]] == "silenced" else None
            click.echo(json.dumps({**to_contract(r), "state": by_id[r["id"]],
                                   "silence": None if sil is None else {k: sil[k] for k in (
                                       "id", "matcher", "value", "until", "created_by", "comment")}},
                                  ensure_ascii=False))
        return
    views_alerts.print_alerts(rows, by_id, obj.lang)


@alerts.command("show")
@click.argument("alert_id", type=int)
@lang_option
@click.pass_obj
def alerts_show(obj: Ctx, alert_id):
    """Show one alert with its evidence, quotes, history and deliveries."""
    from alerts.export import alert_rows, to_contract
    from alerts.manage import judged_ids, silences, state
    from alerts.outbox import matching_silence
    from worker import views_alerts

    conn = obj.app.store.conn
    rows = alert_rows(conn, include_withdrawn=True, ids=[alert_id])
    if not rows:
        raise click.ClickException(f"no alert #{alert_id}")
    events = conn.execute("SELECT event, at, detail FROM alert_events WHERE alert_id = ? ORDER BY id",
                          (alert_id,)).fetchall()
    deliveries = conn.execute("SELECT channel, kind, status, attempts, last_error, sent_at, next_attempt_at"
                              " FROM deliveries WHERE alert_id = ? ORDER BY channel, id", (alert_id,)).fetchall()
    active = silences(obj.app.store)
    st = state(rows[0], active, alert_id in judged_ids(conn))
    views_alerts.print_alert(to_contract(rows[0]), events, deliveries, st,
                             matching_silence(active, rows[0]) if st == "silenced" else None, obj.lang)


@alerts.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="file to write (default: stdout; required for xlsx)")
@click.option("--bom/--no-bom", default=None,
              help="CSV: start with a UTF-8 byte order mark so Excel reads it as UTF-8 "
                   "(default: yes into a file, no to stdout)")
@_alert_filters
@click.pass_obj
def alerts_export(obj: Ctx, fmt, output, bom, report_id, kinds, min_severity, states, include_withdrawn, since, until):
    """Export alerts: the alert contract as JSON lines (for machines), or one
    readable row per alert as CSV or an Excel workbook (headers per --lang)."""
    from alerts.export import csv_text, jsonl

    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx writes a file: give -o FILE.xlsx")
    rows, by_id, _ = _select(obj, report_id, kinds, min_severity, states, include_withdrawn, since, until)
    if fmt == "xlsx":
        from alerts.export_xlsx import write_xlsx

        write_xlsx(rows, output, obj.lang, by_id)
        click.echo(f"{len(rows)} alerts written to {output}", err=True)
        return
    if fmt == "jsonl":
        text, encoding = "\n".join(jsonl(rows)) + ("\n" if rows else ""), "utf-8"
    else:
        # Excel on a Chinese Windows reads a CSV without a BOM as GBK: into a file it gets one.
        text = csv_text(rows, obj.lang, by_id)
        encoding = "utf-8-sig" if (bom if bom is not None else bool(output)) else "utf-8"
    if output:
        Path(output).write_bytes(text.encode(encoding))
        click.echo(f"{len(rows)} alerts written to {output}", err=True)
    else:
        click.echo(text.encode(encoding), nl=False)       # bytes: the BOM, if asked for, is written as is


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


VERDICT_CHOICES = {"confirmed": "confirmed", "false-alarm": "false_alarm"}


@alerts.command("judge")
@click.argument("alert_id", type=int)
@click.option("--verdict", type=click.Choice(list(VERDICT_CHOICES)), required=True,
              help="confirmed (a real finding) or false-alarm (the rule was wrong here)")
@click.option("--by", "by", required=True, help="who judges (recorded)")
@click.option("--comment", required=True, help="what was checked and found (recorded; required)")
@click.pass_obj
def alerts_judge(obj: Ctx, alert_id, verdict, by, comment):
    """Record a verdict on an alert: confirmed or a false alarm, with who and why.

    The latest verdict counts (`rules list` counts them per rule); the alert's
    state becomes judged. A false alarm cancels the alert's pending notices and
    no new notice is sent for it while it is the latest verdict."""
    from alerts import verdicts

    try:
        cancelled = verdicts.add(obj.app.store, alert_id, VERDICT_CHOICES[verdict], by, comment)
    except LookupError as e:
        raise click.ClickException(str(e.args[0])) from None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="'--comment'") from None
    click.echo(f"alert #{alert_id} judged {verdict} by {by}" +
               (f"; {cancelled} pending notices cancelled" if verdict == "false-alarm" else ""))


@main.group(invoke_without_command=True)
@click.option("--rule", "rule", default=None, help="silence a detector id or family (see `rules list`)")
@click.option("--report", "report", type=int, default=None, help="silence a report id (see `reports list`)")
@click.option("--kind", "kind", default=None, help="silence an alert kind")
@click.option("--until", "until", default=None,
              help="end of the silence, in the future: ISO date (00:00 UTC) or datetime; default: until expired")
@click.option("--by", "by", default=None, help="who silences (required to create one)")
@click.option("--comment", default=None, help="why (required to create one)")
@click.pass_context
def silence(ctx, rule, report, kind, until, by, comment):
    """Stop deliveries for a rule, a report or a kind, with who, why and until when.

    `silence --rule X --by NAME --comment TEXT` creates one; `silence list` and
    `silence expire ID` manage them. An unknown rule or kind, a report that is
    not stored, or an end in the past is refused (exit 2) with the valid
    choices; a known rule or kind with no alert yet is accepted (it covers
    future alerts)."""
    if ctx.invoked_subcommand is not None:
        return
    from alerts.manage import SilenceError, add_silence

    chosen = [(m, v) for m, v in (("rule", rule), ("report", report), ("kind", kind)) if v is not None]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --rule, --report or --kind")
    if not by or not comment:
        raise click.UsageError("--by and --comment are required: a silence records who and why")
    try:
        sid = add_silence(ctx.obj.app.store, chosen[0][0], str(chosen[0][1]), until, by, comment)
    except SilenceError as e:
        raise click.BadParameter(str(e), ctx=ctx, param_hint=f"'{e.option}'") from None
    click.echo(f"silence #{sid}: {chosen[0][0]} = {chosen[0][1]} until {until or 'expired'} ({by}: {comment})")


@silence.command("list")
@lang_option
@click.option("--all", "show_all", is_flag=True, help="include expired silences")
@click.pass_obj
def silence_list(obj: Ctx, show_all):
    """Active silences (and expired ones with --all)."""
    from alerts.manage import silences
    from worker import views_alerts

    views_alerts.print_silences(silences(obj.app.store, show_all), obj.lang)


@silence.command("expire")
@click.argument("silence_id", type=int)
@click.pass_obj
def silence_expire(obj: Ctx, silence_id):
    """End a silence now."""
    from alerts.manage import expire_silence

    if not expire_silence(obj.app.store, silence_id):
        raise click.ClickException(f"no active silence #{silence_id}")
    click.echo(f"silence #{silence_id} expired")
