"""One URL normalization for every check and for the request itself.

Issue 13: the host checks used `urlsplit` while requests/urllib3 parsed the
same string differently (`http://localhost:P2\\@127.0.0.1:P1/x` is 127.0.0.1
to one and localhost:P2 to the other), so a portal page could point the
worker anywhere. Here a URL is parsed once, strictly; anything two parsers
could read differently (backslashes, userinfo, control characters, odd
numeric hosts, percent signs in the host) is refused; the result is rebuilt
as a canonical URL and cross-checked against urlsplit and urllib3. Checks
compare the (scheme, host, port) origin, the host is resolved once, every
address it resolves to is checked, and the caller connects to the checked
address (see worker.pinned) so DNS cannot answer differently the second time.
"""
from __future__ import annotations

import functools
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_CHARS = 8192
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# Characters kept as they are in a path or query; everything else (spaces,
# Chinese file names) is percent-encoded as UTF-8, as a browser would.
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


class UnsafeURL(Exception):
    """A URL the worker refuses to fetch, with the reason."""


class PrivateAddress(UnsafeURL):
    """A host that is, or resolves to, an address that is not public: the
    caller names the setting that allows it (`allow_private`)."""

    def __init__(self, message: str, host: str, address: str, kind: str):
        super().__init__(message)
        self.host = host
        self.address = address
        self.kind = kind            # "a private address", "a loopback address", ...


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.scheme}://{_host_for_url(self.host)}:{self.port}"


@dataclass(frozen=True)
class ParsedURL:
    url: str            # canonical: what is requested and what is compared
    scheme: str
    host: str           # lower case, IDNA (ASCII), IPv6 without brackets
    port: int           # explicit or the scheme's default
    target: str         # path and query, as sent on the request line

    @property
    def origin(self) -> Origin:
        return Origin(self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        h = _host_for_url(self.host)
        return h if self.port == DEFAULT_PORTS[self.scheme] else f"{h}:{self.port}"

    @property
    def netloc(self) -> str:
        return self.host_header


@dataclass(frozen=True)
class Target(ParsedURL):
    address: str = ""   # the checked IP address the request must connect to


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _reject(reason: str, url: str) -> UnsafeURL:
    from worker.net import redact

    return UnsafeURL(f"{reason}: {redact(url) if '@' not in url and chr(92) not in url else '<refused url>'}")


def _parse_host(raw: str, url: str) -> str:
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise _reject("malformed IPv6 host", url)
        try:
            addr = ipaddress.IPv6Address(raw[1:-1])
        except ValueError:
            raise _reject("malformed IPv6 host", url) from None
        return str(addr)
    host = raw.lower()
    if host.endswith("."):
        host = host[:-1]          # "example.gov.cn." is the same DNS name
    if not host:
        raise _reject("no host", url)
    if "%" in host:
        raise _reject("percent-encoded host", url)
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise _reject("host is not a valid international domain name", url) from None
    # Numbers-only hosts are IPv4 to some parsers in forms others do not know
    # (127.1, 0x7f.0.0.1, 2130706433): only the canonical dotted quad passes.
    labels = host.split(".")
    if all(re.fullmatch(r"[0-9]+|0x[0-9a-f]*", lab) for lab in labels if lab) or \
            re.fullmatch(r"0x[0-9a-f]*", labels[-1]):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise _reject("ambiguous numeric host (only a dotted address such as 192.0.2.1 is accepted)",
                          url) from None
    if len(host) > 253 or not all(_LABEL.fullmatch(lab) for lab in labels):
        raise _reject("host has characters a URL host may not have", url)
    return host


def parse(url: str) -> ParsedURL:
    """The canonical form of an http(s) URL, or UnsafeURL with the reason."""
    if not isinstance(url, str):
        raise UnsafeURL(f"not a URL: {type(url).__name__}")
    return _parse(url)


# A poll parses the same URLs again and again (each check, each hop, each
# link filter); the answer depends on the text alone (no DNS), so it is kept.
# Refusals are not kept: they raise again each time.
@functools.lru_cache(maxsize=4096)
def _parse(url: str) -> ParsedURL:
    url = url.strip(" ")
    if len(url) > MAX_URL_CHARS:
        raise UnsafeURL(f"URL longer than {MAX_URL_CHARS} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise UnsafeURL("control character in URL (tabs and newlines are read differently by parsers)")
    if "\\" in url:
        raise UnsafeURL("backslash in URL (parsers disagree on where the host ends): <refused url>")
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if not m or m.group(1).lower() not in DEFAULT_PORTS:
        scheme = m.group(1).lower() if m else ""
        raise UnsafeURL(f"scheme {scheme!r} not allowed (only http and https)")
    scheme = m.group(1).lower()
    rest = url[m.end():]
    if not rest.startswith("//"):
        raise _reject("expected scheme://host", url)
    rest = rest[2:]
    end = min([i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0], default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        raise UnsafeURL("user name or password in URL (refused: they are read differently by parsers and leak "
                        "credentials): <refused url>")
    hm = re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]*)(?::([0-9]*))?", authority)
    if not hm:
        raise _reject("malformed host and port", url)
    host = _parse_host(hm.group(1), url)
    port_text = hm.group(2)
    if port_text is not None:
        if not port_text or len(port_text) > 5 or not 0 < int(port_text) < 65536:
            raise _reject("port must be a number from 1 to 65535", url)
        port = int(port_text)
    else:
        port = DEFAULT_PORTS[scheme]
    tail = tail.split("#", 1)[0]
    path, _, query = tail.partition("?")
    path = quote(path or "/", safe=_SAFE_PATH)
    target = path + ("?" + quote(query, safe=_SAFE_QUERY) if "?" in tail else "")
    hostport = _host_for_url(host) + ("" if port == DEFAULT_PORTS[scheme] else f":{port}")
    canonical = f"{scheme}://{hostport}{target}"
    parsed = ParsedURL(url=canonical, scheme=scheme, host=host, port=port, target=target)
    _cross_check(parsed)
    return parsed


def _cross_check(p: ParsedURL) -> None:
    """The canonical URL must mean the same to urlsplit and to urllib3."""
    from urllib3.util import parse_url

    s = urlsplit(p.url)
    u = parse_url(p.url)
    views = {((s.scheme, (s.hostname or "").lower(), s.port or DEFAULT_PORTS[p.scheme])),
             ((u.scheme or "").lower(), (u.host or "").strip("[]").lower(), u.port or DEFAULT_PORTS[p.scheme])}
    if views != {(p.scheme, p.host, p.port)}:
        raise UnsafeURL(f"parsers disagree about this URL's host: {p.url}")


def try_parse(url: str) -> ParsedURL | None:
    try:
        return parse(url)
    except UnsafeURL:
        return None


class AllowList:
    """Origins (scheme, host, port) a source may fetch from.

    The source URL's own origin is allowed; a bare host in `allowed_hosts`
    allows http on 80 and https on 443; "host:port" allows that port over
    either scheme; "https://host:port" exactly that origin. A source on a
    default port may also move between http:80 and https:443 of its host
    (portals redirect to https). Any other port is another host.
    """

    def __init__(self, origins: set[Origin]):
        self.origins = frozenset(origins)

    @classmethod
    def for_source(cls, url: str | None, extra: list | tuple | set = ()) -> "AllowList":
        origins: set[Origin] = set()
        if url:
            p = try_parse(url)
            if p is not None:
                origins.add(p.origin)
                if p.port == DEFAULT_PORTS[p.scheme]:
                    other = "https" if p.scheme == "http" else "http"
                    origins.add(Origin(other, p.host, DEFAULT_PORTS[other]))
        for entry in extra:
            origins |= cls.entry_origins(entry)
        return cls(origins)

    @staticmethod
    def entry_origins(entry) -> set[Origin]:
        """The origins one `allowed_hosts` entry stands for (none when unreadable)."""
        if not isinstance(entry, str) or not entry.strip():
            return set()
        text = entry.strip()
        if "://" in text:
            p = try_parse(text)
            return {p.origin} if p else set()
        p = try_parse("http://" + text)
        if p is None:
            return set()
        if p.port == 80 and not re.search(r":\d+$", text):
            return {Origin("http", p.host, 80), Origin("https", p.host, 443)}
        return {Origin("http", p.host, p.port), Origin("https", p.host, p.port)}

    def permits(self, url: str | ParsedURL) -> bool:
        p = url if isinstance(url, ParsedURL) else try_parse(url)
        return p is not None and p.origin in self.origins

    def check(self, p: ParsedURL) -> None:
        if p.origin not in self.origins:
            raise UnsafeURL(f"host {p.netloc} is not a configured host")


def is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable unicast: not private, loopback, link-local (cloud
    metadata at 169.254.169.254), shared (100.64/10), reserved or multicast."""
    if isinstance(addr, ipaddress.IPv6Address):
        inner = addr.ipv4_mapped or addr.sixtofour
        if inner is not None:
            return is_public(inner)
    return addr.is_global and not addr.is_multicast


def address_kind(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What a non-public address is, in words for a refusal message."""
    if isinstance(addr, ipaddress.IPv6Address) and (addr.ipv4_mapped or addr.sixtofour) is not None:
        return address_kind(addr.ipv4_mapped or addr.sixtofour)
    for test, words in (("is_loopback", "a loopback address"), ("is_link_local", "a link-local address"),
                        ("is_multicast", "a multicast address"), ("is_unspecified", "an unspecified address"),
                        ("is_private", "a private address")):
        if getattr(addr, test):
            return words
    return "not a public address"


def resolve(p: ParsedURL, *, allow_private: bool = False) -> Target:
    """Resolve the host once; check every address; return the one to connect to."""
    try:
        addrs = [ipaddress.ip_address(p.host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(p.host, p.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as e:
            raise UnsafeURL(f"host {p.host!r} does not resolve ({getattr(e, 'strerror', None) or e})") from None
        addrs = []
        for info in infos:
            a = ipaddress.ip_address(info[4][0].split("%")[0])
            if a not in addrs:
                addrs.append(a)
        if not addrs:
            raise UnsafeURL(f"host {p.host!r} does not resolve")
    if not allow_private:
        for a in addrs:
            if not is_public(a):
                raise PrivateAddress(f"host {p.host} resolves to a private or loopback address ({a})",
                                     p.host, str(a), address_kind(a))
    return Target(url=p.url, scheme=p.scheme, host=p.host, port=p.port, target=p.target, address=str(addrs[0]))


def check_url(url: str, *, allow_private: bool = False, allowed: AllowList | None = None) -> Target:
    """Normalize, check the origin against `allowed` (when given), resolve and
    check the address. Connect to `Target.address` (worker.pinned.request does)
    with `Target.host_header` as Host and `Target.host` as TLS name.
    Webhook channel URLs use this too."""
    p = parse(url)
    if allowed is not None:
        allowed.check(p)
    return resolve(p, allow_private=allow_private)
