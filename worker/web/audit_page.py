"""The audit log page `/audit`: who did what, as whom, from where — for admins only."""
from __future__ import annotations

import re
from contextlib import closing

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from worker.web import audit_log, auth
from worker.web.site import Site

ALERT_TARGET = re.compile(r"alert:(\d+)")


def alert_of(target: str | None) -> int | None:
    """The alert id an audit row's target names (`alert:12`), or None."""
    m = ALERT_TARGET.fullmatch(target or "")
    return int(m.group(1)) if m else None


def routes(site: Site) -> list[Route]:
    def audit(request: Request) -> Response:
        before = request.query_params.get("before")
        before_id = int(before) if before and before.isdigit() else None
        with closing(site.connect()) as conn:
            rows = audit_log.recent(conn, limit=site.page_size + 1, before=before_id)
        more = len(rows) > site.page_size          # one row beyond the page says there is an older page
        rows = rows[:site.page_size]
        for r in rows:
            r["alert_id"] = alert_of(r["target"])
        older = rows[-1]["id"] if more and rows else None
        return site.render(request, "audit.html", rows=rows, older=older, paged=before_id is not None)

    return [Route("/audit", auth.page(site, audit, role="admin"), name="audit")]
