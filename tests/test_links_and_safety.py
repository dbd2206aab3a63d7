"""Every link in the built site resolves; nothing in a report can inject into a page."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import SEEDS

from nianbao.site import build

FORMATS = Path(__file__).parent / "data" / "formats"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (tag, address)
        self.ids: set[str] = set()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append((tag, attrs[name]))
        if tag == "script":
            self.scripts.append(attrs)


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
            if parts.scheme or parts.netloc:
                if not (tag == "a" and parts.scheme == "https"):
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


def test_every_internal_link_asset_and_download_resolves(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    shutil.copyfile(FORMATS / "002_86e56b1db52c9874.pdf", content / "pdf-copy.pdf")
    (content / "empty.txt").write_bytes(b"")
    summary = build(content, tmp_path / "site")
    assert len(list((tmp_path / "site").rglob("*.html"))) == 2 + len(summary.reports)
    assert broken_links(tmp_path / "site") == []


def test_the_link_checker_finds_a_broken_link(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<a href="gone.html">x</a><a href="#nowhere">y</a><img src="../outside.png">'
        '<script src="https://cdn.example/x.js"></script><a href="https://example.org/">ok</a>',
        encoding="utf-8",
    )
    (tmp_path / "outside.png").write_bytes(b"")
    assert broken_links(site) == [
        "index.html: gone.html",
        "index.html: #nowhere (no such anchor)",
        "index.html: ../outside.png",
        "index.html: external script https://cdn.example/x.js",
    ]


HOSTILE = """---
agency: "<script>alert('agency')</script>局"
year: 2022
id: "../../etc/passwd"
title: "<img src=x onerror=alert(1)>报告\\u0007"
---
<script>alert('body')</script>某县人民政府2022年政府信息公开工作年度报告

一、总体情况

点击[这里](javascript:alert(1))查看，<iframe src="http://evil.example"></iframe>共收到申请10件。

"""


def test_hostile_names_titles_and_prose_are_escaped_and_stay_inside_the_site(tmp_path):
    good = (SEEDS / "002_86e56b1db52c9874.txt").read_text(encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "hostile.txt").write_text(HOSTILE + good, encoding="utf-8")
    (content / "x..%2f..%2fname with spaces & <tags>.txt").write_text(good, encoding="utf-8")
    site = tmp_path / "site"
    summary = build(content, site)
    assert len(summary.reports) == 2
    for report in summary.reports:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", report.report_id), report.report_id
    cache = (tmp_path / ".site.cache").resolve()  # the incremental build's cache, beside the site
    everything = [
        p.resolve() for p in tmp_path.rglob("*") if cache not in (p.resolve(), *p.resolve().parents)
    ]
    assert all(
        site.resolve() in p.parents or p == site.resolve() or content.resolve() in (p, *p.parents)
        for p in everything
    )
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<iframe" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html.lower()
        assert "\u0007" not in html
        parsed = _parse(page)
        assert all("src" in attrs for attrs in parsed.scripts), "inline script in " + page.name
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;agency&#39;)&lt;/script&gt;局" in home
    assert broken_links(site) == []
