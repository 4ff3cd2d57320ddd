"""A document's worker forked while another thread of the parent is stuck writing to stderr
(a log line into a slow pipe) still finishes its input, log lines and warnings included
(worker/forksafe.py). Without it the worker waits forever on the stream's lock, which the
forking copied as held, and the input is stopped at its time limit."""
from __future__ import annotations

import io
import logging
import sys
import threading
import warnings

from worker.sandbox import Budget, Pool


class _StuckRaw(io.RawIOBase):
    """The file behind stderr, as a pipe nobody reads: a write blocks until `free` is set."""

    def __init__(self) -> None:
        self.free = threading.Event()
        self.entered = threading.Event()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.entered.set()
        self.free.wait()
        return len(b)


def _logs_and_warns(n: int) -> int:
    logging.getLogger("audit_worker.test_forksafe").warning("document %d: odd table", n)
    warnings.warn(f"document {n}: odd font")       # a library's warning goes to stderr too
    print(f"document {n}", file=sys.stderr)
    return n * 2


def test_a_worker_forked_while_another_thread_holds_stderr_finishes_its_input(monkeypatch):
    raw = _StuckRaw()
    stuck = io.TextIOWrapper(io.BufferedWriter(raw, buffer_size=16), encoding="utf-8", line_buffering=True)
    handler = logging.StreamHandler(stuck)
    logger = logging.getLogger("audit_worker.test_forksafe")
    logger.addHandler(handler)
    logger.propagate = False
    monkeypatch.setattr(sys, "stderr", stuck)
    # A thread writing a log line: inside the buffer's write, holding its lock, waiting on the "pipe".
    writer = threading.Thread(target=lambda: stuck.write("x" * 4096 + "\n"), daemon=True)
    writer.start()
    assert raw.entered.wait(30)
    pool = Pool(_logs_and_warns, Budget(seconds=60))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")     # not pytest's recorder: the real showwarning, to stderr
            warnings.showwarning = warnings._showwarning_orig
            res = list(pool.map([(1,), (2,)]))
    finally:
        pool.close()
        raw.free.set()
        writer.join(30)
        logger.removeHandler(handler)
        logger.propagate = True
    # A generous bound proving termination: the limit is 60 s, an input needs milliseconds.
    assert [(r.failure, r.value) for r in res] == [(None, 2), (None, 4)], [r.detail for r in res]


_NS = "urn:audit-worker:test"


def _text_of(markup: str) -> str:
    import lxml.html

    return lxml.html.fromstring(markup).text_content()


def _xpath_ids() -> tuple[int, int]:
    import lxml.html

    from worker.extract import html as extract_html

    return id(lxml.html._collect_string_content), id(extract_html._WITH_IDENT)


def test_a_worker_forked_while_another_thread_is_inside_text_content_finishes_its_input(monkeypatch):
    """lxml's XPath objects lock while they evaluate, and lxml.html's text_content() uses one
    shared module-level XPath: a polling thread inside text_content() at the fork left it locked
    in the child, whose first text_content() then waited until the time limit (the stall py-spy
    caught). The thread is held inside the evaluation by an extension function that waits."""
    import lxml.html
    from lxml import etree

    entered, free = threading.Event(), threading.Event()

    def wait(_ctx, nodes):
        entered.set()
        free.wait(60)
        return ""

    held = etree.XPath("string(t:wait(.))", namespaces={"t": _NS}, extensions={(_NS, "wait"): wait})
    monkeypatch.setattr(lxml.html, "_collect_string_content", held)
    reader = threading.Thread(target=lambda: lxml.html.fromstring("<p>list page</p>").text_content(), daemon=True)
    reader.start()
    assert entered.wait(30)
    pool = Pool(_text_of, Budget(seconds=30))
    try:
        res = list(pool.map([("<div>部门<b>决算</b></div>",), ("<p>2024年度</p>",)]))
    finally:
        pool.close()
        free.set()
        reader.join(30)
    # A generous bound proving termination: the limit is 30 s, an input needs milliseconds.
    assert [(r.failure, r.value) for r in res] == [(None, "部门决算"), (None, "2024年度")], [r.detail for r in res]


def test_our_module_level_xpaths_are_compiled_again_in_a_worker():
    from worker.extract import html as extract_html

    before = _xpath_ids()
    extract_html._depth_exceeds(etree_root(), 3)          # fills the module's cache of compiled XPaths
    assert extract_html._DEEP
    pool = Pool(_xpath_ids, Budget(seconds=30))
    try:
        (res,) = list(pool.map([()]))
    finally:
        pool.close()
    assert res.failure is None
    assert res.value[0] != before[0] and res.value[1] != before[1]


def etree_root():
    import lxml.html

    return lxml.html.fromstring("<div><p><b><i>x</i></b></p></div>")
