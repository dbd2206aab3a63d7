"""The English of every label, once per site (``static/en.js``), not once per cell.

A page prints each label in Chinese only, as ``<span lang="zh">中文</span>``; when a reader
switches to English, ``static/site.js`` looks the Chinese up in this
dictionary.  The dictionary is made from the code alone (the templates' literal
``both("…", "…")`` calls, the publishing code's ``("中文", "English")`` pairs
and the label tables), so every build of the same code
writes the same file whatever the reports.  A pair that is not in it, or a
Chinese label's less common English, is printed inline in both
languages as before (:func:`nianbao.i18n.both`): a page is never wrong, only
larger.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, nodes

from .. import i18n
from ..cache import code_version, write_whole
from ..catalog import KINDS, LEVELS
from ..check import CHECK_NAMES
from ..config import TEMPLATE_DIR
from ..i18n import CHECKS_EN, EN, FINDINGS, SECTIONS_EN, SEVERITY
from ..indicators import INDICATORS
from ..template import SECTIONS, TEMPLATES, request_layout
from .metadata import ACTIONS

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _template_literals() -> list[tuple[str, str]]:
    """Every ``both("中文", "English")`` written with two literals in a page template."""
    env = Environment()
    pairs = []
    for path in sorted(TEMPLATE_DIR.glob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for call in tree.find_all(nodes.Call):
            if not (isinstance(call.node, nodes.Name) and call.node.name == "both"):
                continue
            texts = [a.value for a in call.args if isinstance(a, nodes.Const) and isinstance(a.value, str)]
            if len(texts) == len(call.args) == 2:
                pairs.append((texts[0], texts[1]))
    return pairs


def _code_literals() -> list[tuple[str, str]]:
    """Every pair of literals the publishing code passes to ``both``: a
    ``("中文", "English")`` tuple in a module of :mod:`nianbao.publish`."""
    pairs = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                texts = [
                    e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
                if len(texts) == 2 and _CHINESE.search(texts[0]) and not _CHINESE.search(texts[1]):
                    pairs.append((texts[0], texts[1]))
    return pairs


def _template_labels() -> list[tuple[str, str | None]]:
    """The labels of every row, column, item and measure of both templates."""
    pairs: list[tuple[str, str | None]] = []
    for t in TEMPLATES.values():
        for row, cells in zip(t.rows, request_layout(t.rows), strict=True):
            for cell in cells:
                pairs.append((cell["text"], EN.get(row.code if cell.get("row") else cell["text"])))
        pairs += [(r.label, EN.get(r.code)) for r in (*t.rows, *t.variants)]
        pairs += [(c.label, EN.get(c.code)) for c in (*t.applicants, *t.proceedings, *t.outcomes)]
        pairs += [(c.group, EN.get(c.group)) for c in t.applicants if c.group]
        pairs += [(item.label, EN.get(item.code)) for item in t.proactive]
        pairs.append((t.title, t.title_en))
        pairs += [(zh, EN.get(code)) for code, zh in t.measures.items()]
    return pairs


@dataclass
class _Kept:
    folder: Path | None = None  # where the dictionary is kept between builds (the build's cache)


KEPT = _Kept()


@functools.cache
def dictionary() -> dict[str, str]:
    """Chinese label -> its one English label; made from the code, so kept
    by the code's version (making it parses every template and module)."""
    if KEPT.folder is None:
        return _made()
    path, version = KEPT.folder / "phrases.json", code_version()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["version"] == version:
            return dict(kept["dictionary"])
    made = _made()
    with contextlib.suppress(OSError):
        write_whole(path, json.dumps({"version": version, "dictionary": made}, ensure_ascii=False).encode())
    return made


def _made() -> dict[str, str]:
    pairs: list[tuple[str, str | None]] = [*_template_literals(), *_code_literals(), *_template_labels()]
    pairs += [
        (zh, en) for zh, en in (*LEVELS.values(), *KINDS.values(), *FINDINGS.values(), *ACTIONS.values())
    ]
    pairs += [(CHECK_NAMES[code], CHECKS_EN.get(code)) for code in CHECK_NAMES]
    pairs += [(SECTIONS[code], SECTIONS_EN.get(code)) for code in SECTIONS]
    pairs += [(zh, EN.get(code)) for code, zh in SEVERITY.items()]
    pairs += [(zh, en) for zh, en in EN.items() if _CHINESE.search(zh)]
    for i in INDICATORS:
        pairs += [(i.label, i.label_en), (i.formula, i.formula_en)]
    found: dict[str, Counter[str]] = {}
    for zh, en in pairs:
        if en and _CHINESE.search(zh):
            found.setdefault(zh, Counter())[en] += 1
    # A label with two English ones ("年度": "Year", "Years") keeps the one
    # written most often; the other is printed inline where it is used.
    return {zh: min(ens, key=lambda en: (-ens[en], en)) for zh, ens in sorted(found.items())}


def use() -> None:
    """Let :func:`nianbao.i18n.both` print the labels of the dictionary short."""
    i18n.PHRASES.update(dictionary())


def script() -> str:
    """``static/en.js``: the dictionary, for the language switch."""
    text = json.dumps(dictionary(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.nianbaoEN={text};\n"
