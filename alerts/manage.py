"""Acknowledgements, silences and channel tests: what operators do by hand."""
from __future__ import annotations

from datetime import datetime, timezone

from worker.storage import Store, now_iso


def ack(store: Store, alert_id: int, by: str, comment: str) -> int:
    with store.tx() as c:
        row = c.execute("SELECT id, status FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        if row is None:
            raise LookupError(f"no alert #{alert_id}")
        ts = now_iso()
        c.execute("UPDATE alerts SET status = CASE WHEN status = 'withdrawn' THEN status ELSE 'acked' END,"
                  " acked_by = ?, acked_at = ?, ack_comment = ?, updated_at = ? WHERE id = ?",
                  (by, ts, comment, ts, alert_id))
        c.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'acked', ?, ?)",
                  (alert_id, ts, f"{by}: {comment}"))
        cur = c.execute("UPDATE deliveries SET status = 'cancelled', last_error = 'acknowledged'"
                        " WHERE alert_id = ? AND status = 'pending' AND kind = 'firing'", (alert_id,))
        return cur.rowcount


class SilenceError(ValueError):
    """A silence that would match nothing: `option` names the command-line option at fault."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def parse_until(until: str | None, now: datetime | None = None) -> str | None:
    """An ISO date or datetime, in the future, as UTC ISO text; None: no end.

    A date alone means 00:00 UTC of that day; a datetime without an offset is UTC."""
    if not until:
        return None
    from worker.bounds import iso_utc

    try:
        end = datetime.fromisoformat(iso_utc(until))
    except ValueError:
        raise SilenceError("--until", f"expected an ISO date or datetime such as 2026-12-31 or "
                                      f"2026-12-31T18:00+08:00, got {until!r}") from None
    now = now or datetime.now(timezone.utc)
    if end <= now:
        raise SilenceError("--until", f"{until} ({end.isoformat()}) is not in the future (now "
                                      f"{now.replace(microsecond=0).isoformat()}): the silence would never apply; "
                                      f"give a later date, or none to silence until `silence expire`")
    return end.isoformat()


def check_silence(conn, matcher: str, value: str) -> str:
    """The value of a new silence if it can match an alert; SilenceError naming the valid choices if not."""
    from alerts import catalog

    value = value.strip()
    if matcher == "kind":
        known = catalog.kinds()
        if value not in known:
            raise SilenceError("--kind", f"unknown alert kind {value!r}; the kinds are: {', '.join(known)}")
    elif matcher == "rule":
        msg = catalog.unknown_rules([value], operator=True)
        if msg:
            raise SilenceError("--rule", msg)
    elif matcher == "report":
        if not value.isdigit() or conn.execute("SELECT 1 FROM reports WHERE id = ?", (int(value),)).fetchone() is None:
            last = conn.execute("SELECT min(id), max(id), count(*) FROM reports").fetchone()
            known = (f"stored reports have ids {last[0]}–{last[1]} ({last[2]} reports)" if last[2]
                     else "no report is stored in this database")
            raise SilenceError("--report", f"no report #{value}: {known}; see `audit-worker reports list`")
    else:
        raise SilenceError("--" + matcher, f"unknown matcher {matcher!r} (rule, report or kind)")
    return value


def add_silence(store: Store, matcher: str, value: str, until: str | None, by: str, comment: str) -> int:
    """Store a silence after checking it can match something and ends in the future (SilenceError if not)."""
    value = check_silence(store.conn, matcher, str(value))
    end = parse_until(until)
    with store.tx() as c:
        cur = c.execute("INSERT INTO silences (matcher, value, until, created_by, comment, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)", (matcher, value, end, by, comment, now_iso()))
        return int(cur.lastrowid)


def silences(store: Store, show_all: bool = False) -> list[dict]:
    rows = store.conn.execute("SELECT * FROM silences ORDER BY id").fetchall()
    now = now_iso()
    out = []
    for r in rows:
        active = r["expired_at"] is None and (r["until"] is None or r["until"] > now)
        if active or show_all:
            out.append({**dict(r), "active": active})
    return out


def state(alert, active: list[dict], judged: bool = False) -> str:
    """What an auditor sees: withdrawn, judged (it has a verdict), acked, silenced (open, but covered by
    an active silence) or open — in this order, as worker/web/queries.STATE says it in SQL."""
    if alert["status"] == "withdrawn":
        return "withdrawn"
    if judged:
        return "judged"
    if alert["status"] == "acked":
        return "acked"
    from alerts.outbox import matching_silence

    return "silenced" if matching_silence(active, alert) is not None else alert["status"]


def judged_ids(conn) -> set[int]:
    """The alerts with a verdict: their state is `judged` (verdicts are few: all of them at once)."""
    return {r[0] for r in conn.execute("SELECT DISTINCT alert_id FROM alert_verdicts")}


def expire_silence(store: Store, silence_id: int) -> bool:
    with store.tx() as c:
        cur = c.execute("UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL",
                        (now_iso(), silence_id))
        return cur.rowcount == 1


def test_channel(cfg, name: str) -> tuple[bool, str]:
    """Send a test notification through one channel target, synchronously.

    `name` is a target (`hook`, `mail/auditors`) or an email channel's name
    when it has one recipient group (`mail`)."""
    from alerts.channels import DeliveryError, Item, make_channel
    from alerts.outbox import target_names, targets

    tmap = targets(cfg)
    names = target_names(cfg, name)      # LookupError listing the valid names
    if len(names) > 1:
        # An email channel with several groups: a test mail to the wrong group (the director) is not harmless.
        raise LookupError(f"channel {name!r} has {len(names)} recipient groups; test one at a time: "
                          f"{', '.join(names)}")
    name = names[0]
    alert = {
        "id": 0, "fingerprint": "test" * 8, "kind": "test", "rule": "channels.test", "severity": "info",
        "source": "audit-worker channels test", "report": {"id": 0, "title": "测试通知", "issuer": "audit-worker",
                                                           "year": None},
        "title": "【测试】audit-worker 通道测试,请忽略", "message": "这是一条测试通知,用于确认预警通道可用,无需处理。",
        "evidence": {"quotes": [{"text": "测试"}]}, "created_at": now_iso(), "status": "test",
    }
    ch = make_channel(name, tmap[name])
    try:
        if tmap[name]["type"] == "email":
            out = ch.send([Item(delivery_id=0, event="test", alert=alert)], test=True)
        else:
            out = ch.send([Item(delivery_id=0, event="test", alert=alert)])
    except DeliveryError as e:
        return False, e.message
    err = out.get(0)
    return (err is None), ("delivered" if err is None else err.message)
