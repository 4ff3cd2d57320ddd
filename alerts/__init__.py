"""Alerts: findings turned into alerts, suppressed, queued and delivered."""
