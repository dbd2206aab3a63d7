"""The output folder: one build at a time, swapped in whole or changed piece
by piece, put right after a kill."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .urls import UNIT_FOLDERS, unit_of


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


Units = dict[str, list[int]]  # a piece of the site (urls.unit_of) -> [bytes, files]


def units(folder: Path) -> Units:
    """The pieces of a built tree with their bytes and files (hard links count in full)."""
    found: Units = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            entry = found.setdefault(unit_of(os.path.relpath(path, folder).replace(os.sep, "/")), [0, 0])
            entry[0] += os.stat(path).st_size
            entry[1] += 1
    return found


def kept_units(output: Path, kept: set[str], previous: Units) -> Units:
    """The pieces a rebuild leaves in place, with their size as last recorded."""
    return {unit: previous.get(unit) or _measure(output / unit) for unit in kept}


def total(pieces: Units) -> list[int]:
    """Bytes and files of all the pieces together."""
    return [sum(size for size, _ in pieces.values()), sum(count for _, count in pieces.values())]


def _measure(unit: Path) -> list[int]:
    if unit.is_file():  # a page or file of its own (a year's page)
        return [unit.stat().st_size, 1]
    return total(units(unit))


def commit(staging: Path, output: Path, written: Units, gone: set[str]) -> None:
    """Publish a rebuild that wrote only what changed into ``staging``.

    Each piece written (:func:`nianbao.urls.unit_of`) takes the place of the
    old one in one rename (folders exchanged where Linux can), report
    folders first and the pages that link them after; then the pieces of the
    last site that are gone are removed.  At no instant is a piece half
    written, nor linked before it is there.  The cache forgets the published
    site before this and records it after, so a build killed halfway is
    followed by a whole build swapped in whole."""
    order = {name: rank for rank, name in enumerate(UNIT_FOLDERS)}
    for unit in sorted(written, key=lambda u: (order.get(u.split("/")[0], len(order)), u)):
        _put(staging / unit, output / unit)
    for unit in sorted(gone):
        _remove(output / unit, output)
    shutil.rmtree(staging, ignore_errors=True)


def _put(new: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if new.is_dir() and target.is_dir() and not target.is_symlink():
        if exchange(new, target):
            shutil.rmtree(new)  # the old one, now here
            return
        aside = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(aside)
        new.rename(target)
        shutil.rmtree(aside)
        return
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    os.replace(new, target)


def _remove(target: Path, root: Path) -> None:
    """A piece gone from the site, and the folders it leaves empty."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    parent = target.parent
    while parent != root:
        try:
            parent.rmdir()
        except OSError:  # not empty
            return
        parent = parent.parent
