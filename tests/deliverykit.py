"""Shared pieces of the delivery tests: an App with channels and no
backoff, a signed webhook channel (the `reports` fixture is in conftest)."""
from __future__ import annotations

from worker.app import App
from worker.config import Config
from worker.storage import Store


def make_app(tmp_path, channels, **alerts):
    data = {"alerts": {"backoff_seconds": 0.0, **alerts}, "channels": channels}
    return App(Config(path=None, data=data), Store(tmp_path / "d.db"))


def webhook(url, **extra):
    return {"hook": {"type": "webhook", "url": url, "secret_env": "AW_TEST_SECRET", "allow_private": True,
                     "timeout_seconds": 5.0, **extra}}
