"""Regenerate the PDF fixtures in this folder (run by hand, not by the tests).

The seeds' expected values are made into Word files by ``tests/formatkit.py``
and printed to PDF with LibreOffice (Debian: ``apt install
libreoffice-writer-nogui fonts-noto-cjk``), as a clerk saving a report as
PDF would.  The tests read the PDFs back and compare them with the expected
values; they do not need LibreOffice.

    python tests/data/make_formats.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent.parent)]

from formatkit import report_docx  # noqa: E402

# Two seeds are also printed with borderless tables, whose narrow label
# columns wrap every few characters: the hardest layout for a PDF reader.
BORDERLESS = ("000_3925396cff2e10ed", "001_07ea97a0e0dbb2b9")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((HERE / "seeds" / "expected").glob("*.json")):
            expected = json.loads(path.read_text(encoding="utf-8"))
            variants = [(HERE / "formats", True)]
            if path.stem in BORDERLESS:
                variants.append((HERE / "formats" / "borderless", False))
            for out, ruled in variants:
                docx = Path(tmp) / f"{path.stem}.docx"
                docx.write_bytes(report_docx(expected, ruled=ruled))
                subprocess.run(
                    ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                    check=True,
                    capture_output=True,
                )
                print(out / f"{path.stem}.pdf")


if __name__ == "__main__":
    main()
