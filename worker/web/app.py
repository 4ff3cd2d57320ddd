"""The Starlette application: routes, one SQLite connection per request, Jinja2 pages.

Every page is rendered on the server with autoescaping on: titles, quotes,
report text and URLs come from portals and are shown as text, never as markup;
a link is made only for an http(s) URL."""
from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from worker.safe_text import clean, strip_userinfo
from worker.web import queries
from worker.web.labels import WebLabels

HERE = Path(__file__).resolve().parent
SHOWN_APART = ("quotes", "quote", "locations")      # shown as the quotes, not again among the figures


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


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    # Terminal controls and bidi overrides in portal text are dropped before escaping (worker/safe_text).
    env.filters["clean"] = clean
    env.filters["show"] = _show
    env.globals["safe_url"] = safe_url
    return env


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value)) if value is not None else default
    except ValueError:
        return default


def create_app(db_path: str, cfg=None, lang: str = "zh") -> Starlette:
    """The web view over the database at `db_path`; `cfg` gives [web] page_size; labels in `lang`."""
    web = cfg.section("web") if cfg is not None else {}
    page_size = int(web.get("page_size", 50))
    templates = Jinja2Templates(env=_environment())
    L = WebLabels(lang)

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(db_path, timeout=10.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only = ON")          # the pages only read
        return conn

    def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"L": L, "lang": lang, **context}, status_code=status_code)

    def inbox(request: Request):
        f = queries.Filters.from_params(request.query_params)
        page = _int(request.query_params.get("page"), 1)
        with closing(connect()) as conn:
            rows, total = queries.inbox(conn, f, page, page_size)
            facets = queries.counts(conn, f)
        params = {**f.values, "q": f.q} if f.q else dict(f.values)
        if "status" not in f.values:
            params["status"] = "all"

        def link(**changes) -> str:
            p = {k: v for k, v in {**params, **changes}.items() if v not in (None, "", 1) or k != "page"}
            return "/?" + urlencode({k: v for k, v in p.items() if v not in (None, "")})

        pages = max(1, math.ceil(total / page_size))
        return render(request, "inbox.html", rows=rows, total=total, page=page, pages=pages, facets=facets,
                      filters=f, link=link, statuses=queries.STATUSES)

    def alert_page(request: Request):
        alert_id = request.path_params["alert_id"]
        with closing(connect()) as conn:
            a = queries.alert(conn, alert_id)
            if a is None:
                raise HTTPException(404)
            quotes = queries.quotes_in_context(conn, alert_id)
            history = queries.events(conn, alert_id)
            sent = queries.deliveries(conn, alert_id)
        figures = [(k, v) for k, v in a["evidence"].items() if k not in SHOWN_APART]
        return render(request, "alert.html", a=a, quotes=quotes, figures=figures, history=history, sent=sent)

    def report_page(request: Request):
        report_id = request.path_params["report_id"]
        with closing(connect()) as conn:
            r = queries.report(conn, report_id)
            if r is None:
                raise HTTPException(404)
            tables = queries.report_tables(conn, report_id)
            alerts = queries.report_alerts(conn, report_id)
        return render(request, "report.html", r=r, tables=tables, alerts=alerts)

    async def not_found(request: Request, exc: HTTPException):
        return render(request, "error.html", status_code=exc.status_code, code=exc.status_code)

    routes = [
        Route("/", inbox, name="inbox"),
        Route("/alerts/{alert_id:int}", alert_page, name="alert"),
        Route("/reports/{report_id:int}", report_page, name="report"),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found})
