"""Reading a built site back: its links, anchors and scripts."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, address)
        self.ids: set[str] = set()
        self.scripts: list[dict] = []
        self.references: list[str] = []  # canonical and alternate addresses
        self.json_ld: list[str] = []  # bodies of <script type="application/ld+json">
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "link" and attrs.get("rel") in ("canonical", "alternate") and "href" in attrs:
            self.references.append(attrs["href"])  # metadata naming a page: nothing is loaded
            return
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append((tag, attrs[name]))
        if tag == "script":
            self.scripts.append(attrs)
            self._in_json = attrs.get("type") == "application/ld+json"
            if self._in_json:
                self.json_ld.append("")

    def handle_data(self, data):
        if self._in_json:
            self.json_ld[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False


def _parse(page: Path) -> _Links:
    links = _Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def broken_links(site: Path) -> list[str]:
    """Internal links, assets and downloads that lead nowhere (fragments
    included), and anything the page would load from elsewhere.  A plain
    hyperlink to another site (a reference) loads nothing and is allowed."""
    broken = []
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    for page, parsed in pages.items():
        for tag, link in parsed.links:
            parts = urlsplit(link)
            if page.name == "404.html" and page.parent == site and link.startswith("/"):
                # Served at whatever address was not found, so its links start
                # from the site's root path ("/" for a local build).
                parts = urlsplit(link[1:])
            if parts.scheme == "data" and tag == "link":
                continue  # an inline (empty) icon: nothing is fetched
            if parts.scheme or parts.netloc:
                # A link (not a resource) may leave the site: to https, or to
                # the original of a report wherever its agency published it.
                if not (tag == "a" and parts.scheme in ("https", "http")):
                    broken.append(f"{page.relative_to(site)}: external {tag} {link}")
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists() or site.resolve() not in (target.resolve(), *target.resolve().parents):
                broken.append(f"{page.relative_to(site)}: {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    return broken
