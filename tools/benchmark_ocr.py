"""Time the OCR reading of scanned PDFs and picture pages, per page.

    python -m tools.benchmark_ocr [FILE_OR_PAGE ...] [--runs N]

Each file is read as a build reads it (text layer first, then OCR in the
sandboxed child), without the OCR cache, ``--runs`` times; prints the
median, minimum and maximum seconds and the seconds a page (a page of a
PDF, or a picture of a web page).  Without arguments, the scans of
``../shared/corpus/scanned`` when it is there.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from nianbao.read import read_source
from nianbao.read.folder import companions

ROOT = Path(__file__).resolve().parent.parent


def pages(path: Path) -> int:
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        document = pdfium.PdfDocument(path)
        try:
            return len(document)
        finally:
            document.close()
    return len(companions(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    scanned = ROOT.parent / "shared" / "corpus" / "scanned"
    files = args.files or [*sorted(scanned.glob("*.pdf")), *sorted(scanned.glob("*/*.html"))]
    if not files:
        print("no files given, and no ../shared/corpus/scanned", file=sys.stderr)
        return 2
    print("| file | pages | median s | min s | max s | s a page (median) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for path in files:
        data = path.read_bytes()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            source = read_source(path.name, data, origin=path)
            times.append(time.perf_counter() - started)
            assert source.recognised, f"{path} was not read by OCR"
        count = pages(path)
        median = statistics.median(times)
        print(
            f"| {path.name} | {count} | {median:.1f} | {min(times):.1f} | {max(times):.1f} "
            f"| {median / max(count, 1):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
