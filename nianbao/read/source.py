"""What a read content file is: its text, front matter, crawler header and
layout (:class:`Source`), and the tokens the parser reads (:class:`Token`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TokenKind = Literal["text", "number", "placeholder", "blank"]


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
