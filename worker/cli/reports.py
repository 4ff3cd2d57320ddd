"""Commands that show what was read: reports, taxonomy."""
from __future__ import annotations

import json

import click

from worker.cli.base import Ctx, _ids, lang_option, main
from worker.cli.choices import check_fact_kinds, check_report_status


# -- reports ------------------------------------------------------------------------
@main.group()
def reports():
    """Stored reports and what was extracted from them."""


@reports.command("list")
@click.option("--status", default=None, callback=check_report_status,
              help="only reports with this status (parsed, failed, out_of_range, …; an unknown one is refused)")
@click.option("--by-risk", is_flag=True, help="order by the statistical risk score, highest first")
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print JSON lines")
@lang_option
@click.pass_obj
def reports_list(obj: Ctx, status, by_risk, limit, as_json):
    """List reports: id, status, issuer, year, title, alerts."""
    from worker import views_reports

    rows = obj.app.list_reports(status=status, by_risk=by_risk, limit=limit)
    if as_json:
        for r in rows:
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    views_reports.print_reports(rows, obj.lang)


@reports.command("show")
@click.argument("report_id", type=int)
@click.option("--facts", "kinds", default=None, callback=check_fact_kinds,
              help="only these fact kinds (comma-separated: amount, line_item, project, indicator, claim, …)")
@click.option("--json", "as_json", is_flag=True,
              help="print one JSON object: the report, what was verified, and its facts")
@lang_option
@click.pass_obj
def reports_show(obj: Ctx, report_id, kinds, as_json):
    """Show what was read from one report: the standard tables recognized (name,
    page, rows), the relations checked and failed, what could not be read, and
    the figures extracted."""
    from worker import views_reports
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
    views_reports.print_report(row, facts, app.store.conn, obj.lang)
    if parsed is not None:
        views_reports.print_verification(ver, obj.lang)


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
