"""One thread that calls functions at deadlines, shared by every request.

worker/pinned.py cuts a request at each phase's deadline. A `threading.Timer`
per phase started a thread per request: polling 1,000 unchanged sources spent
a fifth of its time starting threads that almost never fire. Here one daemon
thread waits for the earliest deadline of a heap; cancelling only marks an
alarm (the heap is compacted when most of it is cancelled). A forked child
starts with an empty clock and its own thread, made when first used.
"""
from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from typing import Callable


class Alarm:
    """A pending call; `cancel()` makes sure it will not run (if it has not started)."""

    __slots__ = ("at", "fn", "cancelled", "_clock")

    def __init__(self, at: float, fn: Callable[[], None], clock: "Clock"):
        self.at = at
        self.fn = fn
        self.cancelled = False
        self._clock = clock

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._clock._cancelled_one()


class Clock:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Alarm]] = []
        self._seq = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None

    def call_at(self, at: float, fn: Callable[[], None]) -> Alarm:
        """Call `fn()` on the clock's thread at `at` (time.monotonic())."""
        alarm = Alarm(at, fn, self)
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="alarms", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (at, next(self._seq), alarm))
            if self._heap[0][2] is alarm:
                self._cond.notify()
        return alarm

    def _cancelled_one(self) -> None:
        with self._cond:
            self._cancelled += 1
            if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
                self._heap = [e for e in self._heap if not e[2].cancelled]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        while True:
            due: list[Alarm] = []
            with self._cond:
                while not due:
                    now = time.monotonic()
                    while self._heap and (self._heap[0][0] <= now or self._heap[0][2].cancelled):
                        _, _, alarm = heapq.heappop(self._heap)
                        if alarm.cancelled:
                            self._cancelled = max(0, self._cancelled - 1)
                        else:
                            due.append(alarm)
                    if not due:
                        self._cond.wait(self._heap[0][0] - now if self._heap else None)
            for alarm in due:         # outside the lock: a callback may take its own locks
                if not alarm.cancelled:
                    try:
                        alarm.fn()
                    except Exception:  # noqa: BLE001 - one callback must not stop the clock
                        pass


_clock = Clock()


def _after_fork() -> None:
    global _clock
    _clock = Clock()


os.register_at_fork(after_in_child=_after_fork)


def call_at(at: float, fn: Callable[[], None]) -> Alarm:
    """Call `fn()` at monotonic time `at` on the shared clock thread."""
    return _clock.call_at(at, fn)
