"""What was verified in a report, not only what failed (pure).

`verification(report)` says which standard tables were recognized (and
where), how many relations of the ledger were checked and which failed, which
statements of the 情况说明 were recomputed, and what could not be read. It is
what `reports show` prints and `reports show --json` returns.
"""
from __future__ import annotations

from rules import evidence as ev
from rules.statements import results as statement_results
from rules.taxonomy import default as taxonomy
from worker.facts import ParsedReport


def verification(report: ParsedReport) -> dict:
    rd = ev.reading(report)
    if rd is None:
        return {"read": False, "reason": "报告未按报表模型读取(请用 backfill --reparse 重新解析)"}
    tax = taxonomy()
    checks = ev.checks(report)
    failed = [c for c in checks if not c.ok]
    tables = []
    for t in rd.tables:
        tdef = tax.tables.get(t.type)
        tables.append({"index": t.index, "type": t.type, "name": tdef.name if tdef else "", "title": t.title,
                       "page": t.page, "page_end": t.page_end, "rows": t.rows, "cols": t.cols, "facts": t.facts,
                       "status": t.status, "unit": t.unit, "kind": t.kind, "unmapped": t.unmapped[:20],
                       "notes": t.notes, "empty_note": t.empty_note})
    found = {t.type for t in rd.tables if t.type}
    stmts = statement_results(report)
    return {
        "read": True,
        "blank_form": rd.blank_form,
        "year": rd.year,
        "issuer": rd.issuer,
        "tables": tables,
        "standard_tables_found": sorted(found),
        "required_missing": [t.name for t in tax.required_tables() if t.id not in found],
        "contents": [line for _, line, _, _ in rd.toc],
        "facts": {"table": sum(1 for f in rd.facts if f.where == "table"),
                  "text": sum(1 for f in rd.facts if f.where == "text")},
        "relations_checked": len(checks),
        "relations_failed": len(failed),
        "relations_by_kind": {k: sum(1 for c in checks if c.kind == k) for k in ("sum", "identity", "equal")},
        "failed": [{"relation": c.name, "kind": c.kind, "where": ev.where(rd, rd.facts[c.total]),
                    "stated": rd.facts[c.total].num.value, "computed": round((c.computed[0] + c.computed[1]) / 2, 6)}
                   for c in failed[:50]],
        "statements_checked": sum(1 for v in stmts.values() if v[0] is not None),
        "statements_failed": sum(1 for v in stmts.values() if v[0] is False),
        "unread": [f"{t.title or '表格'}: {u}" for t in rd.tables for u in t.unmapped][:50]
                  + [f"{t.title or '表格'}: {n}" for t in rd.tables for n in t.notes][:20],
    }
