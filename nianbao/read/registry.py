"""The one registry of readers: which files are read, how, and within what limits.

A file's suffix names its reader.  Each reader says its layout, how its
bytes become text (``None``: decoded as text, with front matter), the most
bytes it takes on disk, and, for files that cannot be read at all (old Word),
the message that says what to do instead.  Adding a format is one entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from .. import config
from . import docx, html, pdf


@dataclass(frozen=True)
class Reader:
    layout: str  # what the report's ``layout`` says: pdf / html / docx / text
    convert: Callable[[bytes], str] | None  # bytes -> text with tab-separated table rows; None: text
    binary: bool = False  # measured against the binary size limit, not the text one
    refuse: str = ""  # a file that is recognised but cannot be read: why, and what to do
    # The libraries ``convert`` imports.  They are imported once in the
    # process that forks the sandboxed child (:func:`prepare`), so that the
    # child inherits them instead of importing them again for every file:
    # pdfplumber alone takes about 150 ms to import.
    modules: tuple[str, ...] = ()
    # bytes -> text by OCR, for a file ``convert`` found to be pictures (a scan)
    recognise: Callable[[bytes], str] | None = None

    def prepare(self) -> None:
        for module in self.modules:
            importlib.import_module(module)

    @property
    def limit(self) -> int:
        limits = config.LIMITS
        return limits.binary_bytes if self.binary else limits.text_bytes


_TEXT = Reader("text", None)
_OLD_WORD = Reader(
    "", None, binary=True, refuse="旧版 Word/WPS 文件无法直接读取：请用 Word 或 WPS 另存为 .docx"
)

_HTML = ("bs4",)

READERS: dict[str, Reader] = {
    ".txt": _TEXT,
    ".text": _TEXT,
    ".md": _TEXT,
    ".markdown": _TEXT,
    ".tsv": _TEXT,
    ".html": Reader("html", html.to_text, modules=_HTML, recognise=html.recognise),
    ".htm": Reader("html", html.to_text, modules=_HTML, recognise=html.recognise),
    ".pdf": Reader(
        "pdf",
        pdf.to_text,
        binary=True,
        recognise=pdf.recognise,
        modules=("pypdfium2", "pypdfium2.raw", "pdfplumber", "pdfplumber.table", "pdfminer.pdfparser"),
    ),
    ".docx": Reader(
        "docx",
        docx.to_text,
        binary=True,
        modules=("lxml.etree",),
    ),
    ".doc": _OLD_WORD,
    ".wps": _OLD_WORD,
}


def suffix_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def reader_for(path: str) -> Reader | None:
    """The reader of a file, or None for a suffix nianbao does not read."""
    return READERS.get(suffix_of(path))


def unsupported(path: str) -> str:
    """Why a file of an unknown kind is not read, listing the kinds that are."""
    readable = " ".join(
        s for s, r in READERS.items() if not r.refuse and s not in (".text", ".markdown", ".htm")
    )
    return f"不支持的文件类型「{suffix_of(path) or '无扩展名'}」：可读取 {readable}"
