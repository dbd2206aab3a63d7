"""Which files of the content folder are reports, and which are refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from ..urls import GENERIC_STEMS
from .files import why_not_regular

# The folder a browser's "save page, complete" puts beside NAME.html.
_PAGE_PARTS = ("{}_files", "{}.files", "{}-files", "{} files", "{}_archivos", "{}-Dateien")


# Files that are never reports: the pictures, styles and scripts of a saved page,
# and the link lists crawlers keep beside a page.
_PART_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".css", ".js", ".json", ".ico"}


_PART_NAMES = {"links.tsv", "links.txt", "meta.json", "headers.txt"}


class Survey(NamedTuple):
    """What :func:`survey` finds in the content folder."""

    files: list[Path]  # the report files, in a stable order
    refused: list[tuple[Path, str]]  # what is not read, with the reason
    folders: dict[str, set[str]]  # each folder walked (``str(Path(...))``): its real subfolders' names


def discover(content: Path) -> list[Path]:
    """Every report file under the content folder, in a stable order (see :func:`survey`)."""
    return survey(content).files


def survey(content: Path) -> Survey:
    """The content folder's report files, and what is refused, with the reason.

    Only regular files are read: symbolic links (which may lead out of the
    folder), FIFOs, devices and sockets are refused, as are hidden files
    (``.x.txt``: a name starting with a dot is easily missed in a review);
    hidden folders (``.git``) are not content and are passed over.  A web
    page saved "complete" (``page.html`` beside ``page_files/``) is one
    report: the folder of its parts is not read.  In a folder that holds a
    page saved under a generic name (``page.html``, ``page.txt``), the
    pictures, styles and link lists beside it are its parts too.

    Each folder is listed once with ``os.scandir``, whose entries say what
    they are: a regular file costs no system call of its own (an ``lstat``
    each cost 0.1-0.2 s at 10,000 files, on every build).
    """
    found = Survey([], [], {})
    stack = [str(content)]
    while stack:  # depth first, each folder's subfolders in name order, as os.walk goes
        root = stack.pop()
        subfolders = _survey_folder(root, found)
        stack += [os.path.join(root, d) for d in reversed(subfolders)]
    return found


def _survey_folder(root: str, found: Survey) -> list[str]:
    """One folder's files into ``found``; the subfolders to walk next."""
    try:
        with os.scandir(root) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return []  # a folder that cannot be listed is passed over, as os.walk does
    dirs: list[os.DirEntry] = []
    names: list[os.DirEntry] = []
    for entry in entries:
        (dirs if _is_dir(entry) else names).append(entry)
    linked = {d.name for d in dirs if _is_link(d)}  # refused, and not followed (as os.walk does)
    found.folders[str(Path(root))] = {d.name for d in dirs if d.name not in linked}  # as str(a_file.parent)
    pages = [e.name for e in names if e.name.lower().endswith((".html", ".htm"))]
    parts = {form.format(n.rsplit(".", 1)[0]) for n in pages for form in _PAGE_PARTS}
    for d in dirs:
        if not d.name.startswith(".") and d.name in linked:
            found.refused.append((Path(d.path), why_not_regular(stat.S_IFLNK)))
    if any(e.name.rsplit(".", 1)[0].lower() in GENERIC_STEMS for e in names):  # a saved page's folder
        names = [e for e in names if not _is_part(e.name)]
    for entry in names:
        path = Path(entry.path)
        if entry.name.startswith("."):
            found.refused.append(
                (path, "是隐藏文件（文件名以 . 开头），已跳过：如果它是报告，请去掉开头的点")
            )
            continue
        reason = "" if _regular(entry) else _why_not(entry)
        if reason:
            found.refused.append((path, reason))
        else:
            found.files.append(path)
    return [
        d.name for d in dirs if not d.name.startswith(".") and d.name not in parts and d.name not in linked
    ]


def _is_dir(entry: os.DirEntry) -> bool:
    """A folder, or a link to one (as os.walk sorts them)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_link(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:  # as os.path.islink
        return False


def _regular(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:  # where the listing does not say, a look that failed: _why_not says why
        return False


def _why_not(entry: os.DirEntry) -> str:
    try:
        return why_not_regular(entry.stat(follow_symlinks=False).st_mode)
    except OSError as exc:
        return f"无法读取文件信息：{exc.strerror}"


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


def companions(page: Path, folders: set[str] | None = None) -> list[Path]:
    """The files a web page may show as pictures (see :func:`own_folders`),
    in a stable order: what its reading depends on besides its own bytes.
    ``folders``: the real subfolders of the page's folder, when known
    (:attr:`Survey.folders`), so that no candidate is looked up."""
    found: list[Path] = []
    seen: set[Path] = set()  # a generic page's folder holds its page_files/ too
    parent = str(page.parent)
    for name in own_folders(page):
        # This runs for every web page on every build, even one that finds
        # nothing changed: one lstat a candidate (a link is not followed)
        # where the folder's listing is not known.
        if name and folders is not None and name not in folders:
            continue
        root = os.path.join(parent, name) if name else parent
        if name and folders is None and not _is_folder(root):
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
