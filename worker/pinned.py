"""HTTP to a checked address, with wall-clock deadlines.

`request()` connects to `Target.address` (the IP worker.urls resolved and
checked) and sends the original host as Host header and TLS server name, so
what was checked is what is contacted; DNS is not asked again.

A socket timeout only bounds the gap between two bytes: a server sending one
byte a second never trips it. So each request also has a watchdog that shuts
the socket down when a phase's deadline passes (connect incl. TLS handshake;
status line and headers; whole response), and the error names the phase.
Proxies from the environment are not used (the connection is pinned).
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.message import Message
from typing import Callable

from worker import alarms
from worker.net import redact
from worker.urls import Target


@dataclass(frozen=True)
class Deadlines:
    connect: float = 10.0     # TCP connect and TLS handshake
    headers: float = 30.0     # from the start of the request to the end of the headers
    response: float = 300.0   # from the start of the request to the last byte of the body
    idle: float = 20.0        # longest silence between two reads


class HTTPFailure(Exception):
    """A request that failed; `kind` says whether a retry may help."""

    def __init__(self, reason: str, kind: str, status: int | None = None, sent: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind          # connect | timeout | deadline | too_large | tls | protocol
        self.status = status
        # False when the request cannot have left (no connection, no TLS):
        # a retry is then no repeat, which a webhook needs to know.
        self.sent = sent


@dataclass
class PinnedResponse:
    status: int
    reason: str
    headers: Message
    data: bytes = b""
    url: str = ""
    elapsed: float = 0.0
    extra: dict = field(default_factory=dict)


_PHASES = {"connect": "连接超时", "headers": "响应头超时", "response": "下载超时"}
_tls_lock = threading.Lock()
_tls: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    global _tls
    with _tls_lock:
        if _tls is None:
            try:
                import certifi

                _tls = ssl.create_default_context(cafile=certifi.where())
            except ImportError:       # the system store then
                _tls = ssl.create_default_context()
        return _tls


class _Watchdog:
    """Shuts a socket down at a deadline; remembers which phase it cut. The
    deadlines wait on the one shared alarm thread (worker/alarms.py), not a
    thread per request."""

    def __init__(self, sock: socket.socket):
        self.sock = sock              # a dup of the TCP socket: TLS wrapping detaches the original
        self.fired: str | None = None
        self._alarm: alarms.Alarm | None = None
        self._token: object | None = None    # the armed phase's; an older alarm that runs late does nothing
        self._lock = threading.Lock()
        self._done = False

    def arm(self, phase: str, at: float) -> None:
        with self._lock:
            if self._alarm is not None:
                self._alarm.cancel()
                self._alarm = None
            if self._done or self.fired:
                return
            self._token = token = object()
            self._alarm = alarms.call_at(at, lambda: self._fire(phase, token))

    def _fire(self, phase: str, token: object) -> None:
        with self._lock:
            if self._done or token is not self._token:
                return
            self.fired = phase
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        with self._lock:
            self._done = True
            if self._alarm is not None:
                self._alarm.cancel()
        try:
            self.sock.close()
        except OSError:
            pass


def _default_read_body(status: int) -> bool:
    return 200 <= status < 300


def request(target: Target, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
            deadlines: Deadlines = Deadlines(), max_bytes: int = 50 * 1024 * 1024,
            read_body: Callable[[int], bool] = _default_read_body,
            tls: ssl.SSLContext | None = None) -> PinnedResponse:
    """One request on a fresh connection to the checked address.

    The body is read (capped at `max_bytes`, decoded if the server compressed
    it anyway) only when `read_body(status)` says so. Raises HTTPFailure; one
    raised while reading the body carries the status already received, so a
    caller can tell "the receiver answered 2xx, then the body broke"."""
    url = redact(target.url)
    t0 = time.monotonic()
    try:
        raw = socket.create_connection((target.address, target.port), timeout=deadlines.connect)
    except (socket.timeout, TimeoutError):
        raise HTTPFailure(f"连接超时(超过 {deadlines.connect:g} 秒):{url}", "timeout", sent=False) from None
    except OSError as e:
        raise HTTPFailure(f"无法连接({e.strerror or type(e).__name__}):{url}", "connect", sent=False) from None
    dog = _Watchdog(raw.dup())
    sock: socket.socket = raw
    status: int | None = None
    requested = False         # from here on the request may have reached the server

    def failure(e: BaseException, phase_default: str) -> HTTPFailure:
        out = _failure(e, phase_default)
        out.sent = requested
        return out

    def _failure(e: BaseException, phase_default: str) -> HTTPFailure:
        if dog.fired:
            limit = {"connect": deadlines.connect, "headers": deadlines.headers,
                     "response": deadlines.response}[dog.fired]
            what = {"connect": "连接和 TLS 握手", "headers": "状态行和响应头", "response": "整个响应"}[dog.fired]
            return HTTPFailure(f"{_PHASES[dog.fired]}:{what}超过 {limit:g} 秒仍未完成(服务器过慢),已中止:{url}",
                               "deadline", status)
        if isinstance(e, (socket.timeout, TimeoutError)):
            return HTTPFailure(f"超时(超过 {deadlines.idle:g} 秒无响应):{url}", "timeout", status)
        if isinstance(e, ssl.SSLError):
            return HTTPFailure(f"TLS 错误({e.reason or type(e).__name__}):{url}", "tls", status)
        if isinstance(e, HTTPFailure):
            return e
        kind = "protocol" if isinstance(e, http.client.HTTPException) else "connect"
        where = "下载中断" if phase_default == "response" else "无法连接"
        return HTTPFailure(f"{where}({type(e).__name__}):{url}", kind, status)

    conn = None
    try:
        try:
            if target.scheme == "https":
                dog.arm("connect", t0 + deadlines.connect)
                # The certificate is checked against the URL's host, not the address.
                sock = (tls or _tls_context()).wrap_socket(raw, server_hostname=target.host)
            sock.settimeout(deadlines.idle)
            dog.arm("headers", t0 + deadlines.headers)
            conn = http.client.HTTPConnection(target.host, target.port)
            conn.sock = sock          # already connected to the checked address: never resolves again
            hdrs = {"Host": target.host_header, "Connection": "close", "Accept-Encoding": "gzip, deflate",
                    **(headers or {})}
            requested = True
            conn.request(method, target.target, body=body, headers=hdrs)
            resp = conn.getresponse()
            status = resp.status
        except Exception as e:  # noqa: BLE001 - every way the exchange can break becomes a reason
            raise failure(e, "headers") from None
        out = PinnedResponse(status=resp.status, reason=resp.reason or "", headers=resp.msg, url=url)
        if not read_body(resp.status) or method == "HEAD":
            return out
        dog.arm("response", t0 + deadlines.response)
        try:
            out.data = _read_body(resp, max_bytes, url, status)
        except Exception as e:  # noqa: BLE001
            raise failure(e, "response") from None
        if dog.fired:             # a read-until-close body looks complete when cut
            raise failure(EOFError(), "response")
        out.elapsed = time.monotonic() - t0
        return out
    finally:
        dog.stop()
        try:
            (conn or sock).close()
        except OSError:
            pass


def _read_body(resp: http.client.HTTPResponse, cap: int, url: str, status: int) -> bytes:
    declared = resp.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > cap:
        raise HTTPFailure(f"文件过大:{int(declared):,} 字节,超过上限 {cap:,} 字节:{url}", "too_large", status)
    enc = (resp.getheader("Content-Encoding") or "").strip().lower()
    if enc in ("", "identity"):
        decoder = None
    elif enc in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(31 if "gzip" in enc else 15)
    else:
        raise HTTPFailure(f"不支持的内容编码 {enc[:40]!r}:{url}", "protocol", status)
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = resp.read(65536)
        if not chunk:
            break
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, cap - size + 1)
            except zlib.error:
                raise HTTPFailure(f"压缩内容损坏:{url}", "protocol", status) from None
            if decoder.unconsumed_tail:
                size = cap + 1
        size += len(chunk)
        if size > cap:
            raise HTTPFailure(f"文件过大:超过上限 {cap:,} 字节,已停止下载:{url}", "too_large", status)
        chunks.append(chunk)
    return b"".join(chunks)
