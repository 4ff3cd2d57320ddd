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

The same holds for lxml: an XPath object takes its own lock while it
evaluates, and lxml.html's `text_content()` evaluates one module-level XPath
shared by every thread. A polling thread reading a list page's links at the
instant of the fork left that lock held, and the child's first
`text_content()` waited forever (py-spy showed a stalled worker in
PyThread_acquire_lock under HtmlMixin.text_content: the intermittent
180-s stall of earlier runs).

`reset_in_child()` runs first thing in a forked worker: stdout, stderr and the
streams of logging's handlers are replaced by new stream objects on the same
file descriptors (new locks, nothing buffered by the parent), `_strptime`'s
cache lock is re-made, lxml.html is re-imported (its module-level XPaths made
anew) and our own modules' module-level XPaths are compiled again (cached
ones dropped).
"""
from __future__ import annotations

import importlib
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
    _fresh_xpaths()


# Our modules whose module-level XPaths are compiled again in a child. They must
# be plain (no namespaces, extensions or options): made again from their path.
_OURS = ("worker.", "rules.", "models.", "alerts.")


def _fresh_xpaths() -> None:
    etree = sys.modules.get("lxml.etree")
    if etree is None:
        return              # lxml not loaded: nothing of it can be held
    lx = sys.modules.get("lxml.html")
    if lx is not None:
        importlib.reload(lx)        # its XPaths carry namespaces and options: its own code makes them
    for mod in list(sys.modules.values()):
        if not getattr(mod, "__name__", "").startswith(_OURS):
            continue
        for attr, val in list(vars(mod).items()):
            if type(val) is etree.XPath:
                setattr(mod, attr, etree.XPath(val.path))
            elif isinstance(val, dict) and val and all(type(v) is etree.XPath for v in val.values()):
                val.clear()         # a cache of compiled XPaths: filled again on use
