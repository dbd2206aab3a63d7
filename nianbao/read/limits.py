"""Limits on what a binary or markup file may cost, checked before the work.

A 0.3 MB ``.docx`` can hold 35 million empty paragraphs, a 0.5 MB PDF can
decompress to a gigabyte, an HTML page can nest a million elements: each
format's size, element count and time are bounded here, and each refusal is
a plain Chinese reason.  What cannot be measured beforehand (a PDF's
compressed streams) is bounded while it runs: every converter works in a
child process with a memory ceiling and a deadline (:mod:`.sandbox`).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from .. import config
from .source import ReadError


def check_docx(data: bytes) -> bytes:
    """Refuse a .docx whose zip would expand beyond the limits, before opening
    it; its ``word/document.xml`` otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ReadError(f"不是有效的 Word（.docx）文件：{exc}") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > config.LIMITS.docx_entries:
            raise ReadError(
                f"Word 文件包含 {len(entries)} 个部件（上限 {config.LIMITS.docx_entries}），不像一份年报，已拒绝"
            )
        total = sum(e.file_size for e in entries)
        if total > config.LIMITS.docx_uncompressed:
            raise ReadError(
                f"Word 文件解压后有 {total / 1024 / 1024:.0f} MB（上限 {config.LIMITS.docx_uncompressed // 1024 // 1024} MB），"
                "可能是压缩炸弹，已拒绝"
            )
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError:
            raise ReadError("不是有效的 Word（.docx）文件：缺少 word/document.xml") from None
        if info.file_size > config.LIMITS.docx_document_xml:
            raise ReadError(
                f"Word 文件的正文解压后有 {info.file_size / 1024 / 1024:.0f} MB"
                f"（上限 {config.LIMITS.docx_document_xml // 1024 // 1024} MB），已拒绝"
            )
        try:
            with archive.open(info) as part:
                body = part.read(config.LIMITS.docx_document_xml + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # damaged data, an unknown compression, an encrypted part
            raise ReadError(f"不是有效的 Word（.docx）文件：{str(exc)[:120]}") from None
    elements = len(re.findall(rb"<w:(?:p|tr|tc)[\s/>]", body))
    if elements > config.LIMITS.docx_elements:
        raise ReadError(
            f"Word 文件有 {elements:,} 个段落和表格单元（上限 {config.LIMITS.docx_elements:,}），不像一份年报，已拒绝"
        )
    return body


def check_html(data: bytes) -> None:
    tags = data.count(b"<")
    if tags > config.LIMITS.html_tags:
        raise ReadError(f"网页有 {tags:,} 个标签（上限 {config.LIMITS.html_tags:,}），不像一份年报，已拒绝")


def check_pdf_pages(count: int) -> None:
    if count > config.LIMITS.pdf_pages:
        raise ReadError(f"PDF 有 {count} 页（上限 {config.LIMITS.pdf_pages}），不像一份年报，已拒绝")


_STREAM = re.compile(rb"stream\r?\n")


def check_pdf_streams(data: bytes) -> None:
    """Refuse a PDF whose compressed (Flate) streams would inflate past
    the build's limit (``config.LIMITS.pdf_inflated``), measured before any PDF library sees it.

    Each stream is inflated in bounded steps and its output counted, never
    kept, so a 0.5 MB file that would expand to gigabytes costs a few
    megabytes of memory here and is refused.
    """
    total = 0
    for m in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        chunk = data[m.end() : m.end() + (1 << 16)]
        at = m.end()
        try:
            while chunk and not inflater.eof:
                out = inflater.decompress(chunk, 1 << 20)
                total += len(out)
                while inflater.unconsumed_tail and total <= config.LIMITS.pdf_inflated:
                    out = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
                    total += len(out)
                if total > config.LIMITS.pdf_inflated:
                    raise ReadError(
                        f"PDF 的压缩内容解压后超过 {config.LIMITS.pdf_inflated // 1024 // 1024} MB，可能是压缩炸弹，已拒绝"
                    )
                at += len(chunk)
                chunk = data[at : at + (1 << 16)]
        except zlib.error:
            continue  # not Flate (a picture, or plain): not ours to measure


def encrypted_pdf(data: bytes) -> bool:
    """Whether a PDF declares encryption (its trailer names an /Encrypt dictionary)."""
    return b"/Encrypt" in data[-65536:] or b"/Encrypt" in data[:65536]


PASSWORD = "PDF 有密码保护（已加密），无法读取：请找到未加密的版本，或用密码打开后另存"


__all__ = ["check_docx", "check_html", "check_pdf_pages", "check_pdf_streams", "encrypted_pdf"]
