"""Full-text search: the Pagefind index of the report pages.

Pagefind indexes what carries ``data-pagefind-body`` (the report pages, each
naming its agency; tables and charts are marked ``data-pagefind-ignore``),
leaving out the English labels (``.en``) so results quote the
reports' own Chinese text.  The binary comes with the ``pagefind[extended]``
wheel (Chinese word segmentation) and is run directly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .. import config

OPTIONS = ("--output-subdir", "pagefind", "--exclude-selectors", ".en", "--silent")


def _command() -> list[str]:
    try:
        import pagefind_bin_extended  # type: ignore[import-untyped]

        return [str(pagefind_bin_extended.get_executable())]
    except (ImportError, OSError):  # the module finds whichever binary is installed
        return [sys.executable, "-m", "pagefind"]


def index_search(out: Path) -> str:
    """Build the Pagefind index of the site; returns "" or why search is unavailable."""
    if not config.ACTIVE.search:
        return "全文搜索索引未生成（search off: --no-search）"
    try:
        result = subprocess.run(
            [*_command(), *OPTIONS, "--site", str(out)],
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"全文搜索索引未生成：{exc}"
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["pagefind 未安装"]
        return f"全文搜索索引未生成（pagefind）：{tail[0]}"
    return ""
