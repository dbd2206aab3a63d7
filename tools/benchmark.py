#!/usr/bin/env python3
"""Benchmark the build on generated corpora: ``python -m tools.benchmark [--sizes 1000 10000]``.

For each size it prints: the cold build's wall time and reports per second,
the rebuild time with nothing changed, after editing one report, after adding
one and after deleting one, the peak memory of the build process tree, the
size of the published site, and the time per stage from the build's own
summary.  Every build runs as ``python build.py`` in a fresh process, as CI
runs it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.generate import generate

ROOT = Path(__file__).resolve().parent

# Runs one build and reports the peak RSS of it and everything it started.
_MEASURE = """
import resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(run.stdout)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(run.returncode)
"""


def timed_build(content: Path, out: Path) -> tuple[float, int, str]:
    """(seconds, peak KB, stage line) of one ``python build.py`` run."""
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(content),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if run.returncode not in (0, 1):
        raise SystemExit(f"build failed:\n{run.stdout}\n{run.stderr}")
    peak = int(re.search(r"PEAK_KB (\d+)", run.stdout).group(1))
    stages = re.search(r"用时 time: [\d.]+ s \((.*)\)", run.stdout)
    return seconds, peak, stages.group(1) if stages else ""


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bench(count: int, workdir: Path) -> list[str]:
    content, out = workdir / f"content-{count}", workdir / f"site-{count}"
    made = generate(content, count, seed=1)
    lines = [f"== {count} generated reports ({sum(1 for g in made if g.broken)} broken on purpose)"]
    cold, peak, stages = timed_build(content, out)
    lines.append(f"cold build:            {cold:7.2f} s   {count / cold:7.1f} reports/s")
    lines.append(f"  stages: {stages}")
    peaks = [peak]
    unchanged, peak, _ = timed_build(content, out)
    peaks.append(peak)
    lines.append(f"rebuild, no change:    {unchanged:7.2f} s")
    edited = made[len(made) // 2].path
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("认真贯彻落实", "全面贯彻落实"), encoding="utf-8"
    )
    one_edit, peak, _ = timed_build(content, out)
    peaks.append(peak)
    lines.append(f"rebuild, one edited:   {one_edit:7.2f} s")
    shutil.copyfile(made[0].path, content / ("added" + made[0].path.suffix))
    one_added, peak, _ = timed_build(content, out)
    peaks.append(peak)
    lines.append(f"rebuild, one added:    {one_added:7.2f} s")
    made[1].path.unlink()
    one_deleted, peak, _ = timed_build(content, out)
    peaks.append(peak)
    lines.append(f"rebuild, one deleted:  {one_deleted:7.2f} s")
    lines.append(f"peak memory (RSS):     {max(peaks) / 1024:7.1f} MiB (largest single process of the build)")
    lines.append(
        f"published size:        {size_of(out) / 1024 / 1024:7.1f} MiB in {sum(1 for _ in out.rglob('*'))} files"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="keep the generated corpora and sites in this folder")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    try:
        for count in args.sizes:
            print("\n".join(bench(count, workdir)), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
