"""Incremental builds give the same site as a cold build, byte for byte."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import pytest

from nianbao import cache
from nianbao.site import build
from nianbao.urls import report_id, report_page
from tools.generate import generate


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


TEXT = (".txt", ".tsv", ".md")  # the generated files an edit can change as text
ACTIONS = ["edit", "edit-number", "add", "delete", "rename", "nothing"]


def _edit(rng: random.Random, content: Path, spare: list[Path], action: str) -> str:
    files = sorted(content.iterdir())
    if action == "edit":
        path = rng.choice(files)
        path.write_bytes(path.read_bytes().replace("认真贯彻落实".encode(), "全面贯彻落实".encode()))
    elif action == "edit-number":
        path = rng.choice([f for f in files if f.suffix in TEXT])
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("（七）总计", "（七）总计 7", 1), encoding="utf-8")
    elif action == "add" and spare:
        new = spare.pop()
        shutil.copyfile(new, content / new.name)
    elif action == "delete":
        rng.choice(files).unlink()
    elif action == "rename":
        path = rng.choice(files)
        path.rename(path.with_name("moved-" + path.name))
    return action


def _reword(made, old: str = "认真贯彻落实", new: str = "全面贯彻落实", count: int = -1):
    """The first readable text report of ``made``, edited: ``old`` said as ``new``."""
    edited = next(g for g in made if g.path.suffix in TEXT and not g.broken)
    edited.path.write_text(edited.path.read_text(encoding="utf-8").replace(old, new, count), encoding="utf-8")
    return edited


@pytest.mark.slow
def test_any_sequence_of_edits_additions_and_deletions_equals_a_cold_build(tmp_path):
    content = tmp_path / "content"
    made = generate(tmp_path / "pool", 60, seed=11)
    content.mkdir()
    for g in made[:44]:  # above the size where builds go parallel
        shutil.copyfile(g.path, content / g.path.name)
    spare = [g.path for g in made[44:]]
    rng = random.Random(5)
    site = tmp_path / "site"
    build(content, site)
    actions = ACTIONS * 2
    rng.shuffle(actions)
    for step, action in enumerate(actions):
        _edit(rng, content, spare, action)
        summary = build(content, site)
        cold = tmp_path / f"cold-{step}"
        build(content, cold, incremental=False)
        assert _tree(site) == _tree(cold), actions
        assert summary.published


def test_unchanged_reports_are_not_parsed_or_rendered_again(tmp_path, monkeypatch):
    content = tmp_path / "content"
    generate(content, 12, seed=2)
    site = tmp_path / "site"
    first = build(content, site)
    assert first.stages["parse"] > 0 and first.stages["render"] > 0
    monkeypatch.setattr(cache, "unchanged_build", lambda *args: None)  # past the whole-build shortcut
    again = build(content, site)
    assert "parse" not in again.stages  # every file came from the cache
    assert (first.cached, first.reused) == (0, 0)
    assert (again.cached, again.reused) == (12, len(first.reports))
    assert "增量 incremental: 12 files from the cache" in "\n".join(again.lines())


def test_a_change_to_the_parsing_code_reads_every_file_again(tmp_path, monkeypatch):
    content = tmp_path / "content"
    generate(content, 6, seed=3)
    site = tmp_path / "site"
    build(content, site)
    monkeypatch.setattr(cache, "parsing_version", lambda: "a different version")
    again = build(content, site)
    assert again.stages["parse"] > 0


def test_a_change_to_the_publishing_code_rewrites_every_page_from_the_parsed_files(tmp_path, monkeypatch):
    content = tmp_path / "content"
    generate(content, 6, seed=3)
    site = tmp_path / "site"
    first = build(content, site)
    monkeypatch.setattr(cache, "code_version", lambda: "a different version")
    again = build(content, site)
    assert "parse" not in again.stages and again.cached == 6
    assert again.reused == 0 and len(again.reports) == len(first.reports)


def test_the_parsing_code_is_all_but_the_publishing_code():
    names = {p.relative_to(cache.PACKAGE_DIR).as_posix() for p in cache.parsing_files()}
    assert {"read/pdf.py", "parse/requests.py", "check/report.py", "loading.py", "template.py"} <= names
    assert not any(name.startswith("publish/") for name in names) and "site.py" not in names
    assert not any(p.suffix == ".html" for p in cache.parsing_files())


def test_a_deleted_report_leaves_nothing_in_the_cache(tmp_path):
    content = tmp_path / "content"
    made = generate(content, 6, seed=4)
    site = tmp_path / "site"
    build(content, site)
    entries = len(list(cache.folder_for(site).glob("parsed/*/*")))
    made[0].path.unlink()
    build(content, site)
    assert len(list(cache.folder_for(site).glob("parsed/*/*"))) == entries - 1
    assert made[0].path.stem not in cache.load_written(cache.folder_for(site))


def test_the_cache_says_which_entries_it_holds_from_one_listing_a_shelf(tmp_path):
    parts = tmp_path / "parts"
    kept = "ab" + "0" * 62
    cache.write_whole(cache.entry_path(parts, kept), b"lines")
    cache.entry_path(parts, "ab" + "1" * 62).mkdir(parents=True)  # not an entry: a folder
    entries = cache.Entries(parts)
    assert entries.has_entry(kept)
    assert not entries.has_entry("ab" + "1" * 62)
    assert not entries.has_entry("cd" + "0" * 62)  # a shelf that is not there
    assert set(entries.listed) == {"ab", "cd"}  # each shelf listed once


def test_an_edit_in_place_leaves_a_report_folder_deleted_from_the_site_written_again(tmp_path):
    content = tmp_path / "content"
    made = generate(content, 6, seed=5)
    site = tmp_path / "site"
    build(content, site)
    edited = next(g.path for g in made if g.path.suffix in TEXT and not g.broken)
    lost = site / "reports" / report_id(next(g.path.name for g in made if g.path != edited and not g.broken))
    shutil.rmtree(lost)  # by hand, behind the cache's back
    edited.write_bytes(edited.read_bytes().replace("认真贯彻落实".encode(), "全面贯彻落实".encode(), 1))
    assert not build(content, site).up_to_date
    assert (lost / "index.html").is_file()
    cold = tmp_path / "cold"
    build(content, cold, incremental=False)
    assert _tree(site) == _tree(cold)


def test_the_last_builds_results_are_read_back_from_one_snapshot(tmp_path, monkeypatch):
    content = tmp_path / "content"
    generate(content, 6, seed=4)
    site = tmp_path / "site"
    build(content, site)
    folder = cache.folder_for(site)
    assert len(cache.load_snapshot(folder / "parsed")) == 6
    monkeypatch.setattr(cache, "unchanged_build", lambda *args: None)
    monkeypatch.setattr(cache, "load_parsed", lambda *args: pytest.fail("read one by one"))
    again = build(content, site)
    assert again.cached == 6 and "parse" not in again.stages


def test_a_snapshot_is_written_again_only_when_many_of_its_entries_changed():
    kept = [f"k{i}" for i in range(10_000)]
    assert not cache.snapshot_outdated(kept, kept)
    assert not cache.snapshot_outdated(kept, [*kept[1:], "edited"])  # one edit: read on its own
    assert cache.snapshot_outdated(kept, [*kept[:9_000], *(f"new{i}" for i in range(1_000))])
    assert cache.snapshot_outdated([], ["first"])  # no snapshot yet
    small = kept[:10]
    assert not cache.snapshot_outdated(small, kept[5:15])  # a few files read on their own
    assert cache.snapshot_outdated(small, kept[10:100])  # more than the slack


def test_after_an_edit_the_snapshot_stays_and_the_edited_report_is_read_from_its_own_entry(
    tmp_path, monkeypatch
):
    content = tmp_path / "content"
    made = generate(content, 6, seed=4)
    site = tmp_path / "site"
    build(content, site)
    snapshots = [cache.folder_for(site) / name / "snapshot.pickle" for name in ("parsed", "parts")]
    before = [p.read_bytes() for p in snapshots]
    edited = next(g.path for g in made if g.path.suffix == ".txt")
    edited.write_text(edited.read_text(encoding="utf-8") + "\n另有说明。\n", encoding="utf-8")
    build(content, site)
    assert [p.read_bytes() for p in snapshots] == before
    monkeypatch.setattr(cache, "unchanged_build", lambda *args: None)
    again = build(content, site)
    assert again.cached == 6 and "parse" not in again.stages
    assert _tree(site) == _tree(build(content, tmp_path / "cold", incremental=False).output)


def test_a_damaged_snapshot_costs_time_never_a_wrong_result(tmp_path, monkeypatch):
    content = tmp_path / "content"
    generate(content, 6, seed=4)
    site = tmp_path / "site"
    build(content, site)
    before = _tree(site)
    monkeypatch.setattr(cache, "unchanged_build", lambda *args: None)
    (cache.folder_for(site) / "parsed" / "snapshot.pickle").write_bytes(b"\x80\x05not a pickle")
    again = build(content, site)
    assert again.cached == 6 and _tree(site) == before  # read from the per-file entries
    assert len(cache.load_snapshot(cache.folder_for(site) / "parsed")) == 6  # and written again


def test_compiled_templates_and_the_dictionary_are_kept_and_a_damaged_one_is_made_again(
    tmp_path, monkeypatch
):
    from nianbao.publish import phrases, render

    render.environment.cache_clear()  # made once per process: another test may have made it
    phrases.dictionary.cache_clear()
    content = tmp_path / "content"
    generate(content, 4, seed=4)
    site = tmp_path / "site"
    build(content, site)
    kept = cache.folder_for(site) / "compiled"
    assert len(list(kept.iterdir())) > 5 and (kept / "phrases.json").is_file()
    before = _tree(site)
    for path in kept.iterdir():
        path.write_bytes(b"damaged")
    render.environment.cache_clear()
    phrases.dictionary.cache_clear()
    monkeypatch.setattr(cache, "unchanged_build", lambda *args: None)
    shutil.rmtree(site)
    build(content, site)
    assert _tree(site) == before
    assert b"damaged" not in (kept / "phrases.json").read_bytes()


def test_workbooks_are_joined_from_kept_lines_and_written_again_without_them(tmp_path, monkeypatch):
    content = tmp_path / "content"
    made = generate(content, 8, seed=7)
    site = tmp_path / "site"
    build(content, site)
    parts = cache.folder_for(site) / "parts"
    kept = list(parts.glob("*/*.sheets"))
    entries = [p for p in parts.glob("*/*") if "." not in p.name]
    assert kept and len(kept) == len(entries)  # one beside every entry
    for path in kept:
        path.unlink()  # lost: the workbooks are written from the reports instead
    made[0].path.write_bytes(made[0].path.read_bytes().replace("认真".encode(), "全面".encode()))
    build(content, site)
    build(content, tmp_path / "cold", incremental=False)
    assert _tree(site) == _tree(tmp_path / "cold")


def test_a_years_workbook_is_joined_from_one_snapshot_of_its_reports_lines(tmp_path, monkeypatch):
    content = tmp_path / "content"
    made = generate(content, 30, seed=7)
    site = tmp_path / "site"
    build(content, site)
    parts = cache.folder_for(site) / "parts"
    years = sorted({g.year for g in made if not g.broken})
    assert sorted(p.name for p in parts.glob("sheets-*.pickle")) == [f"sheets-{y}.pickle" for y in years]
    read = []
    load = cache.load_parts
    monkeypatch.setattr(cache, "load_parts", lambda path: read.append(path) or load(path))
    edited = _reword(made)
    same_year = [g for g in made if g.year == edited.year and not g.broken]
    assert len(same_year) > 3
    build(content, site)
    # The year's other reports come from its snapshot: only the edited report's
    # own lines are read from its file for the year, and its agency's years for its workbook.
    agency = [g for g in made if g.agency == edited.agency]
    assert 0 < len([p for p in read if p.name.endswith(".sheets")]) <= len(agency) + 1
    assert _tree(site) == _tree(build(content, tmp_path / "cold", incremental=False).output)


def test_a_damaged_or_outdated_years_snapshot_costs_time_never_a_wrong_result(tmp_path):
    content = tmp_path / "content"
    made = generate(content, 12, seed=2)
    site = tmp_path / "site"
    build(content, site)
    parts = cache.folder_for(site) / "parts"
    for path in parts.glob("sheets-*.pickle"):
        path.write_bytes(b"\x80\x05not a pickle")
    gone = next(g.year for g in made if not g.broken)
    for g in made:
        if g.year == gone:
            g.path.unlink()
    build(content, site)
    assert not (parts / f"sheets-{gone}.pickle").exists()  # a year without reports keeps none
    assert _tree(site) == _tree(build(content, tmp_path / "cold", incremental=False).output)


def test_an_edit_adds_up_the_home_pages_figures_of_its_own_year_only(tmp_path, monkeypatch):
    from nianbao.publish import portal

    content = tmp_path / "content"
    made = generate(content, 20, seed=3)
    site = tmp_path / "site"
    build(content, site)
    years = {g.year for g in made if not g.broken}
    assert len(years) > 2
    added_up = []
    sums = portal.figure_sums
    monkeypatch.setattr(
        portal, "figure_sums", lambda reports, rows: added_up.append(reports) or sums(reports, rows)
    )
    edited = _reword(made, "（七）总计", "（七）总计 7", 1)
    build(content, site)
    assert [{r.year for r in reports} for reports in added_up] == [{edited.year}]
    assert _tree(site) == _tree(build(content, tmp_path / "cold", incremental=False).output)
    (cache.folder_for(site) / "parts" / "figures.pickle").write_bytes(b"damaged")
    monkeypatch.setattr(cache, "unchanged_build", lambda *args: None)
    build(content, site)  # every year added up again, to the same figures
    assert _tree(site) == _tree(tmp_path / "cold")


def test_an_edit_makes_its_own_agencys_entry_of_the_agencies_index_only(tmp_path, monkeypatch):
    from nianbao.publish import portal

    content = tmp_path / "content"
    made = generate(content, 20, seed=3)
    site = tmp_path / "site"
    build(content, site)
    made_again = []
    entry = portal.api_agency
    monkeypatch.setattr(portal, "api_agency", lambda agency: made_again.append(agency.name) or entry(agency))
    edited = _reword(made)
    build(content, site)
    assert made_again == [edited.agency]
    assert _tree(site) == _tree(build(content, tmp_path / "cold", incremental=False).output)


def _inodes(folder):
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_with_nothing_changed_leaves_the_site_as_it_was(tmp_path):
    content = tmp_path / "content"
    generate(content, 8, seed=6)
    site = tmp_path / "site"
    first = build(content, site)
    before = _inodes(site)
    again = build(content, site)
    assert again.up_to_date and "parse" not in again.stages
    assert _inodes(site) == before  # not one file written
    lines = again.lines()
    assert "无变化 nothing changed since the last build" in "\n".join(lines)
    assert lines[:3] == first.lines()[:3]  # the same counts as the build that made the site
    assert again.findings() == first.findings() and len(again.problems) == len(first.problems)


@pytest.mark.slow
@pytest.mark.parametrize("change", ["edit", "touch", "base_url", "strict", "site_removed"])
def test_any_change_to_content_options_or_output_builds_again(tmp_path, change):
    content = tmp_path / "content"
    made = generate(content, 8, seed=6)
    site = tmp_path / "site"
    build(content, site)
    options = {}
    if change == "edit":
        path = next(g.path for g in made if g.path.suffix in TEXT)
        path.write_text(path.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    elif change == "touch":  # dates on the pages come from file times when there is no git
        os.utime(made[0].path, (1_600_000_000, 1_600_000_000))
    elif change == "base_url":
        options["base_url"] = "https://example.org/x/"
    elif change == "strict":
        options["strict"] = True
    else:
        (site / "index.html").unlink()
    again = build(content, site, **options)
    assert not again.up_to_date
    cold = build(content, tmp_path / "cold", incremental=False, **options)
    if again.published:
        assert _tree(site) == _tree(cold.output)


@pytest.mark.slow
def test_an_edit_rebuilds_its_years_bundle_page_and_rankings_only(tmp_path):
    content = tmp_path / "content"
    made = generate(content, 12, seed=2)
    site = tmp_path / "site"
    build(content, site)
    edited = next(g for g in made if g.path.suffix in TEXT and not g.broken)
    other = next(g.year for g in made if g.year != edited.year and not g.broken)

    def inodes(year: int) -> list[int]:
        """The year's zip, its page and its rankings."""
        files = [f"data/{year}/nianbao-{year}.zip", f"reports-{year}.html", f"api/rankings/{year}.json"]
        return [(site / name).stat().st_ino for name in files]

    before = {year: inodes(year) for year in (edited.year, other)}
    edited.path.write_text(
        edited.path.read_text(encoding="utf-8").replace("认真贯彻落实", "全面贯彻落实"), encoding="utf-8"
    )
    build(content, site)
    assert inodes(other) == before[other]  # the same files, left where they were
    assert all(now != then for now, then in zip(inodes(edited.year), before[edited.year], strict=True))
    assert _tree(site) == _tree(build(content, tmp_path / "cold", incremental=False).output)


@pytest.mark.slow
def test_files_that_did_not_change_are_not_read_again_and_any_write_is_seen(tmp_path, monkeypatch):
    import time

    content = tmp_path / "content"
    made = generate(content, 6, seed=8)
    site = tmp_path / "site"
    build(content, site)
    time.sleep(2.1)  # past the window in which a file's times cannot be trusted
    build(content, site)  # records the digests with every file older than the window
    read = []
    hashed = cache.file_state
    monkeypatch.setattr(
        cache, "file_state", lambda path, limit: read.append(path.name) or hashed(path, limit)
    )
    # A write that keeps the size and puts the modification time back is still seen (change time).
    path = next(g.path for g in made if g.path.suffix in TEXT and not g.broken)
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("认真贯彻落实", "全面贯彻落实"), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size
    summary = build(content, site)
    assert read == [path.name]  # only the file that was written
    assert not summary.up_to_date
    page = site / report_page(report_id(path.name))
    assert "全面贯彻落实" in page.read_text(encoding="utf-8")
    assert _tree(site) == _tree(build(content, tmp_path / "cold", incremental=False).output)
