"""Append alerts to a JSON-lines file: one object a line, the alert contract
plus the delivery event."""
from __future__ import annotations

import json
import os
from pathlib import Path

from alerts.channels import Channel, DeliveryError, Item, Result


class FileChannel(Channel):
    def deliver(self, items: list[Item]) -> Result:
        path = Path(self.spec["path"])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as f:
                for it in items:
                    rec = dict(it.alert)
                    rec["event"] = it.event
                    rec["delivery_id"] = it.delivery_id
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            return Result(DeliveryError(f"cannot write {path}: {e.strerror or e}", retryable=True))
        return Result()
