"""Full-text search: Pagefind's index is built with the site, from the report
pages only (the browser tests search it in Chinese): every report page
names its agency, so an agency page would only add a file per agency."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SEEDS

from nianbao.config import Config
from nianbao.site import build


@pytest.fixture(scope="module")
def searchable(tmp_path_factory):
    content = tmp_path_factory.mktemp("search") / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    out = content.parent / "site"
    summary = build(content, out, Config(incremental=False, search=True))
    return summary, out


def test_the_index_is_built_with_the_site(searchable):
    summary, out = searchable
    assert summary.search == ""
    assert (out / "pagefind" / "pagefind.js").is_file()
    meta = json.loads((out / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(language["page_count"] for language in meta["languages"].values())
    assert pages == len(summary.reports)


def test_search_can_be_left_out_for_a_quick_preview(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copyfile(next(SEEDS.glob("*.txt")), content / "r.txt")
    summary = build(content, tmp_path / "out", Config(incremental=False, search=False))
    assert not (tmp_path / "out" / "pagefind").exists()
    assert "search off" in summary.search
