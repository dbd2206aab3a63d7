"""Bytes to text: the encodings Chinese government files come in (UTF-8 with
or without BOM, GB18030/GBK, UTF-16 with or without BOM), and files that are
not text at all, named by their signature."""

from __future__ import annotations

import unicodedata

from ..text import plain


def unix_text(text: str) -> str:
    """CRLF and CR line ends as LF, control characters dropped."""
    return plain(text.replace("\r\n", "\n").replace("\r", "\n"))


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text, trying the encodings Chinese government files come in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    bare = _utf16_without_bom(data)
    if bare:
        return data.decode(bare, errors="replace"), bare
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "utf-8 (damaged)"


# File signatures of what is most often saved as .txt by mistake.
SIGNATURES = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"PK\x03\x04": "Word（.docx）或压缩文件",
    b"\xd0\xcf\x11\xe0": "旧版 Word（.doc）或 WPS 文件",
}


def _utf16_without_bom(data: bytes) -> str:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text saved without its byte-order
    mark, else "".

    Its NUL bytes (the high bytes of ASCII digits, spaces and line ends)
    stand nearly all at odd offsets (little-endian) or at even ones
    (big-endian; a few characters such as 一 U+4E00 put one on the other
    side), and it decodes to readable text.
    """
    head = data[:4096]
    if len(head) < 4 or head.count(0) < 4:
        return ""
    odd = sum(1 for i in range(1, len(head), 2) if head[i] == 0)
    even = sum(1 for i in range(0, len(head), 2) if head[i] == 0)
    if min(odd, even) > 0.35 * max(odd, even):
        return ""
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = head[: len(head) // 2 * 2].decode(encoding)
    except UnicodeDecodeError:
        return ""
    readable = sum(1 for ch in text if ch in "\t\r\n" or unicodedata.category(ch)[0] != "C")
    return encoding if readable >= 0.95 * len(text) else ""


def looks_binary(data: bytes) -> bool:
    """A known binary signature, or NUL bytes in more than 1% of the head (and more than 8).

    A stray NUL in a text file (an editor's slip) is dropped, not fatal;
    UTF-16 text is full of NULs and has its own byte-order mark.
    """
    if data.startswith(tuple(SIGNATURES)):
        return True
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(data):
        return False
    head = data[:4096]
    return head.count(b"\x00") > max(8, len(head) // 100)


def binary_message(data: bytes) -> str:
    kind = next((name for sig, name in SIGNATURES.items() if data.startswith(sig)), "")
    what = f"{kind}文件" if kind else "二进制数据（可能是 PDF、图片或 Word 文件）"
    return f"文件是{what}，却存成了文本扩展名，无法按文本读取：请改用正确的扩展名"
