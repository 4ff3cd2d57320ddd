"""Run a function on each of many inputs in forked worker processes, each
input under a wall-clock limit and an address-space limit.

A hostile document (a zip bomb, a PDF whose stream inflates to hundreds of
megabytes, a text that drives a parser quadratic) must cost one document, not
the run: the worker that exceeds its budget is killed or fails an allocation,
the caller gets a `Result` saying which limit was hit, in input order, and a
fresh worker takes its place.

Why long-lived workers of our own rather than one fork per input: a child
that exits loses everything it warmed (compiled patterns, the converter's
dictionaries, lazily imported modules), and that warm-up cost more than the
reading of a typical report. Why not multiprocessing's pool: its workers
cannot be stopped mid-task without breaking the pool (a killed worker makes
every pending future fail). Here a worker that runs out of time is killed
and replaced; one that fails an allocation reports it and retires; one whose
address space drifted up (fragmentation) retires after its task, so the
memory limit stays a limit per input. Inputs travel to a worker pickled over
a pipe; the function and its fixed arguments are inherited at fork.
"""
from __future__ import annotations

import fcntl
import gc
import os
import pickle
import select
import signal
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from worker.forksafe import reset_in_child

# A worker that cannot even build its "out of memory" report exits with this.
_EXIT_MEMORY = 86
_EXIT_PICKLE = 87
# A worker retires after this many inputs, or when its address space has
# grown by more than this share of the memory budget since it started.
_MAX_TASKS = 2000
_DRIFT_SHARE = 0.25
_HEADER = struct.Struct("<Q")
# Pipes are widened to this (Linux allows up to 1 MB unprivileged), and an
# input is queued behind a busy worker only if it fits in half: writing it
# then never blocks this process.
_PIPE_BYTES = 1 << 20

# Every pipe end a pool holds in this process: a worker closes all of them
# but its own, so that a sibling (of this pool or another thread's) never
# keeps a dead worker's pipe open and hides its end.
_open_fds: set[int] = set()
_fds_lock = threading.Lock()


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
    detail: str = ""               # for "crash": how the worker ended


class Pool:
    """`jobs` forked workers running `fn`, kept across calls of `map` so that
    what they warm stays warm; `close()` ends them.

    A worker holds up to two inputs: the one it reads and, when it is small,
    the next one, already in its pipe, so that it does not wait while this
    process stores a result. An input's time limit runs from when the worker
    can start it."""

    def __init__(self, fn: Callable[..., Any], budget: Budget, jobs: int = 1):
        self.fn, self.budget, self.jobs = fn, budget, max(1, jobs)
        self.workers: list[_Worker] = []

    def map(self, items: Iterable[tuple]) -> Iterator[Result]:
        it = iter(enumerate(items))
        queue: list[tuple[int, tuple, bytes]] = []
        done: dict[int, Result] = {}
        next_out = 0
        exhausted = False
        try:
            while True:
                # Keep at most a few finished results waiting behind a slow one.
                while not exhausted and len(queue) + len(done) + self._busy() < 4 * self.jobs:
                    try:
                        idx, item = next(it)
                        queue.append((idx, item, pickle.dumps((idx, item), protocol=pickle.HIGHEST_PROTOCOL)))
                    except StopIteration:
                        exhausted = True
                while queue and (w := self._free(len(queue[0][2]))) is not None:
                    task = queue.pop(0)
                    if not w.send(task, self.budget):
                        # It died between inputs: its inputs go back in the queue.
                        queue[:0] = self._lost(w, done)
                        w = _spawn(self.fn, self.budget)
                        self.workers.append(w)
                        if not w.send(task, self.budget):
                            done[task[0]] = Result(failure="crash", detail="worker could not be started")
                            queue[:0] = self._lost(w, done)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                if not self._busy():
                    if exhausted and not queue and not done:
                        return
                    continue
                queue[:0] = self._wait(done)
        except BaseException:
            self.close()        # a worker mid-input must not outlive an interrupted run
            raise

    def close(self) -> None:
        for w in self.workers:
            w.kill()
        self.workers = []

    def _busy(self) -> int:
        return sum(len(w.tasks) for w in self.workers)

    def _free(self, size: int) -> "_Worker | None":
        """A worker to give an input to: an idle one, a new one, or a busy one
        with room for a next input."""
        for w in [w for w in self.workers if w.retiring and not w.tasks]:
            self._drop(w)
        live = [w for w in self.workers if not w.retiring]
        for w in live:
            if not w.tasks:
                return w
        if len(self.workers) < self.jobs:
            w = _spawn(self.fn, self.budget)
            self.workers.append(w)
            return w
        for w in live:
            if len(w.tasks) == 1 and size <= w.pipe_bytes // 2:
                return w
        return None

    def _drop(self, w: "_Worker") -> None:
        w.kill()
        if w in self.workers:
            self.workers.remove(w)

    def _lost(self, w: "_Worker", done: dict[int, Result], why: Result | None = None) -> list[tuple]:
        """A worker ended: its input in hand gets `why` (or how it ended); the
        input queued behind it, never started, is returned to be handed out again."""
        self._drop(w)
        if not w.tasks:
            return []
        idx = w.tasks[0][0]
        done[idx] = why if why is not None else _ended(w.status)
        return w.tasks[1:]

    def _wait(self, done: dict[int, Result]) -> list[tuple]:
        """Read what busy workers wrote; settle finished inputs and those out of
        time. Returns inputs to hand out again (queued behind a lost worker)."""
        again: list[tuple] = []
        busy = [w for w in self.workers if w.tasks]
        now = time.monotonic()
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        timeout = max(0.0, min(deadlines) - now) if deadlines else None
        ready, _, _ = select.select([w.rfd for w in busy], [], [], timeout)
        for w in busy:
            if w.rfd not in ready:
                continue
            data = os.read(w.rfd, 1 << 20)
            if not data:        # the worker ended mid-input: say how
                again += self._lost(w, done)
                continue
            w.buf.extend(data)
            while w.tasks and (res := w.frame()) is not None:
                done[w.tasks.pop(0)[0]] = res
                if w.retiring:
                    # It leaves after this result: what waits in its pipe was never started.
                    again += w.tasks
                    w.tasks = []
                # The next input, already in the pipe, starts now.
                w.deadline = (time.monotonic() + self.budget.seconds
                              if w.tasks and self.budget.seconds > 0 else None)
        now = time.monotonic()
        for w in busy:
            if w in self.workers and w.tasks and w.deadline is not None and now >= w.deadline:
                again += self._lost(w, done, Result(failure="time",
                                                    detail=f"killed after {self.budget.seconds:g} s"))
        return again


@dataclass
class _Worker:
    pid: int
    wfd: int                    # inputs to the worker
    rfd: int                    # results from it
    pipe_bytes: int = 1 << 16
    tasks: list = field(default_factory=list)   # (idx, item, pickled): the one in hand first
    deadline: float | None = None
    retiring: bool = False
    status: int = 0
    buf: bytearray = field(default_factory=bytearray)

    def send(self, task: tuple[int, tuple, bytes], budget: Budget) -> bool:
        try:
            _write_frame(self.wfd, task[2])
        except OSError:
            return False
        if not self.tasks and budget.seconds > 0:
            self.deadline = time.monotonic() + budget.seconds
        self.tasks.append(task)
        return True

    def frame(self) -> Result | None:
        """The next result, once all of its bytes are in."""
        if len(self.buf) < _HEADER.size:
            return None
        (n,) = _HEADER.unpack_from(self.buf)
        if len(self.buf) < _HEADER.size + n:
            return None
        payload = bytes(self.buf[_HEADER.size:_HEADER.size + n])
        del self.buf[:_HEADER.size + n]
        try:
            kind, value, retiring = pickle.loads(payload)
        except Exception:
            self.retiring = True
            return Result(failure="crash", detail="unreadable result")
        self.retiring = self.retiring or retiring
        if kind == "ok":
            return Result(value=value)
        if kind == "memory":
            return Result(failure="memory")
        return Result(failure="crash", detail=str(value))

    def kill(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.status = _reap(self.pid)
            self.pid = 0
        for fd in (self.wfd, self.rfd):
            with _fds_lock:
                _open_fds.discard(fd)
            try:
                os.close(fd)
            except OSError:
                pass


def _spawn(fn, budget: Budget) -> _Worker:
    task_r, task_w = os.pipe()
    res_r, res_w = os.pipe()
    for fd in (task_w, res_w):
        try:
            fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
        except OSError:
            pass    # a smaller pipe only means fewer inputs queued ahead
    try:
        pipe_bytes = fcntl.fcntl(task_w, getattr(fcntl, "F_GETPIPE_SZ", 1032))
    except OSError:
        pipe_bytes = 1 << 16
    with _fds_lock:
        pid = os.fork()
        if pid == 0:    # the worker: never returns
            for fd in _open_fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
            os.close(task_w)
            os.close(res_r)
            _serve(task_r, res_w, fn, budget)
        _open_fds.update((task_w, res_r))
    os.close(task_r)
    os.close(res_w)
    return _Worker(pid, task_w, res_r, pipe_bytes)


def _ended(status: int) -> Result:
    """Why a worker that was on an input ended without answering."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        # SIGKILL we did not send: the kernel's OOM killer.
        if sig == signal.SIGKILL:
            return Result(failure="memory", detail="killed by the system (out of memory)")
        return Result(failure="crash", detail=f"signal {signal.Signals(sig).name}")
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == _EXIT_MEMORY:
        return Result(failure="memory")
    return Result(failure="crash", detail=f"exit code {code}, no result")


def _serve(rfd: int, wfd: int, fn, budget: Budget) -> None:
    code = 0
    try:
        # Other threads of the parent may have held stream locks at fork: this process gets its own.
        reset_in_child()
        # The parent's Ctrl-C is the parent's to handle: it kills its workers.
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:
            pass
        # What the parent built stays shared (copy-on-write) if our collector
        # never walks it.
        gc.freeze()
        base = _vm_bytes()
        if budget.memory_mb > 0:
            _limit_memory(base, budget.memory_mb)
        drift = int(budget.memory_mb * 1024 * 1024 * _DRIFT_SHARE) if budget.memory_mb > 0 else 0
        tasks = 0
        while True:
            payload = _read_frame(rfd)
            if payload is None:
                break       # the pool closed: done
            _idx, item = pickle.loads(payload)
            tasks += 1
            try:
                out: tuple = ("ok", fn(*item))
            except MemoryError:
                out = ("memory", None)
            except BaseException as e:  # reported to the parent, which records the document as failed
                out = ("crash", f"{type(e).__name__}: {e}")
            del item, payload
            retiring = (out[0] != "ok" or tasks >= _MAX_TASKS
                        or (drift > 0 and _vm_bytes() - base > drift))
            try:
                data = pickle.dumps((*out, retiring), protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                data, retiring = pickle.dumps(("memory", None, True)), True
            except Exception as e:     # an unpicklable result is a bug: say so
                data = pickle.dumps(("crash", f"result not picklable: {type(e).__name__}: {e}", retiring))
            _write_frame(wfd, data)
            del out, data
            if retiring:
                break
    except MemoryError:
        code = _EXIT_MEMORY
    except BaseException:
        code = _EXIT_PICKLE
    finally:
        # No atexit handlers, no flushing of the parent's buffers, no closing
        # of its database: the worker only hands back its results.
        os._exit(code)


def _write_frame(fd: int, payload: bytes) -> None:
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_frame(fd: int) -> bytes | None:
    head = _read_exact(fd, _HEADER.size)
    if head is None:
        return None
    (n,) = _HEADER.unpack(head)
    return _read_exact(fd, n)


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        data = os.read(fd, min(left, 1 << 20))
        if not data:
            return None
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


def _limit_memory(base: int, mb: int) -> None:
    """Cap the address space at what the worker holds at its start plus `mb`:
    the parent's size varies (imported libraries, the daemon's caches), the
    budget is for the document."""
    import resource

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


def _reap(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0
