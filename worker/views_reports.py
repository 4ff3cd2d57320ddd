"""Terminal views of stored reports: the list, what was read from one, what was verified."""
from __future__ import annotations

import json

from rich.table import Table

from worker.facts import (Amount, Claim, Execution, FundingRow, Indicator, LineItem, Mention, PartSet, Project,
                          ReportMeta)
from worker.labels import DEFAULT, Labels
from worker.safe_text import markup as m, strip_userinfo
from worker.term import clip, console, n


def print_reports(rows: list[dict], lang: str = DEFAULT) -> None:
    L = Labels(lang)
    t = Table(title=L("reports.title", n=len(rows)), show_lines=False)
    for col in ("id", "status", "issuer", "year", "title", "alerts", "risk"):
        t.add_column(L("col." + col), overflow="fold")
    for r in rows:
        t.add_row(str(r["id"]), m(r["status"]), m(r["issuer"] or ""), m(r["year"] or ""),
                  m(clip(r["title"] or strip_userinfo(r["source"]), 40))
                  + (f"\n[dim]{m(r['error'])}[/dim]" if r.get("error") and r["status"] != "parsed" else ""),
                  str(r.get("alerts", "")), f"{r['risk_score']:.2f}" if r.get("risk_score") is not None else "")
    console.print(t)


def print_report(row, facts: list, conn, lang: str = DEFAULT) -> None:
    L = Labels(lang)
    meta = next((f for f in facts if isinstance(f, ReportMeta)), None)
    console.print(f"[bold]{m(L('report.heading', id=row['id']))}[/bold] {m(row['title'] or '')}")
    console.print(f"  {m(L('report.source'))}: {m(strip_userinfo(row['source']))}\n"
                  f"  {m(L('report.status'))}: {m(row['status'])}" + (f" — {m(row['error'])}" if row['error'] else ""))
    if meta:
        console.print(f"  {m(L('report.issuer'))}: {m(meta.issuer)}  {m(L('report.region'))}: {m(meta.region)}  "
                      f"{m(L('report.year'))}: {m(meta.year)}  {m(L('report.type'))}: {m(meta.report_type)}")
        print_dates(row, L)
        for w in json.loads(row["warnings"] or "[]"):
            console.print(f"  [yellow]{m(L('report.warning'))}:[/yellow] {m(w)}")
    docs = conn.execute("SELECT url, role, content_type, encoding, status, error, size FROM documents WHERE report_id = ?",
                        (row["id"],)).fetchall()
    if docs:
        t = Table(title=L("report.documents"))
        for c in ("role", "url", "content_type", "encoding", "size", "status"):
            t.add_column(L("col." + c), overflow="fold")
        for d in docs:
            t.add_row(m(d["role"]), m(strip_userinfo(d["url"])), m(d["content_type"] or ""), m(d["encoding"] or ""),
                      f"{d['size'] or 0:,}", m(d["status"] + (f": {d['error']}" if d["error"] else "")))
        console.print(t)
    c = lambda *keys: tuple(L("col." + k) for k in keys)      # noqa: E731  (column headers)
    _section(L("facts.headline"), [f for f in facts if isinstance(f, Amount) and f.section in ("headline",)],
             c("name", "amount", "quote"), lambda f: (f.name, n(f.num), clip(f.quote.text, 60)))
    _section(L("facts.line_items"), [f for f in facts if isinstance(f, LineItem)],
             (L("col.level"), L("col.name"), "年初预算", "预算", "决算", L("col.stated_rate"), L("col.change")),
             lambda f: (f.level, f.name, n(f.initial_budget), n(f.budget), n(f.final),
                        (n(f.stated_rate) + f" of {f.rate_base}") if f.stated_rate else "",
                        " ".join(filter(None, [n(f.change), n(f.change_pct)]))))
    _section(L("facts.sangong"),
             [f for f in facts if isinstance(f, Amount) and f.section in ("sangong", "admin", "procurement")],
             c("section", "name", "amount"), lambda f: (f.section, f.name, n(f.num)))
    _section(L("facts.projects"), [f for f in facts if isinstance(f, Project)],
             (L("col.source"), L("col.project"), "年初预算", "预算", "执行数", L("col.stated_rate"), L("col.score")),
             lambda f: (f.source, f.name, n(f.initial_budget), n(f.budget), n(f.executed), n(f.stated_rate),
                        f"{n(f.score)}/{n(f.weight)}" if f.weight else ""))
    _section(L("facts.funding"), [f for f in facts if isinstance(f, FundingRow)],
             (L("col.owner"), L("col.row"), "年初预算", "调整", "预算", "执行", L("col.rate")),
             lambda f: (clip(f.owner, 20), f.label, n(f.initial_budget), n(f.adjustment), n(f.budget), n(f.executed),
                        n(f.stated_rate)))
    _section(L("facts.execution"), [f for f in facts if isinstance(f, Execution)],
             c("name", "budget", "executed", "stated_rate"),
             lambda f: (f.name, n(f.budget), n(f.executed), n(f.stated_rate)))
    _section(L("facts.indicators"), [f for f in facts if isinstance(f, Indicator)],
             (L("col.owner"), "一级/二级", L("col.indicator"), L("col.target"), L("col.actual"), L("col.weight"),
              L("col.score"), L("col.note")),
             lambda f: (clip(f.owner, 16), f"{f.level1}/{f.level2}", clip(f.name, 30), f.target_raw, f.actual_raw,
                        n(f.weight), n(f.score), clip(f.note, 20)))
    _section(L("facts.claims"), [f for f in facts if isinstance(f, Claim)],
             c("type", "subject", "stated", "numerator", "base", "delta", "quote"),
             lambda f: (f.type, clip(f.subject, 24), n(f.stated), n(f.numerator), n(f.base), n(f.delta),
                        clip(f.quote.text, 50)))
    claims = [f for f in facts if isinstance(f, Claim)]
    if claims:
        from rules.explain import explain, summary

        sm = summary(explain(claims))
        console.print(m(L("narrative.summary", claims=sm["claims"], judged=sm["judged"], fits=sm["fits"],
                          no_fit=sm["no_reading_fits"], unjudged=sm["unjudged"], rate=f"{sm['abstention_rate']:.1%}")))
    _section(L("facts.parts"), [f for f in facts if isinstance(f, PartSet)],
             c("total", "parts", "complete"),
             lambda f: (f"{f.name} {n(f.total)}", clip(", ".join(f"{p[0]} {n(p[1])}" for p in f.parts), 80),
                        L("yes") if f.exhaustive else ""))
    mentions = [f for f in facts if isinstance(f, Mention)]
    if mentions:
        console.print(f"[dim]{m(L('facts.mentions', n=len(mentions)))}[/dim]")


def _section(title, items, cols, rowf) -> None:
    if not items:
        return
    t = Table(title=f"{title} ({len(items)})")
    for c in cols:
        t.add_column(c, overflow="fold")
    for f in items:
        t.add_row(*[m(x) for x in rowf(f)])     # every cell is text read from the report
    console.print(t)


def print_verification(ver: dict, lang: str = DEFAULT) -> None:
    """What was verified: tables recognized, relations checked and failed, what could not be read."""
    L = Labels(lang)
    if not ver.get("read"):
        console.print(f"[yellow]{m(L('ver.not_read'))}[/yellow] {m(str(ver.get('reason', '')))}")
        return
    if ver["blank_form"]:
        console.print(f"[yellow]{m(L('ver.blank'))}[/yellow]")
    t = Table(title=L("ver.tables", n=len(ver["tables"]), std=len(ver["standard_tables_found"])))
    for c in ("#", L("col.table"), L("col.printed_title"), L("col.page"), L("col.shape"), L("col.figures"),
              L("col.status"), L("col.not_read")):
        t.add_column(c, overflow="fold")
    for tb in ver["tables"]:
        pages = "" if tb["page"] is None else (str(tb["page"]) if tb["page_end"] in (None, tb["page"])
                                               else f"{tb['page']}–{tb['page_end']}")
        name = tb["name"] or (L("ver.form") if tb["status"] == "form" else L("ver.unmapped"))
        t.add_row(str(tb["index"]), m(name), m(clip(tb["title"], 30)), pages, f"{tb['rows']}×{tb['cols']}", str(tb["facts"]),
                  m(tb["status"] + (L("ver.empty_note") if tb["empty_note"] else "")),
                  m(clip("; ".join(tb["unmapped"][:3]) + ("; …" if len(tb["unmapped"]) > 3 else ""), 60)))
    console.print(t)
    if ver["required_missing"] and ver["standard_tables_found"]:
        console.print(m(L("ver.required_missing") + " " + "、".join(ver["required_missing"])))
    k = ver["relations_by_kind"]
    console.print(m(L("ver.relations", checked=ver["relations_checked"], sum=k["sum"], identity=k["identity"],
                      equal=k["equal"], failed=ver["relations_failed"])))
    console.print(m(L("ver.statements", checked=ver["statements_checked"], failed=ver["statements_failed"],
                      table=ver["facts"]["table"], text=ver["facts"]["text"])))
    for f in ver["failed"][:20]:
        console.print(f"  [red]{m(L('ver.failed'))}[/red] " + m(L("ver.failed_line", relation=f["relation"],
                      where=f["where"], stated=f"{f['stated']:g}", computed=f"{f['computed']:g}")))
    for u in ver["unread"][:20]:
        console.print(f"  [dim]{m(L('ver.unread_line'))}[/dim] {m(u)}")
    more = max(len(ver["failed"]) - 20, 0) + max(len(ver["unread"]) - 20, 0)
    if more:
        console.print(f"  [dim]… {more} more (reports show N --json lists every one)[/dim]")


def print_dates(row, L: Labels) -> None:
    """发布日期 (where it was read) and 批复日期, each with the text it was read from."""
    keys = row.keys()
    if "published_from" not in keys:
        return
    if row["published_at"]:
        src = row["published_from"] or ""
        how = L("pubfrom." + src) if src in ("meta", "page", "list", "feed", "attachment", "first_seen") else src
        quote = f" “{m(row['published_quote'])}”" if row["published_quote"] and src != "first_seen" else ""
        console.print(f"  {m(L('report.published_on'))}: {m(row['published_at'])} ({m(how)}){quote}")
    if row["approved_at"]:
        console.print(f"  {m(L('report.approved_on'))}: {m(row['approved_at'])}"
                      f" “{m(row['approved_quote'] or '')}”")
