#!/usr/bin/env python3
"""Build the nianbao site: ``python build.py [--content DIR] [--output DIR]``."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
from pathlib import Path
from typing import NoReturn

from nianbao.config import Config, ConfigError
from nianbao.site import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="把 content/ 中的政府信息公开工作年度报告解析、核对，生成静态网站和数据包。"
    )
    parser.add_argument("--content", type=Path, default=Path("content"), help="报告所在目录（默认 content/）")
    parser.add_argument("--output", type=Path, default=Path("site"), help="输出目录（默认 site/）")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="有 error 级问题或无法读取的文件时构建失败、不更新站点（用于经过整理的报告库的 CI）",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="不用增量缓存，全部重新解析、生成（结果与增量构建逐字节相同）",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        help="站点发布的网址，用于 sitemap、订阅源和数据目录中的绝对链接"
        "（默认取环境变量 NIANBAO_BASE_URL，再默认 http://localhost:8000/）",
    )
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="不生成全文搜索索引（快速预览用）",
    )
    parser.add_argument(
        "--repository",
        default=None,
        help="构建站点的代码库地址（https），用于“报告错误”链接（默认取环境变量 NIANBAO_REPOSITORY）",
    )
    args = parser.parse_args(argv)
    if not args.content.is_dir():
        print(f"错误：找不到报告目录 {args.content}", file=sys.stderr)
        return 2
    if (
        args.output.resolve() == args.content.resolve()
        or args.content.resolve() in args.output.resolve().parents
    ):
        print(f"错误：输出目录 {args.output} 不能是报告目录或在报告目录之内", file=sys.stderr)
        return 2
    try:
        settings = Config.make(
            args.base_url,
            repository=args.repository,
            strict=args.strict,
            incremental=not args.no_cache,
            **({"search": False} if args.no_search else {}),
        )
    except ConfigError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    summary = build(args.content, args.output, settings)
    try:
        print("\n".join(summary.lines()), flush=True)
    except BrokenPipeError:  # the reader of the summary went away (| head): the site is built all the same
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that Python's exit flush says nothing
    return 1 if summary.package_errors or not summary.published else 0


def exit_now(code: int) -> NoReturn:
    """End the process without the interpreter's teardown.

    When a build returns, the site is written and every worker, thread and
    child process it started has been waited for; the teardown would only
    free the build's millions of objects one by one (0.2 s of an edit at
    10,000 reports), which the operating system does at once.  The exit
    handlers (temporary folders, multiprocessing, logging) still run, and
    what was printed is flushed."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone away, a stream closed
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
