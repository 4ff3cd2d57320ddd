"""Terminal views of runs, sources, rule trials and the taxonomy (rich tables).

Alerts, silences and the detector list are in views_alerts, reports in
views_reports; they are re-exported here for callers of the old names."""
from __future__ import annotations

import json

from rich.table import Table

from worker.labels import DEFAULT, Labels
from worker.safe_text import markup as m, strip_userinfo
from worker.term import SEV_STYLE, clip, console, n
from worker.views_alerts import print_alert, print_alerts, print_rules, print_silences
from worker.views_reports import print_report, print_reports, print_verification

__all__ = ["console", "n", "print_alert", "print_alerts", "print_explained", "print_findings", "print_report",
           "print_reports", "print_rules", "print_silences", "print_sources", "print_status", "print_taxonomy",
           "print_verification"]


def print_findings(findings, report) -> None:
    from worker.quotes import QUOTE_KEYS, pairs
    from alerts.format import tidy
    from rules.base import SEVERITY_ORDER

    meta = report.meta
    console.print(f"[bold]{m(meta.issuer)} {m(meta.year or '')}[/bold] {m(meta.title)}  "
                  f"— {len(findings)} alerts would be raised")
    for d in meta.published:
        console.print(f"  发布日期 {m(d['at'])} ({m(d['from'])}): “{m(d['quote'])}”")
    if meta.approved_at:
        console.print(f"  批复日期 {m(meta.approved_at)}: “{m(meta.approved_quote.text if meta.approved_quote else '')}”")
    for f in sorted(findings, key=lambda f: -SEVERITY_ORDER[f.severity]):
        console.print(f"\n[{SEV_STYLE[f.severity]}]{f.severity}[/] {m(f.kind)} ({m(f.rule)})\n"
                      f"[bold]{m(tidy(f.title))}[/bold]\n{m(tidy(f.message))}")
        ev = f.contract_evidence(getattr(report, "quote_source", None))
        for qt, page in pairs(ev):
            console.print(f"  [green]“{m(qt.replace(chr(10), chr(10) + '    '))}”[/green]" + (f" [dim](p. {page})[/dim]" if page is not None else ""))
        for k in QUOTE_KEYS:
            ev.pop(k, None)
        console.print("  " + m(json.dumps(ev, ensure_ascii=False)))


def print_explained(explained) -> None:
    """`rules test --explain`: each claim, its operands, the readings tried, the verdict."""
    style = {"fits": "green", "no reading fits": "red", "unjudged": "yellow"}
    t = Table(title=f"{len(explained)} stated figures read from the narrative", show_lines=True)
    for c in ("type", "stated", "operands", "readings tried", "verdict", "quote"):
        t.add_column(c, overflow="fold")
    for e in explained:
        c = e.claim
        readings = "\n".join(f"{label} → {v if v is not None else '—'}{' ✓' if ok else ''}" for label, v, ok in e.readings)
        t.add_row(m(c.type), m(c.stated.raw.strip()), m(e.operands), m(readings),
                  f"[{style[e.verdict]}]{m(e.verdict)}[/]" + (f"\n{m(e.why)}" if e.why else ""),
                  m(clip(c.quote.text.strip(), 80)))
    console.print(t)


def print_status(d: dict, lang: str = DEFAULT) -> None:
    L = Labels(lang)
    if d.get("problems"):
        console.print(f"[red]{m(L('status.unhealthy'))}[/red]: " + m("; ".join(d["problems"])))
    db = d.get("database") or {}
    if db and not db.get("ok", True):
        console.print(f"[red]{m(L('status.db_failed'))}[/red] {m(db.get('detail', ''))}")
    hb = d["heartbeat"]
    if hb.get("state") == "stopped":
        console.print(m(L("status.hb_stopped", at=hb["stopped_at"], pid=hb["pid"])))
    elif hb["present"]:
        state = m(L("status.hb_ok")) if hb["healthy"] else f"[red]{m(L('status.hb_stale'))}[/red]"
        console.print(m(f"{L('status.heartbeat')}: ") + state
                      + m(L("status.hb_age", age=hb['age_seconds'], limit=hb['limit_seconds'], pid=hb['pid'])))
    else:
        console.print(m(f"{L('status.heartbeat')}: {L('status.hb_none')}"))
    console.print(m(f"{L('status.reports')}: " + (", ".join(f"{k} {v}" for k, v in sorted(d["reports"].items()))
                                                 if d["reports"] else L("status.none"))))
    sev = d["open_alerts"]
    console.print(m(f"{L('status.open_alerts')}: "
                    + ", ".join(f"{L.sev(k)} {sev.get(k, 0)}" for k in ("high", "medium", "low", "info"))))
    ob = d["outbox"]
    console.print(m(f"{L('status.deliveries')}: " + (", ".join(f"{L.delivery(k)} {v}" for k, v in sorted(ob.items()))
                                                    if ob else L("status.none"))))
    # A receiver's error body is the receiver's text: shown, never interpreted.
    for r in d["retrying"]:
        console.print(f"  [yellow]{m(L('status.retrying'))}[/yellow] " + m(L(
            "status.retrying_line", channel=r['channel'], n=r['n'], attempts=r['attempts'],
            next=r['next_attempt_at'], error=r['last_error'])))
    for f in d["failed_deliveries"]:
        console.print(f"  [red]{m(L('status.failed'))}[/red] " + m(L(
            "status.failed_line", id=f['id'], alert=f['alert_id'], channel=f['channel'], attempts=f['attempts'],
            error=f['last_error'])))
    if d["sources"]:
        t = Table(title=L("status.sources"))
        for c in ("name", "last_poll", "last_ok", "failures", "new_documents", "last_error"):
            t.add_column(L("col." + c), overflow="fold")
        for s in d["sources"]:
            t.add_row(m(s["name"]), m(s["last_poll_at"] or ""), m(s["last_ok_at"] or ""), str(s["consecutive_failures"]),
                      str(s["new_documents"]), m(s["last_error"] or ""))
        console.print(t)
    if d["runs"]:
        t = Table(title=L("status.runs"))
        for c in ("run", "command", "started", "finished", "status", "counts"):
            t.add_column(L("col." + c), overflow="fold")
        for r in d["runs"]:
            status = r["status"] + (f": {r['error']}" if r.get("error") else "")
            t.add_row(m(r["run_id"]), m(r["command"]), m(r["started_at"]), m(r["finished_at"] or ""),
                      ("[red]" + m(status) + "[/red]") if r["status"] in ("died", "failed") else m(status),
                      m(", ".join(f"{k} {v}" for k, v in r["counts"].items() if v)))
        console.print(t)


def print_sources(rows) -> None:
    t = Table(title=f"{len(rows)} sources")
    for c in ("name", "kind", "url / path", "enabled", "last poll", "last ok", "failures in a row", "new", "last error"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(m(r["name"]), m(r["kind"]), m(strip_userinfo(r.get("url")) or r.get("path") or ""),
                  "yes" if r["enabled"] else "no", m(r.get("last_poll_at") or "never"), m(r.get("last_ok_at") or ""),
                  str(r.get("consecutive_failures", 0)), str(r.get("new_documents", 0)), m(r.get("last_error") or ""))
    console.print(t)


def print_taxonomy(tax, show: str, as_json: bool) -> None:
    if show == "tables":
        rows = [{"id": t.id, "no": t.no, "name": t.name, "required": t.required, "rows": t.rows,
                 "titles": list(t.titles), "defaults": t.defaults, "source": t.source}
                for t in sorted(tax.tables.values(), key=lambda t: (t.no or 99, t.id))]
    elif show == "terms":
        rows = [{"names": list(t.names), "concept": t.concept, "dims": t.dims, "measure": t.measure,
                 "period": t.period, "role": t.role, "source": t.source} for t in tax.terms]
    else:
        rows = [{"dimension": d.id, "name": d.name, "coded": d.coded,
                 "members": {m.id: list(m.children) for m in d.members.values() if m.children}}
                for d in tax.dims.values()] + \
               [{"identity": i.id, "name": i.name} for i in tax.identities]
    if as_json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return
    t = Table(title=f"taxonomy: {show} ({len(rows)}) from {len(tax.sources)} files")
    cols = list(rows[0].keys()) if rows else []
    for c in cols:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[m(", ".join(map(str, v)) if isinstance(v, list) else json.dumps(v, ensure_ascii=False)
                          if isinstance(v, dict) else str(v)) for v in r.values()])
    console.print(t)
