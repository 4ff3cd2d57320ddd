"""Polite, safe HTTP fetching.

* One URL normalization (worker.urls) for every check and for the request:
  only configured origins (scheme, host and port); redirects followed by
  hand, each hop checked again; the host resolved once, private and loopback
  addresses refused unless the source allows them, and the connection made
  to the address that was checked (worker.pinned).
* Conditional GET (ETag / Last-Modified) with the HTTP cache in SQLite; a 304
  costs no download.
* A per-host minimum interval and concurrency cap; robots.txt respected
  (configurable); connect, header, whole-response and idle deadlines; a size
  cap enforced while streaming; retries with exponential backoff on
  connection errors, idle timeouts, 5xx and 429 (not on a deadline cut: a
  slow server stays slow).
* A descriptive User-Agent; URLs in logs carry no credentials.
"""
from __future__ import annotations

import logging
import random
import threading
import time
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urljoin

from worker.net import redact
from worker.pinned import Deadlines, HTTPFailure, PinnedResponse, request
from worker.urls import AllowList, ParsedURL, UnsafeURL, parse, resolve

log = logging.getLogger("audit_worker.fetch")

# [limits] keys the fetcher reads, with their defaults when a caller passes
# only the [fetch] section (worker.config.fetch_settings merges both).
LIMIT_DEFAULTS = {"fetch_connect_seconds": 10.0, "fetch_header_seconds": 30.0, "fetch_response_seconds": 300.0,
                  "links_per_page": 200, "links_per_poll": 1000, "poll_source_seconds": 1800.0}


@dataclass
class Response:
    url: str                      # final URL after allowed redirects
    status: int                   # 200, 304, …
    data: bytes = b""
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class FetchError(Exception):
    """A fetch that failed, with a reason a person understands."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class HostPolicy:
    """Per-host politeness shared by all fetches of a run."""

    def __init__(self, interval: float, concurrency: int):
        self.interval = interval
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._sems: dict[str, threading.Semaphore] = {}
        # robots.txt parsed once per host and run, shared by all sources.
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.robots_lock = threading.Lock()

    def slot(self, host: str) -> threading.Semaphore:
        with self._lock:
            if host not in self._sems:
                self._sems[host] = threading.Semaphore(self.concurrency)
            return self._sems[host]

    def wait(self, host: str) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                ready = self._last.get(host, 0.0) + self.interval
                if now >= ready:
                    self._last[host] = now
                    return
                delay = ready - now
            time.sleep(delay)


class Fetcher:
    def __init__(self, fetch_cfg: dict, store=None, policy: HostPolicy | None = None):
        self.cfg = {**LIMIT_DEFAULTS, **fetch_cfg}
        self.store = store
        self.policy = policy or HostPolicy(fetch_cfg["per_host_interval_seconds"], fetch_cfg["per_host_concurrency"])
        self.headers = {"User-Agent": fetch_cfg["user_agent"], "Accept-Language": "zh-CN,zh;q=0.9", "Accept": "*/*"}
        self.deadlines = Deadlines(connect=float(self.cfg["fetch_connect_seconds"]),
                                   headers=float(self.cfg["fetch_header_seconds"]),
                                   response=float(self.cfg["fetch_response_seconds"]),
                                   idle=float(self.cfg["timeout_seconds"]))
        self.requests = 0
        self.bytes = 0

    # -- public --------------------------------------------------------------------
    def get(self, url: str, *, allowed: AllowList, allow_private: bool = False,
            conditional: bool = True) -> Response:
        """GET with redirects checked hop by hop; FetchError on any refusal."""
        cache = self._cache(url) if conditional else None
        current = self._parse(url)
        for _hop in range(6):
            try:
                allowed.check(current)
            except UnsafeURL as e:
                raise FetchError(f"拒绝访问:{e}") from None
            if self.cfg["respect_robots_txt"] and not self._robots_allow(current, allow_private):
                raise FetchError(f"robots.txt 不允许抓取 {redact(current.url)}")
            headers = {}
            if cache and _hop == 0:
                if cache["etag"]:
                    headers["If-None-Match"] = cache["etag"]
                if cache["last_modified"]:
                    headers["If-Modified-Since"] = cache["last_modified"]
            r = self._request(current, headers, allow_private)
            if r.status in (301, 302, 303, 307, 308):
                loc = r.headers.get("Location")
                if not loc:
                    raise FetchError(f"重定向缺少 Location:{redact(current.url)}", r.status)
                try:
                    nxt = parse(urljoin(current.url, loc.strip()))
                except UnsafeURL as e:
                    raise FetchError(f"重定向目标被拒绝({e}),来自 {redact(current.url)}", r.status) from None
                if not allowed.permits(nxt):
                    raise FetchError(f"重定向到未配置的主机 {nxt.netloc}({redact(nxt.url)}),已拒绝", r.status)
                current = nxt
                continue
            if r.status == 304:
                return Response(url=current.url, status=304, not_modified=True,
                                etag=cache["etag"] if cache else None,
                                last_modified=cache["last_modified"] if cache else None)
            if r.status >= 400:
                raise FetchError(f"HTTP {r.status} {r.reason}:{redact(current.url)}", r.status)
            ctype = r.headers.get("Content-Type", "") or ""
            charset = None
            if "charset=" in ctype.lower():
                charset = ctype.lower().split("charset=")[1].split(";")[0].strip().strip('"')
            return Response(url=_result_url(url, current), status=r.status, data=r.data,
                            content_type=ctype.split(";")[0] or None, charset=charset,
                            etag=r.headers.get("ETag"), last_modified=r.headers.get("Last-Modified"))
        raise FetchError(f"重定向次数过多:{redact(url)}")

    def remember(self, url: str, resp: Response, sha256: str | None) -> None:
        """Record validators of a fetched URL for the next conditional GET."""
        if self.store is None:
            return
        from worker.storage import now_iso

        with self.store.tx() as c:
            c.execute(
                "INSERT INTO http_cache (url, etag, last_modified, sha256, status, fetched_at) VALUES (?,?,?,?,?,?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
                " sha256 = COALESCE(excluded.sha256, http_cache.sha256), status = excluded.status,"
                " fetched_at = excluded.fetched_at",
                (url, resp.etag, resp.last_modified, sha256, resp.status, now_iso()))

    def forget(self, url: str) -> None:
        """Drop a URL's validators so the next run reads it in full."""
        if self.store is not None:
            with self.store.tx() as c:
                c.execute("DELETE FROM http_cache WHERE url = ?", (url,))

    # -- internals ------------------------------------------------------------------
    def _cache(self, url: str):
        if self.store is None:
            return None
        row = self.store.conn.execute("SELECT * FROM http_cache WHERE url = ?", (url,)).fetchone()
        if row is None or not (row["etag"] or row["last_modified"]) or not row["sha256"]:
            return None
        return row

    @staticmethod
    def _parse(url: str) -> ParsedURL:
        try:
            return parse(url)
        except UnsafeURL as e:
            raise FetchError(f"拒绝访问:{e}") from None

    def _request(self, p: ParsedURL, headers: dict, allow_private: bool,
                 max_bytes: int | None = None) -> PinnedResponse:
        """One GET with retries; the host is resolved and checked for each
        attempt and the connection goes to exactly that address."""
        retries = int(self.cfg["retries"])
        backoff = float(self.cfg["backoff_seconds"])
        cap = int(self.cfg["max_bytes"]) if max_bytes is None else max_bytes
        last = ""
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(min(60.0, backoff * (2 ** (attempt - 1))) * random.uniform(0.5, 1.0))
            try:
                target = resolve(p, allow_private=allow_private)
            except UnsafeURL as e:
                raise FetchError(f"拒绝访问:{e}") from None
            with self.policy.slot(p.netloc):
                self.policy.wait(p.netloc)
                self.requests += 1
                try:
                    r = request(target, headers={**self.headers, **headers}, deadlines=self.deadlines,
                                max_bytes=cap)
                except HTTPFailure as e:
                    if e.kind in ("connect", "timeout", "protocol"):
                        last = e.reason
                        continue
                    raise FetchError(e.reason, e.status) from None
            self.bytes += len(r.data)
            if r.status == 429 or r.status >= 500:
                last = f"HTTP {r.status}:{redact(p.url)}"
                ra = r.headers.get("Retry-After")
                if ra and ra.isdigit() and attempt < retries:
                    time.sleep(min(float(ra), 60.0))
                continue
            return r
        raise FetchError(last or f"请求失败:{redact(p.url)}")

    def _robots_allow(self, p: ParsedURL, allow_private: bool) -> bool:
        base = f"{p.scheme}://{p.netloc}"
        cache = self.policy.robots
        with self.policy.robots_lock:
            known = base in cache
            if not known:
                cache[base] = None         # others allow while the first fetch runs
        if not known:
            rp = urllib.robotparser.RobotFileParser()
            rp.parse(self._robots_text(base + "/robots.txt", allow_private).splitlines())
            with self.policy.robots_lock:
                cache[base] = rp
        rp = cache.get(base)
        return True if rp is None else rp.can_fetch(self.cfg["user_agent"], p.url)

    def _robots_text(self, url: str, allow_private: bool) -> str:
        """robots.txt, by conditional GET across runs; none means allowed."""
        cached = self._cache(url)
        headers = {}
        if cached:
            if cached["etag"]:
                headers["If-None-Match"] = cached["etag"]
            if cached["last_modified"]:
                headers["If-Modified-Since"] = cached["last_modified"]
        try:
            r = self._request(parse(url), headers, allow_private, max_bytes=512 * 1024)
        except (FetchError, UnsafeURL):
            return ""
        if r.status == 304 and cached is not None:
            from worker.sources.poll import load_blob

            data = load_blob(self.store, cached["sha256"])
            return data.decode("utf-8", "replace") if data else ""
        if r.status != 200:
            return ""
        if self.store is not None:
            from worker.sources.poll import store_blob

            sha = store_blob(self.store, r.data)
            self.remember(url, Response(url=url, status=200, etag=r.headers.get("ETag"),
                                        last_modified=r.headers.get("Last-Modified")), sha)
        return r.data.decode("utf-8", "replace")


def _result_url(asked: str, final: ParsedURL) -> str:
    """The URL a response is known by: the caller's own spelling when no
    redirect happened (report keys stay as they were), else the final URL."""
    try:
        return asked if parse(asked).url == final.url else final.url
    except UnsafeURL:
        return final.url
