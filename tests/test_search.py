"""Full-text search: Pagefind's index is built with the site, from the report
pages only (the browser tests search it in Chinese): every report page
names its agency, so an agency page would only add a file per agency."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from conftest import SEEDS

from nianbao.config import Config
from nianbao.publish import render, search
from nianbao.publish.site import SearchDocuments
from nianbao.site import build
from nianbao.urls import report_id, report_page, search_shard


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


class _Indexed(HTMLParser):
    """The text Pagefind indexes on a page: inside data-pagefind-body, outside data-pagefind-ignore."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "col", "wbr"})

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[bool, bool]] = []  # (in body, ignored) per open element
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        body, ignored = self.stack[-1] if self.stack else (False, False)
        state = (body or "data-pagefind-body" in names, ignored or "data-pagefind-ignore" in names)
        if tag not in self.VOID:
            self.stack.append(state)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == (True, False):
            self.text.append(data)


def test_only_the_reports_own_words_are_indexed(searchable):
    """The template's headings and the site's own words are on every report
    page: indexed, they made every report match 行政复议 or 不予公开."""
    summary, out = searchable
    for report in summary.reports:
        parser = _Indexed()
        parser.feed((out / "reports" / report.report_id / "index.html").read_text(encoding="utf-8"))
        text = "".join(parser.text)
        assert report.agency in text  # the title
        for words in (
            "四、政府信息公开行政复议、行政诉讼情况",
            "核对结果",
            "收录的文本",
            "件行政复议",
            "表三",
        ):
            assert words not in text, (report.report_id, words)
        overview = report.prose.get("overview", "").replace("\n", "")
        assert overview[:12] in text.replace("\n", "")  # the report's own prose is


def _indexed_text(html: str) -> str:
    parser = _Indexed()
    parser.feed(html)
    return " ".join("".join(parser.text).split())  # Pagefind reads runs of white space as one


def test_a_search_document_holds_what_search_would_index_of_the_page(searchable):
    """Pagefind reads each report's search document, not its page (it spent
    half its time parsing tables it then skipped): the same indexed text."""
    summary, out = searchable
    env = render.environment()
    for report in summary.reports:
        page = (out / report_page(report.report_id)).read_text(encoding="utf-8")
        document = render.render_search_document(env, report)
        assert "<table" not in document and "<table" in page
        assert _indexed_text(document) == _indexed_text(page), report.report_id


def test_the_index_of_the_search_documents_is_the_index_of_the_pages(searchable, tmp_path):
    """Pagefind run on the published pages themselves makes the same files,
    fragments (the results' texts) and index alike: the names are hashes of the content."""
    summary, out = searchable
    for shard in {search_shard(r.report_id) for r in summary.reports}:
        pages = tmp_path / shard
        for report in summary.reports:
            if search_shard(report.report_id) == shard:
                target = pages / report_page(report.report_id)
                target.parent.mkdir(parents=True)
                shutil.copyfile(out / report_page(report.report_id), target)
        subprocess.run(
            [*search._command(), *search.OPTIONS, "--site", str(pages), "--output-subdir", "index"],
            check=True,
            capture_output=True,
            timeout=300,
        )
        for folder in ("fragment", "index"):
            made = sorted(p.name for p in (pages / "index" / folder).iterdir())
            assert made == sorted(p.name for p in (out / "pagefind" / shard / folder).iterdir()), (
                shard,
                folder,
            )


def test_a_search_document_lost_from_the_cache_is_made_again_the_same(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copyfile(path, content / path.name)
    out = tmp_path / "site"
    summary = build(content, out, Config(search=False))
    kept = sorted((tmp_path / ".site.cache" / "parts").glob("*/*.search"))
    assert len(kept) == len(summary.reports) == 2
    by_entry = {path.name.removesuffix(".search"): path.read_bytes() for path in kept}
    lost = SearchDocuments(summary.reports, {r.report_id: tmp_path / "gone" for r in summary.reports})
    made = {lost(r.report_id) for r in summary.reports}
    assert made == set(by_entry.values())


def _tree(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _name_in(shard: str, stem: str) -> str:
    """A file name whose report falls in ``shard``."""
    return next(f"{stem}{n}.txt" for n in range(10_000) if search_shard(report_id(f"{stem}{n}.txt")) == shard)


@pytest.mark.slow
def test_kept_scratch_sites_index_as_a_cold_build_does_after_edits_additions_and_deletions(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for n in range(20):  # enough reports for shards of several
        text = seeds[n % len(seeds)].read_text(encoding="utf-8")
        (content / f"r{n:02d}.txt").write_text(text.replace("一、总体情况", f"一、总体情况\n第{n}份。", 1))
    out = tmp_path / "site"
    build(content, out, Config(search=True))
    by_shard: dict[str, list[str]] = {}
    for path in sorted(content.iterdir()):
        by_shard.setdefault(search_shard(report_id(path.name)), []).append(path.name)
    shard, names = max(by_shard.items(), key=lambda item: len(item[1]))
    assert len(names) >= 3
    staging = tmp_path / ".site.cache" / "search"
    assert (staging / shard / report_page(report_id(names[0]))).is_file()  # kept for the next build

    edited = content / names[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("第", "修订后第", 1), encoding="utf-8")
    (content / names[1]).unlink()
    added = _name_in(shard, "new")
    (content / added).write_text(seeds[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert build(content, out, Config(search=True)).search == ""
    assert not (staging / shard / report_page(report_id(names[1]))).exists()  # the deleted one's document
    cold = tmp_path / "cold"
    assert build(content, cold, Config(incremental=False, search=True)).search == ""
    assert (cold / "pagefind" / shard / "pagefind-entry.json").is_file()
    assert _tree(out / "pagefind") == _tree(cold / "pagefind")

    # A build killed while it staged: no record, and a document of no report left behind.
    (staging / f"{shard}.json").unlink()
    stray = staging / shard / report_page("stray")
    stray.parent.mkdir(parents=True)
    stray.write_bytes((staging / shard / report_page(report_id(added))).read_bytes())
    edited.write_text(edited.read_text(encoding="utf-8").replace("修订后", "再次修订后", 1), encoding="utf-8")
    build(content, out, Config(search=True))
    assert not stray.exists()
    build(content, cold, Config(incremental=False, search=True))
    assert _tree(out / "pagefind") == _tree(cold / "pagefind")
