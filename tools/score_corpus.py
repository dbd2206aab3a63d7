"""Score the real reports of ../shared/corpus, one kind of source at a time.

    python -m tools.score_corpus [CORPUS]

Each kind (a folder's files of one form: crawler text, saved web pages,
Markdown, official PDFs, their text) is copied into a fresh content folder,
built, and scored against the folder's ``expected/`` values with
:mod:`tools.score`.  Prints, per kind: reports, cells exact, wrong with a
finding, wrong without a finding (which must be 0), and wrong metadata.
A .txt and an .html of the same name are one report in two forms, so they
are built apart.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from nianbao.site import build
from tools.score import score

ROOT = Path(__file__).resolve().parent.parent
KINDS = {
    # kind: (folder under the corpus, suffixes)
    "official PDF": (".", (".pdf",)),
    "PDF text (pdftotext -layout)": (".", (".txt",)),
    "crawler text of web pages": ("web", (".txt",)),
    "saved web pages (.html)": ("web", (".html",)),
    "PDF converted to Markdown": ("web", (".md",)),
    "scanned PDF (OCR)": ("scanned", (".pdf",)),
    "web page with tables as pictures (OCR)": ("scanned", ("/",)),
}


def score_kind(corpus: Path, folder: str, suffixes: tuple[str, ...], verbose: bool = False):
    where = corpus / folder
    expected = where / "expected"
    with tempfile.TemporaryDirectory() as tmp:
        content, out, wanted = Path(tmp) / "content", Path(tmp) / "site", Path(tmp) / "expected"
        content.mkdir()
        wanted.mkdir()
        for path in sorted(where.iterdir()):
            if not (expected / f"{path.stem}.json").is_file():
                continue
            if path.is_file() and path.suffix in suffixes:
                shutil.copy(path, content / path.name)
            elif path.is_dir() and "/" in suffixes:  # "/": a saved page's folder
                shutil.copytree(path, content / path.name)
            else:
                continue
            shutil.copy(expected / f"{path.stem}.json", wanted / f"{path.stem}.json")
        reports = len(list(content.iterdir()))
        build(content, out, incremental=False)
        result = score(out, wanted)
        if verbose:
            print("\n".join(result.lines() + [f"  flagged: {w}" for w in result.wrong]))
        return reports, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong cell")
    args = parser.parse_args(argv)
    print("| kind of source | reports | cells exact | wrong, flagged | wrong, unflagged | metadata wrong |")
    print("| --- | --- | --- | --- | --- | --- |")
    bad = 0
    for kind, (folder, suffixes) in KINDS.items():
        reports, r = score_kind(args.corpus, folder, suffixes, args.verbose)
        total = r.exact + r.flagged + r.unflagged
        print(
            f"| {kind} | {reports} | {r.exact}/{total} | {r.flagged} | {r.unflagged} | {len(r.metadata)} |",
            flush=True,
        )
        bad += r.unflagged + len(r.metadata) + len(r.missing_reports)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
