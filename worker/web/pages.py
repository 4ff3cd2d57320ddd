"""The reading pages: the inbox, an alert, a report."""
from __future__ import annotations

import math
from contextlib import closing
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from worker.web import auth, queries
from worker.web.site import Site, page_number

SHOWN_APART = ("quotes", "quote", "locations")      # shown as the quotes, not again among the figures


def inbox_link(f: queries.Filters, path: str = "/"):
    """A function making the URL of the inbox with some filters changed (page 1 unless given)."""
    params = {**f.values, "q": f.q} if f.q else dict(f.values)
    if "status" not in f.values:
        params["status"] = "all"

    def link(**changes) -> str:
        p = {k: v for k, v in {**params, **changes}.items() if v not in (None, "") and not (k == "page" and v == 1)}
        return path + "?" + urlencode(p)
    return link


def routes(site: Site) -> list[Route]:
    def inbox(request: Request) -> Response:
        f = queries.Filters.from_params(request.query_params)
        page = page_number(request.query_params.get("page"))
        with closing(site.connect()) as conn:
            rows, total, facets = queries.inbox_page(conn, f, page, site.page_size)
        pages = max(1, math.ceil(total / site.page_size))
        return site.render(request, "inbox.html", rows=rows, total=total, page=page, pages=pages, facets=facets,
                           filters=f, link=inbox_link(f), statuses=queries.STATUSES)

    def alert_page(request: Request) -> Response:
        alert_id = request.path_params["alert_id"]
        with closing(site.connect()) as conn:
            a = queries.alert(conn, alert_id)
            if a is None:
                raise HTTPException(404)
            quotes = queries.quotes_in_context(conn, alert_id)
            history = queries.events(conn, alert_id)
            sent = queries.deliveries(conn, alert_id)
        figures = [(k, v) for k, v in a["evidence"].items() if k not in SHOWN_APART]
        return site.render(request, "alert.html", a=a, quotes=quotes, figures=figures, history=history, sent=sent)

    def report_page(request: Request) -> Response:
        report_id = request.path_params["report_id"]
        with closing(site.connect()) as conn:
            r = queries.report(conn, report_id)
            if r is None:
                raise HTTPException(404)
            tables = queries.report_tables(conn, report_id)
            alerts = queries.report_alerts(conn, report_id)
        return site.render(request, "report.html", r=r, tables=tables, alerts=alerts)

    return [
        Route("/", auth.page(site, inbox), name="inbox"),
        Route("/alerts/{alert_id:int}", auth.page(site, alert_page), name="alert"),
        Route("/reports/{report_id:int}", auth.page(site, report_page), name="report"),
    ]
