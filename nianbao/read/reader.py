"""Step 1: a content file's bytes to a :class:`~nianbao.read.source.Source`.

The reader registry (:mod:`nianbao.read.registry`) turns PDF, HTML and Word
files into text first, each in a child process with the build's limits;
text files are decoded, their front matter and crawler header split off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import config
from ..text import plain
from . import html, ocr
from .decode import binary_message, decode, looks_binary, unix_text
from .files import read_beside
from .frontmatter import split_front_matter, split_header
from .registry import Reader, reader_for
from .sandbox import run_limited
from .source import Pictures, ReadError, Recognised, Scanned, Source
from .tokens import break_at_headings, detect_layout

if TYPE_CHECKING:  # the build's cache, handed in by the build (nianbao.cache imports this package)
    from ..cache import TextStore


def read_source(
    path: str, data: bytes, origin: Path | None = None, ocr_cache: TextStore | None = None
) -> Source:
    """Decode a content file and split its front matter off.

    PDF, HTML and Word files are first turned into text by their reader
    (:mod:`nianbao.read.registry`), in a child process with the build's
    limits; they carry no front matter of their own.  A file of an unknown
    kind is read as text.  A scan, or a page whose tables are pictures
    (found beside ``origin``, the file on disk), is read with OCR; what OCR
    made of a file is kept in ``ocr_cache``, so each is recognised once.
    """
    if not data.strip():
        raise ReadError("文件是空的")
    reader = reader_for(path)
    if reader is not None and reader.refuse:
        raise ReadError(reader.refuse)
    if reader is not None and reader.convert is not None:
        reader.prepare()
        converted = _convert(reader, data, origin, ocr_cache)
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


def _convert(reader: Reader, data: bytes, origin: Path | None, ocr_cache: TextStore | None) -> str:
    """The reader's text, or its OCR text when the file turns out to be pictures."""
    try:
        return run_limited(reader.convert, data)  # type: ignore[arg-type]
    except Scanned as scan:
        if reader.recognise is None or not ocr.available():
            raise
        if scan.pages > config.LIMITS.ocr_pages:
            raise ReadError(
                f"PDF 是扫描件（页面是图片），共{scan.pages}页，超过图片识别（OCR）的上限"
                f"{config.LIMITS.ocr_pages}页：请找到文字版"
            ) from None
        return _recognise(reader.recognise, data, scan.pages, ocr_cache)
    except Pictures as pictures:
        if reader.recognise is None or origin is None or not ocr.available():
            raise
        limit = config.LIMITS.binary_bytes
        found = {src: read_beside(origin, src, limit) for src in pictures.sources}
        images = {src: image for src, image in found.items() if image is not None}
        if not images:
            raise
        return _recognise(reader.recognise, html.pack(data, images), len(images), ocr_cache)


def _recognise(recognise: Callable[[bytes], str], data: bytes, pages: int, cache: TextStore | None) -> str:
    """OCR in a child of its own: seconds a page, so its deadline grows with
    the pages, and the models need more memory than a text reader."""
    key = hashlib.sha256(ocr.version().encode() + b"\0" + data).hexdigest()
    kept = cache.load(key) if cache is not None else None
    if kept is not None:
        return Recognised(kept)
    seconds = config.LIMITS.seconds + config.LIMITS.ocr_page_seconds * pages
    # Never in a kept child: the models would stay in it, and OCR's
    # threads and arenas are no neighbours for the next file.
    text = run_limited(recognise, data, seconds, config.LIMITS.ocr_memory, reuse=False)
    if cache is not None:
        cache.store(key, text)
    return text
