"""Delivery channels: console, JSON-lines file, email (SMTP), webhook (HTTP).

A channel splits the due items of one run into messages (`plan`: one
request per alert, a batch, one digest per recipient set) and sends one
message at a time (`deliver`), so the outbox can lease a message's rows just
before it goes out and record its outcome just after. `send` does both for
callers without an outbox (`channels test`).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Item:
    delivery_id: int
    event: str            # firing | withdrawn | test
    alert: dict           # the alert contract
    digest: bool = False
    recipients: tuple[str, ...] | None = None   # email: the recipients still owed (None: all)


@dataclass
class RecipientOutcome:
    """The SMTP server's answer for one recipient."""
    recipient: str
    status: str           # accepted | refused (5xx, permanent) | deferred (4xx, retried)
    reply: str = ""       # e.g. "550 5.1.1 no such user"


class DeliveryError(Exception):
    """A message not delivered. `unsure`: it may have reached the receiver
    (no answer after the request was sent), so a retry may be a repeat."""

    def __init__(self, message: str, retryable: bool = True, retry_after: float | None = None,
                 unsure: bool = False):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.unsure = unsure


@dataclass
class Result:
    """The outcome of one message: an error, or delivered (with the answers
    per recipient for email, where some may be refused or deferred)."""
    error: DeliveryError | None = None
    recipients: list[RecipientOutcome] = field(default_factory=list)


class Channel:
    def __init__(self, name: str, spec: dict):
        self.name = name
        self.spec = spec

    def plan(self, items: list[Item]) -> list[list[Item]]:
        """The messages to send: groups of items that go out together."""
        return [items] if items else []

    def deliver(self, group: list[Item]) -> Result:
        raise NotImplementedError

    def send(self, items: list[Item]) -> dict[int, DeliveryError | None]:
        """Send everything now, without an outbox; per delivery id, None or the error."""
        out: dict[int, DeliveryError | None] = {}
        for group in self.plan(items):
            res = self.deliver(group)
            err = res.error
            if err is None and res.recipients and not any(r.status == "accepted" for r in res.recipients):
                err = DeliveryError("all recipients refused: " + "; ".join(
                    f"{r.recipient}: {r.reply}" for r in res.recipients), retryable=False)
            for i in group:
                out[i.delivery_id] = err
        return out


def make_channel(name: str, spec: dict) -> Channel:
    typ = spec["type"]
    if typ == "console":
        from alerts.channels.console import ConsoleChannel
        return ConsoleChannel(name, spec)
    if typ == "file":
        from alerts.channels.file import FileChannel
        return FileChannel(name, spec)
    if typ == "email":
        from alerts.channels.email import EmailChannel
        return EmailChannel(name, spec)
    if typ == "webhook":
        from alerts.channels.webhook import WebhookChannel
        return WebhookChannel(name, spec)
    raise ValueError(f"unknown channel type {typ!r}")
