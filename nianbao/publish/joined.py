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
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .package import Parts, header, label_parts
from .writer import Writer

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
    """Where each report's lines are in one site's CSV files: the reports
    in their order, the key of what each one's lines were made of, and per
    table each one's start and length, as arrays (an edit loads and keeps
    this for 10,000 reports: a dict a report cost 0.1 s both ways)."""

    files: dict[str, Identity] = field(default_factory=dict)  # table -> its file, as written
    order: list[str] = field(default_factory=list)  # report ids
    keys: list[str] = field(default_factory=list)  # each one's key
    spans: dict[str, array] = field(default_factory=dict)  # table -> start, length, start, length …

    def kept(self) -> dict[str, Any]:
        """As kept in the cache (:func:`nianbao.cache.store_snapshot`)."""
        return {"files": self.files, "order": self.order, "keys": self.keys, "spans": self.spans}

    @classmethod
    def from_kept(cls, kept: Mapping[str, Any]) -> Index:
        """The index kept by the last build; empty when there is none or it is not one."""
        try:
            index = cls(kept["files"], kept["order"], kept["keys"], kept["spans"])
        except (KeyError, TypeError):
            return cls()
        files_ok = isinstance(index.files, dict) and all(
            isinstance(found, tuple) and len(found) == 4 for found in index.files.values()
        )
        count = len(index.order)
        spans_ok = isinstance(index.spans, dict) and all(
            isinstance(spans, array) and len(spans) == 2 * count for spans in index.spans.values()
        )
        if not (files_ok and spans_ok and isinstance(index.keys, list) and len(index.keys) == count):
            return cls()
        return index

    def span(self, report_id: str, name: str) -> tuple[int, int]:
        """Where a report's lines are in one table: (start, length)."""
        at = self.places[report_id]
        spans = self.spans[name]
        return spans[2 * at], spans[2 * at + 1]

    @cached_property
    def places(self) -> dict[str, int]:
        return {rid: at for at, rid in enumerate(self.order)}


def write_tables(
    writer: Writer,
    folder: str,
    names: list[str],
    reports: list[tuple[str, str]],
    own: Callable[[str], Parts],
    tail: Parts,
    last: Path | None = None,
    index: Index | None = None,
) -> Index:
    """Write each table ``folder/<name>.csv`` of ``writer``'s site: its header, the labels, the
    lines of each report of ``reports`` ((report id, the key of its lines)) in
    order, then ``tail``'s (the unreadable files' findings).  A report's lines
    are copied from the last site's table in ``last`` when ``index`` has them
    under the same key and that table is the file it describes; otherwise
    they are ``own(report_id)``'s.  Returns where each report's lines now are."""
    written = Index(order=[rid for rid, _ in reports], keys=[key for _, key in reports])
    # Where each report was in the last site's tables, when its lines did not change since.
    before: list[int] = [-1] * len(reports)
    if index is not None and last is not None:
        place = index.places
        for at, (rid, key) in enumerate(reports):
            was = place.get(rid, -1)
            if was >= 0 and index.keys[was] == key:
                before[at] = was
    loaded: dict[str, Parts] = {}
    labels = label_parts()
    for name in names:
        path = writer.path(f"{folder}/{name}.csv")
        source = last / f"{name}.csv" if last is not None else None
        usable = (
            index is not None
            and source is not None
            and name in index.files
            and name in index.spans
            and is_described(source, index.files[name])
        )
        old = os.open(source, os.O_RDONLY) if usable and source is not None else None
        old_spans = index.spans[name] if old is not None and index is not None else None
        new = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        spans = array("q", bytes(16 * len(reports)))
        try:
            position = _write_all(new, header(name) + labels.get(name, b""))
            run_start = run_length = 0  # neighbouring ranges of the old file, copied as one
            for at, (rid, _) in enumerate(reports):
                was = before[at]
                if old_spans is not None and was >= 0:
                    start, length = old_spans[2 * was], old_spans[2 * was + 1]
                    if run_length and run_start + run_length == start:
                        run_length += length
                    else:
                        if run_length and old is not None:
                            _copy(old, new, run_start, run_length)
                        run_start, run_length = start, length
                else:
                    if run_length and old is not None:
                        _copy(old, new, run_start, run_length)
                    run_start = run_length = 0
                    if rid not in loaded:
                        loaded[rid] = own(rid)
                    length = _write_all(new, loaded[rid].get(name, b""))
                spans[2 * at], spans[2 * at + 1] = position, length
                position += length
            if run_length and old is not None:
                _copy(old, new, run_start, run_length)
            _write_all(new, tail.get(name, b""))
        finally:
            os.close(new)
            if old is not None:
                os.close(old)
        written.spans[name] = spans
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
    return Index(files, index.order, index.keys, index.spans)


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
        tables = {}
        for name, fd in self.files.items():
            start, length = self.index.span(report_id, name)
            tables[name] = os.pread(fd, length, start)
        return {**self.small[report_id], **tables}

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.order)

    def __len__(self) -> int:
        return len(self.index.order)

    def close(self) -> None:
        for fd in self.files.values():
            os.close(fd)
        self.files = {}
