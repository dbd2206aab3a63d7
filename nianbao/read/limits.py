"""Limits on what a binary or markup file may cost, checked before the work.

A 0.3 MB ``.docx`` can hold 35 million empty paragraphs, a 0.5 MB PDF can
decompress to a gigabyte, an HTML page can nest a million elements: each
format's size, element count and time are bounded here, and each refusal is
a plain Chinese reason.  What cannot be measured beforehand (a PDF's
compressed streams) is bounded while it runs: every converter works in a
child process with a memory ceiling and a deadline (:func:`run_limited`).
"""

from __future__ import annotations

import io
import os
import pickle
import re
import select
import signal
import time
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

from .. import config
from .source import ReadError


def check_docx(data: bytes) -> None:
    """Refuse a .docx whose zip would expand beyond the limits, before opening it."""
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
        with archive.open(info) as part:
            body = part.read(config.LIMITS.docx_document_xml + 1)
    elements = len(re.findall(rb"<w:(?:p|tr|tc)[\s/>]", body))
    if elements > config.LIMITS.docx_elements:
        raise ReadError(
            f"Word 文件有 {elements:,} 个段落和表格单元（上限 {config.LIMITS.docx_elements:,}），不像一份年报，已拒绝"
        )


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


def _timeout(seconds: int) -> str:
    return f"读取超过 {seconds} 秒仍未完成，已放弃：文件可能经过特殊构造，或过于复杂"


def _memory(memory: int) -> str:
    return f"读取所需内存超过上限（{memory // 1024 // 1024} MB），已放弃：文件可能是压缩炸弹"


def run_limited(
    convert: Callable[[bytes], str], data: bytes, seconds: int | None = None, memory: int | None = None
) -> str:
    """``convert(data)`` in a child process with a memory ceiling and a deadline
    (``memory`` bytes and ``seconds``, by default the build's limits for one reader).

    The child is forked (it shares the parent's loaded modules, so starting
    it costs milliseconds), limits its own address space and CPU time, and
    sends back the text or the reason it failed.  A child that runs out of
    memory, is killed or passes the deadline costs only this file.  Where
    processes cannot be forked (not POSIX) the converter runs in place.
    """
    if not hasattr(os, "fork") or os.environ.get("NIANBAO_NO_SANDBOX"):
        return convert(data)
    seconds = seconds or config.LIMITS.seconds
    memory = memory or config.LIMITS.memory
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _child(convert, data, write_end, seconds, memory)
    os.close(write_end)
    return _parent(pid, read_end, seconds, memory)


def _child(convert: Callable[[bytes], str], data: bytes, out: int, seconds: int, memory: int) -> None:
    code = 0
    try:
        import resource

        ceiling = _address_space() + memory  # on top of what the process already maps
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds + 5, seconds + 10))
        try:
            result: tuple[str, Any] = ("text", convert(data))
        except ReadError as exc:
            result = ("read", exc)  # its kind too (a scan is read again, with OCR)
        except MemoryError:
            result = ("read", _memory(memory))
        except RecursionError:
            result = ("read", "文件结构嵌套过深，无法读取")
        except BaseException as exc:
            result = ("error", f"{type(exc).__name__}: {exc}")
        payload = pickle.dumps(result)
        view = memoryview(payload)
        while view:
            written = os.write(out, view)
            view = view[written:]
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # never return into the parent's code


def _address_space() -> int:
    """Bytes of address space this process maps now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _parent(pid: int, pipe: int, seconds: int, memory: int) -> str:
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise ReadError(_timeout(seconds))
            ready, _, _ = select.select([pipe], [], [], left)
            if not ready:
                continue
            chunk = os.read(pipe, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(pipe)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        if os.WIFSIGNALED(status):
            raise ReadError(
                _memory(memory)
                if os.WTERMSIG(status) == signal.SIGKILL
                else f"读取时进程异常终止（信号 {os.WTERMSIG(status)}）"
            )
        raise ReadError(_memory(memory))
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "text":
        return value
    if kind == "read":
        raise value if isinstance(value, ReadError) else ReadError(str(value))
    raise RuntimeError(value)  # a bug in a converter: load() names the file and asks for a report


__all__ = ["check_docx", "check_html", "check_pdf_pages", "check_pdf_streams", "encrypted_pdf", "run_limited"]
