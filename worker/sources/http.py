"""Polite, safe HTTP fetching.

* Only configured hosts; redirects followed by hand and only within them;
  private and loopback addresses refused unless the source allows them.
* Conditional GET (ETag / Last-Modified) with the HTTP cache in SQLite; a 304
  costs no download.
* A per-host minimum interval and concurrency cap; robots.txt respected
  (configurable); timeouts; a size cap enforced while streaming; retries with
  exponential backoff on connection errors, timeouts, 5xx and 429.
* A descriptive User-Agent; URLs in logs carry no credentials.
"""
from __future__ import annotations

import logging
import random
import threading
import time
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

from worker.net import UnsafeURL, check_url, redact

log = logging.getLogger("audit_worker.fetch")


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
        self.cfg = fetch_cfg
        self.store = store
        self.policy = policy or HostPolicy(fetch_cfg["per_host_interval_seconds"], fetch_cfg["per_host_concurrency"])
        self.session = requests.Session()
        self.session.headers["User-Agent"] = fetch_cfg["user_agent"]
        self.session.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
        self.requests = 0
        self.bytes = 0

    # -- public --------------------------------------------------------------------
    def get(self, url: str, *, allowed_hosts: set[str], allow_private: bool = False,
            conditional: bool = True) -> Response:
        """GET with redirects checked hop by hop; FetchError on any refusal."""
        cache = self._cache(url) if conditional else None
        current = url
        for _hop in range(6):
            self._check(current, allowed_hosts, allow_private)
            if self.cfg["respect_robots_txt"] and not self._robots_allow(current, allowed_hosts, allow_private):
                raise FetchError(f"robots.txt 不允许抓取 {redact(current)}")
            headers = {}
            if cache and current == url:
                if cache["etag"]:
                    headers["If-None-Match"] = cache["etag"]
                if cache["last_modified"]:
                    headers["If-Modified-Since"] = cache["last_modified"]
            r = self._request(current, headers)
            if r.status_code in (301, 302, 303, 307, 308):
                loc = r.headers.get("Location")
                r.close()
                if not loc:
                    raise FetchError(f"重定向缺少 Location:{redact(current)}", r.status_code)
                nxt = urljoin(current, loc)
                host = (urlsplit(nxt).hostname or "").lower()
                if host not in allowed_hosts:
                    raise FetchError(f"重定向到未配置的主机 {host}({redact(nxt)}),已拒绝", r.status_code)
                current = nxt
                continue
            if r.status_code == 304:
                r.close()
                return Response(url=current, status=304, not_modified=True,
                                etag=cache["etag"] if cache else None,
                                last_modified=cache["last_modified"] if cache else None)
            if r.status_code >= 400:
                reason = r.reason or ""
                r.close()
                raise FetchError(f"HTTP {r.status_code} {reason}:{redact(current)}", r.status_code)
            data = self._read_capped(r, current)
            ctype = r.headers.get("Content-Type", "")
            charset = None
            if "charset=" in ctype.lower():
                charset = ctype.lower().split("charset=")[1].split(";")[0].strip().strip('"')
            return Response(url=current, status=r.status_code, data=data, content_type=ctype.split(";")[0] or None,
                            charset=charset, etag=r.headers.get("ETag"), last_modified=r.headers.get("Last-Modified"))
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

    # -- internals ------------------------------------------------------------------
    def _cache(self, url: str):
        if self.store is None:
            return None
        row = self.store.conn.execute("SELECT * FROM http_cache WHERE url = ?", (url,)).fetchone()
        if row is None or not (row["etag"] or row["last_modified"]) or not row["sha256"]:
            return None
        return row

    def _check(self, url: str, allowed_hosts: set[str], allow_private: bool) -> None:
        try:
            check_url(url, allow_private=allow_private, allowed_hosts=allowed_hosts)
        except UnsafeURL as e:
            raise FetchError(f"拒绝访问:{e}") from None

    def _request(self, url: str, headers: dict) -> requests.Response:
        host = urlsplit(url).netloc
        retries = int(self.cfg["retries"])
        backoff = float(self.cfg["backoff_seconds"])
        timeout = float(self.cfg["timeout_seconds"])
        last = ""
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(min(60.0, backoff * (2 ** (attempt - 1))) * random.uniform(0.5, 1.0))
            with self.policy.slot(host):
                self.policy.wait(host)
                self.requests += 1
                try:
                    r = self.session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
                except requests.Timeout:
                    last = f"超时(超过 {timeout:g} 秒无响应):{redact(url)}"
                    continue
                except requests.RequestException as e:
                    last = f"无法连接({type(e).__name__}):{redact(url)}"
                    continue
            if r.status_code == 429 or r.status_code >= 500:
                last = f"HTTP {r.status_code}:{redact(url)}"
                ra = r.headers.get("Retry-After")
                r.close()
                if ra and ra.isdigit() and attempt < retries:
                    time.sleep(min(float(ra), 60.0))
                continue
            return r
        raise FetchError(last or f"请求失败:{redact(url)}")

    def _read_capped(self, r: requests.Response, url: str) -> bytes:
        cap = int(self.cfg["max_bytes"])
        declared = r.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            r.close()
            raise FetchError(f"文件过大:{int(declared):,} 字节,超过上限 {cap:,} 字节:{redact(url)}")
        chunks, size = [], 0
        deadline = time.monotonic() + float(self.cfg["timeout_seconds"]) * 10
        try:
            for chunk in r.iter_content(65536):
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"文件过大:超过上限 {cap:,} 字节,已停止下载:{redact(url)}")
                if time.monotonic() > deadline:
                    raise FetchError(f"下载超时:{redact(url)}")
                chunks.append(chunk)
        except requests.RequestException as e:
            raise FetchError(f"下载中断({type(e).__name__}):{redact(url)}") from None
        finally:
            r.close()
        self.bytes += size
        return b"".join(chunks)

    def _robots_allow(self, url: str, allowed_hosts: set[str], allow_private: bool) -> bool:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        cache = self.policy.robots
        with self.policy.robots_lock:
            known = base in cache
            if not known:
                cache[base] = None         # others allow while the first fetch runs
        if not known:
            rp = urllib.robotparser.RobotFileParser()
            rp.parse(self._robots_text(base + "/robots.txt").splitlines())
            with self.policy.robots_lock:
                cache[base] = rp
        rp = cache.get(base)
        return True if rp is None else rp.can_fetch(self.cfg["user_agent"], url)

    def _robots_text(self, url: str) -> str:
        """robots.txt, by conditional GET across runs; none means allowed."""
        cached = self._cache(url)
        headers = {}
        if cached:
            if cached["etag"]:
                headers["If-None-Match"] = cached["etag"]
            if cached["last_modified"]:
                headers["If-Modified-Since"] = cached["last_modified"]
        try:
            r = self._request(url, headers)
        except FetchError:
            return ""
        if r.status_code == 304 and cached is not None:
            r.close()
            from worker.sources.poll import load_blob

            data = load_blob(self.store, cached["sha256"])
            return data.decode("utf-8", "replace") if data else ""
        if r.status_code != 200:
            r.close()
            return ""
        try:
            data = self._read_capped(r, url)
        except FetchError:
            return ""
        if self.store is not None:
            from worker.sources.poll import store_blob

            sha = store_blob(self.store, data)
            self.remember(url, Response(url=url, status=200, etag=r.headers.get("ETag"),
                                        last_modified=r.headers.get("Last-Modified")), sha)
        return data.decode("utf-8", "replace")
