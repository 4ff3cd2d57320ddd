"""`coverage`: which expected departments published, late, or not at all (issue 18)."""
from __future__ import annotations

import click

from worker.cli.base import Ctx, main


@main.command()
@click.option("--year", type=int, required=True, help="the fiscal year of the reports (e.g. 2024)")
@click.option("--source", "source", default=None, help="only the departments expected from this source")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--alert", "alert", is_flag=True,
              help="also raise and withdraw report_missing / late_publication alerts (as a poll cycle does)")
@click.option("--deliver", is_flag=True, help="with --alert: queue and send the alerts through the channels")
@click.pass_obj
def coverage(obj: Ctx, year, source, fmt, alert, deliver):
    """Each expected department × report type of a fiscal year: found, late,
    missing or pending, with the report found (id, title, source), its
    publication date and where that was read, the due date and where it came
    from ([[expected]] deadline, [disclosure.deadlines], the 批复 date +
    publish_within_days), and the days late. Exits 0."""
    from worker.duties import coverage as cov
    from worker.duties.evaluate import evaluate

    app = obj.app
    names = {s["name"] for s in app.cfg.sources}
    if source and names and source not in names:
        raise click.BadParameter(f"no source named {source!r} (configured: {', '.join(sorted(names))})",
                                 param_hint="--source")
    if alert:
        from alerts.duties import sync

        d = sync(app, queue="each" if deliver else None)
        click.echo(f"disclosure duties: {d.new} new, {d.updated} re-raised, {d.withdrawn} withdrawn", err=True)
        if deliver:
            from alerts.outbox import flush

            click.echo(flush(app).text(), err=True)
    items = cov.rows(evaluate(app, year=year, source=source, record=False))
    if fmt == "table":
        cov.print_table(items, year)
    else:
        click.echo(cov.render(items, fmt), nl=False)
