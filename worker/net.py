"""Network safety: which URLs audit-worker may talk to.

Only http(s); only hosts that resolve to public addresses unless a source or
channel explicitly allows private ones (tests on 127.0.0.1 do); credentials
in URLs are stripped from anything logged.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit


class UnsafeURL(Exception):
    pass


def _addresses(host: str) -> list[ipaddress._BaseAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise UnsafeURL(f"host {host!r} does not resolve ({e.strerror})") from None
    return [ipaddress.ip_address(i[4][0].split("%")[0]) for i in infos]


def is_private(addr: ipaddress._BaseAddress) -> bool:
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast
            or addr.is_unspecified)


def check_url(url: str, *, allow_private: bool = False, allowed_hosts: set[str] | None = None) -> str:
    """Raise UnsafeURL unless the URL may be fetched; return its host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(f"scheme {parts.scheme!r} not allowed: {redact(url)}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeURL(f"no host in {redact(url)}")
    if allowed_hosts is not None and host not in allowed_hosts:
        raise UnsafeURL(f"host {host} is not a configured host")
    if not allow_private:
        for addr in _addresses(host):
            if is_private(addr):
                raise UnsafeURL(f"host {host} resolves to a private or loopback address ({addr})")
    return host


def redact(url: str) -> str:
    """A URL fit for logs: no user, no password, no query string values."""
    try:
        p = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    netloc = p.hostname or ""
    if p.port:
        netloc += f":{p.port}"
    query = "&".join(kv.split("=")[0] + "=…" for kv in p.query.split("&") if kv) if p.query else ""
    return urlunsplit((p.scheme, netloc, p.path, query, ""))
