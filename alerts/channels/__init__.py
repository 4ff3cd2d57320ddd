"""Delivery channels: console, JSON-lines file, email (SMTP), webhook (HTTP).

A channel receives the due items of one run and returns, per delivery id,
None (delivered) or a `DeliveryError` saying whether to retry.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Item:
    delivery_id: int
    event: str            # firing | withdrawn | test
    alert: dict           # the alert contract
    digest: bool = False


class DeliveryError(Exception):
    def __init__(self, message: str, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class Channel:
    def __init__(self, name: str, spec: dict):
        self.name = name
        self.spec = spec

    def send(self, items: list[Item]) -> dict[int, DeliveryError | None]:
        raise NotImplementedError


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
