"""Work spread over every core: results in input order, workers that die
with a killed build, and a worker killed by the system costing one file."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from . import config

# What a file gets whose worker the system killed twice.
KILLED = "处理这个文件的进程被系统终止了两次（可能内存不足，或文件触发了程序库的崩溃）"


def workers() -> int:
    """Cores this process may use (CPU affinity, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_jobs(
    function,
    jobs: list,
    dead: Callable[[object], object] | None = None,
    setup: Callable[[], None] | None = None,
) -> Generator:
    """``map`` over every core when the work is big enough; results in order
    (close the generator to end the workers before the last result is taken).

    ``setup()`` runs once in each worker before its first job.

    A worker killed by the system (out of memory, a crash in a library)
    breaks the whole pool: the jobs whose results were lost are then run
    again one at a time, each in a fresh worker, and a job that kills its
    worker again gives ``dead(job)`` instead of its result.
    """
    count = workers()
    if count < 2 or len(jobs) < config.ACTIVE.parallel_min:
        yield from map(function, jobs)
        return
    done = 0
    try:
        with ProcessPoolExecutor(count, initializer=_start_worker, initargs=(os.getpid(), setup)) as pool:
            for result in pool.map(function, jobs, chunksize=max(1, min(64, len(jobs) // (count * 8)))):
                yield result
                done += 1
    except BrokenProcessPool:
        for job in jobs[done:]:
            yield _alone(function, job, dead)


def _alone(function, job, dead: Callable[[object], object] | None):
    """``function(job)`` in a worker of its own."""
    try:
        with ProcessPoolExecutor(1, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            return pool.submit(function, job).result()
    except BrokenProcessPool:
        if dead is None:
            raise
        return dead(job)


def _start_worker(parent: int, setup: Callable[[], None] | None) -> None:
    _die_with_parent(parent)
    if setup is not None:
        setup()


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a build that was killed: it would go on
    writing into the unfinished tree that the next build clears away."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above ran
        os._exit(1)


def progress(results: Iterator, total: int) -> Iterator:
    """Count reports read on a terminal; say nothing in CI logs (no terminal)."""
    show = sys.stderr.isatty() and total >= config.ACTIVE.parallel_min
    for done, result in enumerate(results, 1):
        if show and (done % 25 == 0 or done == total):
            print(
                f"\r读取 reading {done}/{total}",
                end="" if done < total else "\n",
                file=sys.stderr,
                flush=True,
            )
        yield result
