"""Text as every stage handles it: normalised, and without control characters."""

from __future__ import annotations

import re
import unicodedata

# Control characters other than tab, newline and carriage return: never
# meaningful in a report, and not allowed in the pages, CSV and XML published.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")


def plain(text: str) -> str:
    """Text without control characters."""
    return _CONTROL.sub("", text)


def normalise(text: str) -> str:
    """NFKC: full-width digits, brackets and spaces become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def xml_escape(text: str, quote: bool = False) -> str:
    """``xml.sax.saxutils.escape``, the same bytes (and ``"`` as well with
    ``quote``): that module imports urllib.request, and with it http, ssl
    and email, 30 ms of every build's start."""
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    return text.replace('"', "&quot;") if quote else text
