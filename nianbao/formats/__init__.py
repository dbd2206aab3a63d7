"""Binary and markup formats to plain report text.

Each converter takes a file's bytes and returns its text in reading order,
with every table row on one line and its cells separated by tabs (merged
cells expanded into the grid, their continuation cells left empty), so the
rest of the pipeline reads a web page, a Word file or a PDF exactly as it
reads a tab-separated text file.  A converter raises
:class:`~nianbao.read.ReadError` with a message saying what the file is and
why it cannot be read (a scanned PDF, a page whose tables are images).
"""

from __future__ import annotations

from collections.abc import Callable

from . import docx, html, pdf

Converter = Callable[[bytes], str]

# suffix -> (layout name, converter)
CONVERTERS: dict[str, tuple[str, Converter]] = {
    ".pdf": ("pdf", pdf.to_text),
    ".html": ("html", html.to_text),
    ".htm": ("html", html.to_text),
    ".docx": ("docx", docx.to_text),
}

__all__ = ["CONVERTERS", "Converter"]
