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

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import config
from ..urls import report_page, search_folder

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
    for Pagefind, which runs in processes of its own, two shards at a time."""

    def __init__(self, out: Path, shards: dict[str, list[str]], document: Callable[[str], bytes]):
        self.out = out
        self.sites: dict[str, Path] = {}
        self.problem = ""
        if not config.ACTIVE.search:
            self.problem = "全文搜索索引未生成（search off: --no-search）"
            return
        try:
            for shard, report_ids in sorted(shards.items()):
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
        for scratch in self.sites.values():
            shutil.rmtree(scratch, ignore_errors=True)

    def _index(self, shard: str) -> str:
        scratch = self.sites[shard]
        try:
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
            (scratch / search_folder(shard)).rename(target)
            return ""
        except (OSError, subprocess.SubprocessError) as exc:
            return f"全文搜索索引未生成：{exc}"
