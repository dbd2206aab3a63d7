"""Steps 1 to 3 for one file: read -> parse -> check, never raising.

What a file becomes here depends on its bytes and this code only (and the
modules it uses, not the publishing code): the cache keeps it under that
(:func:`nianbao.cache.parsing_version`), and the build runs it on every core.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from pathlib import Path

from . import cache, config
from .check import check
from .model import Problem, Report
from .parse import parse
from .read import ReadError, Refused, read_regular, read_source, reader_for
from .read.files import too_large
from .read.registry import unsupported
from .summary import Stages
from .urls import report_id
from .workers import KILLED


def load(
    path: Path,
    relative: str,
    stages: Stages | None = None,
    data: bytes | None = None,
    cache_dir: Path | None = None,
) -> Report | Problem:
    """Read, parse and check one file (``data``: its bytes, if already read;
    ``cache_dir``: where OCR text is kept); never raises."""
    stages = stages if stages is not None else Stages()
    rid = report_id(relative)
    reader = reader_for(relative)
    if reader is None:
        return Problem(relative, rid, unsupported(relative), "unsupported")
    if reader.refuse:
        return Problem(relative, rid, reader.refuse, "unsupported")
    try:
        limit = reader.limit
        if data is not None and len(data) > limit:
            raise Refused(too_large(len(data), limit), "too_large")
        with stages.timed("read"):
            raw = read_regular(path, limit) if data is None else data
            ocr_cache = cache.TextStore(cache_dir / "ocr") if cache_dir is not None else None
            source = read_source(relative, raw, origin=path, ocr_cache=ocr_cache)
        with stages.timed("parse"):
            report = parse(source)
    except Refused as exc:
        return Problem(relative, rid, str(exc), exc.code)
    except ReadError as exc:
        return Problem(relative, rid, str(exc))
    except OSError as exc:
        return Problem(relative, rid, f"无法打开文件：{exc.strerror}")
    except Exception as exc:
        return Problem(
            relative, rid, f"解析时出错（{type(exc).__name__}: {exc}），请报告此问题", "parse_failed"
        )
    if not _has_numbers(report):
        return Problem(
            relative,
            report.report_id,
            "没有找到年度报告的表格（表三、表四），不像是政府信息公开工作年度报告",
            "not_a_report",
        )
    if report.year is None:
        return Problem(
            relative,
            report.report_id,
            "没有找到报告的年度（标题、正文的统计期限、文件名和发布日期里都没有）：请在 front matter 写明 year",
            "year_unknown",
        )
    with stages.timed("check"):
        try:
            return check(report)
        except Exception as exc:  # a bug in a check must not cost the report its numbers
            report.add("error", "check_failed", f"核对时出错（{type(exc).__name__}: {exc}），核对结果不完整")
            return report


def _has_numbers(report: Report) -> bool:
    cells = [*report.requests.values(), *report.reviews.values()]
    return any(c.value is not None for c in cells)


def load_job(
    job: tuple[Path, str, Path | None, str, str],
) -> tuple[Report | Problem, Stages, str]:
    """Read, parse and check one file the cache does not hold, and store what it became.

    ``job``: the file, its path in the content folder, the cache folder (None
    without a cache), the file's content digest and its cache key (both ""
    without a cache or when it cannot be read).  Returns the result, the time
    spent and the key ("" when the result was not kept under it).
    """
    path, relative, cache_dir, digest, key = job
    stages = Stages()
    data = None
    if cache_dir is not None and key and not digest.startswith("size:"):
        with suppress(OSError, Refused):  # load() says what is wrong with the file
            data = read_regular(path, config.LIMITS.binary_bytes)
    result = load(path, relative, stages, data, cache_dir)
    # Kept only if the bytes parsed are the bytes the key was made from (the
    # file may have changed since the build looked at it).
    if cache_dir is not None and data is not None and hashlib.sha256(data).hexdigest() == digest:
        cache.store_parsed(cache_dir, key, result)
        return result, stages, key
    return result, stages, ""  # not what the key says: neither kept nor trusted


def killed_loading(job) -> tuple[Problem, Stages, str]:
    _, relative, _, _, key = job
    return Problem(relative, report_id(relative), KILLED + "，已跳过", "killed"), Stages(), key
