"""Run a function on each of many inputs in forked child processes, each under
a wall-clock limit and an address-space limit.

A hostile document (a zip bomb, a PDF whose stream inflates to hundreds of
megabytes, a text that drives a parser quadratic) must cost one document, not
the run: the child that exceeds its budget is killed or fails an allocation,
and the caller gets a `Result` saying which limit was hit, in input order.

Why fork one child per input rather than a process pool: a pool worker cannot
be stopped mid-task without breaking the pool (a killed worker makes every
pending future fail), and a memory limit set once in a long-lived worker
drifts with its fragmentation. A fork is cheap (the parent already has every
module imported, pages are shared copy-on-write), the input need not be
pickled (the child inherits it), and the limits start fresh each time.
Only the result travels back, pickled through a pipe.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

# A child that cannot even build its "out of memory" report exits with this.
_EXIT_MEMORY = 86
_EXIT_PICKLE = 87


@dataclass
class Budget:
    seconds: float = 0.0        # 0: no wall-clock limit
    memory_mb: int = 0          # 0: no address-space limit (beyond what the parent holds)

    @property
    def unlimited(self) -> bool:
        return self.seconds <= 0 and self.memory_mb <= 0


@dataclass
class Result:
    value: Any = None
    failure: str | None = None     # None, "time", "memory" or "crash"
    detail: str = ""               # for "crash": how the child ended


def run_each(fn: Callable[..., Any], items: Iterable[tuple], budget: Budget, jobs: int = 1) -> Iterator[Result]:
    """`fn(*item)` for each item, in children at most `jobs` at a time; results
    in input order. Children still running when the caller stops iterating
    (or on an exception, e.g. Ctrl-C) are killed."""
    jobs = max(1, jobs)
    it = iter(enumerate(items))
    running: dict[int, _Child] = {}     # by read fd
    done: dict[int, Result] = {}
    next_out = 0
    exhausted = False
    try:
        while True:
            # Keep at most a few finished results waiting behind a slow one.
            while not exhausted and len(running) < jobs and len(done) + len(running) < 4 * jobs:
                try:
                    idx, item = next(it)
                except StopIteration:
                    exhausted = True
                    break
                child = _start(idx, fn, item, budget)
                running[child.fd] = child
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if not running:
                if exhausted and not done:
                    return
                continue
            _wait(running, done, budget)
    finally:
        for child in running.values():
            child.kill()


@dataclass
class _Child:
    idx: int
    pid: int
    fd: int
    deadline: float | None
    chunks: list

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _reap(self.pid)
        os.close(self.fd)


def _start(idx: int, fn, item: tuple, budget: Budget) -> _Child:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:    # the child: never returns
        os.close(r)
        _child(w, fn, item, budget)
    os.close(w)
    deadline = time.monotonic() + budget.seconds if budget.seconds > 0 else None
    return _Child(idx, pid, r, deadline, [])


def _child(w: int, fn, item: tuple, budget: Budget) -> None:
    code = 0
    try:
        # The parent's Ctrl-C is the parent's to handle: it kills its children.
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:
            pass
        if budget.memory_mb > 0:
            _limit_memory(budget.memory_mb)
        try:
            out: tuple = ("ok", fn(*item))
        except MemoryError:
            out = ("memory", None)
        except BaseException as e:  # reported to the parent, which records the document as failed
            out = ("crash", f"{type(e).__name__}: {e}")
        try:
            payload = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory", None))
        except Exception as e:     # an unpicklable result is a bug: say so
            payload = pickle.dumps(("crash", f"result not picklable: {type(e).__name__}: {e}"))
        view = memoryview(payload)
        while view:
            n = os.write(w, view)
            view = view[n:]
    except MemoryError:
        code = _EXIT_MEMORY
    except BaseException:
        code = _EXIT_PICKLE
    finally:
        # No atexit handlers, no flushing of the parent's buffers, no closing
        # of its database: the child only hands back its result.
        os._exit(code)


def _limit_memory(mb: int) -> None:
    """Cap the address space at what the process holds now plus `mb`: the
    parent's size varies (imported libraries, the daemon's caches), the
    budget is for the document."""
    import resource

    base = _vm_bytes()
    limit = base + mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _wait(running: dict[int, _Child], done: dict[int, Result], budget: Budget) -> None:
    """Read what the children wrote; settle those that finished or ran out of time."""
    now = time.monotonic()
    deadlines = [c.deadline for c in running.values() if c.deadline is not None]
    timeout = max(0.0, min(deadlines) - now) if deadlines else None
    ready, _, _ = select.select(list(running), [], [], timeout)
    for fd in ready:
        child = running[fd]
        data = os.read(fd, 1 << 20)
        if data:
            child.chunks.append(data)
            continue
        del running[fd]
        os.close(fd)
        status = _reap(child.pid)
        done[child.idx] = _decode(b"".join(child.chunks), status)
    now = time.monotonic()
    for fd, child in list(running.items()):
        if child.deadline is not None and now >= child.deadline:
            del running[fd]
            child.kill()
            done[child.idx] = Result(failure="time", detail=f"killed after {budget.seconds:g} s")


def _reap(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0


def _decode(payload: bytes, status: int) -> Result:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        # SIGKILL we did not send: the kernel's OOM killer.
        if sig == signal.SIGKILL:
            return Result(failure="memory", detail="killed by the system (out of memory)")
        return Result(failure="crash", detail=f"signal {signal.Signals(sig).name}")
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == _EXIT_MEMORY:
        return Result(failure="memory")
    try:
        kind, value = pickle.loads(payload)
    except Exception:
        return Result(failure="crash", detail=f"exit code {code}, no result")
    if kind == "ok":
        return Result(value=value)
    if kind == "memory":
        return Result(failure="memory")
    return Result(failure="crash", detail=str(value))
