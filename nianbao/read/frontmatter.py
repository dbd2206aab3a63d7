"""Metadata above a report's text: YAML front matter (``---`` … ``---``),
never expanding anchors or aliases, and the header a site crawler writes
above a saved page (标题, 发布时间, 原文链接 …)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .. import config
from ..text import normalise, plain


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
    if len(block) > config.LIMITS.front_matter_chars:
        return (
            {},
            body,
            [f"front matter 过长（{len(block)} 个字符，上限 {config.LIMITS.front_matter_chars}），已忽略"],
        )
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
# The keys that carry the report's title, publication date, original address
# and publisher, in the order they are believed; the parser reads these.
HEADER_TITLE = ("标题", "题名", "名称")
HEADER_DATE = ("发布时间", "发布日期", "发文日期", "成文日期", "日期", "时间")
HEADER_URL = ("原文链接", "原文地址", "链接", "网址", "URL", "url", "source")
HEADER_PUBLISHER = ("发布机构", "发文机关", "发文机构", "来源", "信息来源")
HEADER_KEYS = (
    *HEADER_TITLE, *HEADER_DATE, *HEADER_URL, *HEADER_PUBLISHER, "生成日期",
    "文号", "发文字号", "索引号", "栏目", "主题分类", "所属主题", "分类",
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
