"""Who is asking: the login, the session cookie, the proxy's user header, CSRF tokens and roles.

A session is a cookie signed by Starlette's SessionMiddleware (HttpOnly,
SameSite=Lax, expiring after [web] session_hours) holding the user's name and
`session_version`: a password change or `users disable` ends every session
of that user. Every POST carries the session's CSRF token in a hidden field
and is refused without it. With [web] proxy_user_header set, a request from
an address in [web] trusted_proxies is the user that header names (a user
made with `users add`); the header from any other address is ignored."""
from __future__ import annotations

import hmac
import secrets
from contextlib import closing
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from worker.web import audit_log, users
from worker.web.site import Site
from worker.web.users import ANONYMOUS, User

LOCKOUT = timedelta(minutes=15)
FORM_LIMITS = {"max_files": 0, "max_fields": 50, "max_part_size": 64 * 1024}


def user_of(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use: the login form has one too)."""
    if "session" not in request.scope:
        return ""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    token = request.session.get("csrf") if "session" in request.scope else None
    return bool(token) and isinstance(sent, str) and hmac.compare_digest(token.encode(), sent.encode())


def address(request: Request) -> str:
    return request.client.host if request.client else ""


def resolve(site: Site, request: Request) -> User | None:
    """The logged-in user of this request (proxy header, then session), or None."""
    header = (site.web.get("proxy_user_header") or "").strip()
    if header and address(request) in (site.web.get("trusted_proxies") or []):
        name = request.headers.get(header, "").strip()
        if name:
            with closing(site.connect()) as conn:
                return users.find(conn, name)
    name = request.session.get("user")
    if not name:
        return None
    with closing(site.connect()) as conn:
        user = users.find(conn, name)
    if user is None or user.session_version != request.session.get("v"):
        request.session.pop("user", None)           # disabled, or password changed since: log in again
        return None
    return user


def _to_login(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?next=" + quote(here, safe=""), status_code=303)


def page(site: Site, endpoint: Callable[[Request], Response], role: str = "viewer"
         ) -> Callable[[Request], Awaitable[Response]]:
    """A page that needs `role`; anyone may read when [web] public_read is on and the role is viewer."""
    async def run(request: Request) -> Response:
        user = await run_in_threadpool(resolve, site, request)
        if user is None and role == "viewer" and site.web.get("public_read"):
            user = ANONYMOUS
        if user is None:
            return _to_login(request)
        request.state.user = user
        if not user.can(role):
            raise HTTPException(403, site.L("auth.forbidden", role=site.L("role." + role)))
        return await run_in_threadpool(endpoint, request)
    return run


async def checked_form(site: Site, request: Request) -> dict:
    """The POSTed form's text fields, after its CSRF token was checked (403 without the session's)."""
    form = await request.form(**FORM_LIMITS)
    if not csrf_ok(request, form.get("csrf_token")):
        raise HTTPException(403, site.L("auth.csrf"))
    return {k: v for k, v in form.items() if isinstance(v, str)}


def action(site: Site, endpoint: Callable[[Request, dict, User], Response], role: str = "auditor"
           ) -> Callable[[Request], Awaitable[Response]]:
    """A form POST that needs a logged-in user with `role` and the session's CSRF token."""
    async def run(request: Request) -> Response:
        user = await run_in_threadpool(resolve, site, request)
        values = await checked_form(site, request)
        if user is None:
            return _to_login(request)
        request.state.user = user
        if not user.can(role):
            raise HTTPException(403, site.L("auth.forbidden", role=site.L("role." + role)))
        return await run_in_threadpool(endpoint, request, values, user)
    return run


def safe_next(target: object) -> str:
    """Where to go after login: a path on this site only (never `//host` or a scheme)."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target and not any(ord(c) < 32 for c in target):
        return target
    return "/"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def login_routes(site: Site) -> list:
    from starlette.routing import Route

    def login_form(request: Request, error: str = "", status: int = 200, name: str = "") -> Response:
        return site.render(request, "login.html", status_code=status, error=error, name=name,
                           next=safe_next(request.query_params.get("next")))

    def check(request: Request, form: dict) -> Response:
        name = str(form.get("name", "")).strip()[:64]
        who = address(request)
        since = (_now() - LOCKOUT).isoformat()
        with site.write() as store:
            if audit_log.failures_since(store.conn, name, since) >= int(site.web["max_login_failures"]):
                with store.tx() as c:
                    audit_log.record(c, name, None, "login_refused", detail="too many failures", address=who)
                return login_form(request, site.L("auth.locked", minutes=int(LOCKOUT.total_seconds() // 60)),
                                  429, name)
            user = users.check_login(store.conn, name, str(form.get("password", "")))
            with store.tx() as c:
                if user is None:
                    audit_log.record(c, name, None, "login_failed", address=who)
                else:
                    audit_log.record(c, user.name, user.role, "login", address=who)
                    c.execute("UPDATE web_users SET last_login_at = ? WHERE name = ?", (_now().isoformat(), name))
        if user is None:
            return login_form(request, site.L("auth.wrong"), 401, name)
        request.session.clear()                      # a new session: nothing carried over from before the login
        request.session.update({"user": user.name, "v": user.session_version, "csrf": secrets.token_urlsafe(32)})
        return RedirectResponse(safe_next(form.get("next")), status_code=303)

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return await run_in_threadpool(login_form, request)
        return await run_in_threadpool(check, request, await checked_form(site, request))

    def bye(request: Request, form: dict, user: User) -> Response:
        with site.write() as store, store.tx() as c:
            audit_log.record(c, user.name, user.role, "logout", address=address(request))
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    return [Route("/login", login, methods=["GET", "POST"], name="login"),
            Route("/logout", action(site, bye, "viewer"), methods=["POST"], name="logout")]
