"""The portal's CSV files (``data/*.csv``), joined from every report's lines.

A rebuild copies an unchanged report's lines from the last site's files,
where the last build wrote them (:class:`Index`), in the kernel
(``os.copy_file_range``) and in runs of neighbouring reports, instead of
reading every report's lines into Python and writing them out again (105 MB
at 10,000 reports).  A report whose lines changed, or a last site whose
files are not the ones the index describes, is written from its own kept
lines.  A file is the one described when its size, time and inode are
(the same file), or else when its bytes' digest is: a site restored from
an archive (the workflow's cache) has new inodes and perhaps new times.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .package import Parts, header, label_parts

# A file's size, modification time (ns), inode and the SHA-1 of its bytes
# (which file it is, not a seal: the site is the build's own output).
Identity = tuple[int, int, int, str]


def identity(path: Path | str) -> Identity | None:
    """A file as it is now, its digest made from its bytes."""
    try:
        with open(path, "rb") as f:
            found = os.fstat(f.fileno())
            digest = hashlib.file_digest(f, lambda: hashlib.sha1(usedforsecurity=False)).hexdigest()
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino, digest)


def is_described(path: Path, recorded: Identity) -> bool:
    """Whether ``path`` is the file ``recorded`` describes: the same file
    (its bytes not read), or one with the same bytes."""
    try:
        found = os.stat(path)
    except OSError:
        return False
    if found.st_size != recorded[0]:
        return False
    if (found.st_mtime_ns, found.st_ino) == (recorded[1], recorded[2]):
        return True
    now = identity(path) if recorded[3] else None
    return now is not None and now[3] == recorded[3]


@dataclass
class Index:
    """Where each report's lines are in one site's CSV files."""

    files: dict[str, Identity] = field(default_factory=dict)  # table -> its file, as written
    # report id -> (the key of what its lines were made of, table -> (start, length))
    reports: dict[str, tuple[str, dict[str, tuple[int, int]]]] = field(default_factory=dict)

    def kept(self) -> dict[str, Any]:
        """As kept in the cache (:func:`nianbao.cache.store_snapshot`)."""
        return {"files": self.files, "reports": self.reports}

    @classmethod
    def from_kept(cls, kept: Mapping[str, Any]) -> Index:
        """The index kept by the last build; empty when there is none or it is not one."""
        files, reports = kept.get("files"), kept.get("reports")
        if not isinstance(files, dict) or not isinstance(reports, dict):
            return cls()
        if not all(isinstance(found, tuple) and len(found) == 4 for found in files.values()):
            return cls()  # kept by an older build
        return cls(files, reports)


def write_tables(
    folder: Path,
    names: list[str],
    reports: list[tuple[str, str]],
    own: Callable[[str], Parts],
    tail: Parts,
    last: Path | None = None,
    index: Index | None = None,
) -> Index:
    """Write each table ``folder/<name>.csv``: its header, the labels, the
    lines of each report of ``reports`` ((report id, the key of its lines)) in
    order, then ``tail``'s (the unreadable files' findings).  A report's lines
    are copied from the last site's table in ``last`` when ``index`` has them
    under the same key and that table is the file it describes; otherwise
    they are ``own(report_id)``'s.  Returns where each report's lines now are."""
    written = Index(reports={rid: (key, {}) for rid, key in reports})
    loaded: dict[str, Parts] = {}

    def lines_of(rid: str) -> Parts:
        if rid not in loaded:
            loaded[rid] = own(rid)
        return loaded[rid]

    labels = label_parts()
    for name in names:
        path = folder / f"{name}.csv"
        source = last / f"{name}.csv" if last is not None else None
        usable = (
            index is not None
            and source is not None
            and name in index.files
            and is_described(source, index.files[name])
        )
        old = os.open(source, os.O_RDONLY) if usable and source is not None else None
        new = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            position = _write_all(new, header(name) + labels.get(name, b""))
            run = _Run(old, new)
            for rid, key in reports:
                before = index.reports.get(rid) if old is not None and index is not None else None
                if before is not None and before[0] == key and name in before[1]:
                    start, length = before[1][name]
                    run.add(start, length)
                else:
                    run.flush()
                    data = lines_of(rid).get(name, b"")
                    length = _write_all(new, data)
                written.reports[rid][1][name] = (position, length)
                position += length
            run.flush()
            _write_all(new, tail.get(name, b""))
        finally:
            os.close(new)
            if old is not None:
                os.close(old)
        found = os.stat(path)
        written.files[name] = (found.st_size, found.st_mtime_ns, found.st_ino, "")  # signed() adds the digest
    return written


def signed(index: Index, folder: Path) -> Index:
    """``index`` with the digest of each of its files in ``folder``, so that
    the next build can tell the last site's files even when restored from an
    archive; apart from :func:`write_tables` as it reads every file again
    (on a thread of its own: hashing lets go of the interpreter)."""
    files = {}
    for name, written in index.files.items():
        found = identity(folder / f"{name}.csv")
        if found is not None and found[:3] == written[:3]:
            files[name] = found
    return Index(files, index.reports)


class _Run:
    """Neighbouring ranges of the old file, copied as one."""

    def __init__(self, old: int | None, new: int):
        self.old, self.new = old, new
        self.start, self.length = 0, 0

    def add(self, start: int, length: int) -> None:
        if self.length and self.start + self.length == start:
            self.length += length
            return
        self.flush()
        self.start, self.length = start, length

    def flush(self) -> None:
        if self.length and self.old is not None:
            _copy(self.old, self.new, self.start, self.length)
        self.start, self.length = 0, 0


def _write_all(fd: int, data: bytes) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    return len(data)


def _copy(old: int, new: int, start: int, length: int) -> None:
    """``length`` bytes of ``old`` from ``start`` appended to ``new``: in the
    kernel where it can, else read and written."""
    offset, left = start, length
    if hasattr(os, "copy_file_range"):
        try:
            while left:
                done = os.copy_file_range(old, new, left, offset)
                if done == 0:
                    break  # the old file is shorter than its index says
                offset, left = offset + done, left - done
        except OSError:
            pass  # not between these files (another file system, an old kernel): read and written below
    while left:
        data = os.pread(old, min(left, 1 << 20), offset)
        if not data:
            raise OSError(f"the last site's table ended {left} bytes early")
        _write_all(new, data)
        offset, left = offset + len(data), left - len(data)


class Written(Mapping[str, Parts]):
    """Report id -> its lines of each table, read back from the files
    :func:`write_tables` wrote (a year's or an agency's bundle, the reports
    being validated), merged with ``small`` (its other kept parts)."""

    def __init__(self, folder: Path, index: Index, small: Mapping[str, Parts]):
        self.folder = folder
        self.index = index
        self.small = small
        self.files = {name: os.open(folder / f"{name}.csv", os.O_RDONLY) for name in index.files}

    def __getitem__(self, report_id: str) -> Parts:
        _, ranges = self.index.reports[report_id]
        tables = {name: os.pread(self.files[name], length, start) for name, (start, length) in ranges.items()}
        return {**self.small[report_id], **tables}

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.reports)

    def __len__(self) -> int:
        return len(self.index.reports)

    def close(self) -> None:
        for fd in self.files.values():
            os.close(fd)
        self.files = {}
