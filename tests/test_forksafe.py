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
