"""SMTP delivery against aiosmtpd on 127.0.0.1 that refuses: one recipient of
two refused (recorded per recipient with the server's reply), a 451 for the
message or for one recipient (retried with backoff, only to who is owed),
a 550 for all (permanent)."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from servers import free_port

from alerts.outbox import _now, flush
from deliverykit import make_app


def rows(app):
    return {r["id"]: r for r in app.store.conn.execute("SELECT * FROM deliveries")}


class Mailhost:
    """aiosmtpd on 127.0.0.1 with scripted refusals: `rcpt(address, n)` and
    `data(n)` return None (accept) or an SMTP reply."""

    def __init__(self, rcpt=None, data=None):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], bytes]] = []
        self.rcpt_calls: Counter = Counter()
        self.data_calls = 0
        outer = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                n = outer.rcpt_calls[address]
                outer.rcpt_calls[address] += 1
                reply = rcpt(address, n) if rcpt else None
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                n = outer.data_calls
                outer.data_calls += 1
                reply = data(n) if data else None
                if reply:
                    return reply
                outer.messages.append((list(envelope.rcpt_tos), envelope.content))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def mail(port, to):
    return {"mail": {"type": "email", "host": "127.0.0.1", "port": port, "security": "none",
                     "sender": "audit@example.org", "timeout_seconds": 5.0,
                     "groups": [{"name": "team", "to": to}]}}


def recipients(app):
    return {(r["delivery_id"], r["recipient"]): (r["status"], r["reply"])
            for r in app.store.conn.execute("SELECT * FROM delivery_recipients")}


def test_one_of_two_recipients_refused_is_recorded_per_recipient(reports, db_url):
    refuse = lambda addr, n: "550 5.1.1 <b@example.org>: no such user" if addr == "b@example.org" else None  # noqa
    with Mailhost(rcpt=refuse) as smtp:
        app = make_app(db_url, mail(smtp.port, ["a@example.org", "b@example.org"]))
        s = app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        flush(app)
        flush(app)
    got = rows(app)
    assert got and len(smtp.messages) == 1 and smtp.messages[0][0] == ["a@example.org"]
    per = recipients(app)
    for d in got.values():
        assert d["status"] == "sent"
        assert "refused by the server: b@example.org: 550 5.1.1 <b@example.org>: no such user" == d["last_error"]
        assert per[(d["id"], "a@example.org")][0] == "accepted"
        assert per[(d["id"], "b@example.org")] == ("refused", "550 5.1.1 <b@example.org>: no such user")
    assert "b@example.org: 550" in s.delivery_note          # the operator sees it in the run's output


@pytest.mark.parametrize("phase", ["RCPT", "DATA"])
def test_a_451_is_retried_with_backoff_then_sent(reports, phase, db_url):
    later = "451 4.3.0 try again later"
    script = {"rcpt": lambda addr, n: later if n == 0 else None} if phase == "RCPT" else \
        {"data": lambda n: later if n == 0 else None}
    with Mailhost(**script) as smtp:
        app = make_app(db_url, mail(smtp.port, ["a@example.org"]), backoff_seconds=60.0)
        s = app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        assert "451 4.3.0 try again later" in s.delivery_note and "to retry" in s.delivery_note
        assert {r["status"] for r in rows(app).values()} == {"pending"}
        assert flush(app).sent == 0 and smtp.messages == []                   # backoff: not due yet
        res = flush(app, now=_now() + timedelta(hours=2))
    assert res.sent == len(rows(app)) and len(smtp.messages) == 1
    assert all(r["status"] == "sent" and r["attempts"] == 2 for r in rows(app).values())


def test_a_451_for_one_recipient_retries_only_that_recipient(reports, db_url):
    busy = lambda addr, n: "451 4.2.0 mailbox busy" if addr == "b@example.org" and n == 0 else None  # noqa
    with Mailhost(rcpt=busy) as smtp:
        app = make_app(db_url, mail(smtp.port, ["a@example.org", "b@example.org"]))
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        first = rows(app)
        assert all(r["status"] == "pending" and "b@example.org: 451 4.2.0 mailbox busy" in r["last_error"]
                   for r in first.values())
        flush(app)
    assert [m[0] for m in smtp.messages] == [["a@example.org"], ["b@example.org"]]
    per = recipients(app)
    assert all(r["status"] == "sent" for r in rows(app).values())
    assert {s for (_, _), (s, _) in per.items()} == {"accepted"} and len(per) == 2 * len(first)


def test_a_550_for_every_recipient_is_permanent(reports, db_url):
    with Mailhost(rcpt=lambda addr, n: "550 5.7.1 relaying denied") as smtp:
        app = make_app(db_url, mail(smtp.port, ["a@example.org"]))
        app.backfill([reports / "004_06066fc72a3963be.txt"], deliver="each")
        flush(app)
    assert smtp.messages == [] and smtp.rcpt_calls["a@example.org"] == 1
    assert all(r["status"] == "failed" and "a@example.org: 550 5.7.1 relaying denied" in r["last_error"]
               for r in rows(app).values())
