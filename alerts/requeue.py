"""Failed deliveries back to pending, by an operator (`deliver --retry-failed`).

A delivery is `failed` when its channel refused it for good (a 4xx, a
receiver on a private address without `allow_private`) or ran out of
`[alerts] max_attempts`. Once the channel is fixed, the operator queues the
failed rows again: each goes back to `pending` with its attempts reset and
an `alert_events` row ("requeued") saying who asked and what the last error
was; the next flush sends it under the usual lease (alerts.lease), with the
same delivery id, so a receiver that deduplicates by id drops a repeat.

What must not be sent again is cancelled instead, with the reason:

* a firing notice of an alert acknowledged, silenced or withdrawn since;
* a withdrawal notice of an alert that is no longer withdrawn;
* a notice superseded by a later one for the same alert, channel and event
  that was sent, or is pending or being sent (only the newest failed row of
  an alert, channel and event is queued, so a realert that failed too is
  not sent twice).

An email delivery goes again to the recipients that refused it, never to
one that accepted it. `unsure` is kept as it is: a row that already went out unsure once is not
sent a third time after another crash (see alerts.lease).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from worker.storage import now_iso


@dataclass
class Requeued:
    queued: dict[str, int] = field(default_factory=dict)          # channel target -> rows queued again
    cancelled: list[tuple[int, str]] = field(default_factory=list)  # (delivery id, why)
    unconfigured: dict[str, int] = field(default_factory=dict)    # left failed: channel no longer configured
    unsure: int = 0                   # queued rows that may have reached the receiver before

    @property
    def n(self) -> int:
        return sum(self.queued.values())

    def text(self) -> str:
        out = f"{self.n} failed deliveries queued again"
        if self.queued:
            out += " (" + ", ".join(f"{k} {v}" for k, v in sorted(self.queued.items())) + ")"
        if self.unsure:
            out += (f"; {self.unsure} of them may have reached the receiver before (unsure): "
                    f"sent with the same delivery id, which a receiver drops if it has it")
        if self.cancelled:
            out += f"; {len(self.cancelled)} cancelled instead:"
            out += "".join(f"\n  delivery #{d}: {why}" for d, why in self.cancelled[:20])
            if len(self.cancelled) > 20:
                out += f"\n  … and {len(self.cancelled) - 20} more"
        for ch, k in sorted(self.unconfigured.items()):
            out += f"\n  {k} left failed on {ch}: that channel is no longer in the config"
        return out


def _why_not(c, d, alert, active_silence) -> str | None:
    """Why a failed delivery must not be sent again, or None."""
    if d["kind"] == "firing":
        if alert["status"] == "acked":
            return "alert acknowledged since"
        if alert["status"] == "withdrawn":
            return "alert withdrawn since"
        sil = active_silence(c, alert)
        if sil is not None:
            return f"alert silenced (silence #{sil['id']})"
    elif d["kind"] == "withdrawn" and alert["status"] != "withdrawn":
        return "alert no longer withdrawn"
    later = c.execute(
        "SELECT id, status FROM deliveries WHERE alert_id = ? AND channel = ? AND kind = ? AND id != ?"
        " AND (status IN ('sent', 'pending', 'sending', 'unsure') OR (status = 'failed' AND id > ?))"
        " ORDER BY id DESC LIMIT 1", (d["alert_id"], d["channel"], d["kind"], d["id"], d["id"])).fetchone()
    if later is not None:
        return f"superseded by delivery #{later['id']} ({later['status']})"
    return None


def requeue_failed(store, cfg, channels: list[str] | None = None, alert_ids: list[int] | None = None,
                   by: str = "operator") -> Requeued:
    """Queue the failed deliveries again (of these channel targets / alerts, when given), in one transaction."""
    from alerts.outbox import active_silence, targets

    tmap = targets(cfg)
    configured = set(tmap)
    out = Requeued()
    where, args = ["status = 'failed'"], []
    if channels:
        where.append(f"channel IN ({','.join('?' for _ in channels)})")
        args += channels
    if alert_ids:
        where.append(f"alert_id IN ({','.join('?' for _ in alert_ids)})")
        args += alert_ids
    with store.tx() as c:
        ts = now_iso()
        # Newest first: of several failed rows for one alert, channel and event, the newest is queued.
        rows = c.execute(f"SELECT * FROM deliveries WHERE {' AND '.join(where)} ORDER BY id DESC", args).fetchall()
        for d in rows:
            if d["channel"] not in configured:
                out.unconfigured[d["channel"]] = out.unconfigured.get(d["channel"], 0) + 1
                continue
            alert = c.execute("SELECT * FROM alerts WHERE id = ?", (d["alert_id"],)).fetchone()
            why = "alert no longer stored" if alert is None else _why_not(c, d, alert, active_silence)
            accepted = {r[0] for r in c.execute("SELECT recipient FROM delivery_recipients WHERE delivery_id = ?"
                                                " AND status = 'accepted'", (d["id"],))}
            if why is None and accepted and accepted >= set(tmap[d["channel"]].get("to") or ()):
                why = "every recipient already accepted it"
            if why is not None:
                c.execute("UPDATE deliveries SET status = 'cancelled', last_error = ? WHERE id = ? AND status = 'failed'",
                          (f"not queued again: {why} (was: {d['last_error'] or 'failed'})", d["id"]))
                out.cancelled.append((d["id"], why))
                continue
            cur = c.execute(
                "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = ?,"
                " lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'failed'",
                (ts, f"queued again by {by} after: {d['last_error'] or 'failed'}", d["id"]))
            if cur.rowcount != 1:
                continue
            # Email: recipients that refused before are owed it again (those that accepted are not).
            c.execute("DELETE FROM delivery_recipients WHERE delivery_id = ? AND status != 'accepted'", (d["id"],))
            c.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'requeued', ?, ?)",
                      (d["alert_id"], ts, f"delivery #{d['id']} ({d['kind']}) via {d['channel']} queued again by "
                                          f"{by} after {d['attempts']} attempts; last error: {d['last_error']}"))
            out.queued[d["channel"]] = out.queued.get(d["channel"], 0) + 1
            out.unsure += 1 if d["unsure"] else 0
    return out
