"""Failpoints: named places where a test can kill the process for real.

`AUDIT_WORKER_FAILPOINTS=after_alerts_stored` makes the process SIGKILL itself
when it reaches that point, as a crash or an operator's kill -9 would. Unset
in production, a failpoint costs one dictionary lookup.
"""
from __future__ import annotations

import os
import signal


def failpoint(name: str) -> None:
    points = os.environ.get("AUDIT_WORKER_FAILPOINTS")
    if points and name in points.split(","):
        os.kill(os.getpid(), signal.SIGKILL)
