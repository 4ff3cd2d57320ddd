"""The outbox: one delivery per alert and channel, written with the alert.

Stages, as in an alert manager: an alert stored (or re-raised, or grown in
severity) queues one `deliveries` row per configured channel target *in the
same transaction*; `flush` sends what is due, message by message: it leases
the message's rows (alerts.lease, so a second `deliver` process skips them),
sends, and commits the outcome right away, so a crash loses at most the
record of the one message on the wire. A failed delivery is retried with
exponential backoff and jitter up to `[alerts] max_attempts`, then marked
failed; one channel's success never marks another's.

Suppression: an alert already delivered on a channel is not queued again
unless its severity rose, it was withdrawn and came back, or
`[alerts] realert_after` has passed. Acknowledged and silenced alerts are not
sent. A withdrawn alert that was delivered gets a short withdrawal notice.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from alerts import verdicts
from rules.base import SEVERITY_ORDER
from worker.config import parse_duration
from worker.storage import now_iso

log = logging.getLogger("audit_worker.outbox")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat()


def targets(cfg) -> dict[str, dict]:
    """Delivery targets: each channel, and each recipient group of an email channel."""
    out: dict[str, dict] = {}
    for name, spec in cfg.channels.items():
        if spec["type"] == "email" and spec.get("groups"):
            for g in spec["groups"]:
                gname = g.get("name") or ",".join(g.get("to", []))
                out[f"{name}/{gname}"] = {**spec, "to": g.get("to", []),
                                          "min_severity": g.get("min_severity", spec["min_severity"]),
                                          "group": gname, "channel": name}
        else:
            out[name] = {**spec, "channel": name}
        if spec["type"] == "file":
            out[name]["path"] = str(cfg.resolve(spec["path"]))
    for spec in out.values():
        spec["config_file"] = cfg.path         # named in messages that point at a setting
    return out


def target_names(cfg, name: str) -> list[str]:
    """The delivery targets a name given by a person means: a target as such
    (`hook`, `mail/auditors`) or a channel as named in the config (`mail`:
    every recipient group of it). LookupError naming the valid names otherwise."""
    tmap = targets(cfg)
    if name in tmap:
        return [name]
    hits = [t for t, spec in tmap.items() if spec["channel"] == name]
    if hits:
        return hits
    raise LookupError(f"no channel {name!r} in {cfg.path or 'the configuration'} "
                      f"(configured: {', '.join(valid_names(cfg)) or 'none'})")


def valid_names(cfg) -> list[str]:
    """Every name `target_names` accepts: the channels, then the recipient groups of email channels."""
    tmap = targets(cfg)
    channels = list(dict.fromkeys(spec["channel"] for spec in tmap.values()))
    return channels + [t for t in tmap if t not in channels]


def _passes(severity: str, minimum: str) -> bool:
    return SEVERITY_ORDER[severity] >= SEVERITY_ORDER.get(minimum, 0)


def active_silence(conn, alert, at: str | None = None) -> dict | None:
    at = at or now_iso()
    rows = conn.execute(
        "SELECT * FROM silences WHERE expired_at IS NULL AND (until IS NULL OR until > ?)", (at,)).fetchall()
    s = matching_silence(rows, alert)
    return dict(s) if s is not None else None


def matching_silence(active, alert):
    """The first of the active silences that covers an alert: a rule id or its
    family, a kind, or a report (also what `alerts list` shows as silenced)."""
    for s in active:
        value = s["value"]
        if (s["matcher"] == "rule" and (alert["rule"] == value or alert["rule"].startswith(value + "."))) or \
                (s["matcher"] == "kind" and alert["kind"] == value) or \
                (s["matcher"] == "report" and str(alert["report_id"]) == value):
            return s
    return None


def queue(conn, cfg, fingerprint: str, event: str = "firing", digest: bool = False, run_id: str = "",
          only_if_delivered: bool = False) -> int:
    """Queue deliveries of one alert's event on every target that should get it.

    Runs inside the caller's transaction. Returns the number queued.
    """
    alert = conn.execute("SELECT * FROM alerts WHERE fingerprint = ?", (fingerprint,)).fetchone()
    if alert is None:
        return 0
    alerts_cfg = cfg.section("alerts")
    if not _passes(alert["severity"], alerts_cfg["min_severity"]) and event == "firing":
        return 0
    ts = now_iso()
    if event == "firing":
        if alert["status"] == "acked" or verdicts.false_alarm(conn, alert["id"]):
            return 0
        sil = active_silence(conn, alert, ts)
        if sil is not None:
            conn.execute("INSERT INTO alert_events (alert_id, event, at, detail) VALUES (?, 'silenced', ?, ?)",
                         (alert["id"], ts, f"silence #{sil['id']} by {sil['created_by']}: {sil['comment']}"))
            return 0
    realert = parse_duration(alerts_cfg["realert_after"] or "")
    n = 0
    for name, spec in targets(cfg).items():
        if event == "firing" and not _passes(alert["severity"], spec["min_severity"]):
            continue
        sent = conn.execute(
            "SELECT * FROM deliveries WHERE alert_id = ? AND channel = ? AND kind = 'firing' AND status = 'sent'"
            " ORDER BY id DESC LIMIT 1", (alert["id"], name)).fetchone()
        pending = conn.execute(
            "SELECT id FROM deliveries WHERE alert_id = ? AND channel = ? AND status = 'pending' AND kind = ?",
            (alert["id"], name, event)).fetchone()
        if pending is not None or (only_if_delivered and sent is None):
            continue
        if event == "withdrawn":
            # Cancel a notice never sent; tell those who were told.
            conn.execute("UPDATE deliveries SET status = 'cancelled', last_error = 'alert withdrawn before sending'"
                         " WHERE alert_id = ? AND channel = ? AND status = 'pending' AND kind = 'firing'",
                         (alert["id"], name))
            if sent is None:
                continue
        elif sent is not None:
            rose = SEVERITY_ORDER[alert["severity"]] > SEVERITY_ORDER.get(sent["severity"] or "info", 0)
            came_back = _withdrawn_since(conn, alert["id"], sent["sent_at"])
            stale = realert is not None and sent["sent_at"] and \
                datetime.fromisoformat(sent["sent_at"]) + timedelta(seconds=realert) <= _now()
            if not (rose or came_back or stale):
                continue
        conn.execute(
            "INSERT INTO deliveries (alert_id, channel, kind, status, attempts, next_attempt_at, created_at, severity,"
            " digest, run_id) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)",
            (alert["id"], name, event, ts, ts, alert["severity"],
             1 if (digest or spec.get("cadence") == "daily") else 0, run_id))
        n += 1
    return n


def _withdrawn_since(conn, alert_id: int, since: str | None) -> bool:
    if not since:
        return False
    return conn.execute("SELECT 1 FROM alert_events WHERE alert_id = ? AND event = 'withdrawn' AND at >= ?",
                        (alert_id, since)).fetchone() is not None


@dataclass
class FlushResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    leased: int = 0                  # taken by another process sending at the same time
    unsure: int = 0                  # found leased by a process that died mid-send
    errors: list = field(default_factory=list)     # (channel, message)

    def text(self) -> str:
        out = f"deliveries: {self.sent} sent, {self.retrying} to retry, {self.failed} failed"
        if self.skipped:
            out += f", {self.skipped} withheld (acknowledged or silenced)"
        if self.leased:
            out += f", {self.leased} left to another process sending them"
        if self.unsure:
            out += f", {self.unsure} unsure after a crash mid-send (resent once with the same delivery id)"
        for ch, msg in self.errors[:10]:
            out += f"\n  {ch}: {msg}"
        return out

    def note(self, channel: str, message: str) -> None:
        if (channel, message) not in self.errors:
            self.errors.append((channel, message))


def flush(app, now: datetime | None = None, only: list[str] | None = None, daily: bool = False) -> FlushResult:
    """Send every due delivery, one message at a time; record each outcome as it comes.

    Channels with `cadence = "daily"` are only flushed by the daily digest
    (`daily=True`), and then as one digest."""
    from alerts import lease
    from alerts.channels import DeliveryError, Item, Result, make_channel
    from alerts.export import alert_rows, to_contract
    from alerts.schema import ensure_columns

    res = FlushResult()
    now = now or _now()
    cfg = app.cfg
    conn = app.store.conn
    ensure_columns(app.store)
    res.unsure = lease.recover(app.store)
    owner = lease.owner_id()
    tmap = targets(cfg)
    due = conn.execute(
        "SELECT d.*, a.status AS alert_status FROM deliveries d JOIN alerts a ON a.id = d.alert_id"
        " WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.id", (_iso(now),)).fetchall()
    by_target: dict[str, list] = {}
    for d in due:
        if only and d["channel"] not in only:
            continue
        by_target.setdefault(d["channel"], []).append(d)
    for name, rows in by_target.items():
        spec = tmap.get(name)
        if spec is not None and (spec.get("cadence") == "daily") != daily and not only:
            continue
        if spec is None:
            with app.store.tx() as c:
                n = sum(c.execute("UPDATE deliveries SET status = 'failed', last_error = ? WHERE id = ?"
                                  " AND status = 'pending'", ("channel no longer configured", r["id"])).rowcount
                        for r in rows)
            res.failed += n
            continue
        # Acknowledged or silenced since queueing: withhold firing notices.
        items, withheld = [], []
        contracts = {r["id"]: to_contract(r) for r in alert_rows(conn, include_withdrawn=True,
                                                               ids=sorted({d["alert_id"] for d in rows}))}
        for d in rows:
            a = contracts[d["alert_id"]]
            alert_row = conn.execute("SELECT * FROM alerts WHERE id = ?", (d["alert_id"],)).fetchone()
            if d["kind"] == "firing" and (alert_row["status"] in ("acked", "withdrawn")
                                          or active_silence(conn, alert_row) is not None):
                withheld.append(d)
                continue
            items.append(Item(delivery_id=d["id"], event=d["kind"], alert=a, digest=bool(d["digest"]),
                              recipients=_owed(conn, d["id"], spec)))
        if withheld:
            with app.store.tx() as c:
                res.skipped += sum(c.execute(
                    "UPDATE deliveries SET status = 'cancelled', last_error = ? WHERE id = ? AND status = 'pending'",
                    ("withheld: acknowledged, silenced or withdrawn", d["id"])).rowcount for d in withheld)
        if not items:
            continue
        channel = make_channel(name, spec)
        for group in channel.plan(items):
            mine = lease.claim(app.store, [i.delivery_id for i in group], owner, lease.lease_seconds(spec),
                               _iso(now))
            res.leased += len(group) - len(mine)
            group = [i for i in group if i.delivery_id in mine]
            if not group:
                continue
            try:
                result = channel.deliver(group)
            except DeliveryError as e:
                result = Result(e)
            except Exception as e:  # a channel bug is a failed attempt, not a crash
                log.exception("channel %s failed", name)
                result = Result(DeliveryError(f"{type(e).__name__}: {e}", retryable=True))
            with app.store.tx() as c:
                for item in group:
                    record(c, item.delivery_id, mine[item.delivery_id], result, cfg.section("alerts"), res,
                           name, now, owner)
    return res


def _owed(conn, delivery_id: int, spec: dict) -> tuple[str, ...] | None:
    """Email: the group's recipients that have not yet accepted or refused this delivery."""
    if spec.get("type") != "email":
        return None
    done = {r[0] for r in conn.execute("SELECT recipient FROM delivery_recipients WHERE delivery_id = ?"
                                       " AND status IN ('accepted', 'refused')", (delivery_id,))}
    return tuple(r for r in spec.get("to") or () if r not in done)


def record(c, delivery_id: int, attempts: int, result, alerts_cfg: dict, res: FlushResult, name: str,
           now: datetime, owner: str) -> None:
    """Commit one delivery's outcome (inside the caller's transaction) and clear its lease.

    A success is recorded even if the lease was lost meanwhile (it spares the
    resend); a failure only while this flush still holds the lease, so it
    cannot overwrite what another process recorded since."""
    from alerts.channels import DeliveryError

    ts = _iso(now)
    err = result.error
    note = None
    if err is None and result.recipients:
        c.executemany("INSERT INTO delivery_recipients (delivery_id, recipient, status, reply, at) VALUES (?, ?, ?, ?, ?)"
                      " ON CONFLICT (delivery_id, recipient) DO UPDATE SET status = excluded.status,"
                      " reply = excluded.reply, at = excluded.at",
                      [(delivery_id, r.recipient, r.status, r.reply, ts) for r in result.recipients])
        accepted_ever = c.execute("SELECT 1 FROM delivery_recipients WHERE delivery_id = ? AND status = 'accepted'",
                                  (delivery_id,)).fetchone() is not None
        refused = "; ".join(f"{r.recipient}: {r.reply}" for r in result.recipients if r.status == "refused")
        deferred = "; ".join(f"{r.recipient}: {r.reply}" for r in result.recipients if r.status == "deferred")
        if deferred and accepted_ever and attempts >= alerts_cfg["max_attempts"]:
            # Out of attempts for the deferred ones; the others have it.
            refused = "; ".join(x for x in (refused, f"gave up after {attempts} attempts on {deferred}") if x)
            deferred = ""
        if deferred:
            err = DeliveryError(f"recipients deferred, retried: {deferred}"
                                + (f"; refused: {refused}" if refused else ""), retryable=True)
        elif not accepted_ever:
            err = DeliveryError(f"all recipients refused: {refused}", retryable=False)
        elif refused:
            note = f"refused by the server: {refused}"
    clear = "lease_owner = NULL, lease_until = NULL"
    mine = "AND status = 'sending' AND lease_owner = ?"
    if err is None:
        c.execute(f"UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = ?, {clear} WHERE id = ?",
                  (ts, note, delivery_id))
        res.sent += 1
        if note:
            res.note(name, note)
        return
    if not err.retryable or attempts >= alerts_cfg["max_attempts"]:
        c.execute(f"UPDATE deliveries SET status = 'failed', last_error = ?, unsure = unsure + ?, {clear}"
                  f" WHERE id = ? {mine}", (err.message, int(err.unsure), delivery_id, owner))
        res.failed += 1
    else:
        delay = _backoff(attempts, alerts_cfg, err.retry_after)
        c.execute(f"UPDATE deliveries SET status = 'pending', last_error = ?, next_attempt_at = ?,"
                  f" unsure = unsure + ?, {clear} WHERE id = ? {mine}",
                  (err.message, _iso(now + timedelta(seconds=delay)), int(err.unsure), delivery_id, owner))
        res.retrying += 1
    res.note(name, err.message)


def _backoff(attempts: int, alerts_cfg: dict, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, honouring a server's Retry-After."""
    base = float(alerts_cfg["backoff_seconds"])
    cap = float(alerts_cfg["backoff_max_seconds"])
    delay = min(cap, base * (2 ** (attempts - 1)))
    delay = random.uniform(delay / 2, delay) if delay > 0 else 0.0
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay

