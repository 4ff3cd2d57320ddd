"""Network safety: which URLs audit-worker may talk to.

Only http(s); only configured origins; only hosts that resolve to public
addresses unless a source or channel explicitly allows private ones (tests
on 127.0.0.1 do); credentials in URLs are stripped from anything logged.
The parsing itself lives in worker.urls (one normalization for every check
and for the request); this module keeps the older entry points.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from worker.urls import AllowList, UnsafeURL, is_public, parse, resolve

__all__ = ["UnsafeURL", "check_url", "is_private", "redact"]


def is_private(addr) -> bool:
    return not is_public(addr)


def check_url(url: str, *, allow_private: bool = False, allowed_hosts: set[str] | None = None) -> str:
    """Raise UnsafeURL unless the URL may be fetched; return its host.

    Same normalization and address check as every fetch (worker.urls);
    `allowed_hosts` entries are read as in a source's `allowed_hosts`.
    Prefer worker.urls.check_url, which also returns the address to connect to."""
    p = parse(url)
    if allowed_hosts is not None:
        AllowList.for_source(None, list(allowed_hosts)).check(p)
    resolve(p, allow_private=allow_private)
    return p.host


def redact(url: str) -> str:
    """A URL fit for logs: no user, no password, no query string values."""
    try:
        p = urlsplit(url)
        netloc = p.hostname or ""
        if p.port:
            netloc += f":{p.port}"
    except ValueError:
        return "<invalid url>"
    if ":" in netloc.rsplit(":", 1)[0]:
        netloc = f"[{p.hostname}]" + (f":{p.port}" if p.port else "")
    query = "&".join(kv.split("=")[0] + "=…" for kv in p.query.split("&") if kv) if p.query else ""
    return urlunsplit((p.scheme, netloc, p.path, query, ""))
