"""Search for labels in a token stream, whatever the line breaks did to them.

The index joins the text tokens of a report into one string with all white
space and all stand-alone numbers removed, so that a label wrapped over three
lines, or cut in two by its own row of numbers, reads as one word again.
Every character remembers the token it came from, so a match leads back to
the cells around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..read import Token

# Quotes and dashes vary between reports; labels are matched without them.
_FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "．": "."})


def fold(text: str) -> str:
    """Text as the index holds it: no white space, quotes and dots folded."""
    return "".join(text.split()).translate(_FOLD)


@dataclass(frozen=True)
class Match:
    start: int  # index of the first token of the match
    end: int  # index after the last token of the match
    at: int  # character offset in the joined text where the match begins
    stop: int  # character offset where it ends


class TextIndex:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        chars: list[str] = []
        owner: list[int] = []
        self.offset: list[int] = []  # token index -> character offset
        for i, token in enumerate(tokens):
            self.offset.append(len(chars))
            if token.kind != "text":
                continue
            for ch in fold(token.text):
                chars.append(ch)
                owner.append(i)
        self.offset.append(len(chars))
        self.text = "".join(chars)
        self.owner = owner

    def _match(self, m: re.Match[str]) -> Match:
        return Match(self.owner[m.start()], self.owner[m.end() - 1] + 1, m.start(), m.end())

    def search(self, patterns: Iterable[str], start: int = 0, end: int | None = None) -> Match | None:
        """The earliest match of any pattern between two character offsets."""
        end = len(self.text) if end is None else min(end, len(self.text))
        best: re.Match[str] | None = None
        for pattern in patterns:
            m = re.compile(pattern).search(self.text, start, end)
            if m and (best is None or m.start() < best.start()):
                best = m
        return self._match(best) if best else None

    def finditer(self, pattern: str, start: int = 0) -> Iterable[Match]:
        for m in re.compile(pattern).finditer(self.text, start):
            yield self._match(m)

    def at_token(self, index: int) -> int:
        """Character offset where token ``index`` stands (or would stand)."""
        return self.offset[min(index, len(self.offset) - 1)]

    def widen(self, match: Match, label: str, floor: int = 0) -> Match:
        """Move a match's start back over the part of ``label`` printed before it.

        Patterns are short key words ("收费通知"); a label cut in two by a page
        break or by its own numbers ("2.申请人 | 0 0 0 | 逾期未按收费通知…")
        starts earlier, and the numbers after its first piece are its own.
        """
        label = fold(label)
        head = label.find(self.text[match.at : match.stop])
        if head <= 0:
            return match
        j = 0
        while j < head and match.at - j - 1 >= floor and self.text[match.at - j - 1] == label[head - j - 1]:
            j += 1
        if j < 2:  # one shared character is a coincidence, not a piece of the label
            return match
        at = match.at - j
        return Match(self.owner[at], match.end, at, match.stop)
