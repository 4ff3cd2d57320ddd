"""Terminal views of alerts, silences and the detector catalogue, in the language of `--lang`."""
from __future__ import annotations

import json

from rich.table import Table

from worker.labels import DEFAULT, Labels
from worker.safe_text import markup as m, strip_userinfo
from worker.term import SEV_STYLE, console


def _sev(L: Labels, severity: str) -> str:
    return f"[{SEV_STYLE.get(severity, '')}]{m(L.sev(severity))}[/]"


def print_alerts(rows, states: dict | None = None, lang: str = DEFAULT) -> None:
    """Alerts in the order given (the command sorts: highest severity first, then the newest)."""
    L = Labels(lang)
    t = Table(title=L("alerts.title", n=len(rows)))
    for c in ("id", "severity", "status", "kind", "report", "title"):
        t.add_column(L("col." + c), overflow="fold")
    for r in rows:
        state = (states or {}).get(r["id"], r["status"])
        # Every row shows its state, open included; the issuer is never cut (the column folds).
        report = f"#{r['report_id']} {r['issuer'] or ''} {r['year'] or ''}".strip() if r["report_id"] is not None else "-"
        t.add_row(str(r["id"]), _sev(L, r["severity"]),
                  m(L.status(state)) if state == "open" else f"[dim]{m(L.status(state))}[/dim]",
                  m(r["kind"]), m(report), m(r["title"]))
    console.print(t)


def print_alert(a: dict, events, deliveries=(), state: str | None = None, silence: dict | None = None,
                lang: str = DEFAULT) -> None:
    """One alert: title, message, report, quotes (with page), the other evidence, its history and deliveries."""
    from worker.quotes import QUOTE_KEYS, pairs

    L = Labels(lang)
    status = L.status(state or a["status"])
    if silence is not None:
        status += " — " + L("alert.silenced_by", id=silence["id"], matcher=silence["matcher"], value=silence["value"],
                            until=silence["until"] or L("silence.forever"))
    console.print(f"[bold]{m(L('alert.heading', id=a['id']))}[/bold] {_sev(L, a['severity'])} {m(a['kind'])} "
                  f"({m(a['rule'])})  {m(L('alert.status'))}: {m(status)}")
    console.print(f"[bold]{m(a['title'])}[/bold]")
    console.print(m(a["message"]))
    rep = a["report"]
    if rep.get("id") is None:       # report_missing, operator alerts: about no stored report
        console.print(m(L("alert.no_report")))
    else:
        console.print(m(f"{L('alert.report')} #{rep['id']}: {rep['issuer'] or ''} {rep['year'] or ''} {rep['title'] or ''}"))
    console.print(f"{m(L('alert.source'))}: {m(strip_userinfo(a['source']))}")
    ev = dict(a["evidence"])
    for text, page in pairs(ev):
        where = f" [dim]({m(L('page', page=page))})[/dim]" if page is not None else ""
        console.print(f"  [green]“{m(text.replace(chr(10), chr(10) + '    '))}”[/green]{where}")
    for k in QUOTE_KEYS:
        ev.pop(k, None)
    for k, v in ev.items():
        console.print(f"  {m(k)}: {m(json.dumps(v, ensure_ascii=False))}")
    console.print(f"{m(L('alert.fingerprint'))}: {m(a['fingerprint'])}  {m(L('alert.created'))}: {m(a['created_at'])}")
    console.print(f"[bold]{m(L('alert.history'))}[/bold]")
    for e in events:
        detail = e["detail"] or ""
        if e["event"] in ("raised", "severity_up", "reraised"):
            detail = L.sev(detail)          # these events record the severity
        console.print(f"  [dim]{m(e['at'])} {m(L.event(e['event']))} {m(detail)}[/dim]")
    print_deliveries(deliveries, L)


def print_deliveries(rows, L: Labels) -> None:
    """The alert's delivery rows, one per channel and notice: status, attempts, when sent, the last error."""
    if not rows:
        console.print(f"[dim]{m(L('alert.no_deliveries'))}[/dim]")
        return
    t = Table(title=L("alert.deliveries"))
    for c in ("channel", "notice", "status", "attempts", "sent_at", "next_attempt", "last_error"):
        t.add_column(L("col." + c), overflow="fold")
    for d in rows:
        style = {"failed": "red", "unsure": "yellow", "sent": "green"}.get(d["status"], "")
        pending = d["status"] in ("pending", "sending")
        # A receiver's error body is the receiver's text: shown, never interpreted.
        t.add_row(m(d["channel"]), m(L.delivery(d["kind"])),
                  f"[{style}]{m(L.delivery(d['status']))}[/]" if style else m(L.delivery(d["status"])),
                  str(d["attempts"]), m(d["sent_at"] or ""), m(d["next_attempt_at"] if pending else ""),
                  m(d["last_error"] or ""))
    console.print(t)


def print_silences(rows, lang: str = DEFAULT) -> None:
    L = Labels(lang)
    t = Table(title=L("silences.title", n=len(rows)))
    for c in ("id", "matcher", "value", "until", "by", "comment", "created", "state"):
        t.add_column(L("col." + c), overflow="fold")
    for r in rows:
        t.add_row(str(r["id"]), m(r["matcher"]), m(r["value"]), m(r["until"] or L("silence.forever")),
                  m(r["created_by"]), m(r["comment"]), m(r["created_at"]),
                  m(L("silence.active")) if r["active"] else m(L("silence.expired", at=r["expired_at"] or r["until"])))
    console.print(t)


def print_rules(cfg, verbose: bool, lang: str = DEFAULT, verdicts: dict | None = None) -> None:
    """Every detector, rules and statistical models, with its kind and the thresholds in effect;
    with `verdicts` (alerts.verdicts.counts_by_rule), each one's confirmed and false-alarm counts."""
    from alerts.catalog import detectors
    from models.registry import FAMILIES as MODEL_FAMILIES, options_for as model_options
    from rules.registry import FAMILIES, options_for

    L = Labels(lang)
    entries = detectors()
    n_models = sum(e.type == "model" for e in entries)
    t = Table(title=L("rules.title", n=len(entries), rules=len(entries) - n_models, models=n_models))
    for c in ("id", "type", "kind", "severity", "options"):
        t.add_column(L("col." + c), overflow="fold")
    if verdicts is not None:
        t.add_column(L("col.confirmed"), justify="right")
        t.add_column(L("col.false_alarm"), justify="right")
    for e in entries:
        opts = options_for(e.family, cfg.rules) if e.type == "rule" else model_options(e.family, cfg.models)
        shown = ", ".join(f"{k}={v}" for k, v in opts.items() if k != "enabled" or not v)
        judged = [] if verdicts is None else [str(verdicts.get(e.id, {}).get(v, 0))
                                              for v in ("confirmed", "false_alarm")]
        t.add_row(m(e.id) + ("" if opts.get("enabled", True) else f" [red]{m(L('rules.disabled'))}[/red]"),
                  m(L("type." + e.type)), m(e.kind), m(e.severity), m(shown), *judged)
    console.print(t)
    if verbose:
        for e in entries:
            console.print(f"\n[bold]{m(e.id)}[/bold] — {m(e.kind)}\n{m(e.doc)}")
        for name, fam in sorted(FAMILIES.items()):
            console.print(f"\n[bold]{m('[rules.' + name + ']')}[/bold]\n{m(fam.doc.strip())}")
        for name, fam in sorted(MODEL_FAMILIES.items()):
            console.print(f"\n[bold]{m('[models.' + name + ']')}[/bold]\n{m(fam.doc.strip())}")
