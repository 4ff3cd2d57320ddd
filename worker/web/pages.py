"""The reading pages: the inbox, an alert, a report."""
from __future__ import annotations

import math
from contextlib import closing
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alerts import verdicts
from worker.web import auth, page_images, queries, report_text, report_view
from worker.web.history import timeline
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


def alert_view(site: Site, request: Request, alert_id: int, status_code: int = 200, error: str = "",
               error_form: str = "", form: dict | None = None) -> Response:
    """The alert page; an action refused shows it again with `error` by the form `error_form` (its values kept)."""
    with closing(site.connect()) as conn:
        a = queries.alert(conn, alert_id)
        if a is None:
            raise HTTPException(404)
        quotes = queries.quotes_in_context(conn, alert_id)
        page_images.annotate(site, conn, alert_id, quotes)
        history = timeline(conn, alert_id)
        sent = queries.deliveries(conn, alert_id)
        verdict = verdicts.latest(conn, alert_id)
    figures = [(k, v) for k, v in a["evidence"].items() if k not in SHOWN_APART]
    return site.render(request, "alert.html", status_code=status_code, a=a, quotes=quotes, figures=figures,
                       history=history, sent=sent, verdict=verdict, silence_choices=silence_choices(a),
                       error=error, error_form=error_form, form=form or {})


def silence_choices(a: dict) -> dict[str, str]:
    """What a silence from this alert's page may cover: its rule, its report, its kind (matcher → value)."""
    out = {"rule": a["rule"]}
    if a["report_id"] is not None:
        out["report"] = str(a["report_id"])
    out["kind"] = a["kind"]
    return out


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
        return alert_view(site, request, request.path_params["alert_id"])

    def report_page(request: Request) -> Response:
        report_id = request.path_params["report_id"]
        with closing(site.connect()) as conn:
            p = report_view.page(conn, report_id, site.L)
        if p is None:
            raise HTTPException(404)
        return site.render(request, "report.html", p=p, r=p.r, alerts=p.alerts, max_chars=report_text.MAX_CHARS)

    return [
        Route("/", auth.page(site, inbox), name="inbox"),
        Route("/alerts/{alert_id:int}", auth.page(site, alert_page), name="alert"),
        Route("/reports/{report_id:int}", auth.page(site, report_page), name="report"),
    ]
