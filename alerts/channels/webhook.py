"""Signed webhooks: a versioned JSON envelope per alert or per batch.

Headers: `X-Audit-Timestamp` (Unix seconds), `X-Audit-Key-Id`, and
`X-Audit-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">` keyed with
the secret from the environment variable the config names. Receivers verify
the signature over the raw body and reject stale timestamps; each envelope
carries `delivery_ids` (also `X-Audit-Delivery-Id`) so a receiver can drop a
repeat after a crash. Connection errors, timeouts, 5xx and 429 (honouring
Retry-After) are retried; any other 4xx is reported and not retried.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from email.utils import parsedate_to_datetime

import requests

from alerts.channels import Channel, DeliveryError, Item
from worker.net import UnsafeURL, check_url

VERSION = "1"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: bytes, timestamp: str, body: bytes, signature: str, max_age: float = 300.0,
           now: float | None = None) -> bool:
    """What a receiver does: recompute the HMAC and check the timestamp is fresh."""
    try:
        ts = float(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now or time.time()) - ts) > max_age:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def envelope(items: list[Item], status: str) -> dict:
    alerts = [i.alert for i in items]
    group = sorted({a["report"]["id"] for a in alerts})
    return {"version": VERSION, "status": status,
            "group_key": "report:" + ",".join(str(g) for g in group),
            "delivery_ids": [i.delivery_id for i in items],
            "alerts": alerts}


class WebhookChannel(Channel):
    def __init__(self, name: str, spec: dict):
        super().__init__(name, spec)
        self.session = requests.Session()

    def _secret(self) -> bytes:
        env = self.spec.get("secret_env")
        value = os.environ.get(env) if env else None
        if not value:
            raise DeliveryError(f"{self.name}: signing secret not set (${env or 'secret_env'})", retryable=True)
        return value.encode()

    def send(self, items: list[Item]) -> dict[int, DeliveryError | None]:
        secret = self._secret()
        try:
            check_url(self.spec["url"], allow_private=bool(self.spec.get("allow_private")))
        except UnsafeURL as e:
            raise DeliveryError(f"{self.name}: {e}", retryable=False) from None
        out: dict[int, DeliveryError | None] = {}
        batches: list[tuple[list[Item], str]] = []
        for status in ("firing", "withdrawn", "test"):
            group = [i for i in items if i.event == status]
            if not group:
                continue
            if self.spec.get("batch") or all(i.digest for i in group):
                # Bounded bodies: a backfill's digest of thousands of alerts
                # goes in several requests, not one the receiver would refuse.
                size = int(self.spec.get("batch_max") or 500)
                batches += [(group[k:k + size], status) for k in range(0, len(group), size)]
            else:
                batches += [([i], status) for i in group]
        for group, status in batches:
            err = self._post(secret, envelope(group, status), group)
            for i in group:
                out[i.delivery_id] = err
        return out

    def _post(self, secret: bytes, payload: dict, group: list[Item]) -> DeliveryError | None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "audit-worker/0.1",
            "X-Audit-Timestamp": ts,
            "X-Audit-Key-Id": self.spec.get("key_id") or "default",
            "X-Audit-Signature": sign(secret, ts, body),
            "X-Audit-Delivery-Id": ",".join(str(i.delivery_id) for i in group),
        }
        try:
            r = self.session.post(self.spec["url"], data=body, headers=headers,
                                  timeout=float(self.spec["timeout_seconds"]), allow_redirects=False)
        except requests.Timeout:
            return DeliveryError("webhook timed out", retryable=True)
        except requests.RequestException as e:
            return DeliveryError(f"webhook unreachable: {type(e).__name__}", retryable=True)
        if 200 <= r.status_code < 300:
            return None
        if r.status_code == 429 or r.status_code >= 500:
            return DeliveryError(f"webhook answered {r.status_code}", retryable=True,
                                 retry_after=_retry_after(r.headers.get("Retry-After")))
        return DeliveryError(f"webhook refused with {r.status_code}: {r.text[:200]}", retryable=False)


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
