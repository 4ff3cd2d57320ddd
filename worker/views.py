"""Terminal views of reports, facts and alerts (rich tables)."""
from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from worker.facts import (Amount, Claim, Execution, FundingRow, Indicator, LineItem, Mention, PartSet, Project,
                          ReportMeta)
from worker.numbers import Num
from worker.safe_text import markup as m, strip_userinfo

import sys

# Wide output when piped or captured: tables of Chinese text fold badly at 80 columns.
console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def n(x: Num | None) -> str:
    if x is None:
        return ""
    unit = x.unit or ("万元" if x.kind == "money" else "%" if x.kind == "percent" else "")
    return f"{x.raw}{'' if x.unit else (unit if unit and not x.raw.endswith(unit) else '')}"


def print_reports(rows: list[dict]) -> None:
    t = Table(title=f"{len(rows)} reports", show_lines=False)
    for col in ("id", "status", "issuer", "year", "title", "alerts", "risk"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(str(r["id"]), m(r["status"]), m(r["issuer"] or ""), m(r["year"] or ""),
                  m((r["title"] or strip_userinfo(r["source"]) or "")[:40])
                  + (f"\n[dim]{m(r['error'])}[/dim]" if r.get("error") and r["status"] != "parsed" else ""),
                  str(r.get("alerts", "")), f"{r['risk_score']:.2f}" if r.get("risk_score") is not None else "")
    console.print(t)


def print_report(row, facts: list, conn) -> None:
    meta = next((f for f in facts if isinstance(f, ReportMeta)), None)
    console.print(f"[bold]Report #{row['id']}[/bold] {m(row['title'] or '')}")
    console.print(f"  source: {m(strip_userinfo(row['source']))}\n  status: {m(row['status'])}"
                  + (f" — {m(row['error'])}" if row['error'] else ""))
    if meta:
        console.print(f"  issuer: {m(meta.issuer)}  region: {m(meta.region)}  year: {m(meta.year)}  "
                      f"type: {m(meta.report_type)}")
        for w in json.loads(row["warnings"] or "[]"):
            console.print(f"  [yellow]warning:[/yellow] {m(w)}")
    docs = conn.execute("SELECT url, role, content_type, encoding, status, error, size FROM documents WHERE report_id = ?",
                        (row["id"],)).fetchall()
    if docs:
        t = Table(title="documents")
        for c in ("role", "url", "type", "encoding", "size", "status"):
            t.add_column(c, overflow="fold")
        for d in docs:
            t.add_row(m(d["role"]), m(strip_userinfo(d["url"])), m(d["content_type"] or ""), m(d["encoding"] or ""),
                      f"{d['size'] or 0:,}", m(d["status"] + (f": {d['error']}" if d["error"] else "")))
        console.print(t)
    _section("headline figures", [f for f in facts if isinstance(f, Amount) and f.section in ("headline",)],
             ("name", "amount", "quote"), lambda f: (f.name, n(f.num), f.quote.text[:60]))
    _section("functional classification (类/款/项)", [f for f in facts if isinstance(f, LineItem)],
             ("level", "name", "年初预算", "预算", "决算", "stated rate", "change"),
             lambda f: (f.level, f.name, n(f.initial_budget), n(f.budget), n(f.final),
                        (n(f.stated_rate) + f" of {f.rate_base}") if f.stated_rate else "",
                        " ".join(filter(None, [n(f.change), n(f.change_pct)]))))
    _section("三公经费 / 机关运行经费 / 政府采购",
             [f for f in facts if isinstance(f, Amount) and f.section in ("sangong", "admin", "procurement")],
             ("section", "name", "amount"), lambda f: (f.section, f.name, n(f.num)))
    _section("projects", [f for f in facts if isinstance(f, Project)],
             ("source", "project", "年初预算", "预算", "执行数", "stated rate", "score"),
             lambda f: (f.source, f.name, n(f.initial_budget), n(f.budget), n(f.executed), n(f.stated_rate),
                        f"{n(f.score)}/{n(f.weight)}" if f.weight else ""))
    _section("funding rows", [f for f in facts if isinstance(f, FundingRow)],
             ("owner", "row", "年初预算", "调整", "预算", "执行", "rate"),
             lambda f: (f.owner[:20], f.label, n(f.initial_budget), n(f.adjustment), n(f.budget), n(f.executed),
                        n(f.stated_rate)))
    _section("department execution", [f for f in facts if isinstance(f, Execution)],
             ("name", "budget", "executed", "stated rate"),
             lambda f: (f.name, n(f.budget), n(f.executed), n(f.stated_rate)))
    _section("indicators", [f for f in facts if isinstance(f, Indicator)],
             ("owner", "一级/二级", "indicator", "target", "actual", "weight", "score", "note"),
             lambda f: (f.owner[:16], f"{f.level1}/{f.level2}", f.name[:30], f.target_raw, f.actual_raw,
                        n(f.weight), n(f.score), f.note[:20]))
    _section("stated ratios and differences", [f for f in facts if isinstance(f, Claim)],
             ("type", "subject", "stated", "numerator", "base", "delta", "quote"),
             lambda f: (f.type, (f.subject or "")[:24], n(f.stated), n(f.numerator), n(f.base), n(f.delta),
                        f.quote.text[:50]))
    claims = [f for f in facts if isinstance(f, Claim)]
    if claims:
        from rules.explain import explain, summary

        sm = summary(explain(claims))
        console.print(f"叙述核对: {sm['claims']} 条陈述, 已判定 {sm['judged']} (相符 {sm['fits']}, "
                      f"无读法相符 {sm['no_reading_fits']}), 未判定 {sm['unjudged']} "
                      f"(弃权率 {sm['abstention_rate']:.1%}); 逐条原因: audit-worker rules test FILE --explain")
    _section("totals and parts (其中)", [f for f in facts if isinstance(f, PartSet)],
             ("total", "parts", "complete"),
             lambda f: (f"{f.name} {n(f.total)}", ", ".join(f"{p[0]} {n(p[1])}" for p in f.parts)[:80],
                        "yes" if f.exhaustive else ""))
    mentions = [f for f in facts if isinstance(f, Mention)]
    if mentions:
        console.print(f"[dim]{len(mentions)} named quantities kept for text/table comparison[/dim]")


def _section(title, items, cols, rowf) -> None:
    if not items:
        return
    t = Table(title=f"{title} ({len(items)})")
    for c in cols:
        t.add_column(c, overflow="fold")
    for f in items:
        t.add_row(*[m(x) for x in rowf(f)])     # every cell is text read from the report
    console.print(t)


SEV_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def print_alerts(rows) -> None:
    from rules.base import SEVERITY_ORDER

    rows = sorted(rows, key=lambda r: (r["report_id"], -SEVERITY_ORDER[r["severity"]], r["id"]))
    t = Table(title=f"{len(rows)} alerts")
    for c in ("id", "severity", "kind", "report", "title"):
        t.add_column(c, overflow="fold")
    for r in rows:
        sev = f"[{SEV_STYLE[r['severity']]}]{r['severity']}[/]"
        status = "" if r["status"] == "open" else f" [dim]({m(r['status'])})[/dim]"
        t.add_row(str(r["id"]), sev + status, m(r["kind"]),
                  m(f"#{r['report_id']} {(r['issuer'] or '')[:14]} {r['year'] or ''}"), m(r["title"]))
    console.print(t)


def print_alert(a: dict, events) -> None:
    console.print(f"[bold]Alert #{a['id']}[/bold] [{SEV_STYLE[a['severity']]}]{a['severity']}[/] {m(a['kind'])} "
                  f"({m(a['rule'])})  status: {m(a['status'])}")
    console.print(f"[bold]{m(a['title'])}[/bold]")
    console.print(m(a["message"]))
    rep = a["report"]
    console.print(m(f"report #{rep['id']}: {rep['issuer'] or ''} {rep['year'] or ''} {rep['title'] or ''}"))
    console.print(f"source: {m(strip_userinfo(a['source']))}")
    ev = dict(a["evidence"])
    _print_quotes(ev)
    for k, v in ev.items():
        console.print(f"  {m(k)}: {m(json.dumps(v, ensure_ascii=False))}")
    console.print(f"fingerprint: {m(a['fingerprint'])}  created: {m(a['created_at'])}")
    for e in events:
        console.print(f"  [dim]{m(e['at'])} {m(e['event'])} {m(e['detail'] or '')}[/dim]")


def _print_quotes(ev: dict) -> None:
    """Print an alert's quotes (exact original text, with page) and drop them from `ev`."""
    from worker import quotes as quoting

    for q in quoting.of(ev):
        if q.get("text"):
            # a row printed one cell a line is indented under its label, as printed
            body = q["text"].replace("\n", "\n      ")
            console.print(f"  [green]{m(quoting.label(q))}:“{m(body)}”[/green]")
    for k in ("quotes", "quote", "locations"):
        ev.pop(k, None)


def print_rules(cfg, verbose: bool) -> None:
    from rules.registry import FAMILIES, REGISTRY, load_all, options_for

    load_all()
    t = Table(title=f"{len(REGISTRY)} detectors")
    for c in ("id", "kind", "severity", "options (current)"):
        t.add_column(c, overflow="fold")
    for rid in sorted(REGISTRY):
        d = REGISTRY[rid]
        opts = options_for(d.family, cfg.rules)
        shown = ", ".join(f"{k}={v}" for k, v in opts.items() if k != "enabled" or not v)
        t.add_row(m(rid) + ("" if opts.get("enabled", True) else " [red](disabled)[/red]"), m(d.kind), m(d.severity),
                  m(shown))
    console.print(t)
    if verbose:
        for rid in sorted(REGISTRY):
            console.print(f"\n[bold]{m(rid)}[/bold] — {m(REGISTRY[rid].kind)}\n{m(REGISTRY[rid].doc)}")
        for name, fam in sorted(FAMILIES.items()):
            console.print(f"\n[bold]{m('[rules.' + name + ']')}[/bold]\n{m(fam.doc.strip())}")


def print_findings(findings, report) -> None:
    from alerts.format import tidy
    from rules.base import SEVERITY_ORDER

    meta = report.meta
    console.print(f"[bold]{m(meta.issuer)} {m(meta.year or '')}[/bold] {m(meta.title)}  "
                  f"— {len(findings)} alerts would be raised")
    for f in sorted(findings, key=lambda f: -SEVERITY_ORDER[f.severity]):
        console.print(f"\n[{SEV_STYLE[f.severity]}]{f.severity}[/] {m(f.kind)} ({m(f.rule)})\n"
                      f"[bold]{m(tidy(f.title))}[/bold]\n{m(tidy(f.message))}")
        ev = f.contract_evidence(getattr(report, "quote_source", None))
        _print_quotes(ev)
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
                  m(c.quote.text.strip()[:80]))
    console.print(t)


def print_silences(rows) -> None:
    t = Table(title=f"{len(rows)} silences")
    for c in ("id", "matcher", "value", "until", "by", "comment", "created", "state"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(str(r["id"]), m(r["matcher"]), m(r["value"]), m(r["until"] or ""), m(r["created_by"]),
                  m(r["comment"]), m(r["created_at"]),
                  "active" if r["active"] else m(f"expired {r['expired_at'] or r['until']}"))
    console.print(t)


def print_status(d: dict) -> None:
    if d.get("problems"):
        console.print("[red]UNHEALTHY[/red]: " + m("; ".join(d["problems"])))
    db = d.get("database") or {}
    if db and not db.get("ok", True):
        console.print(f"database check: [red]FAILED[/red] {m(db.get('detail', ''))}")
    hb = d["heartbeat"]
    if hb["present"]:
        state = "ok" if hb["healthy"] else "[red]STALE[/red]"
        console.print(m(f"daemon heartbeat: ") + state
                      + m(f", {hb['age_seconds']}s old (limit {hb['limit_seconds']}s), pid {hb['pid']}"))
    else:
        console.print("daemon heartbeat: none (no daemon has run with this database)")
    console.print(m("reports: " + ", ".join(f"{k} {v}" for k, v in sorted(d["reports"].items()))
                    if d["reports"] else "reports: none"))
    sev = d["open_alerts"]
    console.print("open alerts: " + ", ".join(f"{k} {sev.get(k, 0)}" for k in ("high", "medium", "low", "info")))
    ob = d["outbox"]
    console.print(m("deliveries: " + ", ".join(f"{k} {v}" for k, v in sorted(ob.items())) if ob else "deliveries: none"))
    # A receiver's error body is the receiver's text: shown, never interpreted.
    for r in d["retrying"]:
        console.print("  [yellow]retrying[/yellow] " + m(f"{r['channel']}: {r['n']} pending, {r['attempts']} attempts, "
                                                       f"next {r['next_attempt_at']}, last error: {r['last_error']}"))
    for f in d["failed_deliveries"]:
        console.print("  [red]failed[/red] " + m(f"delivery #{f['id']} of alert #{f['alert_id']} via {f['channel']} "
                                                 f"after {f['attempts']} attempts: {f['last_error']}"))
    if d["sources"]:
        t = Table(title="sources")
        for c in ("name", "last poll", "last ok", "failures in a row", "new documents", "last error"):
            t.add_column(c, overflow="fold")
        for s in d["sources"]:
            t.add_row(m(s["name"]), m(s["last_poll_at"] or ""), m(s["last_ok_at"] or ""), str(s["consecutive_failures"]),
                      str(s["new_documents"]), m(s["last_error"] or ""))
        console.print(t)
    if d["runs"]:
        t = Table(title="last runs")
        for c in ("run", "command", "started", "finished", "status", "counts"):
            t.add_column(c, overflow="fold")
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


def print_verification(ver: dict) -> None:
    """What was verified: tables recognized, relations checked and failed, what could not be read."""
    if not ver.get("read"):
        console.print(f"[yellow]not read as tables:[/yellow] {m(str(ver.get('reason', '')))}")
        return
    if ver["blank_form"]:
        console.print("[yellow]blank template: no figures to check (空白模板,未填数字)[/yellow]")
    t = Table(title=f"standard tables recognized ({len(ver['standard_tables_found'])})")
    for c in ("#", "table", "title as printed", "page", "rows × cols", "figures", "status", "not read"):
        t.add_column(c, overflow="fold")
    for tb in ver["tables"]:
        pages = "" if tb["page"] is None else (str(tb["page"]) if tb["page_end"] in (None, tb["page"])
                                               else f"{tb['page']}–{tb['page_end']}")
        t.add_row(str(tb["index"]), m(tb["name"] or ("(self-evaluation form)" if tb["status"] == "form" else "(unmapped)")), m(tb["title"][:30]), pages,
                  f"{tb['rows']}×{tb['cols']}", str(tb["facts"]), tb["status"] + (" (空表说明)" if tb["empty_note"] else ""),
                  m("; ".join(tb["unmapped"][:3])[:60]))
    console.print(t)
    if ver["required_missing"] and ver["standard_tables_found"]:
        console.print("required tables not found: " + m("、".join(ver["required_missing"])))
    k = ver["relations_by_kind"]
    console.print(f"relations checked: {ver['relations_checked']} (sums {k['sum']}, identities {k['identity']}, "
                  f"same figure in two places {k['equal']}); failed: {ver['relations_failed']}")
    console.print(f"statements recomputed: {ver['statements_checked']}; failed: {ver['statements_failed']}; "
                  f"figures in the ledger: {ver['facts']['table']} from tables, {ver['facts']['text']} from the text")
    for f in ver["failed"][:20]:
        console.print(f"  [red]failed[/red] {m(f['relation'])} at {m(f['where'])}: printed {f['stated']:g}, "
                      f"computed {f['computed']:g}")
    for u in ver["unread"][:20]:
        console.print(f"  [dim]not read:[/dim] {m(u)}")


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
