"""A site that is never half-built: atomic, deterministic, strict when asked."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from nianbao.site import build


def _tree(folder: Path) -> dict[str, str]:
    """Every file under a folder with its checksum."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _content(tmp_path: Path, copies: int = 1) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for i in range(copies):
        for path in SEEDS.glob("*.txt"):
            shutil.copyfile(path, content / f"{path.stem}-{i}.txt")
    return content


def test_two_builds_of_the_same_content_are_identical_byte_for_byte(tmp_path):
    content = _content(tmp_path)
    build(content, tmp_path / "a")
    time.sleep(1.1)  # a timestamp in any file would now differ
    build(content, tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_a_removed_report_leaves_nothing_behind(tmp_path):
    content = _content(tmp_path)
    out = tmp_path / "site"
    build(content, out)
    gone = sorted(content.iterdir())[0]
    gone.unlink()
    build(content, out)
    assert not any(gone.stem.replace("_", "-") in name for name in _tree(out))
    fresh = tmp_path / "fresh"
    build(content, fresh)
    assert _tree(out) == _tree(fresh)


@pytest.mark.slow
def test_a_build_killed_midway_leaves_the_previous_site_as_it_was(tmp_path):
    content = _content(tmp_path, copies=30)  # 150 reports: a few seconds of work
    out = tmp_path / "site"
    small = tmp_path / "small"
    small.mkdir()
    shutil.copyfile(next(SEEDS.glob("*.txt")), small / "one.txt")
    build(small, out)
    before = _tree(out)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".site.new-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # well inside writing the new tree
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert list(tmp_path.glob(".site.new-*")), "the build was killed before it began writing"
    assert _tree(out) == before
    # The next build clears what the killed one left and publishes normally.
    summary = build(content, out)
    assert len(summary.reports) == 150
    assert sorted(p.name for p in tmp_path.glob(".site.*")) == [".site.cache", ".site.lock"]


def test_a_build_killed_between_its_two_renames_is_recovered(tmp_path):
    content = _content(tmp_path)
    out = tmp_path / "site"
    build(content, out)
    before = _tree(out)
    out.rename(tmp_path / ".site.old-12345")  # where a kill at that instant leaves it
    (tmp_path / ".site.new-abc").mkdir()
    build(content, out)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.glob(".site.*")) == [".site.cache", ".site.lock"]


def test_a_rebuild_replaces_only_the_pieces_that_changed(tmp_path):
    content = _content(tmp_path)
    out = tmp_path / "site"
    first = build(content, out)
    ids = sorted(r.report_id for r in first.reports)
    folders = {rid: (out / "reports" / rid).stat().st_ino for rid in ids}
    edited = sorted(content.iterdir())[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    gone = sorted(content.iterdir())[1]
    gone.unlink()
    again = build(content, out)
    now = {r.report_id: r for r in again.reports}
    changed = [rid for rid in ids if rid in now and (out / "reports" / rid).stat().st_ino != folders[rid]]
    assert [now[rid].source for rid in changed] == [edited.name]  # the rest left where they were
    assert not any(rid not in now and (out / "reports" / rid).exists() for rid in ids)  # the deleted one gone
    assert again.files == sum(1 for p in out.rglob("*") if p.is_file())
    assert again.size == sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    build(content, tmp_path / "cold", incremental=False)
    assert _tree(out) == _tree(tmp_path / "cold")
    assert sorted(p.name for p in tmp_path.glob(".site.*")) == [".site.cache", ".site.lock"]
    assert not list(out.glob(".search-*"))


def test_a_rebuild_killed_while_it_puts_pieces_in_place_is_followed_by_a_whole_build(tmp_path, monkeypatch):
    from nianbao import output

    content = _content(tmp_path)
    out = tmp_path / "site"
    build(content, out)
    for path in sorted(content.iterdir())[:2]:
        path.write_text(path.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    real, calls = output._put, []

    def killed_after_one(new, target):
        if calls:
            raise KeyboardInterrupt  # the build stopped between two pieces
        calls.append(target)
        real(new, target)

    monkeypatch.setattr(output, "_put", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        build(content, out)
    monkeypatch.setattr(output, "_put", real)
    summary = build(content, out)
    assert summary.reused == 0  # nothing of a half-changed site is trusted
    build(content, tmp_path / "cold", incremental=False)
    assert _tree(out) == _tree(tmp_path / "cold")


def test_strict_refuses_to_publish_a_build_with_errors(tmp_path):
    content = _content(tmp_path)
    out = tmp_path / "site"
    assert build(content, out, strict=True).published
    before = _tree(out)
    broken = (
        (SEEDS / "000_3925396cff2e10ed.txt")
        .read_text(encoding="utf-8")
        .replace("（七）总计", "（七）总计 999", 1)
    )
    (content / "broken.txt").write_text(broken, encoding="utf-8")
    summary = build(content, out, strict=True)
    assert not summary.published and summary.strict_failures > 0
    assert _tree(out) == before
    assert "站点未更新" in summary.lines()[-1]
    assert build(content, out).published  # without --strict the errors are published as findings


def test_strict_on_the_command_line_exits_1(tmp_path):
    content = _content(tmp_path)
    (content / "empty.txt").write_bytes(b"")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(content),
            "--output",
            str(tmp_path / "o"),
            "--strict",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "严格模式 --strict: 1 个 error 或无法读取的文件" in run.stdout
    assert not (tmp_path / "o").exists()
