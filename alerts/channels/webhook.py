"""Signed webhooks: a versioned JSON envelope per alert or per batch.

Headers: `X-Audit-Timestamp` (Unix seconds), `X-Audit-Key-Id`,
`X-Audit-Delivery-Id` (the envelope's `delivery_ids`, comma-separated) and
`X-Audit-Signature: sha256=<hex>`, the HMAC-SHA256, keyed with the secret
from the environment variable the config names, of

    timestamp "\n" key id "\n" delivery ids "\n" raw body

(none of the three headers can hold a newline, so the fields cannot be
shifted into one another). Receivers verify it over the raw bytes, reject
stale timestamps, and drop a repeat by `delivery_ids`: a delivery is resent
with the same id after a crash between the receiver's answer and its record.

Any 2xx status counts as delivered, even if the body is cut or the
connection closes after the status line. No status at all after the request
went out (timeout, connection closed) is "unsure" and retried with backoff;
5xx and 429 (honouring Retry-After) are retried; any other 4xx is reported
and not retried.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from email.utils import parsedate_to_datetime

from alerts.channels import Channel, DeliveryError, Item, Result
from worker import pinned
from worker.urls import PrivateAddress, UnsafeURL, check_url

VERSION = "1"


def signed_bytes(timestamp: str, key_id: str, delivery_ids: str, body: bytes) -> bytes:
    return "\n".join((timestamp, key_id, delivery_ids)).encode("utf-8") + b"\n" + body


def sign(secret: bytes, timestamp: str, key_id: str, delivery_ids: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, signed_bytes(timestamp, key_id, delivery_ids, body),
                                hashlib.sha256).hexdigest()


def _header(headers, name: str) -> str:
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return ""


def verify(secret: bytes, headers, body: bytes, max_age: float = 300.0, now: float | None = None) -> bool:
    """What a receiver does: recompute the HMAC over the timestamp, key id,
    delivery ids and raw body, and check the timestamp is fresh."""
    timestamp = _header(headers, "X-Audit-Timestamp")
    try:
        ts = float(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now or time.time()) - ts) > max_age:
        return False
    expected = sign(secret, timestamp, _header(headers, "X-Audit-Key-Id"),
                    _header(headers, "X-Audit-Delivery-Id"), body)
    return hmac.compare_digest(expected, _header(headers, "X-Audit-Signature"))


def envelope(items: list[Item], status: str) -> dict:
    alerts = [i.alert for i in items]
    # report_missing and operator alerts have no report (id None): sorted after the reports, as "none".
    group = sorted({a["report"]["id"] for a in alerts}, key=lambda g: (g is None, g or 0))
    return {"version": VERSION, "status": status,
            "group_key": "report:" + ",".join("none" if g is None else str(g) for g in group),
            "delivery_ids": [i.delivery_id for i in items],
            "alerts": alerts}


class WebhookChannel(Channel):
    def _secret(self) -> bytes:
        env = self.spec.get("secret_env")
        value = os.environ.get(env) if env else None
        if not value:
            raise DeliveryError(f"{self.name}: signing secret not set (${env or 'secret_env'})", retryable=True)
        return value.encode()

    def plan(self, items: list[Item]) -> list[list[Item]]:
        groups: list[list[Item]] = []
        for status in ("firing", "withdrawn", "test"):
            group = [i for i in items if i.event == status]
            if not group:
                continue
            if self.spec.get("batch") or all(i.digest for i in group):
                # Bounded bodies: a backfill's digest of thousands of alerts
                # goes in several requests, not one the receiver would refuse.
                size = int(self.spec.get("batch_max") or 500)
                groups += [group[k:k + size] for k in range(0, len(group), size)]
            else:
                groups += [[i] for i in group]
        return groups

    def deliver(self, group: list[Item]) -> Result:
        try:
            secret = self._secret()
            # One normalization for the check and the request: the host is
            # resolved once and the request goes to the address checked.
            target = check_url(self.spec["url"], allow_private=bool(self.spec.get("allow_private")))
        except PrivateAddress as e:
            return Result(DeliveryError(private_refusal(e, self.spec.get("channel") or self.name,
                                                        self.spec.get("config_file")), retryable=False))
        except UnsafeURL as e:
            return Result(DeliveryError(f"{self.name}: {e}", retryable=False))
        except DeliveryError as e:
            return Result(e)
        return Result(self._post(secret, envelope(group, group[0].event), group, target))

    def _post(self, secret: bytes, payload: dict, group: list[Item], target) -> DeliveryError | None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        ts = str(int(time.time()))
        key_id = self.spec.get("key_id") or "default"
        ids = ",".join(str(i.delivery_id) for i in group)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "audit-worker/0.1",
            "X-Audit-Timestamp": ts,
            "X-Audit-Key-Id": key_id,
            "X-Audit-Delivery-Id": ids,
            "X-Audit-Signature": sign(secret, ts, key_id, ids, body),
        }
        return self._send(target, body, headers)

    def _send(self, target, body: bytes, headers: dict) -> DeliveryError | None:
        """POST on a connection to the checked address, under connect, header
        and whole-response deadlines. The status decides: a 2xx is sent even
        when the body breaks after it; an error body is read (capped) for the
        reason; no status after the request left is "unsure"."""
        t = float(self.spec["timeout_seconds"])
        deadlines = pinned.Deadlines(connect=min(t, 10.0), headers=t, response=t + 5.0, idle=t)
        try:
            r = pinned.request(target, method="POST", headers=headers, body=body, deadlines=deadlines,
                               max_bytes=64 * 1024, read_body=lambda status: not 200 <= status < 300)
        except pinned.HTTPFailure as e:
            if e.status is not None and 200 <= e.status < 300:
                return None
            if e.status is not None:
                return DeliveryError(f"webhook answered {e.status}, then the body broke", retryable=True)
            if not e.sent:
                return DeliveryError(f"webhook unreachable: {e.reason}", retryable=True)
            return DeliveryError(f"unsure: webhook gave no status ({e.reason}); retried with the same delivery id",
                                 retryable=True, unsure=True)
        if 200 <= r.status < 300:
            return None
        if r.status == 429 or r.status >= 500:
            return DeliveryError(f"webhook answered {r.status}", retryable=True,
                                 retry_after=_retry_after(r.headers.get("Retry-After")))
        text = r.data[:2048].decode("utf-8", "replace")
        text = "".join(ch if ch.isprintable() else " " for ch in text)[:200]
        return DeliveryError(f"webhook refused with {r.status}: {text}", retryable=False)


def private_refusal(e: PrivateAddress, channel: str, config_file: str | None) -> str:
    """Why a receiver was refused and the one setting that allows it."""
    what = f"{e.address} is {e.kind}" if e.host == e.address else f"{e.host} resolves to {e.address}, {e.kind}"
    return (f"refused: {what}; set allow_private = true on channel {channel} ([channels.{channel}]) "
            f"in {config_file or 'the config file'} to allow it")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
