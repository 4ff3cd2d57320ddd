"""Real servers on 127.0.0.1 for tests: an SMTP server and an HTTP receiver."""
from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _HTTP:
    """Start and stop a ThreadingHTTPServer built by the subclass."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    def _serve(self, port: int, handler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SMTPServer:
    """aiosmtpd on a loopback port; keeps every message it receives."""

    def __init__(self, user: str | None = None, password: str | None = None):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                outer.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and \
                auth_data.password.decode() == password
            return AuthResult(success=ok)

        self.port = free_port()
        kwargs = {}
        if user is not None:
            kwargs = {"authenticator": authenticator, "auth_require_tls": False}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Receiver(_HTTP):
    """An HTTP receiver whose answers a test scripts: a list of status codes
    consumed one per request (then `default`), recording every request.
    `keep_alive`: HTTP/1.1 with TCP_NODELAY, as production receivers answer."""

    def __init__(self, statuses=(), default: int = 200, headers: dict | None = None, port: int | None = None,
                 keep_alive: bool = False):
        self.statuses = list(statuses)
        self.default = default
        self.headers = headers or {}
        self.requests: list[dict] = []
        self.port = port or free_port()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            if keep_alive:
                protocol_version = "HTTP/1.1"
                disable_nagle_algorithm = True    # else each reply waits ~40 ms for a delayed ACK

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    status = outer.statuses.pop(0) if outer.statuses else outer.default
                    outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                           "status": status})
                self.send_response(status)
                for k, v in outer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._serve(self.port, Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def accepted(self) -> list[dict]:
        """Envelopes the receiver answered with 2xx."""
        return [json.loads(r["body"]) for r in self.requests if 200 <= r["status"] < 300]


class Portal(_HTTP):
    """A government portal on 127.0.0.1: pages by path, with ETag and
    Last-Modified support, optional delays, redirects and statuses."""

    def __init__(self):
        self.routes: dict[str, dict] = {}
        self.hits: list[tuple[str, int]] = []
        self.port = free_port()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                import hashlib
                import time as _t

                route = outer.routes.get(self.path.split("?")[0])
                if route is None:
                    outer.hits.append((self.path, 404))
                    self.send_response(404)
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                if route.get("delay"):
                    _t.sleep(route["delay"])
                if route.get("redirect"):
                    outer.hits.append((self.path, 302))
                    self.send_response(302)
                    self.send_header("Location", route["redirect"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = route["body"]
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    outer.hits.append((self.path, 304))
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                status = route.get("status", 200)
                outer.hits.append((self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", route.get("type", "text/html; charset=utf-8"))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Mon, 02 Jun 2025 08:00:00 GMT")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._serve(self.port, Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str, type: str = "text/html; charset=utf-8", **extra) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = {"body": body, "type": type, **extra}
