"""What every page and action of the web view shares: the database, the config, the labels, the templates.

Pages read through `connect()` (a read-only connection per request); actions
write through `write()` (the same Store and transactions the CLI uses), so a
web acknowledgement and `alerts ack` leave the same rows behind."""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from worker.safe_text import clean, strip_userinfo
from worker.web.labels import WebLabels

HERE = Path(__file__).resolve().parent


def safe_url(url: object) -> str | None:
    """An http(s) URL without user name or password, or None: anything else is not linked."""
    if not isinstance(url, str):
        return None
    u = strip_userinfo(url.strip())
    try:
        scheme = urlsplit(u).scheme.lower()
    except ValueError:
        return None
    return u if scheme in ("http", "https") else None


def _show(value: object) -> str:
    """An evidence value as a person reads it: text as is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    # Terminal controls and bidi overrides in portal text are dropped before escaping (worker/safe_text).
    env.filters["clean"] = clean
    env.filters["show"] = _show
    env.globals["safe_url"] = safe_url
    return env


def page_number(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value)) if value is not None else default
    except ValueError:
        return default


@dataclass
class Site:
    db_path: str
    cfg: Any = None
    lang: str = "zh"
    web: dict = field(default_factory=dict)
    templates: Jinja2Templates = field(init=False)
    L: WebLabels = field(init=False)

    def __post_init__(self) -> None:
        from worker.config_schema import SCHEMA

        defaults = {k: v["default"] for k, v in SCHEMA["web"].items()}
        self.web = {**defaults, **(self.cfg.section("web") if self.cfg is not None else {}), **self.web}
        self.templates = Jinja2Templates(env=environment())
        self.L = WebLabels(self.lang)

    @property
    def page_size(self) -> int:
        return int(self.web.get("page_size") or 50)

    def connect(self) -> Any:
        """A connection that can only read (the pages): sqlite3's with `query_only`, or on a
        PostgreSQL store its connection with sqlite3's API in read-only transactions."""
        from worker.db.urls import is_postgres

        if is_postgres(self.db_path):
            from worker.db.pgconn import PgConnection
            from worker.db.urls import target

            return PgConnection(target(self.db_path).dsn(), timeout=10.0, read_only=True)
        conn = sqlite3.connect(self.db_path, timeout=10.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only = ON")
        return conn

    @contextmanager
    def write(self) -> Iterator[Any]:
        """The Store the CLI uses, for one action (its transactions take the write lock)."""
        from worker.storage import Store

        timeout = float(self.cfg.get("storage", "busy_timeout_s", 30.0)) if self.cfg is not None else 30.0
        store = Store(self.db_path, timeout=timeout)
        try:
            yield store
        finally:
            store.close()

    def render(self, request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        from worker.web import auth

        base = {"L": self.L, "lang": self.lang, "user": auth.user_of(request),
                "csrf_token": auth.csrf_token(request), "public_read": bool(self.web.get("public_read"))}
        return self.templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
