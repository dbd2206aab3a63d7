"""Reading the content folder safely: only regular files inside it.

Everything in content/ is untrusted (the site is rebuilt from pull requests),
so a "report" may be a symlink to /dev/zero or to a file outside the folder,
a FIFO that blocks forever, or a device.  Files are opened without following
links and without blocking, checked to be regular files, and read no further
than a size limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class Refused(Exception):
    """Not a regular file of acceptable size; the message says why, in Chinese."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code


def why_not_regular(mode: int) -> str:
    """'' for a regular file, else what it is, in Chinese."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISLNK(mode):
        return "是一个符号链接：只读取报告目录中的普通文件，链接可能指向目录以外，已拒绝"
    if stat.S_ISFIFO(mode):
        return "是一个管道（FIFO），不是普通文件，已拒绝"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是一个设备文件，不是普通文件，已拒绝"
    if stat.S_ISSOCK(mode):
        return "是一个套接字，不是普通文件，已拒绝"
    if stat.S_ISDIR(mode):
        return "是一个目录"
    return "不是普通文件，已拒绝"


def too_large(size: int, limit: int) -> str:
    return f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {limit // 1024 // 1024} MB），不像一份年报，已跳过"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Opened with O_NOFOLLOW and O_NONBLOCK, so a link or a FIFO swapped in
    after the folder was listed is refused rather than followed or waited
    on; the size is checked on the open file, and never more than ``limit``
    bytes are read.
    """
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in (getattr(os, "ELOOP", -1), getattr(os, "EMLINK", -1)):
            raise Refused(why_not_regular(stat.S_IFLNK)) from None
        raise
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        reason = why_not_regular(info.st_mode)
        if reason:
            raise Refused(reason)
        if info.st_size > limit:
            raise Refused(too_large(info.st_size, limit), "too_large")
        data = f.read(limit + 1)
    if len(data) > limit:  # grew while being read
        raise Refused(too_large(len(data), limit), "too_large")
    return data


def read_beside(page: Path, src: str, limit: int) -> bytes | None:
    """The file a page's ``<img src>`` names, when it lies in the page's own
    folder (``page_files/``; for a page saved under a generic name such as
    ``page.html``, the folder it is in) and is a regular file reached without a link.

    None for anything else: an address on the network (``http:``,
    ``//host``), a ``data:`` or ``file:`` URL, an absolute path, a path that
    climbs out (``..``), a link on the way, or a file that is not there.
    Nothing outside the report's folder is ever opened."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(src.strip())
    if parts.scheme or parts.netloc:
        return None
    steps = [s for s in unquote(parts.path).replace("\\", "/").split("/") if s not in ("", ".")]
    if not steps or src.strip().startswith(("/", "\\")) or ".." in steps:
        return None
    from .folder import own_folders

    folders = own_folders(page)
    if "" not in folders and (len(steps) < 2 or steps[0] not in folders):
        return None  # only in the page's own parts folder (page_files/…)
    where = page.parent
    for step in steps[:-1]:  # every folder on the way: a real folder, not a link
        where = where / step
        try:
            if not stat.S_ISDIR(os.lstat(where).st_mode):
                return None
        except OSError:
            return None
    try:
        return read_regular(where / steps[-1], limit)
    except (OSError, Refused):
        return None
