"""Full-text search: Pagefind indexes of the report pages, in 16 shards.

Pagefind indexes what carries ``data-pagefind-body`` (the report pages, each
naming its agency; tables and charts are marked ``data-pagefind-ignore``),
leaving out the English labels (``.en``) so results quote the reports' own
Chinese text.  Pagefind has no incremental mode, so the pages are split into
16 shards by their report id (:func:`nianbao.urls.search_shard`), each its
own index in ``pagefind/<shard>/``: an edit re-indexes one shard, and the
search page merges the shards in the browser (``mergeIndex``).  The binary
comes with the ``pagefind[extended]`` wheel (Chinese word segmentation) and
is run directly, two shards at a time.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import config
from ..urls import report_folder, search_folder

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


def index_shards(out: Path, shards: dict[str, list[str]]) -> str:
    """Index each shard's report pages (shard -> report ids) into its folder;
    returns "" or why search is unavailable."""
    if not config.ACTIVE.search:
        return "全文搜索索引未生成（search off: --no-search）"
    with ThreadPoolExecutor(max_workers=2) as pool:  # each pagefind uses a core
        problems = list(pool.map(lambda item: _index(out, *item), sorted(shards.items())))
    return next((p for p in problems if p), "")


def _index(out: Path, shard: str, report_ids: list[str]) -> str:
    pages = ",".join(sorted(report_folder(rid) for rid in report_ids))
    try:
        result = subprocess.run(
            [
                *_command(),
                *OPTIONS,
                "--site",
                str(out),
                "--glob",
                f"{{{pages}}}/index.html",
                "--output-subdir",
                search_folder(shard),
            ],
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"全文搜索索引未生成：{exc}"
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["pagefind 未安装"]
        return f"全文搜索索引未生成（pagefind）：{tail[0]}"
    for name in UNUSED:
        (out / search_folder(shard) / name).unlink(missing_ok=True)
    return ""
