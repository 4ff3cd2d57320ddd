"""Disclosure-duty alerts: `report_missing` and `late_publication` (issue 18).

Raised and withdrawn outside the rule registries, like operator alerts, and
queued to the same outbox. Fingerprints come from the duty (source,
department, year, type), so a re-evaluation never duplicates one:
- report_missing (report_id NULL): a due date passed without the report;
  withdrawn, pointing to the report, when it appears.
- late_publication (on the report): published after its due date, with both
  dates, where each was read and the quotes; also, without an [[expected]]
  entry, for a report whose 批复 and publication dates were both read from
  the page or report and lie more than publish_within_days apart.
Evaluated when `run` or the daemon finish a poll cycle, by `detect` and by
`coverage --alert`; never by a backfill.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from alerts.engine import fingerprint
from worker.storage import now_iso

MISSING, LATE = "report_missing", "late_publication"
RULE_MISSING, RULE_LATE = "duties.report_missing", "duties.late_publication"
RULES = (RULE_MISSING, RULE_LATE)
FROM_LABEL = {"meta": "网页元数据", "page": "网页发布时间", "list": "列表页日期", "feed": "订阅源日期",
              "attachment": "附件日期", "first_seen": "首次发现时间", "unrecorded": "未注明"}


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    withdrawn: int = 0


def _missing(x) -> dict:
    e = x.entry
    title = f"未按期公开:{e.name}{x.year}年度{x.type}"
    message = (f"{e.name}应于{x.due.isoformat()}前公开{x.year}年度{x.type}(截止日期依据:{x.due_from}),"
               f"截止日期已过,仍未发现该报告。")
    evidence = {"duty": {"department": e.name, "year": x.year, "type": x.type, "source": e.source,
                         "expected": e.origin},
                "due": x.due.isoformat(), "due_from": x.due_from, "quotes": []}
    return {"fp": fingerprint(MISSING, f"duty:{e.source}", (e.name, x.year, x.type)), "kind": MISSING,
            "rule": RULE_MISSING, "severity": "medium", "report_id": None,
            "source": e.source or f"expected:{e.name}", "title": title, "message": message, "evidence": evidence}


def _quotes(r: dict) -> list[dict]:
    out = []
    if r.get("approved_quote"):
        q = {"text": r["approved_quote"], "field": "approved_at"}
        if r.get("approved_start") is not None and r.get("approved_end") is not None:
            q.update(start=r["approved_start"], end=r["approved_end"])
        out.append(q)
    if r.get("published_quote"):
        out.append({"text": r["published_quote"], "field": "published_at"})
    return out


def _late(r: dict, name: str, year: int, typ: str, published, published_from: str, due, due_from: str,
          days: int, at_least: bool, duty: dict | None, unseen_at: str = "") -> dict:
    frm = FROM_LABEL.get(published_from, published_from)
    approved = r.get("approved_at") or ""
    if at_least:
        when = f"首次发现于{published.isoformat()}(来源在截止日期后的{unseen_at[:10]}仍未列出该报告)"
    else:
        when = f"发布于{published.isoformat()}(依据:{frm})"
    title = f"逾期公开:{name}{year}年度{typ}{'至少' if at_least else ''}逾期{days}天"
    message = (f"{name}{year}年度{typ}{when},应于{due.isoformat()}前公开(截止日期依据:{due_from}"
               f"{',批复日期' + approved if approved and due_from.startswith('批复') else ''}),"
               f"{'至少' if at_least else ''}逾期{days}天。")
    evidence = {"published_at": published.isoformat(), "published_from": published_from,
                "published_quote": r.get("published_quote") or "", "approved_at": approved or None,
                "approved_quote": r.get("approved_quote") or "", "due": due.isoformat(), "due_from": due_from,
                "days_late": days, "days_late_at_least": at_least, "quotes": _quotes(r)}
    if unseen_at:
        evidence["unseen_at"] = unseen_at
    if duty is not None:
        evidence["duty"] = duty
        fp = fingerprint(LATE, f"duty:{duty['source']}", (name, year, typ))
    else:
        fp = fingerprint(LATE, r["key"], ("approval", year, typ))
    return {"fp": fp, "kind": LATE, "rule": RULE_LATE, "severity": "low", "report_id": r["id"],
            "source": r["source"], "title": title, "message": message, "evidence": evidence}


def wanted(ev) -> dict[str, dict]:
    """Every duty alert that should stand now, by fingerprint."""
    out: dict[str, dict] = {}
    for x in ev.duties:
        if x.status == "missing":
            a = _missing(x)
        elif x.status == "late":
            e = x.entry
            a = _late(x.report, e.name, x.year, x.type, x.published, x.published_from, x.due, x.due_from,
                      x.days_late, x.days_late_at_least,
                      {"department": e.name, "year": x.year, "type": x.type, "source": e.source,
                       "expected": e.origin}, x.unseen_at)
        else:
            continue
        out[a["fp"]] = a
    for u in ev.unexpected_late:
        r = u["report"]
        a = _late(r, r.get("issuer") or r.get("title") or "", r["year"], r.get("report_type") or "",
                  u["published"], u["published_from"], u["due"], "批复日期+{}天".format((u["due"] - _approved(r)).days),
                  u["days_late"], False, None)
        out[a["fp"]] = a
    return out


def _approved(r: dict):
    from worker.duties.due import local_date

    return local_date(r["approved_at"])


def sync(app, queue: str | None = None, today=None) -> Counts:
    """Evaluate the duties and bring the stored duty alerts in line; returns what changed."""
    from alerts import outbox
    from worker.duties.evaluate import evaluate

    ev = evaluate(app, today=today)
    want = wanted(ev)
    conn = app.store.conn
    have = {r["fingerprint"]: dict(r) for r in conn.execute(
        "SELECT id, fingerprint, status, title, message, evidence FROM alerts WHERE rule IN (?, ?)", RULES)}
    found = {x.key: x for x in ev.duties if x.report is not None}
    n = Counts()
    todo_new = [a for fp, a in want.items() if fp not in have or have[fp]["status"] == "withdrawn"
                or (have[fp]["title"], have[fp]["message"]) != (a["title"], a["message"])]
    todo_gone = [h for fp, h in have.items() if fp not in want and h["status"] in ("open", "acked")]
    if not todo_new and not todo_gone:
        return n                # nothing changed: no write lock taken
    ts = now_iso()
    with app.store.tx() as c:
        for a in todo_new:
            evidence = json.dumps(a["evidence"], ensure_ascii=False)
            old = have.get(a["fp"])
            if old is None:
                cur = c.execute(
                    "INSERT INTO alerts (fingerprint, kind, rule, severity, report_id, source, title, message,"
                    " evidence, status, created_at, updated_at, last_seen_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
                    (a["fp"], a["kind"], a["rule"], a["severity"], a["report_id"], a["source"], a["title"],
                     a["message"], evidence, ts, ts, ts))
                c.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'raised', ?, ?)",
                          (cur.lastrowid, ts, a["severity"]))
                n.new += 1
            else:
                reraised = old["status"] == "withdrawn"
                c.execute("UPDATE alerts SET title = ?, message = ?, evidence = ?, report_id = ?, source = ?,"
                          " last_seen_at = ?, updated_at = ?, status = CASE WHEN status = 'withdrawn' THEN 'open'"
                          " ELSE status END, withdrawn_at = CASE WHEN status = 'withdrawn' THEN NULL"
                          " ELSE withdrawn_at END WHERE id = ?",
                          (a["title"], a["message"], evidence, a["report_id"], a["source"], ts, ts, old["id"]))
                if not reraised:
                    continue            # the same alert, its dates corrected: stored, not sent again
                c.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'reraised', ?, ?)",
                          (old["id"], ts, a["severity"]))
                n.updated += 1
            if queue:
                outbox.queue(c, app.cfg, a["fp"], "firing", digest=(queue == "digest"), run_id=app.run_id)
        for h in todo_gone:
            detail = "duty no longer applies"
            ev_old = json.loads(h["evidence"] or "{}")
            duty = ev_old.get("duty") or {}
            x = found.get(f"{duty.get('source', '')}|{duty.get('department')}|{duty.get('year')}|{duty.get('type')}")
            if x is not None and ev_old.get("due") and "days_late" not in ev_old:
                r = x.report
                detail = f"report #{r['id']} found: {r.get('title') or r['key']}"
                ev_old["found_report_id"] = r["id"]
                c.execute("UPDATE alerts SET evidence = ? WHERE id = ?",
                          (json.dumps(ev_old, ensure_ascii=False), h["id"]))
            c.execute("UPDATE alerts SET status = 'withdrawn', withdrawn_at = ?, updated_at = ? WHERE id = ?",
                      (ts, ts, h["id"]))
            c.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'withdrawn', ?, ?)",
                      (h["id"], ts, detail))
            n.withdrawn += 1
            if queue:
                outbox.queue(c, app.cfg, h["fingerprint"], "withdrawn", digest=(queue == "digest"),
                             run_id=app.run_id)
    return n
