"""Leases on delivery rows: who is sending what, so a row is sent by one process.

Before a message goes out, the rows it carries are claimed in one
`BEGIN IMMEDIATE` transaction: only rows still `pending` and due become
`sending`, stamped with this flush's owner id and an expiry. Another process
(the daemon beside an operator's `deliver`) sees them as taken and skips them.
The outcome is committed right after the channel answers, which clears the
lease.

A row still `sending` whose owner is gone (a process on this host that no
longer exists, or any lease past its expiry) died between claiming and
recording: the receiver may or may not have it. It is marked unsure and sent
once more with the same delivery id, so a receiver that remembers ids drops
the repeat; a second such crash leaves it `unsure` for an operator rather than
risk a third copy.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta, timezone

UNSURE_RESENT = ("unsure: the sending process stopped before recording the receiver's answer; "
                 "sent once more with the same delivery id")
UNSURE_FINAL = ("unsure: the sending process stopped twice before recording the receiver's answer; "
                "not sent a third time - check the receiver for this delivery id "
                "(`deliver --resend-unsure` sends it again)")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def owner_id() -> str:
    """host:pid:nonce, one per flush call (two flushes in one process are two owners)."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def lease_seconds(spec: dict) -> float:
    """Long enough for one request or message of the channel, with room to spare:
    a lease only expires on its own when its owner died on another host or
    its pid was reused."""
    return max(300.0, 6 * float(spec.get("timeout_seconds") or 30.0))


def owner_dead(owner: str | None) -> bool:
    """True when the owner was a process on this host that no longer runs."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False                      # another host: only the expiry tells
    pid = int(pid_text)
    if pid == os.getpid():
        return False                      # this process (maybe another thread's flush)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(store, ids: list[int], owner: str, seconds: float, due_by: str) -> dict[int, int]:
    """Lease the rows among `ids` still pending and due by `due_by` (another
    process may have sent them, or failed them into a later retry, since they
    were read); return {id: attempts}, the attempt counted here, so a crash
    loop still reaches max_attempts."""
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    until = (_now() + timedelta(seconds=seconds)).isoformat()
    with store.tx() as c:
        got = {r[0]: r[1] + 1 for r in c.execute(
            f"SELECT id, attempts FROM deliveries WHERE id IN ({marks}) AND status = 'pending'"
            f" AND next_attempt_at <= ?", [*ids, due_by])}
        if got:
            c.execute(f"UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_until = ?,"
                      f" attempts = attempts + 1 WHERE id IN ({','.join('?' for _ in got)})",
                      [owner, until, *got])
    return got


def recover(store) -> int:
    """Release the leases of dead senders as unsure; return how many rows."""
    def dead(conn) -> list[int]:
        now = _now()
        rows = conn.execute("SELECT id, lease_owner, lease_until FROM deliveries WHERE status = 'sending'").fetchall()
        return [r["id"] for r in rows
                if owner_dead(r["lease_owner"]) or not r["lease_until"]
                or datetime.fromisoformat(r["lease_until"]) <= now]

    if not dead(store.conn):            # the common case: no write lock taken
        return 0
    with store.tx() as c:
        ids = dead(c)                   # again under the write lock: an owner may have recorded meanwhile
        if not ids:
            return 0
        marks = ",".join("?" for _ in ids)
        c.execute(f"UPDATE deliveries SET status = 'pending', unsure = unsure + 1, next_attempt_at = ?,"
                  f" lease_owner = NULL, lease_until = NULL, last_error = ?"
                  f" WHERE id IN ({marks}) AND unsure = 0",
                  [_now().isoformat(), UNSURE_RESENT, *ids])
        c.execute(f"UPDATE deliveries SET status = 'unsure', unsure = unsure + 1,"
                  f" lease_owner = NULL, lease_until = NULL, last_error = ?"
                  f" WHERE id IN ({marks}) AND status = 'sending' AND unsure > 0",
                  [UNSURE_FINAL, *ids])
    return len(ids)


def resend_unsure(store) -> int:
    """An operator checked the receiver: queue the final-unsure rows once more."""
    with store.tx() as c:
        cur = c.execute("UPDATE deliveries SET status = 'pending', next_attempt_at = ?, last_error = ?"
                        " WHERE status = 'unsure'",
                        (_now().isoformat(), "unsure: queued again by an operator"))
        return cur.rowcount
