"""Commands that bring reports in: backfill, detect, run, sources, daemon."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from worker.cli.base import Ctx, _bound, _echo_text, _ids, main
from worker.cli.choices import check_rules


# -- ingestion -------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--source", "source_names", multiple=True,
              help="backfill a configured source (a site) instead of files; repeatable")
@click.option("--reparse", is_flag=True,
              help="re-parse reports already stored (after a parser change); alone, every stored report "
                   "from the copies kept in the database (files from their paths)")
@click.option("--rules", "rule_ids", default=None, callback=check_rules,
              help="comma-separated detector ids to run (default: all)")
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
    Reports outside --since/--until are recorded as out_of_range, unchecked,
    and read in by a later run without the bound. `backfill --reparse` alone
    re-parses every stored report and runs the detectors on it.
    """
    if not paths and not source_names and not reparse:
        raise click.UsageError("give files or folders, or --source NAME, or --reparse alone to re-parse "
                               "every stored report")
    # Re-parsing what is stored needs a database; a missing one is a mistake (wrong --db), not a first run.
    app = obj.open_app("existing") if reparse and not paths and not source_names else obj.app
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




# -- detection and alerts ---------------------------------------------------------
@main.command()
@click.option("--report", "report_ids", multiple=True, type=int, help="only this report (repeatable)")
@click.option("--rules", "rule_ids", default=None, callback=check_rules,
              help="comma-separated detector ids or families")
@click.option("--deliver", is_flag=True, help="queue and send new alerts through the channels")
@click.option("--full", is_flag=True,
              help="check every report again, even those unchanged since their last check (same facts, rules and "
                   "settings: skipped by default)")
@click.pass_obj
def detect(obj: Ctx, report_ids, rule_ids, deliver, full):
    """Re-run detectors on stored reports (after a rule or threshold change)."""
    from alerts.engine import run_detectors

    app = obj.app
    ids = list(report_ids) or app.store.report_ids()
    try:
        res = run_detectors(app, ids, rule_ids=_ids(rule_ids), queue="each" if deliver else None, full=full)
    except KeyError as e:
        raise click.ClickException(str(e.args[0])) from None
    skipped = (f" ({res.skipped} unchanged since their last check: not read again; --full reads them)"
               if res.skipped else "")
    click.echo(f"{res.reports} reports checked{skipped}; alerts: {res.new} new, {res.updated} updated, "
               f"{res.withdrawn} withdrawn, {res.unchanged} unchanged")
    if not report_ids and not rule_ids:
        from alerts.duties import sync as duties_sync

        d = duties_sync(app, queue="each" if deliver else None)      # disclosure duties (issue 18)
        if d.new or d.updated or d.withdrawn:
            click.echo(f"disclosure duties: {d.new} new, {d.updated} re-raised, {d.withdrawn} withdrawn")
    if deliver:
        from alerts.outbox import flush

        click.echo(flush(app).text())


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
