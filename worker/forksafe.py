"""Give a forked child its own copies of the locks it may need from the parent's threads.

A document's worker (worker/sandbox.py) is forked while the daemon's other
threads run: polling threads, the lease keeper, APScheduler's, the heartbeat.
fork() copies only the forking thread, and every lock another thread held at
that instant stays held in the child forever. Python re-creates its own
(the GIL, the import lock, logging's module and handler locks) but not the
lock of a buffered stream: a thread caught in `sys.stderr.write` (a log line,
blocked for as long as the pipe or file behind it is slow) leaves stderr's
buffer locked, and the child hangs at its first log line or warning (a parser
error, a pdfminer warning) until its document's time limit kills it. This was
reproduced (tests/test_forksafe.py): the child waits in the stream's lock.

`reset_in_child()` runs first thing in a forked worker: stdout, stderr and the
streams of logging's handlers are replaced by new stream objects on the same
file descriptors (new locks, nothing buffered by the parent), and
`_strptime`'s cache lock is re-made.
"""
from __future__ import annotations

import io
import logging
import sys


def _fresh(stream) -> "io.TextIOWrapper | None":
    """A new text stream writing to `stream`'s file descriptor, or None when it has none."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    return open(fd, "w", encoding=getattr(stream, "encoding", None) or "utf-8",
                errors=getattr(stream, "errors", None) or "backslashreplace",
                buffering=1 if getattr(stream, "line_buffering", False) else -1, closefd=False)


def reset_in_child() -> None:
    """Call in a forked child before it writes anything: see the module's docstring."""
    replaced: dict[int, object] = {}
    for name, fd in (("stdout", 1), ("stderr", 2)):
        old = getattr(sys, name)
        new = _fresh(old)
        if new is None:     # a stream without a descriptor (a test's capture): the real one
            try:
                new = open(fd, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
            except OSError:
                continue
        replaced[id(old)] = new
        setattr(sys, name, new)
    for ref in list(logging._handlerList):      # every handler made in this process (weak references)
        h = ref()
        # lastResort (_StderrHandler) reads sys.stderr each time: replaced above.
        if not isinstance(h, logging.StreamHandler) or isinstance(type(h).__dict__.get("stream"), property):
            continue
        stream = h.stream
        if stream is None:
            continue
        new = replaced.get(id(stream)) or _fresh(stream)
        if new is not None:
            try:
                h.stream = new                 # not setStream(): it would flush the old, locked one
            except (AttributeError, TypeError):
                pass
    strptime = sys.modules.get("_strptime")
    if strptime is not None:
        import _thread

        strptime._cache_lock = _thread.allocate_lock()
