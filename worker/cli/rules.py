"""Commands on detectors: list them, try them on one document."""
from __future__ import annotations

import json
from pathlib import Path

import click

from worker.cli.base import Ctx, _ids, lang_option, main
from worker.cli.choices import check_rules


# -- rules ----------------------------------------------------------------------------
@main.group()
def rules():
    """Detectors (rules and statistical models): list them, try them on a document."""


@rules.command("list")
@click.option("--verbose", "-v", is_flag=True, help="print each detector's description")
@lang_option
@click.pass_obj
def rules_list(obj: Ctx, verbose):
    """Detectors, rules (rules/) and statistical models (models/), with their
    kind and current thresholds; with a database, how many of each one's
    alerts auditors judged confirmed and false alarms (`alerts judge`)."""
    from alerts.verdicts import counts_by_rule
    from worker import views_alerts

    app = obj.app
    counts = counts_by_rule(app.store.conn) if str(app.store.path) != ":memory:" else None
    views_alerts.print_rules(app.cfg, verbose, obj.lang, counts)


@rules.command("test")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rule_ids", default=None, callback=check_rules,
              help="comma-separated rule ids or families (statistical models need the stored population: "
                   "use `detect --rules models...`)")
@click.option("--json", "as_json", is_flag=True, help="print the alerts as JSON lines")
@click.option("--explain", is_flag=True,
              help="also print each stated figure read from the narrative: its operands, the readings tried, the verdict")
@click.pass_obj
def rules_test(obj: Ctx, file, rule_ids, as_json, explain):
    """Parse one document without storing anything and print the alerts that
    would be raised, with their evidence: try a threshold before deploying it.
    With --explain, show why each stated figure was or was not judged."""
    from alerts.catalog import is_model
    from alerts.trial import trial
    from worker import views

    models = [r for r in _ids(rule_ids) or [] if is_model(r)]
    if models:
        # A model judges a report against the others: one document alone cannot be judged.
        raise click.BadParameter(
            f"{', '.join(models)}: statistical detectors compare a report with the stored population, so they "
            f"cannot run on one file; run `audit-worker detect --rules {models[0]}` after a backfill",
            param_hint="'--rules'")
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
        from alerts.format import tidy

        source = getattr(report, "quote_source", None)
        for f in findings:
            click.echo(json.dumps({"kind": f.kind, "rule": f.rule, "severity": f.severity, "title": tidy(f.title),
                                   "message": tidy(f.message), "evidence": f.contract_evidence(source)},
                                  ensure_ascii=False))
        for e in explained or ():
            click.echo(json.dumps({"claim": e.claim.type, "stated": e.claim.stated.value, "quote": e.claim.quote.text,
                                   "operands": e.operands, "verdict": e.verdict, "why": e.why,
                                   "readings": [{"reading": r[0], "computed": r[1], "fits": r[2]} for r in e.readings]},
                                  ensure_ascii=False))
        return
    if explained is not None:
        views.print_explained(explained)
    views.print_findings(findings, report)
