"""Full-text search: Pagefind indexes of the report pages, in 16 shards.

Pagefind indexes what carries ``data-pagefind-body`` (the report pages, each
naming its agency; tables and charts are marked ``data-pagefind-ignore``),
leaving out the English labels (``.en``) so results quote the reports' own
Chinese text.  It is given each report's search document, not its page: the
same title and prose at the same address, without the tables it would parse
only to skip (half of its time; ``templates/_search_document.html``).
Pagefind has no incremental mode, so the pages are split into
16 shards by their report id (:func:`nianbao.urls.search_shard`), each its
own index in ``pagefind/<shard>/``: an edit re-indexes one shard, and the
search page merges the shards in the browser (``mergeIndex``).  The binary
comes with the ``pagefind[extended]`` wheel (Chinese word segmentation) and
is run directly, two shards at a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import config
from ..urls import SEARCH_FOLDER, report_folder, report_page, search_folder

OPTIONS = ("--exclude-selectors", ".en", "--silent")
# Pagefind's own interfaces, which static/search.js replaces: 417 KB in every shard.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


def _restage(site: Path, wanted: dict[str, str], document: Callable[[str], bytes]) -> None:
    """Bring a kept scratch site to the documents ``wanted`` (report id -> key):
    those whose key changed written again, those of reports gone removed.

    Its record (``<shard>.json`` beside it) is taken away first and written
    last: a build killed in between leaves no record, and the next build
    stages that shard whole again rather than trust a half-changed site."""
    record = site.with_name(f"{site.name}.json")
    try:
        staged = json.loads(record.read_bytes())
    except (OSError, ValueError):
        staged = None
    if not isinstance(staged, dict):
        shutil.rmtree(site, ignore_errors=True)
        staged = {}
    record.unlink(missing_ok=True)
    for rid in staged.keys() - wanted.keys():
        shutil.rmtree(site / report_folder(rid), ignore_errors=True)
    for rid, key in sorted(wanted.items()):
        if staged.get(rid) != key:
            target = site / report_page(rid)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(document(rid))
    record.write_text(json.dumps(wanted, sort_keys=True), encoding="utf-8")


def _command() -> list[str]:
    try:
        import pagefind_bin_extended  # type: ignore[import-untyped]

        return [str(pagefind_bin_extended.get_executable())]
    except (ImportError, OSError):  # the module finds whichever binary is installed
        return [sys.executable, "-m", "pagefind"]


class Indexing:
    """Shards of the index: staged where it is made (each a scratch site
    holding its reports' search documents where their pages are), indexed by
    :meth:`run`, which another thread may call.

    The staging is a thousand small writes: in the thread that runs the
    build, as a background thread waits for the interpreter before each one
    while the build renders pages (it took seconds); :meth:`run` mostly waits
    for Pagefind, which runs in processes of its own, two shards at a time.

    With ``staging`` (the cache's folder for it) a shard whose reports' keys
    are all known (``keys``: shard -> report id -> the key its document was
    made under) keeps its scratch site from build to build, and only the
    documents whose key changed are written again: an edit at 10,000 reports
    had made 636 folders and written 651 files for its shard (0.6 s)."""

    def __init__(
        self,
        out: Path,
        shards: dict[str, list[str]],
        document: Callable[[str], bytes],
        staging: Path | None = None,
        keys: dict[str, dict[str, str]] | None = None,
    ):
        self.out = out
        self.sites: dict[str, Path] = {}
        self.kept: set[str] = set()  # shards whose scratch site stays for the next build
        self.problem = ""
        if not config.ACTIVE.search:
            self.problem = "全文搜索索引未生成（search off: --no-search）"
            return
        try:
            for shard, report_ids in sorted(shards.items()):
                if staging is not None and keys is not None and shard in keys:
                    self.sites[shard] = staging / shard
                    self.kept.add(shard)
                    _restage(staging / shard, keys[shard], document)
                    continue
                scratch = self.sites[shard] = Path(tempfile.mkdtemp(prefix=".search-", dir=out))
                for rid in report_ids:  # gone before the site is published
                    target = scratch / report_page(rid)
                    target.parent.mkdir(parents=True)
                    target.write_bytes(document(rid))
        except OSError as exc:
            self.problem = f"全文搜索索引未生成：{exc}"

    def run(self) -> str:
        """Index every staged shard into its folder under ``out``; "" or why search is unavailable."""
        try:
            if not self.problem:
                with ThreadPoolExecutor(max_workers=2) as pool:  # each pagefind uses a core
                    problems = list(pool.map(self._index, sorted(self.sites)))
                self.problem = next((p for p in problems if p), "")
            return self.problem
        finally:
            self.discard()

    def discard(self) -> None:
        for shard, scratch in self.sites.items():
            # A kept scratch site loses only what Pagefind made in it.
            shutil.rmtree(scratch / SEARCH_FOLDER if shard in self.kept else scratch, ignore_errors=True)

    def _index(self, shard: str) -> str:
        scratch = self.sites[shard]
        try:
            shutil.rmtree(scratch / SEARCH_FOLDER, ignore_errors=True)  # what a run that failed left
            result = subprocess.run(
                [*_command(), *OPTIONS, "--site", str(scratch), "--output-subdir", search_folder(shard)],
                capture_output=True,
                text=True,
                timeout=1800,
            )
            if result.returncode != 0:
                tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["pagefind 未安装"]
                return f"全文搜索索引未生成（pagefind）：{tail[0]}"
            for name in UNUSED:
                (scratch / search_folder(shard) / name).unlink(missing_ok=True)
            target = self.out / search_folder(shard)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(scratch / search_folder(shard), target)  # a rename, but across file systems too
            return ""
        except (OSError, subprocess.SubprocessError) as exc:
            return f"全文搜索索引未生成：{exc}"
