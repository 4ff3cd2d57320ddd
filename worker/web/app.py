"""The Starlette application of the web view: the site, its routes, sessions and error pages.

Every page is rendered on the server with autoescaping on: titles, quotes,
report text and URLs come from portals and are shown as text, never as
markup; a link is made only for an http(s) URL (site.safe_url)."""
from __future__ import annotations

import logging
import os
import secrets

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from worker.web import actions, audit_page, auth, export, overview, page_images, pages
from worker.web.site import HERE, Site

log = logging.getLogger("audit_worker.web")


def session_secret(site: Site) -> str:
    """The key signing session cookies, from the environment variable [web] secret_env names."""
    name = site.web.get("secret_env") or "AUDIT_WORKER_WEB_SECRET"
    key = os.environ.get(name, "")
    if len(key) >= 16:
        return key
    if key:
        log.warning("%s is shorter than 16 characters: a new random key is used instead", name)
    else:
        log.warning("%s is not set: sessions are signed with a new random key and end when the server "
                    "restarts", name)
    return secrets.token_urlsafe(32)


# No page needs a script: the policy forbids every script, so text that slipped
# past escaping still could not run; pages may not be framed (clickjacking).
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(db_path: str, cfg=None, lang: str = "zh", **web) -> Starlette:
    """The web view over the database at `db_path`; settings from `cfg`'s [web], overridden by `web`."""
    site = Site(db_path, cfg, lang, web=web)

    async def error_page(request: Request, exc: HTTPException):
        detail = exc.detail if exc.status_code == 403 else ""
        return site.render(request, "error.html", status_code=exc.status_code, code=exc.status_code, detail=detail)

    routes = pages.routes(site) + actions.routes(site) + audit_page.routes(site) + auth.login_routes(site) + [
        *page_images.routes(site),
        *overview.routes(site),
        *export.routes(site),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders), Middleware(SessionMiddleware, secret_key=session_secret(site), session_cookie="audit_worker_session",
                             max_age=int(float(site.web["session_hours"]) * 3600), same_site="lax",
                             https_only=bool(site.web["secure_cookies"]))]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: error_page})
    app.state.site = site
    return app
