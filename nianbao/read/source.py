"""What a read content file is: its text, front matter, crawler header and
layout (:class:`Source`), and the tokens the parser reads (:class:`Token`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

TokenKind = Literal["text", "number", "placeholder", "blank"]


class ReadError(Exception):
    """The file cannot be read as a report; the message says why, in Chinese."""


class Scanned(ReadError):
    """The file's pages are pictures (a scan): it has to be read with OCR."""

    def __init__(self, message: str, pages: int):
        super().__init__(message)
        self.pages = pages

    def __reduce__(self):  # sent back whole from the reader's child process
        return (Scanned, (str(self), self.pages))


class Pictures(ReadError):
    """A web page whose tables are pictures: the src of each, in page order."""

    def __init__(self, message: str, sources: list[str]):
        super().__init__(message)
        self.sources = sources

    def __reduce__(self):
        return (Pictures, (str(self), self.sources))


class Recognised(str):
    """Text a reader got from pictures with OCR (:mod:`.ocr`) rather than
    from a text layer: its numbers are marked as recognised in the data."""


# How the OCR reader writes a cell it could not read with certainty (what
# it saw inside); the tokenizer takes it as a placeholder, so the cell keeps
# its place in the row and is published as null with a finding.
UNSURE = "〔识别不确定：{}〕"
UNSURE_PATTERN = re.compile(r"〔识别不确定[:：](.*)〕")


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
    recognised: bool = False  # the text came from pictures, by OCR

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")
