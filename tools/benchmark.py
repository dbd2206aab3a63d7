#!/usr/bin/env python3
"""nianbao beside Hugo on the same generated reports: ``python -m tools.benchmark``.

For each size (``--sizes 2000 10000``) it generates that many reports in the
realistic mix of :mod:`tools.generate` (PDF, web pages, Word, text; both
templates) and prints, in one run on this machine:

- Hugo (Debian's ``hugo``) rendering the same reports as plain Markdown pages:
  wall time (median of 3) and peak memory;
- nianbao: the cold build (no cache), the rebuild with nothing changed, and
  the rebuilds after editing, adding and deleting one report, each with its
  ratio to Hugo's time, the peak memory, and the build's own time per stage;
- the published site per report (the originals not counted): KiB and files,
  and which files weigh most;
- what reading costs, per format: milliseconds per file (and per page for
  PDF, with reading alone) over a sample, read, parsed and checked in one
  process as a build's worker does (each file read in the worker's kept child).

Every build runs as ``python build.py`` in a fresh process, as CI runs it;
memory is the largest single process of the build (``ru_maxrss`` of the
children).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tools.generate import Generated, generate, pdf_font

ROOT = Path(__file__).resolve().parent.parent

# Runs one command and reports the peak RSS of the largest process it waited for.
_MEASURE = """
import resource, subprocess, sys
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(run.stdout)
sys.stderr.write(run.stderr)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(run.returncode)
"""


# Python as installed keeps its compiled modules (.pyc); a machine that says
# PYTHONDONTWRITEBYTECODE would have every build compile the package again.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measured(command: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak KB, what it printed) of one run of ``command``."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, env=_ENV)
    seconds = time.perf_counter() - started
    if run.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed:\n{run.stdout}\n{run.stderr}")
    match = re.search(r"PEAK_KB (\d+)", run.stdout)
    return seconds, int(match.group(1)) if match else 0, run.stdout


def nianbao(content: Path, out: Path) -> tuple[float, int, str]:
    """One ``python build.py`` run: seconds, peak KB and its stage line."""
    seconds, peak, printed = measured(
        [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--output", str(out)]
    )
    stages = re.search(r"用时 time: [\d.]+ s \((.*)\)", printed)
    return seconds, peak, stages.group(1) if stages else ""


# --- Hugo ---------------------------------------------------------------------

_HUGO_CONFIG = (
    'baseURL = "http://localhost/"\ntitle = "nianbao beside Hugo"\ndisableKinds = ["taxonomy", "term"]\n'
)
_HUGO_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>
"""
_HUGO_LIST = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""


def hugo_site(made: list[Generated], folder: Path) -> Path:
    """The same reports as a Hugo site: one Markdown page each, plain layouts."""
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "content" / "reports").mkdir(parents=True)
    (folder / "hugo.toml").write_text(_HUGO_CONFIG, encoding="utf-8")
    (folder / "layouts" / "_default" / "single.html").write_text(_HUGO_PAGE, encoding="utf-8")
    (folder / "layouts" / "_default" / "list.html").write_text(_HUGO_LIST, encoding="utf-8")
    (folder / "layouts" / "index.html").write_text(_HUGO_LIST, encoding="utf-8")
    for g in made:
        title = f"{g.agency}{g.year}年政府信息公开工作年度报告"
        page = f'---\ntitle: "{title}"\n---\n\n{g.markdown()}'
        (folder / "content" / "reports" / f"{g.path.stem}.md").write_text(page, encoding="utf-8")
    return folder


def hugo(folder: Path, runs: int = 3) -> tuple[float, int]:
    """Hugo's median wall time over ``runs`` cold renders, and its peak KB."""
    times, peaks = [], []
    for _ in range(runs):
        shutil.rmtree(folder / "public", ignore_errors=True)
        seconds, peak, _ = measured(["hugo", "--quiet", "--source", str(folder)])
        times.append(seconds)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


# --- the published site -----------------------------------------------------------


def per_report(site: Path) -> tuple[float, float, list[tuple[str, float]]]:
    """KiB and files per report (originals not counted), and the heaviest kinds of file."""
    reports = sum(1 for p in (site / "reports").iterdir() if p.is_dir())
    size, files, kinds = 0, 0, Counter()
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        parts = path.relative_to(site).parts
        if parts[0] == "reports" and parts[-1].startswith("source."):
            continue  # the original, published as it came
        size += path.stat().st_size
        files += 1
        if parts[0] in ("reports", "agencies") and len(parts) > 2:
            kind = f"{parts[0]}/*/{'index.html' if parts[-1] == 'index.html' else '*' + path.suffix}"
        elif parts[0] == "pagefind":
            kind = "pagefind/" + (parts[1] if len(parts) > 2 else "*")
        elif parts[0] == "data" and parts[-1].startswith("nianbao-"):
            kind = "data/nianbao-<year>" + path.suffix
        else:
            kind = "/".join(parts)
        kinds[kind] += path.stat().st_size
    heaviest = [(kind, total / reports / 1024) for kind, total in kinds.most_common(8)]
    return size / reports / 1024, files / reports, heaviest


# --- reading, per format -------------------------------------------------------------


def read_costs(made: list[Generated], sample: int = 40) -> list[str]:
    """Milliseconds per file to read, parse and check, per format (and per
    page of PDF, with reading alone), read as a build's worker reads them: in
    one kept child (:func:`nianbao.read.keep_child`)."""
    import pypdfium2 as pdfium

    from nianbao.loading import load
    from nianbao.read import keep_child
    from nianbao.summary import Stages

    keep_child()
    by_layout: dict[str, list[Generated]] = {}
    for g in made:
        if not g.broken:
            by_layout.setdefault(g.layout, []).append(g)
    lines = []
    for layout, group in sorted(by_layout.items()):
        load(group[0].path, group[0].path.name)  # the child forked, as once per worker
        times, reading, pages = [], 0.0, 0
        for g in group[:sample]:
            stages = Stages()
            started = time.perf_counter()
            load(g.path, g.path.name, stages)
            times.append(time.perf_counter() - started)
            reading += stages.get("read", 0.0)
            if layout == "pdf":
                with pdfium.PdfDocument(g.path.read_bytes()) as document:
                    pages += len(document)
        median = statistics.median(times) * 1000
        line = f"  {layout:9s} {median:7.1f} ms a file (median of {len(times)})"
        if pages:
            line += (
                f", {sum(times) * 1000 / pages:5.1f} ms a page ({pages / len(times):.1f} pages a file),"
                f" reading alone {reading * 1000 / pages:5.1f} ms a page"
            )
        lines.append(line)
    return lines


def bench(count: int, workdir: Path, hugo_runs: int) -> list[str]:
    content, out = workdir / f"content-{count}", workdir / f"site-{count}"
    started = time.perf_counter()
    made = generate(content, count, seed=1)
    mix = Counter(g.layout for g in made)
    lines = [
        f"== {count} generated reports, {time.perf_counter() - started:.0f} s to generate "
        f"({', '.join(f'{k} {v}' for k, v in sorted(mix.items()))}; "
        f"{sum(1 for g in made if g.broken)} broken on purpose; PDF font {pdf_font()})"
    ]
    hugo_seconds = 0.0
    if shutil.which("hugo"):
        site = hugo_site(made, workdir / f"hugo-{count}")
        hugo_seconds, hugo_peak = hugo(site, hugo_runs)
        lines.append(
            f"Hugo, same reports as Markdown:  {hugo_seconds:8.2f} s  peak {hugo_peak / 1024:6.0f} MiB"
        )
    else:
        lines.append("Hugo: not installed (apt-get install hugo), no ratios")

    def row(name: str, seconds: float, peak: int) -> str:
        ratio = f"  {seconds / hugo_seconds:6.2f} x Hugo" if hugo_seconds else ""
        return f"nianbao, {name:22s} {seconds:8.2f} s  peak {peak / 1024:6.0f} MiB{ratio}"

    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out.parent / f".{out.name}.cache", ignore_errors=True)
    cold, peak, stages = nianbao(content, out)
    lines += [row("cold build:", cold, peak), f"  stages: {stages}"]
    unchanged, peak, _ = nianbao(content, out)
    lines.append(row("nothing changed:", unchanged, peak))
    text = next(g.path for g in made if g.path.suffix == ".txt" and not g.broken)
    text.write_text(
        text.read_text(encoding="utf-8").replace("认真贯彻落实", "全面贯彻落实"), encoding="utf-8"
    )
    edited, peak, stages = nianbao(content, out)
    lines += [row("one report edited:", edited, peak), f"  stages: {stages}"]
    shutil.copyfile(made[0].path, content / ("added" + made[0].path.suffix))
    added, peak, _ = nianbao(content, out)
    lines.append(row("one report added:", added, peak))
    made[1].path.unlink()
    deleted, peak, _ = nianbao(content, out)
    lines.append(row("one report deleted:", deleted, peak))
    size, files, heaviest = per_report(out)
    lines.append(f"published, per report: {size:.1f} KiB and {files:.2f} files (originals not counted)")
    lines += [f"  {kib:6.2f} KiB  {kind}" for kind, kib in heaviest]
    lines.append("reading, parsing and checking one file:")
    lines += read_costs(made)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--hugo-runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated corpora and sites in this folder")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for count in args.sizes:
            print("\n".join(bench(count, workdir, args.hugo_runs)), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
