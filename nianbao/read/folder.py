"""Which files of the content folder are reports, and which are refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..urls import GENERIC_STEMS
from .files import why_not_regular

# The folder a browser's "save page, complete" puts beside NAME.html.
_PAGE_PARTS = ("{}_files", "{}.files", "{}-files", "{} files", "{}_archivos", "{}-Dateien")


# Files that are never reports: the pictures, styles and scripts of a saved page,
# and the link lists crawlers keep beside a page.
_PART_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".css", ".js", ".json", ".ico"}


_PART_NAMES = {"links.tsv", "links.txt", "meta.json", "headers.txt"}


def discover(content: Path) -> list[Path]:
    """Every report file under the content folder, in a stable order (see :func:`survey`)."""
    return survey(content)[0]


def survey(content: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The content folder's report files, and what is refused, with the reason.

    Only regular files are read: symbolic links (which may lead out of the
    folder), FIFOs, devices and sockets are refused, as are hidden files
    (``.x.txt``: a name starting with a dot is easily missed in a review);
    hidden folders (``.git``) are not content and are passed over.  A web
    page saved "complete" (``page.html`` beside ``page_files/``) is one
    report: the folder of its parts is not read.  In a folder that holds a
    page saved under a generic name (``page.html``, ``page.txt``), the
    pictures, styles and link lists beside it are its parts too.
    """
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for root, dirs, names in os.walk(content):
        pages = [n for n in names if n.lower().endswith((".html", ".htm"))]
        parts = {form.format(n.rsplit(".", 1)[0]) for n in pages for form in _PAGE_PARTS}
        for d in sorted(dirs):
            if not d.startswith(".") and os.path.islink(os.path.join(root, d)):
                refused.append((Path(root) / d, why_not_regular(stat.S_IFLNK)))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in parts)
        names = sorted(names)
        if any(n.rsplit(".", 1)[0].lower() in GENERIC_STEMS for n in names):  # a saved page's folder
            names = [n for n in names if not _is_part(n)]
        for name in names:
            path = Path(root) / name
            if name.startswith("."):
                refused.append((path, "是隐藏文件（文件名以 . 开头），已跳过：如果它是报告，请去掉开头的点"))
                continue
            reason = why_not_regular(os.lstat(path).st_mode)
            if reason:
                refused.append((path, reason))
            else:
                files.append(path)
    return files, refused


def _is_part(name: str) -> bool:
    lower = name.lower()
    return lower in _PART_NAMES or ("." + lower.rsplit(".", 1)[-1]) in _PART_SUFFIXES


def own_folders(page: Path) -> list[str]:
    """The names of the folders beside a web page that hold its parts
    (``page_files`` …); "" too (its own folder) when the page is saved under
    a generic name (``page.html``), whose folder is then all its own."""
    stem = page.name.rsplit(".", 1)[0]
    names = [form.format(stem) for form in _PAGE_PARTS]
    return [*names, ""] if stem.lower() in GENERIC_STEMS else names


# At most this many of a page's parts are looked at (a saved page has tens).
MAX_PARTS = 500


def companions(page: Path) -> list[Path]:
    """The files a web page may show as pictures (see :func:`own_folders`),
    in a stable order: what its reading depends on besides its own bytes."""
    found: list[Path] = []
    seen: set[Path] = set()  # a generic page's folder holds its page_files/ too
    parent = str(page.parent)
    for name in own_folders(page):
        root = os.path.join(parent, name) if name else parent
        # One lstat a candidate (a link is not followed): this runs for every
        # web page on every build, even one that finds nothing changed.
        if name and not _is_folder(root):
            continue
        for where, dirs, names in os.walk(root):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(where, d))
            )
            fresh = [Path(where) / n for n in sorted(names) if _is_picture(n) and Path(where) / n not in seen]
            found += fresh
            seen.update(fresh)
            if len(found) >= MAX_PARTS:
                return found[:MAX_PARTS]
    return found


def _is_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_picture(name: str) -> bool:
    return ("." + name.lower().rsplit(".", 1)[-1]) in _PICTURES


_PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
