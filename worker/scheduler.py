"""The daemon's schedule (the daemon itself arrives with the operator issue)."""
from __future__ import annotations

from worker.config import parse_duration


def poll_interval_seconds(cfg) -> float | None:
    """The poll interval of a duration schedule; None for a cron expression."""
    poll = cfg.section("schedule")["poll"]
    try:
        return parse_duration(poll)
    except ValueError:
        return None
