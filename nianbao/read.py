"""Step 1: read a content file into text, front matter and a stream of cells.

The three seed layouts reduce to one shape here: a list of tokens, each a
piece of label text, a number, a placeholder or (in tab-separated text) a
blank cell, with the line it came from.  The parser never needs to know
whether a report was PDF text with wrapped lines, tab-separated cells or
Markdown.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import yaml

from .template import SECTION_NUMERALS, SECTION_PATTERNS

TokenKind = Literal["text", "number", "placeholder", "blank"]

# A cell that says "nothing here" without being a number.
PLACEHOLDERS = {"/", "\\", "-", "--", "—", "——", "–", "―", "─", "无", "空", "／"}

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# Page numbers that PDF-to-text leaves in the middle of tables: "-3-", "— 3 —", "第3页".
_PAGE_MARK = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?)\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


# Control characters other than tab and newline: never meaningful in a report,
# and not allowed in the pages or CSV that are published.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")


def plain(text: str) -> str:
    """Text without control characters."""
    return _CONTROL.sub("", text)


def _unix_text(text: str) -> str:
    """CRLF and CR line ends as LF, control characters dropped."""
    return plain(text.replace("\r\n", "\n").replace("\r", "\n"))


class ReadError(Exception):
    """The file cannot be read as a report; the message says why, in Chinese."""


@dataclass
class Token:
    kind: TokenKind
    text: str  # NFKC-normalised
    line: int  # 0-based line number in the body


@dataclass
class Source:
    """A content file, decoded, with its front matter split off."""

    path: str
    text: str  # the body, without front matter
    meta: dict[str, Any] = field(default_factory=dict)
    layout: str = "text"
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)
    # What a crawler or archive wrote above the page text (标题, 发布时间,
    # 原文链接 …), by the header's own Chinese keys: metadata, never report text.
    header: dict[str, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


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


# Front matter is a handful of keys; a longer block is not front matter.
MAX_FRONT_MATTER = 16 * 1024


class _Aliases(Exception):
    """The YAML uses anchors or aliases, which can expand a few hundred bytes
    into gigabytes ("billion laughs"): never expanded."""


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            raise _Aliases
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise _Aliases
        return super().compose_node(parent, index)


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_NoAliasLoader)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, list[str]]:
    """``---`` YAML ``---`` at the top of the file, if any.

    Returns (metadata, body, warnings).  Broken front matter is a warning, not
    a failure: the report is still read from its own text.
    """
    if not text.startswith("---"):
        return {}, text, []
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text, []
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text, ["front matter 没有结束的 '---'，已按正文读取"]
    body = "\n".join(lines[end + 1 :])
    block = "\n".join(lines[1:end])
    if len(block) > MAX_FRONT_MATTER:
        return {}, body, [f"front matter 过长（{len(block)} 个字符，上限 {MAX_FRONT_MATTER}），已忽略"]
    try:
        meta = _load_yaml(block) or {}
    except _Aliases:
        return {}, body, ["front matter 用了 YAML 锚点或别名（& 或 *），为安全起见不予展开，已忽略"]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第{mark.line + 2}行）" if mark else ""
        return {}, body, [f"front matter 不是有效的 YAML{where}，已忽略"]
    if not isinstance(meta, dict):
        return {}, body, ["front matter 不是“键: 值”形式，已忽略"]
    return meta, body, []


# Keys that site crawlers and web archives write above a saved page's text.
HEADER_KEYS = (
    "标题", "题名", "名称", "发布时间", "发布日期", "发文日期", "成文日期", "生成日期", "日期", "时间",
    "文号", "发文字号", "索引号", "发布机构", "发文机关", "发文机构", "来源", "信息来源", "栏目",
    "主题分类", "所属主题", "分类", "原文链接", "原文地址", "链接", "网址", "URL", "url", "source",
    "本地目录", "本地路径", "抓取时间", "采集时间", "公开方式", "公开范围", "有效性", "作者",
)  # fmt: skip
_HEADER_LINE = re.compile(r"^\s*(" + "|".join(HEADER_KEYS) + r")\s*[:：]\s*(.*?)\s*$")
# The line some crawlers put between their header and the page: "==== 正文 ====".
_HEADER_END = re.compile(r"^\s*[=\-_*#]{3,}\s*(?:正文|内容|全文|text|body)?\s*[=\-_*#]*\s*$", re.I)


def split_header(text: str) -> tuple[dict[str, str], str]:
    """A crawler's or archive's header at the top of a saved page, if any.

    At least two ``键: 值`` lines with keys crawlers use (标题, 发布时间,
    原文链接 …), up to a ``==== 正文 ====`` line or the first line that is
    not one of them.  Returns (header, body); text without such a header is
    returned whole.
    """
    lines = text.split("\n")
    header: dict[str, str] = {}
    end = 0
    for i, line in enumerate(lines[:40]):
        m = _HEADER_LINE.match(normalise(line))
        if m:
            header.setdefault(m.group(1), plain(m.group(2)).strip())
            end = i + 1
            continue
        if not line.strip() and not header:
            continue
        if _HEADER_END.match(normalise(line)) and header:
            end = i + 1
            break
        # A stray note between the keys and the separator ("页面链接与图片详见 links.tsv").
        later = next((j for j in range(i + 1, min(i + 3, len(lines))) if _HEADER_END.match(lines[j])), None)
        if header and later is not None and len(line) < 80:
            continue
        break
    if len(header) < 2:
        return {}, text
    return header, "\n".join(lines[end:])


# A line this long is a whole web page's text on one line (a crawler's innerText).
LONG_LINE = 600


@functools.cache
def _heading_pattern() -> re.Pattern[str]:

    parts = [
        SECTION_NUMERALS[code]
        + r"\s*[、.．]\s*(?:[^。；;，,\d]{0,12}?)"
        + pattern
        + r"(?:及改进情况|和改进情况|情况)?"
        for code, pattern in SECTION_PATTERNS.items()
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts))


def break_at_headings(text: str) -> str:
    """Put the six section headings on lines of their own in text that a web
    page gave as one long line, so the prose sections and tables can be told apart."""
    if all(len(line) < LONG_LINE for line in text.split("\n")):
        return text
    lines = []
    for line in text.split("\n"):
        if len(line) >= LONG_LINE:
            line = _heading_pattern().sub(lambda m: "\n" + m.group(0) + "\n", line)
        lines.append(line)
    return "\n".join(lines)


def detect_layout(path: str, body: str) -> str:
    lines = [ln for ln in body.split("\n") if ln.strip()]
    if path.lower().endswith((".md", ".markdown")) or any(_MD_HEADING.match(ln) for ln in lines):
        layout = "markdown"
    else:
        layout = "text"
    if sum(1 for ln in lines if "\t" in ln) >= 10:
        layout = "tsv" if layout == "text" else "markdown+tsv"
    return layout


def read_source(path: str, data: bytes) -> Source:
    """Decode a content file and split its front matter off.

    PDF, HTML and Word files are first turned into text by
    :mod:`nianbao.formats`; they carry no front matter of their own.
    """
    if not data.strip():
        raise ReadError("文件是空的")
    from .formats import CONVERTERS  # the converters import this module

    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix in CONVERTERS:
        from .formats.limits import run_limited

        layout, convert = CONVERTERS[suffix]
        text = _unix_text(run_limited(convert, data))
        return Source(path, text, {}, layout, suffix.lstrip("."))
    if _looks_binary(data):
        raise ReadError(_binary_message(data))
    text, encoding = decode(data)
    text = _unix_text(text)
    meta, body, warnings = split_front_matter(text)
    meta = {k: plain(v) if isinstance(v, str) else v for k, v in meta.items()}
    header, body = split_header(body)
    body = break_at_headings(body)
    return Source(path, body, meta, detect_layout(path, body), encoding, warnings, header)


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


def _looks_binary(data: bytes) -> bool:
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


def _binary_message(data: bytes) -> str:
    kind = next((name for sig, name in SIGNATURES.items() if data.startswith(sig)), "")
    what = f"{kind}文件" if kind else "二进制数据（可能是 PDF、图片或 Word 文件）"
    return f"文件是{what}，却存成了文本扩展名，无法按文本读取：请改用正确的扩展名"


def normalise(text: str) -> str:
    """NFKC: full-width digits, brackets and spaces become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def parse_number(text: str) -> int | Decimal | None:
    """``"1,234"`` -> 1234, ``"2242.9233"`` -> Decimal; anything else -> None."""
    text = normalise(text).strip()
    if not _NUMBER.fullmatch(text):
        return None
    text = text.replace(",", "")
    try:
        return int(text) if "." not in text else Decimal(text)
    except (ValueError, InvalidOperation):
        return None


def _classify(cell: str) -> TokenKind:
    if not cell:
        return "blank"
    if _NUMBER.fullmatch(cell):
        return "number"
    if cell in PLACEHOLDERS:
        return "placeholder"
    return "text"


def _cells(line: str) -> list[str]:
    """One line to its cells: tab-separated, pipe-separated, or space-separated."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        if set(stripped) <= set("|-: "):
            return []  # a Markdown table's separator row
        return [c.strip() for c in stripped.strip("|").split("|")]
    return stripped.split()


def tokenize(text: str) -> list[Token]:
    """Every line of the body as tokens, page marks dropped.

    Inside a tab- or pipe-separated cell, a run of space-separated numbers
    ("0 0") is several values; otherwise a cell with letters is label text.
    Empty cells become ``blank`` tokens only where the line is tab-separated,
    because only there does an empty cell mean anything.
    """
    tokens: list[Token] = []
    for number, raw in enumerate(text.split("\n")):
        line = normalise(_MD_HEADING.sub("", raw))
        if _PAGE_MARK.match(line):
            continue
        for cell in _cells(line):
            parts = cell.split()
            if len(parts) > 1 and all(_classify(p) in ("number", "placeholder") for p in parts):
                tokens.extend(Token(_classify(p), p, number) for p in parts)
                continue
            kind = _classify(cell)
            if kind == "blank" and "\t" not in raw:
                continue
            if kind == "text":  # "予以公开801000081二、上年结转…": labels and digits run together
                tokens.extend(Token(k, piece, number) for k, piece in unglue(cell))
                continue
            tokens.append(Token(kind, cell, number))
    return tokens


# A run of digits inside text, a decimal part included.
_DIGIT_RUN = re.compile(r"\d+(?:\.\d+)?")
# After a number in prose: a unit, so the number is the prose's own ("2024年", "61条", "15.4%").
_UNITS = set("年月日时分秒件条个项次人家期场号%‰万亿元份页层楼届批类篇部位名户岁天周倍平米")
# Before a number that belongs to its words: 第3, 附件1, 〔2023〕, 国办发…号.
_BOUND_BEFORE = set("第〔[【(（-—~～/:：#№")
_CJK = re.compile(r"[\u4e00-\u9fff）)」”’\]】]")
# What may follow a number run onto the next label: a character or an opening bracket ("01(二)部分公开").
_LABEL_START = re.compile(r"[\u4e00-\u9fff(（“\"「【\[]")
# Numbering of a row inside a label: "2.其他法律…", "3、其他".
_NUMBERING = re.compile(r"[.、]\s*[\u4e00-\u9fff]")


def unglue(cell: str) -> list[tuple[TokenKind, str]]:
    """A text cell cut into label text and the numbers run onto it.

    Text copied from a web page loses the spaces between cells, so a whole
    table row reads "二、上年结转政府信息公开申请数量00000003.危及…": the
    label, the row's digits (cut into cells later, by the arithmetic) and the
    next row's numbering "3." (which stays with its label).  A number that is
    the prose's own (followed by a unit such as 年, 件, %, or after 第) stays
    in the text.
    """
    out: list[tuple[TokenKind, str]] = []
    pos = 0
    for m in _DIGIT_RUN.finditer(cell):
        start, end = m.span()
        digits = m.group()
        before, after = cell[start - 1 : start], cell[end : end + 1]
        if before in "-+" and before and cell[start - 2 : start - 1].isdigit() and pos == start - 1:
            # "125-21856": a signed number run onto the one before it (本年增/减 of 2019 table 二)
            out.append(("number", before + digits))
            pos = end
            continue
        numbered = "." not in digits and bool(_NUMBERING.match(cell, end))
        if not (_CJK.match(before) or _LABEL_START.match(after) or numbered):
            continue
        if before in _BOUND_BEFORE or after in _UNITS or cell[max(0, start - 2) : start] == "附件":
            continue
        if before and not _CJK.match(before) and not before.isspace():
            continue  # "A1", "0591-23163551": part of a word or a number with punctuation
        if numbered:
            digits = digits[:-1]  # the last digit numbers the next label
            end -= 1
        if not digits:
            continue
        if cell[pos:start].strip():
            out.append(("text", cell[pos:start]))
        out.append(("number", digits))
        pos = end
    if cell[pos:].strip():
        out.append(("text", cell[pos:]))
    return out or [("text", cell)]
