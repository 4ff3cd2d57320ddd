"""Issue 13, items 1 and 3: URL parsing differences (SSRF), slow servers and
link floods, against real HTTP servers on 127.0.0.1.

Every time bound below is a generous upper bound proving the fetch was cut
(deadlines of 2-3 s; the assertions allow 30 s on a slow shared machine)."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from servers import Portal, free_port

from worker.app import App
from worker.config import Config
from worker.pinned import Deadlines, HTTPFailure, request
from worker.sources.http import Fetcher, FetchError
from worker.storage import Store
from worker.urls import AllowList, Target, UnsafeURL, check_url, parse

FETCH = {"per_host_interval_seconds": 0.0, "per_host_concurrency": 2, "retries": 0, "backoff_seconds": 0.0,
         "timeout_seconds": 10.0, "max_bytes": 5_000_000, "respect_robots_txt": False,
         "user_agent": "audit-worker-test"}
LIMITS = {"fetch_connect_seconds": 2.0, "fetch_header_seconds": 2.0, "fetch_response_seconds": 3.0}
PAGE = "<html><body><div>某局2023年度部门决算 预算 决算 万元</div></body></html>"


def fetcher(**cfg) -> Fetcher:
    return Fetcher({**FETCH, **LIMITS, **cfg})


# -- SSRF through parser differences ----------------------------------------------------

@pytest.fixture
def two_portals():
    """P1: the configured portal. P2: a server on the same host, another port,
    that must never be reached."""
    with Portal() as p1, Portal() as p2:
        for p in (p1, p2):
            p.add("/x", PAGE)
            p.add("/art/1.html", PAGE)
        yield p1, p2


def test_backslash_attack_on_the_allow_list_reaches_neither_server(two_portals, tmp_path):
    p1, p2 = two_portals
    attack = f"http://localhost:{p2.port}\\@127.0.0.1:{p1.port}/x"
    allowed = AllowList.for_source(p1.url("/list"))
    # Old behaviour: urlsplit saw 127.0.0.1:P1 (allowed), requests went to localhost:P2.
    with pytest.raises(FetchError, match="backslash"):
        fetcher().get(attack, allowed=allowed, allow_private=True)
    # Through a whole poll: the link sits on the portal's own index page.
    p1.add("/list", f"<html><body><a href='{attack}'>某局2023年度部门决算</a>"
                    f"<a href='/art/1.html'>某中心2023年度部门决算</a></body></html>")
    app = App(Config(path=None, data={"fetch": FETCH, "limits": LIMITS, "sources": [
        {"name": "p1", "kind": "html_index", "url": p1.url("/list"), "link_pattern": "决算",
         "allow_private": True}]}), Store(tmp_path / "a.db"))
    app.run_once(deliver=False, detect=False)
    assert p2.hits == []
    assert [h for h, _ in p1.hits] == ["/list", "/art/1.html"]


def test_backslash_attack_on_the_private_address_check_never_connects(two_portals):
    p1, _ = two_portals
    attack = f"http://127.0.0.1:{p1.port}\\@8.8.8.8/x"
    # Old behaviour: the private check saw 8.8.8.8 (public), requests fetched 127.0.0.1.
    with pytest.raises(UnsafeURL, match="backslash"):
        check_url(attack, allow_private=False)
    with pytest.raises(FetchError, match="backslash"):
        fetcher().get(attack, allowed=AllowList.for_source(None, ["8.8.8.8"]), allow_private=False)
    assert p1.hits == []


@pytest.mark.parametrize("shape", [
    "http://127.0.0.1:{p1}@127.0.0.1:{p2}/x",            # userinfo
    "http://127.0.0.1:{p2}/x",                            # same host, another port
    "http://127.0.0.1:{p1}\t@127.0.0.1:{p2}/x",           # control character
    "https://127.0.0.1:{p1}/x",                           # same host and port, another scheme
    "http://127.1:{p2}/x",                                # short numeric form of 127.0.0.1
])
def test_other_shapes_of_the_attack_reach_no_server(two_portals, shape):
    p1, p2 = two_portals
    url = shape.format(p1=p1.port, p2=p2.port)
    with pytest.raises(FetchError, match="拒绝访问"):
        fetcher().get(url, allowed=AllowList.for_source(p1.url("/list")), allow_private=True)
    assert p1.hits == [] and p2.hits == []


def test_a_redirect_to_another_port_of_the_allowed_host_is_refused(two_portals):
    p1, p2 = two_portals
    p1.add("/go", b"", redirect=f"http://127.0.0.1:{p2.port}/x")
    p1.add("/go2", b"", redirect=f"http://localhost:{p2.port}\\@127.0.0.1:{p1.port}/x")
    with pytest.raises(FetchError, match=f"重定向到未配置的主机 127.0.0.1:{p2.port}"):
        fetcher().get(p1.url("/go"), allowed=AllowList.for_source(p1.url("/list")), allow_private=True)
    with pytest.raises(FetchError, match="重定向目标被拒绝.*backslash"):
        fetcher().get(p1.url("/go2"), allowed=AllowList.for_source(p1.url("/list")), allow_private=True)
    assert p2.hits == []
    assert [h for h, _ in p1.hits] == ["/go", "/go2"]


def test_a_redirect_to_a_private_address_is_refused_when_private_is_not_allowed(two_portals):
    p1, p2 = two_portals
    # The configured host is public by name; the portal's redirect aims at loopback.
    allowed = AllowList.for_source(p1.url("/list"), [f"localhost:{p2.port}"])
    target = check_url(p1.url("/go"), allow_private=True)
    p1.add("/go", b"", redirect=f"http://localhost:{p2.port}/x")
    f = fetcher()
    r = request(target, deadlines=Deadlines(2, 2, 3, 2))          # the portal answers the redirect
    assert r.status == 302
    with pytest.raises(FetchError, match="private or loopback"):
        f.get(r.headers["Location"], allowed=allowed, allow_private=False)
    assert p2.hits == []


def test_the_request_goes_to_the_checked_address_with_the_original_host_header():
    """Pinning: the connection is made to Target.address; the name is only the
    Host header, never resolved again (a name that does not resolve at all
    still reaches the pinned address)."""
    seen: list[str] = []
    with Portal() as p:
        p.add("/x", PAGE)
        orig = p.server.RequestHandlerClass.do_GET

        def do_get(handler):
            seen.append(handler.headers["Host"])
            orig(handler)

        p.server.RequestHandlerClass.do_GET = do_get
        parsed = parse(f"http://portal.invalid:{p.port}/x")
        target = Target(url=parsed.url, scheme=parsed.scheme, host=parsed.host, port=parsed.port,
                        target=parsed.target, address="127.0.0.1")
        r = request(target, deadlines=Deadlines(2, 2, 3, 2))
    assert r.status == 200 and "决算" in r.data.decode()
    assert seen == [f"portal.invalid:{p.port}"]


def test_url_normalization_refuses_what_parsers_read_differently():
    for bad in ("http://a.gov.cn\\@b/x", "http://u:p@a.gov.cn/", "ftp://a.gov.cn/", "javascript:alert(1)",
                "http://0x7f000001/", "http://2130706433/", "http://a.gov.cn%2f@b/", "http:/a.gov.cn/",
                "http://a.gov.cn:99999/", "http://a.gov.cn\n.evil/"):
        with pytest.raises(UnsafeURL):
            parse(bad)
    p = parse("HTTP://WWW.Example.GOV.cn.:80/决算 2023.pdf?a=1#frag")
    assert p.url == "http://www.example.gov.cn/%E5%86%B3%E7%AE%97%202023.pdf?a=1"
    assert (p.scheme, p.host, p.port) == ("http", "www.example.gov.cn", 80)
    allowed = AllowList.for_source("http://www.example.gov.cn/list", ["files.example.gov.cn", "x.cn:8443"])
    assert allowed.permits("https://www.example.gov.cn/a")        # http→https of the same host
    assert not allowed.permits("http://www.example.gov.cn:8080/a")
    assert allowed.permits("https://files.example.gov.cn/a.pdf")
    assert allowed.permits("http://x.cn:8443/") and not allowed.permits("http://x.cn/")
    for meta in ("http://169.254.169.254/latest", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/",
                 "http://0.0.0.0/", "http://[fd00::1]/"):
        with pytest.raises(UnsafeURL, match="private or loopback"):
            check_url(meta)


# -- slow servers ----------------------------------------------------------------------

class SlowServer:
    """A raw TCP server on 127.0.0.1 that answers every connection by
    trickling bytes: `head` then `body`, one byte every `gap` seconds from
    the part named by `slow` ("head" or "body")."""

    def __init__(self, slow: str, length: bool = True, gap: float = 1.0):
        self.port = free_port()
        self.sock = socket.create_server(("127.0.0.1", self.port))
        self.slow, self.length, self.gap = slow, length, gap
        self.stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        body = b"x" * 600
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
        head += (f"Content-Length: {len(body)}\r\n".encode() if self.length else b"") + b"\r\n"
        try:
            conn.recv(65536)
            for part, slow in ((head, self.slow == "head"), (body, self.slow == "body")):
                if not slow:
                    conn.sendall(part)
                    continue
                for i in range(len(part)):
                    if self.stop.is_set():
                        return
                    conn.sendall(part[i:i + 1])
                    time.sleep(self.gap)
        except OSError:
            pass
        finally:
            conn.close()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.sock.close()


@pytest.mark.parametrize("slow,length,reason", [
    ("head", True, "响应头超时"),
    ("body", True, "下载超时"),
    ("body", False, "下载超时"),     # read until close: a cut body must not pass for a whole one
])
def test_a_server_sending_one_byte_a_second_is_cut_at_the_deadline(slow, length, reason):
    with SlowServer(slow, length) as s:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as e:
            fetcher().get(s.url("/index.html"), allowed=AllowList.for_source(s.url()), allow_private=True)
        elapsed = time.monotonic() - t0
    assert reason in e.value.reason and "已中止" in e.value.reason
    assert elapsed < 30


def test_a_deadline_cut_is_not_retried(tmp_path):
    """A slow server stays slow: retries would multiply the deadline."""
    with SlowServer("head") as s:
        with pytest.raises(FetchError, match="响应头超时"):
            fetcher(retries=3).get(s.url("/"), allowed=AllowList.for_source(s.url()), allow_private=True)
        assert s.connections == 1


def test_a_posted_request_reports_the_status_received_before_the_body_was_cut():
    """What the webhook channel needs: a 2xx whose body is cut is known as 2xx."""
    with SlowServer("body") as s:
        target = check_url(s.url("/hook"), allow_private=True)
        with pytest.raises(HTTPFailure) as e:
            request(target, method="POST", body=b"{}", headers={"Content-Type": "application/json"},
                    deadlines=Deadlines(connect=2, headers=2, response=2, idle=5))
    assert e.value.status == 200 and e.value.kind == "deadline"


def test_one_slow_host_does_not_stop_polling_of_the_others(tmp_path):
    with SlowServer("head") as slow, Portal() as fast:
        fast.add("/list", "<html><body><a href='/art/1.html'>某中心2023年度部门决算</a></body></html>")
        fast.add("/art/1.html", PAGE)
        sources = [{"name": f"slow{i}", "kind": "html_index", "url": slow.url(f"/list{i}"),
                    "allow_private": True} for i in range(5)]
        sources.append({"name": "fast", "kind": "html_index", "url": fast.url("/list"), "allow_private": True})
        app = App(Config(path=None, data={"fetch": FETCH, "limits": LIMITS, "sources": sources}),
                  Store(tmp_path / "p.db"))
        t0 = time.monotonic()
        s = app.run_once(deliver=False, detect=False)
        elapsed = time.monotonic() - t0
    errors = {res.source: res.error for res, _ in s.polls}
    assert errors["fast"] is None and s.counts["ingested"] == 1
    assert all("响应头超时" in errors[f"slow{i}"] for i in range(5))
    state = {r["name"]: r["last_error"] for r in app.store.conn.execute("SELECT * FROM source_state")}
    assert "响应头超时" in state["slow0"]
    assert elapsed < 60


def test_a_source_over_its_time_budget_stops_and_the_next_poll_goes_on(tmp_path):
    with Portal() as p:
        links = "".join(f"<a href='/art/{n}.html'>某局2023年度部门决算{n}</a>" for n in range(8))
        p.add("/list", f"<html><body>{links}</body></html>")
        for n in range(8):
            p.add(f"/art/{n}.html", PAGE.replace("某局", f"某局{n}"), delay=0.6)
        app = App(Config(path=None, data={"fetch": FETCH, "limits": {**LIMITS, "poll_source_seconds": 1.5},
                                          "sources": [{"name": "p", "kind": "html_index", "url": p.url("/list"),
                                                       "allow_private": True}]}), Store(tmp_path / "b.db"))
        s1 = app.run_once(deliver=False, detect=False)
        first = {h for h, _ in p.hits if h.startswith("/art/")}
        assert 1 <= len(first) < 8
        notes = [r["note"] for r in app.store.conn.execute("SELECT note FROM source_events WHERE name = 'p'")]
        assert any("poll_source_seconds" in n for n in notes)
        assert s1.polls[0][0].error is None
        # The index was not remembered: the next poll reads it again and goes on with new links first.
        p.hits.clear()
        app.run_once(deliver=False, detect=False)
        assert ("/list", 200) in p.hits
        second = {h for h, _ in p.hits if h.startswith("/art/")}
        assert second - first


# -- link floods -----------------------------------------------------------------------

def test_an_index_page_with_100000_links_follows_at_most_the_cap(tmp_path):
    with Portal() as p:
        p.add("/list", "<html><body>" + "".join(
            f"<a href='/art/{n}.html'>决算{n}</a>" for n in range(100_000)) + "</body></html>")
        app = App(Config(path=None, data={"fetch": {**FETCH, "max_bytes": 20_000_000},
                                          "limits": {**LIMITS, "links_per_page": 30},
                                          "sources": [{"name": "p", "kind": "html_index", "url": p.url("/list"),
                                                       "allow_private": True}]}), Store(tmp_path / "c.db"))
        t0 = time.monotonic()
        s = app.run_once(deliver=False, detect=False)
        elapsed = time.monotonic() - t0
    followed = [h for h, _ in p.hits if h.startswith("/art/")]
    assert len(followed) == 30
    assert any("links_per_page" in n and "100000" in n for n in s.polls[0][0].notes)
    notes = [r["note"] for r in app.store.conn.execute("SELECT note FROM source_events")]
    assert any("links_per_page" in n for n in notes)
    assert elapsed < 120


def test_the_cap_per_poll_takes_new_links_first_on_the_next_poll(tmp_path):
    with Portal() as p:
        for page in (0, 1):
            links = "".join(f"<li><a href='/art/{page}_{n}.html'>决算{page}_{n}</a></li>" for n in range(20))
            nxt = "<a class='next' href='/list1'>下一页</a>" if page == 0 else ""
            p.add(f"/list{page}", f"<html><body><ul>{links}</ul>{nxt}</body></html>")
        app = App(Config(path=None, data={"fetch": FETCH, "limits": {**LIMITS, "links_per_poll": 25},
                                          "sources": [{"name": "p", "kind": "html_index", "url": p.url("/list0"),
                                                       "link_selector": "ul a", "next_selector": "a.next",
                                                       "allow_private": True}]}), Store(tmp_path / "d.db"))
        s1 = app.run_once(deliver=False, detect=False)
        first = {h for h, _ in p.hits if h.startswith("/art/")}
        assert len(first) == 25
        assert any("links_per_poll" in n for n in s1.polls[0][0].notes)
        p.hits.clear()
        app.run_once(deliver=False, detect=False)
        second = [h for h, _ in p.hits if h.startswith("/art/")]
    assert len(second) == 25
    assert set(second[:15]) == {f"/art/{pg}_{n}.html" for pg in (0, 1) for n in range(20)} - first


def test_https_is_pinned_to_the_address_and_verified_against_the_url_host(tmp_path):
    import http.server
    import ssl
    import subprocess

    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=portal.test", "-addext", "subjectAltName=DNS:portal.test"],
                   check=True, capture_output=True)

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            body = self.headers["Host"].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    server.socket = sctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    client = ssl.create_default_context(cafile=str(cert))
    try:
        def pinned(host: str) -> Target:
            p = parse(f"https://{host}:{port}/x")
            return Target(url=p.url, scheme=p.scheme, host=p.host, port=p.port, target=p.target, address="127.0.0.1")

        r = request(pinned("portal.test"), tls=client, deadlines=Deadlines(2, 2, 3, 2))
        assert r.status == 200 and r.data == f"portal.test:{port}".encode()
        with pytest.raises(HTTPFailure) as e:
            request(pinned("other.test"), tls=client, deadlines=Deadlines(2, 2, 3, 2))
        assert e.value.kind == "tls"
    finally:
        server.shutdown()
        server.server_close()
