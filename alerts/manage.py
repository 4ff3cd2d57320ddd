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


def _parse_until(until: str | None) -> str | None:
    if not until:
        return None
    try:
        dt = datetime.fromisoformat(until)
    except ValueError:
        raise ValueError(f"--until: expected an ISO date such as 2026-12-31, got {until!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def add_silence(store: Store, matcher: str, value: str, until: str | None, by: str, comment: str) -> int:
    if matcher not in ("rule", "report", "kind"):
        raise ValueError(f"unknown matcher {matcher!r}")
    end = _parse_until(until)
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


def expire_silence(store: Store, silence_id: int) -> bool:
    with store.tx() as c:
        cur = c.execute("UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL",
                        (now_iso(), silence_id))
        return cur.rowcount == 1


def test_channel(cfg, name: str) -> tuple[bool, str]:
    """Send a test notification through one channel target, synchronously."""
    from alerts.channels import DeliveryError, Item, make_channel
    from alerts.outbox import targets

    tmap = targets(cfg)
    if name not in tmap:
        raise KeyError(f"no channel {name!r} (configured: {', '.join(tmap) or 'none'})")
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
