"""The worker pool documents are read in (worker/sandbox.py): real forked
processes, real limits. Each input costs at most itself: one over its time,
its memory or crashing its worker gets a result saying so, in input order,
and every other input is still done, exactly once."""
from __future__ import annotations

import faulthandler
import os
import signal
import time

from worker.sandbox import Budget, Pool

_seen: list[int] = []
_kept: list[bytearray] = []


def _job(kind: str, arg: int = 0):
    """What a test input asks its worker to do; returns (kind, worker pid)."""
    if kind == "sleep":
        time.sleep(arg)
    elif kind == "alloc":           # beyond the budget: a MemoryError
        bytearray(arg * 1024 * 1024)
    elif kind == "keep":            # held after the input: the worker's memory drifts up
        _kept.append(bytearray(arg * 1024 * 1024))
        for i in range(0, len(_kept[-1]), 4096):
            _kept[-1][i] = 1
    elif kind == "segv":
        faulthandler.disable()      # pytest's handler would print the worker's stack
        os.kill(os.getpid(), signal.SIGSEGV)
    elif kind == "exit":
        os._exit(3)
    elif kind == "raise":
        raise ValueError("bad input")
    _seen.append(1)       # in the worker's memory: grows as long as the worker lives
    return kind, os.getpid(), len(_seen)


def _run(items, jobs=1, **budget):
    pool = Pool(_job, Budget(**budget), jobs)
    try:
        return list(pool.map(items))
    finally:
        pool.close()


def test_workers_are_kept_across_inputs_and_keep_what_they_warmed():
    res = list(Pool(_job, Budget(seconds=30), jobs=2).map([("ok",)] * 12))
    assert [r.failure for r in res] == [None] * 12
    pids = {r.value[1] for r in res}
    # Two workers did all twelve (one fork per input would give twelve pids)
    # and what a worker built stayed: its list grew with every input it read.
    assert len(pids) <= 2 and os.getpid() not in pids
    assert sorted(r.value[2] for r in res) != [1] * 12
    assert max(r.value[2] for r in res) >= 6
    assert _seen == []          # the inputs ran in the workers, not here


def test_an_input_over_its_time_is_stopped_and_the_rest_are_done():
    t = time.monotonic()
    res = _run([("ok",), ("sleep", 60), ("ok",), ("ok",)], jobs=1, seconds=1.5)
    assert time.monotonic() - t < 30
    assert [r.failure for r in res] == [None, "time", None, None]
    assert "1.5 s" in res[1].detail
    # The inputs queued behind the slow one were handed to a new worker, not lost.
    assert res[0].value[1] != res[2].value[1] == res[3].value[1]


def test_an_input_over_its_memory_fails_alone():
    res = _run([("ok",), ("alloc", 3000), ("ok",)], jobs=1, seconds=60, memory_mb=300)
    assert [r.failure for r in res] == [None, "memory", None]
    # The worker that failed an allocation retires: the next input has a fresh one.
    assert res[0].value[1] != res[2].value[1]


def test_a_crashed_worker_is_named_and_replaced():
    res = _run([("ok",), ("segv",), ("ok",), ("exit",), ("ok",), ("raise",), ("ok",)], jobs=1, seconds=60)
    assert [r.failure for r in res] == [None, "crash", None, "crash", None, "crash", None]
    assert res[1].detail == "signal SIGSEGV"
    assert res[3].detail == "exit code 3, no result"
    assert res[5].detail == "ValueError: bad input"


def test_a_worker_whose_memory_drifts_up_retires_between_inputs():
    # 40 MB kept per input against a 25 % drift allowance of a 300 MB budget
    # (75 MB): the worker leaves after its second input, none is lost.
    res = _run([("keep", 40)] * 5, jobs=1, seconds=60, memory_mb=300)
    assert [r.failure for r in res] == [None] * 5
    pids = [r.value[1] for r in res]
    assert pids[0] == pids[1] != pids[2]
    assert len(set(pids)) >= 2


def test_results_come_in_input_order_whatever_finishes_first():
    items = [("sleep", 1), ("ok",), ("ok",), ("sleep", 1), ("ok",)]
    res = _run(items, jobs=2, seconds=60)
    assert [r.value[0] for r in res] == [k for k, *_ in items]


def test_stopping_early_leaves_no_worker_behind():
    pool = Pool(_job, Budget(seconds=60), jobs=2)
    it = pool.map([("ok",), ("sleep", 60), ("sleep", 60)])
    first = next(it)
    pids = [w.pid for w in pool.workers]
    it.close()
    assert first.failure is None and pids and not pool.workers
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"worker {pid} still running")
