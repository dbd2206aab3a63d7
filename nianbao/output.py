"""The output folder: one build at a time, swapped in whole, put right after a kill."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """One build at a time into one output: a second waits for the first.

    The lock is an advisory ``flock`` on a file beside the output, released
    by the system when its holder ends, however it ends, so a killed build
    never leaves a stale lock.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    path = output.with_name(f".{output.name}.lock")
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"另一个构建正在写入 {output}，等它完成… (waiting for another build)",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def swap_in(tmp: Path, output: Path) -> None:
    """Replace ``output`` by the finished ``tmp`` tree in one step.

    Where the system can exchange two names atomically (Linux's
    ``renameat2(RENAME_EXCHANGE)``), the new site takes the old one's place
    in one operation and the old one is removed after: there is no instant
    without a site.  Elsewhere the old site is renamed aside first, and a
    build killed between the two renames is put right by :func:`recover`.
    """
    if output.exists() and exchange(tmp, output):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous site
        return
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        output.rename(old)
    tmp.rename(output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
    return done


def recover(output: Path) -> None:
    """Clean up after a build that was killed.

    A build killed while writing leaves its unfinished ``.site.new-*`` tree
    (and, without a cache, its ``.site.parts-*`` scratch folder): removed.  One killed in the instant between its two renames leaves the
    previous site as ``.site.old-*`` and no ``site/``: put back.
    """
    if not output.parent.is_dir():
        return
    stale_trees = [
        *output.parent.glob(f".{output.name}.new-*"),
        *output.parent.glob(f".{output.name}.parts-*"),
    ]
    for stale in sorted(stale_trees):
        shutil.rmtree(stale, ignore_errors=True)
    olds = sorted(output.parent.glob(f".{output.name}.old-*"))
    if olds and not output.exists():
        olds.pop().rename(output)
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
