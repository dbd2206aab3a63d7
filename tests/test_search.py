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
from nianbao.urls import report_id, search_shard


@pytest.fixture(scope="module")
def searchable(tmp_path_factory):
    content = tmp_path_factory.mktemp("search") / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    out = content.parent / "site"
    summary = build(content, out, Config(incremental=False, search=True))
    return summary, out


def test_the_index_is_built_with_the_site_in_shards_the_search_page_names(searchable):
    summary, out = searchable
    assert summary.search == ""
    shards = {search_shard(r.report_id) for r in summary.reports}
    assert {p.name for p in (out / "pagefind").iterdir()} == shards
    pages = 0
    for shard in shards:
        assert (out / "pagefind" / shard / "pagefind.js").is_file()
        meta = json.loads((out / "pagefind" / shard / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages += sum(language["page_count"] for language in meta["languages"].values())
    assert pages == len(summary.reports)  # every report page once, in its own shard
    html = (out / "search.html").read_text(encoding="utf-8")
    assert f'data-shards="{" ".join(sorted(shards))}"' in html


@pytest.mark.slow
def test_an_edit_re_indexes_its_shard_only(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    out = tmp_path / "site"
    build(content, out, Config(search=True))
    edited = sorted(content.iterdir())[0]
    shard = search_shard(report_id(edited.name))
    entries = {p.parent.name: p.stat().st_ino for p in (out / "pagefind").glob("*/pagefind-entry.json")}
    edited.write_bytes(
        edited.read_bytes().replace("一、总体情况".encode(), "一、总体情况\n（已修订）".encode(), 1)
    )
    build(content, out, Config(search=True))
    again = {p.parent.name: p.stat().st_ino for p in (out / "pagefind").glob("*/pagefind-entry.json")}
    assert again.keys() == entries.keys() and len(entries) > 1
    assert again[shard] != entries[shard]
    assert all(again[s] == entries[s] for s in entries if s != shard)  # linked from the last site


def test_search_can_be_left_out_for_a_quick_preview(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copyfile(next(SEEDS.glob("*.txt")), content / "r.txt")
    summary = build(content, tmp_path / "out", Config(incremental=False, search=False))
    assert not (tmp_path / "out" / "pagefind").exists()
    assert "search off" in summary.search
