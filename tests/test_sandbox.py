"""The child a build's reading worker keeps for all its files (read/sandbox.py).

Forking a child per file cost 20-45 ms a file; a worker's files are read in
one kept child instead, within the same limits file by file.  What these
tests hold: a file's verdict is the one a fresh child gives (out of memory,
killed, too slow), the next file is read all the same, a child that grew is
let go, no child outlives its parent, and a build read this way is the same,
byte for byte, as one read in the build's own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import ROOT, SEEDS
from formatkit import report_docx, report_html

from nianbao import config
from nianbao.read import ReadError, sandbox
from nianbao.site import build

FORMATS = ROOT / "tests" / "data" / "formats"


def _pid(data: bytes) -> str:
    return str(os.getpid())


def _greedy(data: bytes) -> str:
    hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB, more than the ceiling
    return str(len(hoard))


def _slow(data: bytes) -> str:
    time.sleep(30)
    return "never"


def _crash(data: bytes) -> str:
    os.kill(os.getpid(), 9)
    return "never"


def _broken(data: bytes) -> str:
    raise ValueError("a bug in a converter")


# --- a child for each file (the build's own process, OCR) --------------------------------------


@pytest.mark.slow
def test_a_reader_that_exhausts_memory_costs_only_its_file():
    with pytest.raises(ReadError, match="内存超过上限"):
        sandbox.run_limited(_greedy, b"")
    assert sandbox.run_limited(lambda data: data.decode(), "还在".encode()) == "还在"


def test_a_reader_that_runs_too_long_is_stopped(monkeypatch):
    monkeypatch.setattr(config, "LIMITS", config.Limits(seconds=1))
    started = time.perf_counter()
    with pytest.raises(ReadError, match="已放弃"):
        sandbox.run_limited(_slow, b"")
    assert time.perf_counter() - started < 10


def test_a_reader_killed_by_the_system_costs_only_its_file():
    with pytest.raises(ReadError):
        sandbox.run_limited(_crash, b"")


# --- the child a reading worker keeps -----------------------------------------------------------


@pytest.fixture
def kept(monkeypatch):
    """This test's process keeps a child, as a build's reading worker does."""
    monkeypatch.setattr(sandbox._Kept, "wanted", True)
    yield
    child = sandbox._Kept.current
    if child is not None:
        child.close()


def test_a_worker_reads_its_files_in_one_child(kept):
    first = sandbox.run_limited(_pid, b"")
    assert first != str(os.getpid())  # not in this process …
    assert sandbox.run_limited(_pid, b"") == first  # … and not a new child a file


def test_without_a_kept_child_each_file_gets_its_own():
    assert sandbox._Kept.wanted is False  # only a build's reading workers keep one
    assert sandbox.run_limited(_pid, b"") != sandbox.run_limited(_pid, b"")


def test_ocr_and_converters_that_cannot_be_sent_get_a_fresh_child(kept):
    kept_pid = sandbox.run_limited(_pid, b"")
    assert sandbox.run_limited(_pid, b"", reuse=False) != kept_pid
    assert sandbox.run_limited(lambda data: str(os.getpid()), b"") not in (kept_pid, str(os.getpid()))
    assert sandbox.run_limited(_pid, b"") == kept_pid  # still there for the next file


@pytest.mark.slow
def test_a_file_that_exhausts_the_kept_childs_memory_gets_a_fresh_childs_verdict(kept):
    kept_pid = sandbox.run_limited(_pid, b"")
    with pytest.raises(ReadError, match="内存超过上限"):
        sandbox.run_limited(_greedy, b"")
    after = sandbox.run_limited(_pid, b"")
    assert after != kept_pid  # the child that ran out of memory was let go


def test_a_file_that_runs_too_long_in_the_kept_child_is_stopped(kept, monkeypatch):
    monkeypatch.setattr(config, "LIMITS", config.Limits(seconds=1))
    kept_pid = sandbox.run_limited(_pid, b"")
    started = time.perf_counter()
    with pytest.raises(ReadError, match="已放弃"):
        sandbox.run_limited(_slow, b"")
    assert time.perf_counter() - started < 10
    assert sandbox.run_limited(_pid, b"") not in (kept_pid, str(os.getpid()))


def test_a_file_that_kills_the_kept_child_costs_only_its_file(kept):
    kept_pid = sandbox.run_limited(_pid, b"")
    with pytest.raises(ReadError, match="内存超过上限"):  # SIGKILL: as the OOM killer would
        sandbox.run_limited(_crash, b"")
    assert sandbox.run_limited(_pid, b"") not in (kept_pid, str(os.getpid()))


def test_a_bug_in_a_converter_is_reported_and_its_child_let_go(kept):
    kept_pid = sandbox.run_limited(_pid, b"")
    with pytest.raises(RuntimeError, match="a bug in a converter"):
        sandbox.run_limited(_broken, b"")
    assert sandbox.run_limited(_pid, b"") != kept_pid


def test_a_kept_child_that_grew_is_let_go(kept, monkeypatch):
    monkeypatch.setattr(sandbox, "RETIRE_GROWTH", -1)  # any child has grown past this
    assert sandbox.run_limited(_pid, b"") != sandbox.run_limited(_pid, b"")
    assert sandbox._Kept.current is None  # nothing left to close


def test_the_kept_child_ends_with_its_parent():
    script = (
        "from nianbao.read import sandbox\n"
        "from test_sandbox import _pid\n"
        "sandbox.keep_child()\n"
        "print(sandbox.run_limited(_pid, b''), flush=True)\n"
        "import os; os._exit(0)\n"  # no clean-up at all, as a killed worker
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    child = int(
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True).stdout
    )
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """A process that runs (a zombie waiting for init to reap it has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_a_build_read_in_kept_children_equals_one_read_in_place(tmp_path, monkeypatch):
    from nianbao import workers

    if workers.workers() < 2:
        pytest.skip("needs two cores for a pool of workers")
    import json

    from conftest import EXPECTED, SEED_NAMES

    content = tmp_path / "content"
    content.mkdir()
    for name in SEED_NAMES:
        exp = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
        (content / f"{name}.html").write_text(report_html(exp), encoding="utf-8")
        (content / f"{name}.docx").write_bytes(report_docx(exp))
    for path in FORMATS.glob("*.pdf"):
        (content / path.name).write_bytes(path.read_bytes())
    for path in SEEDS.glob("*.txt"):
        (content / path.name).write_bytes(path.read_bytes())
    pooled = build(content, tmp_path / "pooled", config.Config(incremental=False, parallel_min=2))
    monkeypatch.setenv("NIANBAO_NO_SANDBOX", "1")
    in_place = build(content, tmp_path / "in-place", config.Config(incremental=False, parallel_min=10**6))
    assert len(pooled.reports) == len(in_place.reports) == 20
    assert _files(tmp_path / "pooled") == _files(tmp_path / "in-place")


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _kept_pid(job: int) -> int:
    return int(sandbox.run_limited(_pid, b""))


def test_reading_workers_keep_one_child_each_and_end_it_with_them(monkeypatch):
    from nianbao import workers

    if workers.workers() < 2:
        pytest.skip("needs two cores for a pool of workers")
    monkeypatch.setattr(config, "ACTIVE", config.ACTIVE.but(parallel_min=2))
    reading = workers.map_jobs(_kept_pid, list(range(12)), setup=sandbox.keep_child)
    children = {next(reading) for _ in range(12)}
    reading.close()  # as the build does once it has every result
    assert 1 <= len(children) <= workers.workers()  # a child a worker, not one a file
    for pid in children:
        assert not os.path.exists(f"/proc/{pid}")  # ended and waited for: none left behind
