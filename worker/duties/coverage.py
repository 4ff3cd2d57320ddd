"""`audit-worker coverage`: each expected department × report type, its status,
the report found, publication date and its source, the due date and where it
came from, days late. Rows for CSV/JSON, a rich table for the terminal."""
from __future__ import annotations

import csv
import io
import json

from worker.safe_text import clean, csv_cell, markup

STATUS_ZH = {"found": "已公开", "late": "逾期公开", "missing": "未公开", "pending": "未到期",
             "no_deadline": "未公开(无截止日期)"}
COLUMNS = ("department", "year", "type", "source", "status", "note", "report_id", "report_title", "report_source",
           "published_at", "published_from", "due", "due_from", "days_late", "expected")


def rows(ev) -> list[dict]:
    out = []
    for x in ev.duties:
        r = x.report or {}
        out.append({
            "department": x.entry.name, "year": x.year, "type": x.type, "source": x.entry.source,
            "status": x.status,
            "note": x.note or ("至少" if x.days_late_at_least else ""),
            "report_id": r.get("id"), "report_title": r.get("title") or "", "report_source": r.get("source") or "",
            "published_at": x.published.isoformat() if x.published else "",
            "published_from": x.published_from if x.report else "",
            "due": x.due.isoformat() if x.due else "", "due_from": x.due_from or "无截止日期",
            "days_late": x.days_late, "expected": x.entry.origin,
        })
    return out


def render(items: list[dict], fmt: str) -> str:
    if fmt == "json":
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in items) + ("\n" if items else "")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        # Names come from config and reports: no cell runs as a formula, no control character.
        w.writerows({k: csv_cell(clean(v)) if isinstance(v, str) else v for k, v in r.items()} for r in items)
        return buf.getvalue()
    raise ValueError(fmt)


def print_table(items: list[dict], year: int) -> None:
    from rich.table import Table

    from worker.term import console

    t = Table(title=f"{year}年度公开情况:{len(items)}项应公开报告")
    for col in ("部门", "类型", "状态", "报告", "发布日期", "截止日期", "逾期天数"):
        t.add_column(col)
    for r in items:
        status = STATUS_ZH.get(r["status"], r["status"]) + (f"({r['note']})" if r["note"] and r["note"] != "至少"
                                                               else "")
        report = f"#{r['report_id']} {r['report_title']}" if r["report_id"] else "—"
        pub = f"{r['published_at']}({r['published_from']})" if r["published_at"] else "—"
        due = f"{r['due']}({r['due_from']})" if r["due"] else r["due_from"]
        late = (("≥" if r["note"] == "至少" else "") + str(r["days_late"])) if r["days_late"] is not None else ""
        t.add_row(*(markup(c) for c in (r["department"], r["type"], status, report, pub, due, late)))
    console.print(t)
    if not items:
        console.print("没有应公开的报告:在 config.toml 中配置 [[expected]] 或 [disclosure] expected_csv。")
