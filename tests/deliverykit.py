"""Shared pieces of the delivery tests: an App with channels and no
backoff, a signed webhook channel (the `reports` fixture is in conftest)."""
from __future__ import annotations

from worker.app import App
from worker.config import Config
from worker.storage import Store


def make_app(db, channels, **alerts):
    """An App on database `db`: an SQLite path or a PostgreSQL URL (`db_url`)."""
    data = {"alerts": {"backoff_seconds": 0.0, **alerts}, "channels": channels}
    return App(Config(path=None, data=data), Store(db))


def another_db(request, like: str, tmp_path) -> str:
    """A second fresh database of the same kind as `like`: an SQLite file in
    `tmp_path`, or a PostgreSQL copy of the schema template (dropped afterwards)."""
    if not str(like).startswith("postgresql://"):
        return str(tmp_path / "another.db")
    import uuid

    srv, template = request.getfixturevalue("pg_server"), request.getfixturevalue("pg_template")
    name = "another_" + uuid.uuid4().hex[:8]
    url = srv.create_database(name, template=template)
    request.addfinalizer(lambda: srv.drop_database(name))
    return url


def webhook(url, **extra):
    return {"hook": {"type": "webhook", "url": url, "secret_env": "AW_TEST_SECRET", "allow_private": True,
                     "timeout_seconds": 5.0, **extra}}
