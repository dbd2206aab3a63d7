"""HTML pages saved from government websites to report text.

Parsed with BeautifulSoup (Python's own ``html.parser`` underneath, so it
needs no compiled code): block elements become lines, ``<table>``\\ s become
tab-separated rows with rowspan and colspan expanded, and a page whose
tables are pictures or attachments is named as such instead of being read as
an empty report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # bs4 is imported where a page is read (it takes 0.1 s)
    from bs4 import Tag

from .decode import decode
from .grid import clean, expand, to_lines
from .limits import check_html
from .source import Pictures, ReadError, Recognised

BLOCKS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "header", "footer", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "center", "hr", "caption",
    "table", "td", "th",  # a table holding tables lays out the page: its cells are blocks
}  # fmt: skip
SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "button", "select"}
ATTACHMENT = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|ofd|zip|rar)(?:$|[?#])", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def _decode(data: bytes) -> str:
    """The page's declared charset when it has one (GB2312 pages are common)."""
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        if name in ("gb2312", "gbk", "gb18030"):
            name = "gb18030"
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)[0]


def _span(tag: Tag, name: str) -> int:
    try:
        return max(1, min(int(str(tag.get(name, "1")).strip() or 1), 100))
    except ValueError:
        return 1


def _table_lines(table: Tag) -> list[str]:
    rows = []
    for tr in _own(table, "tr", "table"):  # a nested table's rows are read with that table
        cells = _own(tr, ("td", "th"), "tr")
        rows.append([(clean(c.get_text(" ")), _span(c, "rowspan"), _span(c, "colspan")) for c in cells])
    return to_lines(expand(rows))


def _own(node: Tag, names: str | tuple[str, ...], inner: str) -> Iterator[Tag]:
    """The tags named ``names`` under ``node``, in document order, whose nearest
    ``inner`` (a table's rows, a row's cells) is ``node``: one walk of the
    tree, not a search of the ancestors of each."""
    from bs4 import Tag

    for child in node.children:
        if isinstance(child, Tag):
            if child.name in names:
                yield child
            if child.name != inner:
                yield from _own(child, names, inner)


def _walk(node: Tag, out: list[str], pictures: dict[str, list[str]] | None = None) -> None:
    """The text of ``node`` into ``out``, a line per block; with ``pictures``
    (an image's src -> its lines, by OCR), each picture's lines where it stands."""
    from bs4 import NavigableString, Tag

    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not a comment, CDATA or doctype
                out[-1] += str(child)
            continue
        if not isinstance(child, Tag) or child.name in SKIP:
            continue
        if child.name == "table" and not child.find("table"):
            out.extend(_table_lines(child))
            out.append("")
            continue
        if child.name == "img" and pictures is not None:
            out.extend(["", *pictures.get(str(child.get("src") or ""), []), ""])
            continue
        block = child.name in BLOCKS
        if block:
            out.append("")
        _walk(child, out, pictures)
        if block:
            out.append("")


def to_text(data: bytes) -> str:
    check_html(data)
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    body = soup.body or soup
    text = _body_text(body)
    if not re.search(r"\d", text) or ("\t" not in text and _looks_like_pictures(body)):
        sources = picture_sources(body)
        if sources:  # read again with the pictures, by OCR (:func:`recognise`)
            raise Pictures(_pictures_message(body), sources)
        raise ReadError(_pictures_message(body))
    return _titled(soup, text)


def _body_text(body: Tag, pictures: dict[str, list[str]] | None = None) -> str:
    """The page's body as lines (see :func:`_walk`)."""
    lines = [""]
    _walk(body, lines, pictures)
    text = "\n".join(clean(ln) if "\t" not in ln else ln for ln in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _titled(soup, text: str) -> str:
    """The page's title above its text, unless the text already has it."""
    title = soup.title.get_text(" ").strip() if soup.title else ""
    return (clean(title) + "\n\n" + text) if title and clean(title) not in text else text


# A page with more pictures than this is not a report's tables: only the
# first are read (it keeps one page's OCR within minutes).
MAX_PICTURES = 20


def picture_sources(body: Tag) -> list[str]:
    """The src of each picture in the page, in order (each once)."""
    sources: list[str] = []
    for img in body.find_all("img"):
        src = str(img.get("src") or "").strip()
        if src and src not in sources:
            sources.append(src)
    return sources[:MAX_PICTURES]


def recognise(bundle: bytes) -> Recognised:
    """A page whose tables are pictures: its text, with each picture's lines
    (by OCR, :mod:`.ocr`) where it stands.  ``bundle`` is the page and its
    pictures (:func:`pack`); a picture that was not found is left out."""
    import pickle

    from bs4 import BeautifulSoup

    from . import ocr

    page, images = pickle.loads(bundle)
    pictures: dict[str, list[str]] = {}
    for number, (src, data) in enumerate(images.items(), 1):
        ocr.say_page(number, len(images))
        pictures[src] = ocr.picture_lines(data)
    soup = BeautifulSoup(_decode(page), "html.parser")
    return Recognised(_titled(soup, _body_text(soup.body or soup, pictures)))


def pack(page: bytes, images: dict[str, bytes]) -> bytes:
    """A page and its pictures as the bytes :func:`recognise` takes (the
    sandboxed reader is given bytes only)."""
    import pickle

    return pickle.dumps((page, images))


def _href(link: Tag) -> str:
    return str(link.get("href") or "")


def _looks_like_pictures(body: Tag) -> bool:
    """No table, but images or attachment links where the tables should be."""
    return bool(body.find("img")) or any(ATTACHMENT.search(_href(a)) for a in body.find_all("a"))


def _pictures_message(body: Tag) -> str:
    links = [_href(a) for a in body.find_all("a") if ATTACHMENT.search(_href(a))]
    if links:
        return f"网页中没有表格，报告正文在附件中（{'、'.join(links[:3])}）：请下载附件放入 content/"
    if body.find("img"):
        return "网页中的表格是图片，没有可读取的文字：需要 OCR 或找到文字版"
    return "网页中没有找到报告的文字和表格"
