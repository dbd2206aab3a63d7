"""Step 1: a content file's bytes to a :class:`~nianbao.read.source.Source`.

The reader registry (:mod:`nianbao.read.registry`) turns PDF, HTML and Word
files into text first, each in a child process with the build's limits;
text files are decoded, their front matter and crawler header split off.
"""

from __future__ import annotations

from .. import config
from ..text import plain
from . import ocr
from .decode import binary_message, decode, looks_binary, unix_text
from .frontmatter import split_front_matter, split_header
from .limits import run_limited
from .registry import reader_for
from .source import ReadError, Recognised, Scanned, Source
from .tokens import break_at_headings, detect_layout


def read_source(path: str, data: bytes) -> Source:
    """Decode a content file and split its front matter off.

    PDF, HTML and Word files are first turned into text by their reader
    (:mod:`nianbao.read.registry`), in a child process with the build's
    limits; they carry no front matter of their own.  A file of an unknown
    kind is read as text.
    """
    if not data.strip():
        raise ReadError("文件是空的")
    reader = reader_for(path)
    if reader is not None and reader.refuse:
        raise ReadError(reader.refuse)
    if reader is not None and reader.convert is not None:
        reader.prepare()
        try:
            converted = run_limited(reader.convert, data)
        except Scanned as scan:
            if reader.recognise is None or not ocr.available():
                raise
            # OCR takes seconds a page: its deadline grows with the pages.
            seconds = config.LIMITS.seconds + config.LIMITS.ocr_page_seconds * scan.pages
            converted = run_limited(reader.recognise, data, seconds, config.LIMITS.ocr_memory)
        recognised = isinstance(converted, Recognised)
        return Source(path, unix_text(converted), {}, reader.layout, reader.layout, recognised=recognised)
    if looks_binary(data):
        raise ReadError(binary_message(data))
    text, encoding = decode(data)
    text = unix_text(text)
    meta, body, warnings = split_front_matter(text)
    meta = {k: plain(v) if isinstance(v, str) else v for k, v in meta.items()}
    header, body = split_header(body)
    body = break_at_headings(body)
    return Source(path, body, meta, detect_layout(path, body), encoding, warnings, header)
