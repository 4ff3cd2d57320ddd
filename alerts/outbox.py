"""The outbox (placeholder until delivery lands): nothing is queued."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FlushResult:
    sent: int = 0
    failed: int = 0

    def text(self) -> str:
        return f"deliveries: {self.sent} sent, {self.failed} failed"


def queue(conn, cfg, fingerprint: str, event: str = "firing", digest: bool = False, run_id: str = "") -> int:
    return 0


def flush(app) -> FlushResult:
    return FlushResult()
