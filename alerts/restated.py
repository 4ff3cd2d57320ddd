"""`report_restated`: a report republished with different figures or tables.

Raised beside the rules' alerts when a report with a pending restatement
(worker/versions.py) is checked: the old version kept is compared with the
stored ledger (worker/restate.py). The alert is on the new version, fingerprinted
by (lineage key, old content, new content): re-runs never duplicate it, a
further restatement is a new alert. It is not a rule of the registry, so a
re-run of the rules never withdraws it.
"""
from __future__ import annotations

from rules.base import Finding
from worker import versions
from worker.restate import Changes, Fig, compare
from worker.storage import now_iso

KIND = "report_restated"
RULE = "restate.ledger"
SEVERITY = "medium"
SHOWN = 8            # changes listed in the message (the evidence holds up to LISTED)
LISTED = 50


def withdrawal_note(conn, row, lin: versions.Lineage) -> str | None:
    """Why alerts of the old version no longer found are withdrawn, when the report was restated."""
    if not lin.pending:
        return None
    when = conn.execute("SELECT COALESCE(published_at, updated_at) FROM reports WHERE id = ?",
                        (row["id"],)).fetchone()[0]
    return (f"报告已于{(when or '')[:10]}重新发布(版本{lin.version},报告#{row['id']}),该问题在新版本中不再存在")


def settle(app, conn, row, lin: versions.Lineage, queue: str | None, res) -> None:
    """Compare the pending restatement of `row`'s report, raise its alert when figures or
    tables changed, and mark it compared."""
    from alerts import outbox
    from alerts.engine import _upsert, fingerprint
    from worker.quotes import QuoteSource

    if not lin.pending:
        return
    first = lin.pending[0]
    ts = now_iso()
    cur = conn.execute("SELECT id, key, source, text, original_text, content_sha, issuer, year, report_type,"
                       " published_at, updated_at FROM reports WHERE id = ?", (row["id"],)).fetchone()
    changes = compare(versions.loaded(first), versions.snapshot(conn, cur["id"], cur["text"]))
    if changes:
        f = finding(cur, first, lin, changes)
        fp = fingerprint(KIND, lin.key, f.key)
        status = _upsert(conn, fp, f, cur, f.contract_evidence(QuoteSource.from_row(conn, cur)))
        if status == "new":
            res.new += 1
            if queue:
                res.queued += outbox.queue(conn, app.cfg, fp, event="firing", digest=(queue == "digest"),
                                           run_id=app.run_id)
    ids = [p["id"] for p in lin.pending]
    conn.execute(f"UPDATE report_versions SET checked_at = ? WHERE id IN ({','.join('?' for _ in ids)})",
                 (ts, *ids))


def _table_name(t: str, printed: str) -> str:
    from rules.taxonomy import default as taxonomy

    tdef = taxonomy().tables.get(t)
    return tdef.name if tdef is not None else (printed or t)


def _where(f: Fig) -> str:
    place = f"《{_table_name(f.table_type, f.table_title)}》" if f.where == "table" and f.table_type else "正文"
    return f"{place}“{f.label or f.concept}”"


def finding(cur, old, lin: versions.Lineage, ch: Changes) -> Finding:
    dept = cur["issuer"] or "该部门"
    year = f"{cur['year']}年度" if cur["year"] else ""
    what = []
    if ch.changed:
        what.append(f"{len(ch.changed)}项数字被修改")
    if ch.tables_added:
        what.append("新增" + "、".join(f"《{_table_name(t.type, t.title)}》" for t in ch.tables_added))
    if ch.tables_removed:
        what.append("删除" + "、".join(f"《{_table_name(t.type, t.title)}》" for t in ch.tables_removed))
    moved = [f for f in ch.figures_added + ch.figures_removed if f.where == "table"]
    if moved and not ch.changed:
        what.append(f"{len(moved)}项数字增删")
    old_date = (old["published_at"] or old["recorded_at"] or "")[:10]
    title = f"{dept}{year}{cur['report_type'] or '报告'}重新发布:" + ",".join(what)
    lines = [f"{dept}{year}{cur['report_type'] or '报告'}已重新发布(版本{old['version']},{old_date}"
             f" → 版本{lin.version},报告#{cur['id']})。"]
    for a, b in ch.changed[:SHOWN]:
        lines.append(f"{_where(b)}:{a.shown} → {b.shown}")
    if len(ch.changed) > SHOWN:
        lines.append(f"……另有{len(ch.changed) - SHOWN}项数字被修改(见证据)")
    for t in ch.tables_added:
        lines.append(f"新增《{_table_name(t.type, t.title)}》(原版本{'为空表' if t.type in ch.emptied else '没有这张表'})")
    for t in ch.tables_removed:
        lines.append(f"删除《{_table_name(t.type, t.title)}》(新版本{'为空表' if t.type in ch.emptied else '没有这张表'})")
    for label, figs in (("新增数字", ch.figures_added), ("删除数字", ch.figures_removed)):
        if figs:
            shown = "；".join(f"{_where(f)} {f.shown}" for f in figs[:SHOWN])
            more = f"……另有{len(figs) - SHOWN}项" if len(figs) > SHOWN else ""
            lines.append(f"{label}:{shown}{more}")
    evidence = {
        "department": dept, "year": cur["year"], "report_type": cur["report_type"],
        "old_version": old["version"], "old_report_id": old["report_id"], "old_published_at": old["published_at"],
        "old_content_sha": old["content_sha"], "new_version": lin.version, "new_report_id": cur["id"],
        "new_content_sha": cur["content_sha"],
        "changed": [_pair(a, b) for a, b in ch.changed[:LISTED]],
        "tables_added": [{"table": _table_name(t.type, t.title), "printed_title": t.title, "filled": t.filled}
                         for t in ch.tables_added],
        "tables_removed": [{"table": _table_name(t.type, t.title), "printed_title": t.title}
                           for t in ch.tables_removed],
        "figures_added": [_one(f) for f in ch.figures_added[:LISTED]],
        "figures_removed": [_one(f) for f in ch.figures_removed[:LISTED]],
        "more": {k: max(0, n - LISTED) for k, n in (("changed", len(ch.changed)),
                                                    ("figures_added", len(ch.figures_added)),
                                                    ("figures_removed", len(ch.figures_removed))) if n > LISTED},
    }
    quotes = [(b.quote, b.start, b.end) for _, b in ch.changed[:LISTED] if b.start is not None and b.quote]
    return Finding(KIND, RULE, SEVERITY, title, "\n".join(lines), evidence,
                   ("restated", old["content_sha"], cur["content_sha"]), quotes)


def _pair(a: Fig, b: Fig) -> dict:
    return {"table": _table_name(b.table_type, b.table_title) if b.where == "table" and b.table_type else "正文",
            "label": b.label or a.label, "concept": b.concept, "measure": b.measure, "period": b.period,
            "old": a.shown, "new": b.shown, "old_value": a.value, "new_value": b.value,
            "old_quote": a.quote, "new_quote": {"text": b.quote, "start": b.start, "end": b.end}}


def _one(f: Fig) -> dict:
    return {"table": _table_name(f.table_type, f.table_title) if f.where == "table" and f.table_type else "正文",
            "label": f.label, "concept": f.concept, "value": f.shown, "quote": f.quote}
