"""Incremental builds: keep what each report became, keyed by its content
and by the code, templates and schemas that shaped it.

Two caches, both in a hidden folder beside the output (``.site.cache``):

- ``parsed/``: each file's result of read -> parse -> check (a Report or a
  Problem), keyed by the file's path and bytes and the version of the code
  that reads, parses and checks (:func:`parsing_version`); a file that did
  not change is not read or parsed again, even when the pages' code did.
- ``parsed/snapshot.pickle``: the same results for the last build's files in one
  pickle: one read instead of one per file, and the reports come back
  sharing their keys and cells (10,000 reports: 0.4 s instead of 6.5 s).
- ``parts/``: each published report's lines of the portal-wide tables and
  its line of the lists of reports, by the key of its folder (below),
  joined into the portal's, the years' and the agencies' tables and the home
  page without making them again; ``parts/snapshot.pickle`` holds the last
  build's all in one but their table lines, and ``parts/tables.pickle``
  where those are in the portal's CSV files (nianbao.publish.joined).
  Beside each entry, ``<key>.sheets``: the report's lines of the workbooks'
  long sheets, read only for the workbooks made; ``parts/sheets-<year>.pickle``
  holds a year's all in one (its workbook needs every one of them).  And
  ``figures.pickle``, ``agencies.pickle``: each year's figures and each
  agency's index entry, by the year's and the agency's key.
- ``written.json``: for each report folder of the last published site, a key
  of everything that folder was made from (the final report after the
  cross-report checks, its source file's key above); an unchanged
  folder is left in the published site (or hard-linked into a new one)
  instead of being packaged and rendered again.  With them, the site's
  pieces and their sizes (:func:`nianbao.output.units`).

Entries not used by a build are dropped at its end, so a deleted report
leaves nothing behind.  Deleting the cache folder is always safe.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import time
from collections.abc import Collection
from pathlib import Path

from .config import SCHEMA_DIR, TEMPLATE_DIR
from .read import Refused, read_regular

PACKAGE_DIR = Path(__file__).resolve().parent
SHAPING = (PACKAGE_DIR, TEMPLATE_DIR, SCHEMA_DIR)


def code_version() -> str:
    """A hash of every file that shapes the output: code, templates, schemas."""
    return _digest(_shaping_files())


def parsing_version() -> str:
    """A hash of the code that reads, parses and checks a file: all but the
    publishing code (``nianbao/publish/``), the modules that put the steps
    in order (:data:`NOT_PARSING`), the templates and the schemas.
    What a file became is kept under it, so a change to the pages or the
    downloads rewrites the site without reading every file again."""
    return _digest(parsing_files())


# The modules that only publish, or only put the steps in order: the rest
# (nianbao.loading and all it uses) is what a file's result depends on.
NOT_PARSING = ("publish", "site.py", "output.py", "summary.py")


def parsing_files() -> list[Path]:
    skipped = [PACKAGE_DIR / name for name in NOT_PARSING]
    return [
        p
        for p in _shaping_files()
        if p.is_relative_to(PACKAGE_DIR) and not any(p.is_relative_to(s) for s in skipped)
    ]


def _shaping_files() -> list[Path]:
    return [
        path
        for folder in SHAPING
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


def _digest(paths: list[Path]) -> str:
    """The files' names (from the project's folder: ``nianbao/site.py``) and bytes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(PACKAGE_DIR.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def folder_for(output: Path) -> Path:
    return output.parent / f".{output.name}.cache"


def file_state(path: Path, limit: int) -> tuple[str, int]:
    """A file's content digest and modification time (seconds), read once per build.

    A file above ``limit`` is refused unread as too large, so its size stands
    in for its bytes; ("", -1) when it cannot be read."""
    try:
        info = path.lstat()
        if info.st_size > limit:
            return f"size:{info.st_size}", int(info.st_mtime)
        return hashlib.sha256(read_regular(path, limit)).hexdigest(), int(info.st_mtime)
    except (OSError, Refused):
        return "", -1


def file_states(cache: Path, files: list[tuple[str, Path]], limit: int) -> dict[str, tuple[str, int]]:
    """:func:`file_state` of every file, without reading the files that did not change.

    As git's index does: a file whose size, modification and change times
    (nanoseconds) and inode are those recorded by the last build keeps the
    digest recorded then.  Any write to a file moves its change time, which
    no program can set back; a file changed within two seconds of the record
    being written is read again all the same (a change in the same tick of a
    coarse clock).  The record (``digests.json``) is written anew each time."""
    try:
        record = json.loads((cache / "digests.json").read_text(encoding="utf-8"))
        known, written = record["files"], record["written"]
    except (OSError, ValueError, KeyError, TypeError):
        known, written = {}, 0
    states: dict[str, tuple[str, int]] = {}
    fresh: dict[str, list] = {}
    for relative, path in files:
        try:
            info = path.lstat()
        except OSError:
            states[relative] = ("", -1)
            continue
        stamp = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        entry = known.get(relative)
        trusted = (
            entry and entry[:4] == stamp and max(info.st_mtime_ns, info.st_ctime_ns) < written - 2 * 10**9
        )
        state = (entry[4], int(info.st_mtime)) if trusted else file_state(path, limit)
        states[relative] = state
        if state[0]:
            fresh[relative] = [*stamp, state[0]]
    write_whole(cache / "digests.json", json.dumps({"written": time.time_ns(), "files": fresh}).encode())
    return states


def parsed_key(version: str, relative: str, digest: str) -> str:
    return hashlib.sha256("\0".join([version, relative, digest]).encode()).hexdigest()


def write_whole(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all: aside first, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    tmp.replace(path)


def load_parsed(cache: Path, key: str):
    try:
        return pickle.loads(entry_path(cache / "parsed", key).read_bytes())
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        return None


def store_parsed(cache: Path, key: str, result) -> None:
    write_whole(entry_path(cache / "parsed", key), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


def load_snapshot(folder: Path, name: str = "snapshot.pickle") -> dict:
    """Key -> what a folder of the cache (``parsed/`` results, or ``parts/``)
    held for the last build, from one pickle (see :func:`store_snapshot`);
    empty when there is none or it cannot be read."""
    try:
        with _collector_paused():
            loaded = pickle.loads((folder / name).read_bytes())
            # What a snapshot holds lives until the build ends: frozen before
            # the collector runs again, which would walk all of it at once
            # (0.1 s of an edit at 10,000 reports) and again as it ages; the
            # build unfreezes it when it ends (nianbao.site.build).
            gc.freeze()
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def store_snapshot(folder: Path, entries: dict, name: str = "snapshot.pickle") -> None:
    """Keep this build's entries (key -> value) in one pickle: the parsed
    reports as they are before the checks across reports change them, or
    every report's lines.  One pickle keeps the objects the reports share
    (:func:`nianbao.model.compact`) once."""
    with contextlib.suppress(OSError), _collector_paused():
        write_whole(folder / name, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))


# A snapshot is written again only when this many of its entries (or this
# share of them) differ from the build's: at 10,000 reports writing one costs
# 0.5 s, while the few entries it lacks are read one file each (1 ms).
SNAPSHOT_SLACK = 64
SNAPSHOT_SLACK_SHARE = 0.02


def snapshot_outdated(kept: Collection[str], wanted: Collection[str]) -> bool:
    """Whether a snapshot holding ``kept`` keys is worth writing again for a
    build that uses ``wanted``: not for an edit or two, whose entries are
    read on their own until enough of them have changed."""
    differ = len(set(kept).symmetric_difference(wanted))
    return differ > max(SNAPSHOT_SLACK, SNAPSHOT_SLACK_SHARE * len(wanted)) or (differ > 0 and not kept)


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector paused: it would walk the millions of new
    objects of a snapshot again and again while they are made (0.52 s -> 0.34 s)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def prune(folder: Path, used: set[str]) -> None:
    """Drop the entries of ``parsed/`` or ``parts/`` that this build did not use."""
    if not folder.is_dir():
        return
    # os.scandir, not Path.glob: 30,000 names at 10,000 reports, and names are all it needs.
    for sub in os.scandir(folder):
        if not sub.is_dir(follow_symlinks=False):
            continue
        for entry in os.scandir(sub.path):
            # an entry, and what is kept beside it (sheets_path, search_path)
            if entry.name.split(".", 1)[0] not in used:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


class TextStore:
    """Texts kept by key in a folder of the cache: what OCR made of a file
    (:mod:`nianbao.read.reader`), by its bytes and the OCR code, so that a
    file is recognised once, whatever else of the code changes."""

    def __init__(self, folder: Path):
        self.folder = folder

    def load(self, key: str) -> str | None:
        try:
            return entry_path(self.folder, key).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def store(self, key: str, text: str) -> None:
        with contextlib.suppress(OSError):  # a cache that cannot be written costs the next build time only
            write_whole(entry_path(self.folder, key), text.encode("utf-8"))


def entry_path(folder: Path, key: str) -> Path:
    """Where an entry of ``parsed/`` (by its file's key) or ``parts/`` (a
    report's lines of the portal tables, see
    :func:`nianbao.publish.package.portal_parts`, by its folder's key) is kept."""
    return Path(f"{folder}/{key[:2]}/{key}")  # one path made, not two joined (10,000 a build)


class Listing:
    """The names in a folder's subfolders (files, or ``folders``), each
    subfolder listed once, when first asked about: one listing of a site's
    reports/ instead of a look at each of 10,000 folders (0.3 s an edit)."""

    def __init__(self, folder: Path, folders: bool = False):
        self.folder = folder
        self.folders = folders
        self.listed: dict[str, set[str]] = {}

    def has(self, subfolder: str, name: str) -> bool:
        names = self.listed.get(subfolder)
        if names is None:
            try:
                with os.scandir(self.folder / subfolder) as found:
                    names = {
                        item.name for item in found if (item.is_dir() if self.folders else item.is_file())
                    }
            except OSError:
                names = set()
            self.listed[subfolder] = names
        return name in names


class Entries(Listing):
    """Which entries a folder of the cache holds: 256 listings, not 10,000 looks at a file."""

    def has_entry(self, key: str) -> bool:
        """Whether the entry of ``key`` (see :func:`entry_path`) is there."""
        return self.has(key[:2], key)


def sheets_path(entry: Path) -> Path:
    """Where a report's lines of the workbooks' long sheets are kept: beside
    its entry of ``parts/``, apart, as only the workbooks being made need them."""
    return entry.with_name(f"{entry.name}.sheets")


def search_path(entry: Path) -> Path:
    """Where a report's search document is kept (:mod:`nianbao.publish.search`):
    beside its entry of ``parts/``, read only when its search shard is indexed."""
    return entry.with_name(f"{entry.name}.search")


def store_parts(path: Path, parts: dict[str, bytes]) -> None:
    write_whole(path, pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL))


def load_parts(path: Path) -> dict[str, bytes]:
    return pickle.loads(path.read_bytes())


def written_key(source_key: str, report, page: str, version: str = "") -> str:
    """What a report folder is made of: the whole code's ``version``, its
    source file's key (path, bytes and the parsing code's version), the final
    report and the page's path.

    A report is what its source key says (reading, parsing and checking are
    functions of the file's bytes and the code) but for what the build does
    to it afterwards: its id (made unique), ``duplicate_of`` and the findings
    of the checks across reports.  Those are hashed, not the whole report
    (the repr of 10,000 reports took seconds of every rebuild); a report with
    no source key is hashed whole."""
    digest = hashlib.sha256(f"{version}\n{source_key}".encode())
    # repr, not pickle: equal reports pickle differently once one has been
    # through the cache (pickle's memo follows object identity), repr does not.
    after = (report.report_id, report.duplicate_of, report.findings) if source_key else report
    digest.update(repr(after).encode())
    digest.update(page.encode())
    return digest.hexdigest()


def _written(cache: Path) -> dict:
    try:
        return json.loads((cache / "written.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def load_written(cache: Path) -> dict[str, str]:
    """Report id -> key of its folder in the last published site."""
    return _written(cache).get("folders", {})


def previous_valid(cache: Path, version: str) -> bool:
    """Whether the last published package passed validation with this code."""
    written = _written(cache)
    return written.get("version") == version and written.get("valid") is True


def load_units(cache: Path) -> dict[str, list[int]]:
    """The pieces of the last published site with their bytes and files
    (:func:`nianbao.output.units`); empty when not recorded."""
    return _written(cache).get("units", {})


def store_written(
    cache: Path,
    keys: dict[str, str],
    version: str,
    valid: bool,
    build: str = "",
    summary: dict | None = None,
    units: dict[str, list[int]] | None = None,
) -> None:
    """Record what the published site was made of: each folder's key, the
    key of the whole build with its summary (see :func:`build_key`), and its
    pieces (what a rebuild in place may leave or must remove)."""
    record = {
        "version": version,
        "valid": valid,
        "folders": keys,
        "build": build,
        "summary": summary or {},
        "units": units or {},
    }
    write_whole(cache / "written.json", json.dumps(record, sort_keys=True).encode())


def forget_written(cache: Path) -> None:
    """Drop the record of the published site (see :func:`store_written`)."""
    with contextlib.suppress(FileNotFoundError):
        (cache / "written.json").unlink()


def build_key(version: str, options: str, states: dict[str, tuple[str, int]], history: str) -> str:
    """Everything a build's output depends on: the code, the options, every
    file's path, bytes and modification time (dates on the pages come from it
    when there is no git history; ``states`` from :func:`file_state`), and
    the content's git history."""
    digest = hashlib.sha256(f"{version}\n{options}\n{history}\n".encode())
    for relative, (content, mtime) in states.items():
        digest.update(f"{relative}\n{mtime}\n{content}\n".encode())
    return digest.hexdigest()


def unchanged_build(cache: Path, key: str) -> dict | None:
    """The summary of the last published build when it had this very key."""
    written = _written(cache)
    if written.get("build") == key and written.get("summary"):
        return written["summary"]
    return None
