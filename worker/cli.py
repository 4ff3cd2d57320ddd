"""The command line: a thin layer over the library, one command per job."""
from __future__ import annotations

import json
import sys

from pathlib import Path

import click

from worker import app as appmod
from worker.config import ConfigError

EXIT_DATABASE = 4     # the database is corrupt, full or locked: one line on stderr, no traceback


class Main(click.Group):
    """The command group: a database fault ends any command with one clear line."""

    def invoke(self, ctx: click.Context):
        import sqlite3

        from worker.storage import DatabaseFault, describe_error

        try:
            return super().invoke(ctx)
        except (DatabaseFault, sqlite3.Error) as e:
            obj = ctx.obj if isinstance(ctx.obj, Ctx) else None
            store = obj._app.store if obj is not None and obj._app is not None else None
            line = str(e) if isinstance(e, DatabaseFault) else \
                describe_error(e, store.path if store else "(database)", store.timeout if store else None)
            if store is not None:
                store.fail_open_runs(line)      # the run is recorded as failed, not left "running"
            click.echo(f"audit-worker: {line}", err=True)
            ctx.exit(EXIT_DATABASE)


def _echo_text(text: str) -> None:
    """Print a summary that quotes file names and reasons: as text, never as terminal controls."""
    from worker.safe_text import clean

    click.echo(clean(text))


class Ctx:
    def __init__(self, config_path: str | None, db_path: str | None, log_level=None, log_format=None):
        self.config_path = config_path
        self.db_path = db_path
        self.log_level = log_level
        self.log_format = log_format
        self._app = None

    @property
    def app(self) -> "appmod.App":
        if self._app is None:
            try:
                self._app = appmod.App.open(self.config_path, self.db_path)
            except ConfigError as e:
                click.echo("configuration error (nothing was run):\n" + str(e), err=True)
                sys.exit(2)
            from worker import logs

            lg = self._app.cfg.section("logging")
            from worker.config_checks import secret_values

            logs.setup(self.log_format or lg["format"], self.log_level or lg["level"],
                       secrets=secret_values(self._app.cfg.data))
            logs.run_id_var.set(self._app.run_id)
        return self._app


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="config.toml to use (default: $AUDIT_WORKER_CONFIG, else ./config.toml if present)")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite database (default: [database] path of the config, else audit.db)")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default=None,
              help="override [logging] level")
@click.option("--log-format", type=click.Choice(["keyvalue", "json"]), default=None,
              help="override [logging] format")
@click.version_option(package_name="audit-worker")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db_path: str | None, log_level, log_format) -> None:
    """audit-worker: watch government portals for final accounts and performance
    self-evaluations, check them, and alert an audit bureau."""
    ctx.obj = Ctx(config_path, db_path, log_level, log_format)


# -- ingestion -------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--source", "source_names", multiple=True,
              help="backfill a configured source (a site) instead of files; repeatable")
@click.option("--reparse", is_flag=True, help="re-parse reports already stored (after a parser change)")
@click.option("--rules", "rule_ids", default=None, help="comma-separated detector ids to run (default: all)")
@click.option("--no-detect", is_flag=True, help="ingest only; run no detectors")
@click.option("--deliver", is_flag=True, help="queue and send each new alert through the channels")
@click.option("--digest", is_flag=True, help="send one summary per channel instead of each alert")
@click.option("--dry-run", is_flag=True, help="store nothing in the outbox and send nothing")
@click.option("--since", default=None, help="only reports of this fiscal year (2022) or published on this date (2022-06-01) or later")
@click.option("--until", default=None, help="only reports of this fiscal year or published on this date or earlier")
@click.option("--progress/--no-progress", default=None, help="show a progress bar (default: on a terminal)")
@click.option("--follow-symlinks", is_flag=True,
              help="follow symbolic links out of the given folders (default: skip them, with a note)")
@click.pass_obj
def backfill(obj: Ctx, paths, source_names, reparse, rule_ids, no_detect, deliver, digest, dry_run, since, until,
             progress, follow_symlinks):
    """Ingest files and folders (recursively) or whole sites, then run the detectors.

    Alerts are stored but not sent unless --deliver or --digest is given,
    so that a backfill of past years floods no one. An interrupted backfill
    resumes where it stopped: finished documents are skipped on the re-run.
    """
    if not paths and not source_names:
        raise click.UsageError("give files or folders, or --source NAME")
    app = obj.app
    mode = None if dry_run else ("each" if deliver else "digest" if digest else None)
    if source_names:
        if mode == "digest":
            raise click.UsageError("--digest applies to file backfills; use --deliver with --source")
        try:
            summary = app.run_once(list(source_names), deliver=bool(mode), since=_bound(since), until=_bound(until),
                                   rule_ids=_ids(rule_ids), detect=not no_detect)
        except KeyError as e:
            raise click.ClickException(str(e.args[0])) from None
        if not mode:
            summary.delivery_note = "alerts stored, nothing sent (backfill: use --deliver to notify)"
        _echo_text(summary.text())
        sys.exit(0 if not any(r.error for r, _ in summary.polls) else 1)
    summary = app.backfill(list(paths), reparse=reparse, rule_ids=_ids(rule_ids), detect=not no_detect,
                           deliver=mode, dry_run=dry_run, since=_bound(since), until=_bound(until),
                           progress=sys.stderr.isatty() if progress is None else progress,
                           follow_symlinks=follow_symlinks)
    _echo_text(summary.text())
    sys.exit(0 if summary.readable > 0 or summary.total == 0 else 1)


def _ids(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def _bound(text: str | None):
    """'2022' → 2022 (a fiscal year); '2022-06-01' → '2022-06-01' (a publication date)."""
    import re

    if text is None:
        return None
    t = str(text).strip()
    if re.fullmatch(r"\d{4}", t):
        return int(t)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return t
    raise click.BadParameter(f"expected a fiscal year (2022) or a date (2022-06-01), got {text!r}")


# -- reports ------------------------------------------------------------------------
@main.group()
def reports():
    """Stored reports and what was extracted from them."""


@reports.command("list")
@click.option("--status", default=None, help="only reports with this status (parsed, failed, …)")
@click.option("--by-risk", is_flag=True, help="order by the statistical risk score, highest first")
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print JSON lines")
@click.pass_obj
def reports_list(obj: Ctx, status, by_risk, limit, as_json):
    """List reports: id, status, issuer, year, title, alerts."""
    from worker import views

    rows = obj.app.list_reports(status=status, by_risk=by_risk, limit=limit)
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    views.print_reports(rows)


@reports.command("show")
@click.argument("report_id", type=int)
@click.option("--facts", "kinds", default=None, help="only these fact kinds (comma-separated)")
@click.option("--json", "as_json", is_flag=True,
              help="print one JSON object: the report, what was verified, and its facts")
@click.pass_obj
def reports_show(obj: Ctx, report_id, kinds, as_json):
    """Show what was read from one report: the standard tables recognized (name,
    page, rows), the relations checked and failed, what could not be read, and
    the figures extracted."""
    from worker import views
    from worker.verify import verification

    app = obj.app
    row = app.store.report(report_id)
    if row is None:
        raise click.ClickException(f"no report #{report_id}")
    facts = app.store.facts(report_id, tuple(_ids(kinds)) if kinds else None)
    parsed = app.store.parsed_report(report_id)
    ver = verification(parsed) if parsed is not None else {"read": False, "reason": row["error"] or row["status"]}
    if as_json:
        from rules.explain import explain, summary
        from worker.facts import Claim

        click.echo(json.dumps({
            "report": {k: row[k] for k in ("id", "key", "source", "status", "error", "title", "issuer", "region",
                                           "year", "report_type")},
            "verification": ver,
            "narrative": summary(explain([f for f in facts if isinstance(f, Claim)])),
            "facts": [{"kind": f.kind, **json.loads(f.to_json())} for f in facts],
        }, ensure_ascii=False))
        return
    views.print_report(row, facts, app.store.conn)
    if parsed is not None:
        views.print_verification(ver)


@main.command("taxonomy")
@click.option("--tables", "show", flag_value="tables", default=True, help="the standard tables (default)")
@click.option("--terms", "show", flag_value="terms", help="the header and label words and what they mean")
@click.option("--relations", "show", flag_value="relations", help="dimensions and identities checked")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def taxonomy_cmd(obj: Ctx, show, as_json):
    """What the reader knows of the disclosure: standard tables and their
    titles, the words of headers and labels, and the relations checked. Loaded
    from rules/taxonomy/data and the folders of [taxonomy] extra."""
    from worker import views

    obj.app  # loads config.toml, which loads and validates the taxonomy
    from rules.taxonomy import default

    views.print_taxonomy(default(), show, as_json)


# -- detection and alerts ---------------------------------------------------------
@main.command()
@click.option("--report", "report_ids", multiple=True, type=int, help="only this report (repeatable)")
@click.option("--rules", "rule_ids", default=None, help="comma-separated detector ids or families")
@click.option("--deliver", is_flag=True, help="queue and send new alerts through the channels")
@click.pass_obj
def detect(obj: Ctx, report_ids, rule_ids, deliver):
    """Re-run detectors on stored reports (after a rule or threshold change)."""
    from alerts.engine import run_detectors

    app = obj.app
    ids = list(report_ids) or app.store.report_ids()
    try:
        res = run_detectors(app, ids, rule_ids=_ids(rule_ids), queue="each" if deliver else None)
    except KeyError as e:
        raise click.ClickException(str(e.args[0])) from None
    click.echo(f"{res.reports} reports checked; alerts: {res.new} new, {res.updated} updated, "
               f"{res.withdrawn} withdrawn, {res.unchanged} unchanged")
    if deliver:
        from alerts.outbox import flush

        click.echo(flush(app).text())


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


# -- rules ----------------------------------------------------------------------------
@main.group()
def rules():
    """Detectors: list them, try them on a document."""


@rules.command("list")
@click.option("--verbose", "-v", is_flag=True, help="print each detector's description")
@click.pass_obj
def rules_list(obj: Ctx, verbose):
    """Detectors with their kind and current thresholds."""
    from worker import views

    views.print_rules(obj.app.cfg, verbose)


@rules.command("test")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rule_ids", default=None, help="comma-separated detector ids or families")
@click.option("--json", "as_json", is_flag=True, help="print the alerts as JSON lines")
@click.option("--explain", is_flag=True,
              help="also print each stated figure read from the narrative: its operands, the readings tried, the verdict")
@click.pass_obj
def rules_test(obj: Ctx, file, rule_ids, as_json, explain):
    """Parse one document without storing anything and print the alerts that
    would be raised, with their evidence: try a threshold before deploying it.
    With --explain, show why each stated figure was or was not judged."""
    from alerts.trial import trial
    from worker import views

    try:
        findings, report = trial(obj.app.cfg, file, _ids(rule_ids), obj.app.limits)
    except KeyError as e:
        raise click.ClickException(str(e.args[0])) from None
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    explained = None
    if explain:
        from rules.explain import explain as explain_claims
        from worker.facts import Claim

        explained = explain_claims(report.of(Claim))
    if as_json:
        for f in findings:
            click.echo(json.dumps({"kind": f.kind, "rule": f.rule, "severity": f.severity, "title": f.title,
                                   "message": f.message, "evidence": f.contract_evidence()}, ensure_ascii=False))
        for e in explained or ():
            click.echo(json.dumps({"claim": e.claim.type, "stated": e.claim.stated.value, "quote": e.claim.quote.text,
                                   "operands": e.operands, "verdict": e.verdict, "why": e.why,
                                   "readings": [{"reading": r[0], "computed": r[1], "fits": r[2]} for r in e.readings]},
                                  ensure_ascii=False))
        return
    if explained is not None:
        views.print_explained(explained)
    views.print_findings(findings, report)


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
        views.print_status(data)
    sys.exit(0 if data["healthy"] else 1)


# -- sources and polling -----------------------------------------------------------------
@main.command()
@click.option("--once", is_flag=True, help="poll every source once and exit (without it: run as the daemon)")
@click.option("--source", "names", multiple=True, help="only this source (repeatable)")
@click.option("--no-deliver", is_flag=True, help="store alerts but send nothing")
@click.pass_obj
def run(obj: Ctx, once, names, no_deliver):
    """Poll the configured sources, ingest what is new, detect and deliver."""
    if not once:
        from worker.scheduler import run_daemon

        sys.exit(run_daemon(obj.app))
    try:
        summary = obj.app.run_once(list(names) or None, deliver=not no_deliver)
    except KeyError as e:
        raise click.ClickException(str(e.args[0])) from None
    _echo_text(summary.text())
    sys.exit(0 if not any(r.error for r, _ in summary.polls) else 1)


@main.group()
def sources():
    """Configured sources and their state."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sources_list(obj: Ctx, as_json):
    """Each source: kind, URL, last poll, new documents, errors."""
    from worker import views

    app = obj.app
    state = {r["name"]: dict(r) for r in app.store.conn.execute("SELECT * FROM source_state")}
    rows = [{**s, **state.get(s["name"], {})} for s in app.cfg.sources]
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    views.print_sources(rows)


@main.command()
@click.pass_obj
def daemon(obj: Ctx):
    """Run as a service: poll on the [schedule], detect, deliver, until SIGTERM.

    One daemon per database; a second one exits with a message."""
    from worker.scheduler import run_daemon

    sys.exit(run_daemon(obj.app))


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


if __name__ == "__main__":  # pragma: no cover
    main()


