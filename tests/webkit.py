"""Helpers of the web view's tests: the real app in Starlette's test client, logins, forms with their CSRF token."""
from __future__ import annotations

import html
import re
import warnings

from tests.conftest import WEB_USERS


def client(db, lang: str = "zh", cfg_web: dict | None = None, **web):
    """A test client of the real app over `db` ([web] settings from `web`)."""
    from worker.config import Config
    from worker.web.app import create_app

    cfg = Config(path=None, data={"web": cfg_web or {}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # Starlette's note on httpx vs httpx2
        from starlette.testclient import TestClient

        return TestClient(create_app(str(db), cfg, lang, **web), follow_redirects=False)


def get(c, url: str, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return c.get(url, **kw)


def post(c, url: str, data: dict, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return c.post(url, data=data, **kw)


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]*)"', page)
    assert m, "no CSRF token in the page"
    return html.unescape(m.group(1))


def login(c, name: str, password: str | None = None):
    """Log in through the real form (GET for the token, POST the form); the response of the POST."""
    token = csrf_of(get(c, "/login").text)
    return post(c, "/login", {"name": name, "password": password or WEB_USERS[name][1], "csrf_token": token,
                              "next": "/"})


def logged_in(db, name: str = "vera", **kw):
    c = client(db, **kw)
    r = login(c, name)
    assert r.status_code == 303, r.text
    return c


def submit(c, page_url: str, action: str, data: dict | None = None):
    """POST a form of `page_url` whose action is `action`, with the page's CSRF token."""
    page = get(c, page_url).text
    assert f'action="{action}"' in page, f"no form to {action} on {page_url}"
    return post(c, action, {"csrf_token": csrf_of(page), **(data or {})})
