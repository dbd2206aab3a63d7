"""Step 2: parse a read source against the template.

Tables are found by their row labels, in template order, not by headings
(which reports drop or reword).  A row's values are the numbers between its
label and the next row's label, so labels wrapped over lines, numbers wrapped
onto the next line and labels cut in two by their own numbers all come out
right.  Where a row prints fewer numbers than the table has columns, the
template arithmetic decides what it can (see :func:`resolve`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from . import arithmetic, titles
from .model import Cell, Report
from .read import Source, Token, normalise, parse_number, tokenize
from .template import (
    AMOUNT_MEASURES,
    SECTION_NUMERALS,
    SECTION_PATTERNS,
    SECTIONS,
    SIGNED_MEASURES,
    TEMPLATE_2019,
    TEMPLATE_2021,
    TEMPLATES,
    Row,
    Template,
)
from .textindex import Match, TextIndex, fold

# How far (in label characters) the next row's label may stand from the last.
ROW_WINDOW = 400
# How many ways of placing short rows' numbers we are willing to try.
MAX_PLACEMENTS = 20000

Key = tuple[str, str, str]


# --- metadata ----------------------------------------------------------------

_REGION_MARK = re.compile(r"[省市区县旗州盟镇乡]|街道|自治|国家|中华人民共和国")
_SHORT_NAMES = {"政府办": "人民政府办公室", "政府办公室": "人民政府办公室", "区政府": "人民政府"}
_NOT_REGION = set("我本全该各辖社城园地小片的在和与及对于了是为向从由到把被将其此各每省市区县")


def find_title(lines: Sequence[str]) -> tuple[str, int | None]:
    """Agency and year from the report's title line(s) near the top."""
    agency, year, _ = titles.find_title(lines)
    return agency, year


def _region_from_body(text: str) -> str:
    """The county or city a report talks about most, e.g. '文峰区'."""
    counts: Counter[str] = Counter()
    for m in re.finditer(r"(?=([\u4e00-\u9fff]{2})(区|县|市|旗))", text):
        name = m.group(1)
        if not set(name) & _NOT_REGION:
            counts[name + m.group(2)] += 1
    return counts.most_common(1)[0][0] if counts else ""


def complete_agency(agency: str, body: str) -> str:
    """Give a short title name ('政府办', '信访局') the region the body names."""
    if not agency or _REGION_MARK.search(agency):
        return agency
    text = normalise(body)
    full = _SHORT_NAMES.get(agency, agency)
    found = Counter(
        m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]{2,4}?(?:区|县|市|旗)" + re.escape(full), text)
    )
    if found:
        return found.most_common(1)[0][0]
    region = _region_from_body(text)
    return region + full if region else agency


def _year_from_body(text: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年", normalise(text)))
    return years.most_common(1)[0][0] if years else None


def report_id_for(source: str, meta: dict[str, Any]) -> str:
    """A stable, URL-safe id: the front matter's ``id``, else the file name."""
    wanted = str(meta.get("id") or "")
    stem = titles.naming_part(source)
    for candidate in (wanted, stem):
        slug = re.sub(r"[^a-z0-9]+", "-", candidate.lower()).strip("-")[:80]
        if len(slug) >= 3:
            return slug
    return "r-" + hashlib.sha1(source.encode()).hexdigest()[:12]


# Front matter keys nianbao understands; others are kept out and warned about.
FRONT_MATTER_KEYS = {"agency", "year", "region", "title", "id", "source_file", "source_url", "published"}
# A crawler header's keys for the title, the publication date and the page's address.
_HEADER_TITLE = ("标题", "题名", "名称")
_HEADER_DATE = ("发布时间", "发布日期", "发文日期", "成文日期", "日期", "时间")
_HEADER_URL = ("原文链接", "原文地址", "链接", "网址", "URL", "url", "source")
_HEADER_PUBLISHER = ("发布机构", "发文机关", "发文机构", "来源", "信息来源")
YEARS = (2008, 2100)  # the regulations date from 2008; the schema's range


def _plausible_year(year: object) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and YEARS[0] <= year <= YEARS[1]


def _front_matter_warnings(report: Report, meta: dict[str, Any]) -> None:
    unknown = sorted(str(k) for k in meta if k not in FRONT_MATTER_KEYS)
    if unknown:
        report.add(
            "warning",
            "bad_front_matter",
            f"front matter 中有不认识的键：{'、'.join(unknown)}（可用的键：{'、'.join(sorted(FRONT_MATTER_KEYS))}）",
            table="report",
        )
    for key in ("agency", "region", "title", "id", "source_file", "source_url", "published"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str | int | date):
            report.add(
                "warning",
                "bad_front_matter",
                f"front matter 的 {key} 应是一段文字，却是{type(meta[key]).__name__}（{str(meta[key])[:40]}），已忽略",
                table="report",
            )


def _text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return value.strip() if isinstance(value, str) else ""


def _first(header: dict[str, str], keys: Sequence[str]) -> str:
    return next((header[k] for k in keys if header.get(k)), "")


def _source_url(meta: dict[str, Any], header: dict[str, str]) -> str:
    """The original's address: only an http(s) URL, never another scheme."""
    for url in (_text(meta, "source_url"), _first(header, _HEADER_URL)):
        url = url.strip()
        if re.fullmatch(r"https?://[^\s<>\"'`]+", url):
            return url
    return ""


def _published(meta: dict[str, Any], header: dict[str, str]) -> date | None:
    given = meta.get("published")
    if isinstance(given, date):
        return given
    return titles.parse_date(str(given)) if given else titles.parse_date(_first(header, _HEADER_DATE))


def read_metadata(report: Report, source: Source) -> None:
    """Agency, year, region, title, original address and publication date.

    Front matter first; then a crawler header's 标题 (the page title names
    the report exactly); then the report's own title lines; then, with a
    warning, what is left: the publisher in the header, the file or folder
    name, the statistics period, the publication date.
    """
    meta, header = source.meta, source.header
    _front_matter_warnings(report, meta)
    report.source_url = _source_url(meta, header)
    report.published = _published(meta, header)
    header_title = _first(header, _HEADER_TITLE)
    from_header = titles.split_title(titles.clean(header_title)) if header_title else None
    agency, year, printed_title = titles.find_title(source.lines)
    if from_header:
        agency, year = from_header[0] or agency, from_header[1]
        printed_title = titles.printed_title(header_title)
    _read_agency(report, meta, agency, header, source)
    _read_year(report, meta, year, source)
    if isinstance(meta.get("region"), str):
        report.region = meta["region"].strip()
    if _text(meta, "title"):
        report.title = _text(meta, "title")
    elif printed_title and report.agency and len(printed_title) <= 120:
        report.title = printed_title
    # The title names the agency in full even where the report's own title
    # says only "政府办": the page and the data must say who published it.
    if report.title and report.agency and not _names_agency(report.title, report.agency):
        report.title = ""
    if not report.title and report.agency and report.year:
        report.title = f"{report.agency}{report.year}年政府信息公开工作年度报告"


def _names_agency(title: str, agency: str) -> bool:
    return titles.clean(agency) in titles.clean(title)


def _read_agency(
    report: Report, meta: dict[str, Any], agency: str, header: dict[str, str], source: Source
) -> None:
    if _text(meta, "agency"):
        report.agency, report.metadata_origin["agency"] = _text(meta, "agency"), "front matter"
        return
    report.agency = complete_agency(agency, source.text)
    report.metadata_origin["agency"] = "text"
    if report.agency:
        return
    publisher = titles.clean(_first(header, _HEADER_PUBLISHER))
    # The bare file name when nothing better is there: a name must be published.
    named = titles.name_from_path(source.path) or source.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for name, origin, where in (
        (publisher, "header", "网页的发布机构"),
        (named, "file name", "文件名或文件夹名"),
    ):
        if name:
            report.agency = complete_agency(name, source.text)
            report.metadata_origin["agency"] = origin
            report.add(
                "warning",
                "agency_guessed",
                f"报告标题里没有找到机构名称，机构取自{where}「{report.agency}」：请核对，或在 front matter 写明 agency",
                table="report",
            )
            return


def _read_year(report: Report, meta: dict[str, Any], year: int | None, source: Source) -> None:
    given = meta.get("year")
    if _plausible_year(given):
        report.year, report.metadata_origin["year"] = given, "front matter"
        return
    if given is not None:
        report.add("warning", "bad_front_matter", f"front matter 的 year「{given}」不是年份，已从正文读取")
    if _plausible_year(year):
        report.year, report.metadata_origin["year"] = year, "text"
        return
    # No year in the title: the next-best evidence, each said in a warning.
    published = report.published
    for guess, origin, where in (
        (titles.year_of_statistics(source.text), "text", "正文的统计期限"),
        (titles.year_in_name(source.path), "file name", "文件名"),
        (
            published.year - 1 if published and published.month <= 6 else None,
            "published",
            "发布日期（上一年度）",
        ),
        (_year_from_body(source.text), "text", "正文中最常出现的年份"),
    ):
        if _plausible_year(guess):
            report.year, report.metadata_origin["year"] = guess, origin
            report.add(
                "warning",
                "year_guessed",
                f"报告标题里没有找到年度，年度取自{where}：{guess}年。请核对，或在 front matter 写明 year",
                table="report",
            )
            return


# --- cells -------------------------------------------------------------------


def _cell(token: Token, kind: str = "count") -> Cell:
    """A token as a cell: ``count`` cells hold whole numbers >= 0, ``signed``
    cells whole numbers of either sign, ``amount`` cells any number >= 0."""
    if token.kind == "blank":
        return Cell(None, "blank")
    if token.kind == "placeholder":
        return Cell(None, "placeholder", token.text)
    value = parse_number(token.text)
    if value is None or (kind != "amount" and isinstance(value, Decimal)) or (kind != "signed" and value < 0):
        return Cell(None, "text", token.text)
    return Cell.printed(value, token.text)


def _measure_kind(measure: str) -> str:
    return "signed" if measure in SIGNED_MEASURES else "amount" if measure in AMOUNT_MEASURES else "count"


def _trim_blanks(tokens: list[Token]) -> list[Token]:
    """Blank cells before and after a row's numbers are label padding."""
    start, end = 0, len(tokens)
    while start < end and tokens[start].kind == "blank":
        start += 1
    while end > start and tokens[end - 1].kind == "blank":
        end -= 1
    return tokens[start:end]


def _values(tokens: list[Token], start: int, end: int) -> list[Token]:
    return _trim_blanks([t for t in tokens[start:end] if t.kind != "text"])


# --- table 三 ------------------------------------------------------------------


class Segment:
    """Cells that a row printed too few numbers for: which go where is open.

    Two readings are tried, and the template arithmetic chooses between them:
    the numbers are some of the row's cells with the others left blank
    (:meth:`placements`), or the numbers lost the spaces between them and
    each is several cells run together, as text copied from a web page
    prints ``801000081`` for 80 1 0 0 0 0 81 (:meth:`splits`).
    """

    def __init__(self, table: str, row: str, keys: list[tuple[str, str]], cells: list[Cell]):
        self.table, self.row, self.keys, self.cells = table, row, keys, cells

    def placements(self) -> list[dict[int, Cell]]:
        return [
            dict(zip(slots, self.cells, strict=True))
            for slots in itertools.combinations(range(len(self.keys)), len(self.cells))
        ]

    @functools.cached_property
    def _splits(self) -> list[dict[int, Cell]]:
        return self._cut()

    def splits(self) -> list[dict[int, Cell]]:
        """Every way to cut the printed digit strings into exactly one value
        per cell (no value with a leading zero) that keeps the row's totals."""
        return self._splits

    def _cut(self) -> list[dict[int, Cell]]:
        runs = [c.raw for c in self.cells]
        width = len(self.keys)
        if (
            not all(r.isdigit() for r in runs)
            or not len(self.cells) < width <= sum(map(len, runs)) <= MAX_RUN
        ):
            return []
        out = []
        for values in _cuts(runs, width):
            if self._totals_hold(values):
                out.append({i: Cell(v, "printed", str(v)) for i, v in enumerate(values)})
        return out

    def _totals_hold(self, values: list[int]) -> bool:
        """Each total (the last of a row, the fifth of each group in 四) is the sum before it."""
        group = 5 if self.table == "reviews" else len(values)
        return all(
            sum(values[i : i + group - 1]) == values[i + group - 1] for i in range(0, len(values), group)
        )

    @property
    def glued(self) -> bool:
        """Runs that can only be several cells run together: a count is never
        printed "01" or "0000000", nor runs to seven digits."""
        runs = [c.raw for c in self.cells]
        return all(r.isdigit() for r in runs) and any(
            (len(r) > 1 and r.startswith("0")) or len(r) >= GLUED_LENGTH for r in runs
        )

    def options(self, prefer_splits: bool = True) -> list[tuple[str, dict[int, Cell]]]:
        """A digit run that can be cut so the row's totals hold is read as cut
        first; the numbers as some of the cells only if that fails (never for
        runs that are certainly glued)."""
        splits = [("split", o) for o in self.splits()]
        if (splits and prefer_splits) or self.glued:
            return splits
        return [("placement", o) for o in self.placements()] + splits


# The longest run of digits we try to cut into cells (two rows' worth of 4-digit values).
MAX_RUN = 40
# A run this long is never one count (counts of a million are implausible already).
GLUED_LENGTH = 7


def _one_digit_each(
    report: Report, table: str, row: str, keys: list[tuple[str, str]], cells: list[Cell], where: str
) -> bool:
    """Glued digits with exactly one digit per cell ("8100008" for seven
    cells) can only be read one way, whether or not the report's own totals
    hold: the cells are set as printed, and the checks say if the sums fail.
    Returns whether the row was settled here."""
    runs = [c.raw for c in cells]
    if not (len(cells) < len(keys) and all(r.isdigit() for r in runs) and sum(map(len, runs)) == len(keys)):
        return False
    if not any(len(r) > 1 for r in runs):
        return False
    digits = "".join(runs)
    for key, digit in zip(keys, digits, strict=True):
        report.table(table)[key] = Cell(int(digit), "printed", digit)
    message = (
        f"{where}的数字连在一起（{' '.join(runs)}），{len(keys)}格各一位数，只有一种拆法：{' '.join(digits)}"
    )
    report.add("warning", "digits_run_together", message, table=table, row=row)
    return True


def _cuts(runs: list[str], width: int) -> Iterator[list[int]]:
    """Cut each digit string into pieces, ``width`` pieces in all."""
    if not runs:
        if width == 0:
            yield []
        return
    first, rest = runs[0], runs[1:]
    for parts in range(1, min(len(first), width - len(rest)) + 1):
        for head in _pieces(first, parts):
            for tail in _cuts(rest, width - parts):
                yield head + tail


def _pieces(digits: str, parts: int) -> Iterator[list[int]]:
    if parts == 1:
        if digits == "0" or not digits.startswith("0"):
            yield [int(digits)]
        return
    for cut in range(1, len(digits) - parts + 2):
        piece = digits[:cut]
        if piece != "0" and piece.startswith("0"):
            break
        for rest in _pieces(digits[cut:], parts - 1):
            yield [int(piece), *rest]


def _find_requests(index: TextIndex, template: Template) -> list[tuple[str, Match | None]]:
    start = _requests_anchor(index, template)
    if start is None:
        return []
    first = template.rows[0]
    found: list[tuple[str, Match | None]] = [(first.code, start)]
    cursor = start.stop
    for row in template.rows[1:]:
        m = index.search(row.patterns, cursor, cursor + ROW_WINDOW)
        if m:
            m = index.widen(m, row.label, cursor)
        found.append((row.code, m))
        if m:
            cursor = m.stop
    return _collapsed_rows(index, template, found)


def _collapsed_rows(
    index: TextIndex, template: Template, found: list[tuple[str, Match | None]]
) -> list[tuple[str, Match | None]]:
    """A row printed in place of several (（六）其他处理 for its three items)."""
    where = dict(found)
    for variant in template.variants:
        if any(where.get(code) for code in variant.replaces):
            continue
        at = next(i for i, (code, _) in enumerate(found) if code == variant.replaces[0])
        before = next((m for _, m in reversed(found[:at]) if m), None)
        after = next((m for _, m in found[at:] if m), None)
        if before is None or after is None:
            continue
        m = index.search(variant.patterns, before.stop, after.at)
        if m:
            found = [*found[:at], (variant.code, m), *found[at:]]
    return found


def _requests_anchor(index: TextIndex, template: Template) -> Match | None:
    """Where table 三 starts: the first row's label followed by a row of numbers.

    The prose often says 本年新收…上年结转… with a number or two; the table
    is where the first row's label is followed by a full row of values.
    """
    first, second = template.rows[0], template.rows[1]
    width = len(template.applicants)
    best: tuple[int, Match] | None = None
    for pattern in first.patterns:
        for m in index.finditer(pattern):
            after = index.search(second.patterns, m.stop, m.stop + ROW_WINDOW)
            if after is None:
                continue
            count = len([t for t in index.tokens[m.end : after.start] if t.kind != "text"])
            score = min(count, width)
            if best is None or score > best[0]:
                best = (score, m)
            if score == width:
                return m
    return best[1] if best else None


def _table_end(index: TextIndex, after: int) -> int:
    """Token index where table 三 ends: the heading of 四, or of 五."""
    for code in ("reviews", "problems"):
        m = index.search([SECTION_PATTERNS[code]], after)
        if m:
            return m.start
    return len(index.tokens)


def parse_requests(
    report: Report, index: TextIndex, template: Template, segments: list[Segment]
) -> tuple[int, int] | None:
    """Fill ``report.requests``; return the token span of the table."""
    found = _find_requests(index, template)
    width = len(template.applicants)
    for row in template.rows:
        for col in template.applicant_codes:
            report.requests[(row.code, col)] = Cell()
    codes = {code for code, _ in found}
    for variant in template.variants:
        if variant.code in codes:
            for col in template.applicant_codes:
                report.requests[(variant.code, col)] = Cell()
    if not found:
        report.add(
            "error", "table_missing", "没有找到表三（收到和处理政府信息公开申请情况）", table="requests"
        )
        return None
    located = [(code, m) for code, m in found if m is not None]
    end_of_table = _table_end(index, located[-1][1].stop)
    plan: list[tuple[str, list[Token]]] = []
    for i, (code, m) in enumerate(located):
        stop = located[i + 1][1].start if i + 1 < len(located) else end_of_table
        last = i + 1 == len(located)
        tokens = _first_run(index.tokens, m.end, stop) if last else _values(index.tokens, m.start, stop)
        plan.append((code, tokens))
        if not last:
            _unknown_labels(report, template, code, index.tokens[m.end : stop])
    rows = template.rows_for(codes)
    by_order = _rows_by_order(index, located, rows, width, end_of_table)
    troubled = len(located) < len(rows) or any(len(t) > width for _, t in plan)
    missing_ok = False
    if by_order is not None and troubled:
        placed_by_label = {code for code, tokens in plan if len(tokens) == width}
        plan = [(row.code, tokens) for row, tokens in zip(rows, by_order, strict=True)]
        moved = [row for row in rows if row.code not in placed_by_label]
        report.add(
            "warning",
            "rows_by_order",
            f"表三有{len(moved)}行的行名与数字分开了（如「{moved[0].label}」），"
            f"表中恰有{len(rows)}行各{width}个数，按行的顺序对应",
            table="requests",
        )
        missing_ok = True
    for code, tokens in plan:
        _fill_row(report, template, code, tokens, width, segments)
    replaced = {r for v in template.variants if v.code in codes for r in v.replaces}
    for code, m in found:
        if code in replaced:
            label = template.row(code).label
            report.add(
                "info",
                "row_collapsed",
                f"表三把（六）其他处理印成一行，没有分列「{label}」，此行按缺失处理，合计见 other_processing",
                table="requests",
                row=code,
            )
        elif m is None and not missing_ok:
            label = template.row(code).label
            report.add(
                "warning", "row_missing", f"表三中没有找到「{label}」这一行", table="requests", row=code
            )
    return located[0][1].start, end_of_table


def _rows_by_order(
    index: TextIndex, located: list[tuple[str, Match]], rows: tuple[Row, ...], width: int, end: int
) -> list[list[Token]] | None:
    """The table's rows of numbers in printed order, when there is exactly one
    line of ``width`` numbers per row of the template.

    A PDF converted to Markdown pulls multi-line labels out of the table, so
    a row's numbers stand far from its label; the lines of numbers keep
    their order.  Every label that does stand on a line of numbers must be
    on the line its place in the table says, or the order is not trusted.
    """
    tokens = index.tokens
    lines: dict[int, list[Token]] = {}
    for token in tokens[located[0][1].start : end]:
        lines.setdefault(token.line, []).append(token)
    full = [
        line
        for line, items in lines.items()
        if len(values := _trim_blanks([t for t in items if t.kind != "text"])) == width
        and all(t.kind in ("number", "placeholder") for t in values)
    ]
    if len(full) != len(rows):
        return None
    order = {row.code: i for i, row in enumerate(rows)}
    for code, m in located:
        line = tokens[m.end - 1].line
        if line in full and full.index(line) != order.get(code):
            return None
    return [_trim_blanks([t for t in lines[line] if t.kind != "text"]) for line in full]


def _label_text(text: str) -> str:
    return fold(normalise(text))


@functools.cache
def _known_label_text(version: str) -> str:
    """Every label, group and column name of a template's table 三, folded, in one string."""
    template = TEMPLATES[version]
    known = [_label_text(t) for r in (*template.rows, *template.variants) for t in (r.label, r.group)]
    known += [_label_text(c.label) for c in (*template.applicants, *template.outcomes)]
    return "|".join(known)


def _unknown_labels(report: Report, template: Template, code: str, tokens: list[Token]) -> None:
    """Text among a row's numbers that is no piece of any label of the table.

    Wrapped label ends, group labels and vertical headings (本/年/度…) are
    pieces of the template's labels; anything else may be a row the template
    does not know, whose numbers were read as this row's.
    """
    known = _known_label_text(template.version)
    for token in tokens:
        text = _label_text(token.text)
        if token.kind == "text" and len(text) >= 4 and text not in known:
            report.add(
                "warning",
                "unknown_label",
                f"表三「{template.row(code).label}」之后有一段不认识的文字「{token.text}」，"
                "可能是模板以外的一行；其数字可能被算进了这一行",
                table="requests",
                row=code,
            )


def _first_run(tokens: list[Token], start: int, stop: int) -> list[Token]:
    """The last row's numbers: the run right after its label, up to the next text."""
    run: list[Token] = []
    for token in tokens[start:stop]:
        if token.kind == "text":
            if run:
                break
            continue
        run.append(token)
    return _trim_blanks(run)


def _fill_row(
    report: Report,
    template: Template,
    code: str,
    tokens: list[Token],
    width: int,
    segments: list[Segment],
) -> None:
    label = template.row(code).label
    cells = [_cell(t) for t in tokens]
    keys = [(code, col) for col in template.applicant_codes]
    for cell, token in zip(cells, tokens, strict=True):
        if cell.status == "text":
            report.add(
                "warning",
                "not_a_count",
                f"表三「{label}」有一格写的是「{token.text}」，不是件数，按空缺处理",
                table="requests",
                row=code,
            )
    if len(cells) == width:
        for key, cell in zip(keys, cells, strict=True):
            report.requests[key] = cell
    elif not cells:
        for key in keys:
            report.requests[key] = Cell(None, "blank")
        report.add("warning", "row_blank", f"表三「{label}」这一行没有填数", table="requests", row=code)
    elif len(cells) < width:
        if not _one_digit_each(report, "requests", code, keys, cells, f"表三「{label}」"):
            segments.append(Segment("requests", code, keys, cells))
    else:
        shown = " ".join(t.text for t in tokens)
        report.add(
            "error",
            "row_overflow",
            f"表三「{label}」有{len(cells)}个数（{shown}），多于{width}列，无法对应，全部按空缺处理",
            table="requests",
            row=code,
        )


# --- table 四 ------------------------------------------------------------------


def parse_reviews(
    report: Report, index: TextIndex, template: Template, after: int, segments: list[Segment]
) -> None:
    cells = template.review_cells
    for key in cells:
        report.reviews[key] = Cell()
    anchor = index.search([SECTION_PATTERNS["reviews"], "行政复议"], index.at_token(after))
    if anchor is None:
        report.add("error", "table_missing", "没有找到表四（行政复议、行政诉讼情况）", table="reviews")
        return
    end_match = index.search([SECTION_PATTERNS["problems"]], anchor.stop)
    stop = end_match.start if end_match else len(index.tokens)
    tokens = index.tokens
    first = next((i for i in range(anchor.end, stop) if tokens[i].kind in ("number", "placeholder")), None)
    if first is None:
        report.add("error", "table_empty", "表四没有任何数字", table="reviews")
        return
    line = [t for t in tokens[anchor.end : stop] if t.line == tokens[first].line]
    row = _trim_trailing([t for t in line if t.kind != "text"])
    if not any(t.kind == "blank" for t in row) or len(row) != len(cells):
        row = [t for t in tokens[first:stop] if t.kind in ("number", "placeholder")][: len(cells)]
    values = [_cell(t) for t in row]
    if len(values) == len(cells):
        for key, cell in zip(cells, values, strict=True):
            report.reviews[key] = cell
    else:
        if not _one_digit_each(report, "reviews", "", cells, values, "表四"):
            segments.append(Segment("reviews", "", cells, values))


def _trim_trailing(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[-1].kind == "blank":
        tokens = tokens[:-1]
    return tokens


# --- table 二 ------------------------------------------------------------------


def parse_proactive(report: Report, index: TextIndex, template: Template, before: int | None) -> None:
    for key in template.proactive_cells:
        report.proactive[key] = Cell()
    end = index.at_token(before) if before is not None else len(index.text)
    # The table's own heading first: the section's name also stands in the
    # introduction ("全文包括总体情况、主动公开政府信息情况……").
    anchor = index.search(["第二十条"], 0, end) or index.search([SECTION_PATTERNS["proactive"]], 0, end)
    start = anchor.at if anchor else 0
    found = 0
    for item in template.proactive:
        values = _labelled_values(index, item.patterns, start, end, len(item.measures))
        if values is None:
            continue
        found += 1
        if _glued_item(report, template, item, values):
            continue
        if len(values) < len(item.measures):
            _short_item(report, template, item, values)
            continue
        for measure, token in zip(item.measures, values, strict=False):
            cell = _cell(token, _measure_kind(measure))
            report.proactive[(item.code, measure)] = cell
            if cell.status == "text":
                report.add(
                    "warning",
                    "not_a_number",
                    f"表二「{item.label}」的「{template.measures[measure]}」写的是「{token.text}」，不是数字",
                    table="proactive",
                    row=item.code,
                    column=measure,
                )
    if found == 0 or (anchor is None and found < 2):
        for key in template.proactive_cells:
            report.proactive[key] = Cell()
        report.add("warning", "table_missing", "没有找到表二（主动公开政府信息情况）", table="proactive")


# Most ways of cutting a glued run of table 二 that a finding lists.
SHOWN_CANDIDATES = 6


def _glued_item(report: Report, template: Template, item: Any, values: list[Token]) -> bool:
    """An item of table 二 whose numbers lost the spaces between them ("行政规范性文件417").

    Table 二 has no arithmetic inside a report, so a run is cut only when it
    has exactly one digit per cell; otherwise every cell stays null and the
    finding lists the ways it could be read.  Returns whether the item was
    settled here.
    """
    width = len(item.measures)
    runs = [t.text for t in values]
    if not (len(values) < width <= sum(map(len, runs)) <= MAX_RUN and all(r.isdigit() for r in runs)):
        return False
    cuts = list(itertools.islice(_cuts(runs, width), 1000))
    shown = " ".join(runs)
    where = f"表二「{item.label}」"
    if len(cuts) == 1:
        for measure, value in zip(item.measures, cuts[0], strict=True):
            report.proactive[(item.code, measure)] = Cell(value, "printed", str(value))
        cut = " ".join(map(str, cuts[0]))
        message = f"{where}的数字连在一起（{shown}），{width}格各一位数，只有一种拆法：{cut}"
        report.add("warning", "digits_run_together", message, table="proactive", row=item.code)
        return True
    names = "、".join(template.measures[m] for m in item.measures)
    options = "；".join(" | ".join(map(str, c)) for c in cuts[:SHOWN_CANDIDATES])
    more = f"等{len(cuts)}种" if len(cuts) > SHOWN_CANDIDATES else f"共{len(cuts)}种"
    message = (
        f"{where}的数字连在一起（{shown}），拆成{names}{width}格有不止一种拆法（{options}，{more}），"
        "表二没有勾稽关系可以确定，保持空缺"
    )
    for measure in item.measures:
        report.proactive[(item.code, measure)] = Cell(None, "missing", shown)
    report.add("error", "digits_run_together", message, table="proactive", row=item.code)
    return True


def _short_item(report: Report, template: Template, item: Any, values: list[Token]) -> None:
    """An item of table 二 that printed fewer numbers than it has cells.

    Which cell was left blank cannot be told (table 二 has no arithmetic, and
    a converted table may have lost a cell anywhere), so every cell of the
    item stays null and the finding says what was printed.
    """
    shown = " ".join(t.text for t in values)
    names = "、".join(template.measures[m] for m in item.measures)
    for measure in item.measures:
        report.proactive[(item.code, measure)] = Cell(None, "missing", shown)
    report.add(
        "warning",
        "row_short",
        f"表二「{item.label}」只有{len(values)}个数（{shown}），应有{len(item.measures)}个（{names}）；"
        "无法确定哪一格空缺，全部按空缺处理",
        table="proactive",
        row=item.code,
    )


def _labelled_values(
    index: TextIndex, patterns: Sequence[str], start: int, end: int, count: int
) -> list[Token] | None:
    """The value cells right after a label: the first match followed by numbers."""
    at = start
    while True:
        m = index.search(patterns, at, end)
        if m is None:
            return None
        run: list[Token] = []
        for token in index.tokens[m.end :]:
            if token.kind == "text" or len([t for t in run if t.kind != "blank"]) == count:
                break
            run.append(token)
        values = [t for t in _trim_blanks(run) if t.kind != "blank"] or None
        if values:
            return values
        at = m.stop


# --- resolving short rows with the arithmetic ---------------------------------


def _known(report: Report) -> dict[Key, int]:
    known: dict[Key, int] = {}
    for table in ("requests", "reviews"):
        for (row, col), cell in report.table(table).items():
            if cell.value is not None:
                known[(table, row, col)] = int(cell.value)
    return known


def _solve(
    equations: list, known: dict[Key, int], unknown: set[Key], hypothesis: set[Key]
) -> dict[Key, int] | None:
    try:
        return arithmetic.propagate(equations, known, unknown, hypothesis)
    except arithmetic.Contradiction:
        return None


def resolve(report: Report, template: Template, segments: list[Segment]) -> None:
    """Place the numbers of short rows where the arithmetic allows, then fill
    blank cells the arithmetic forces.  Every decision is a finding."""
    equations = list(template.equations_for({row for row, _ in report.requests}))
    if segments:
        _resolve_segments(report, equations, segments)
    _derive_blanks(report, equations)


def _resolve_segments(report: Report, equations: list, segments: list[Segment]) -> None:
    # Glued runs that no cut fits: the report's totals contradict every reading.
    for seg in [s for s in segments if s.glued and not s.splits()]:
        _unsplittable(report, seg)
    segments = [s for s in segments if not (s.glued and not s.splits())]
    # Glued runs with one cut that keeps their own totals are read that way
    # whatever the rest of the table says (its contradictions are the checks' to report).
    for seg in [s for s in segments if s.glued and len(s.splits()) == 1]:
        for slot, cell in seg.splits()[0].items():
            report.table(seg.table)[seg.keys[slot]] = cell
        _settle(report, seg, [], 1, split=True, decided_here=True)
    segments = [s for s in segments if not (s.glued and len(s.splits()) == 1)]
    if not segments:
        return
    outcomes, total = _outcomes(report, equations, segments, [s.options() for s in segments])
    if not outcomes and any(s.splits() for s in segments):
        outcomes, total = _outcomes(report, equations, segments, [s.options(False) for s in segments])
    for i, seg in enumerate(segments):
        kinds = {kinds[i] for _, kinds in outcomes}
        _settle(report, seg, [o for o, _ in outcomes], total, split=kinds == {"split"})


Outcome = tuple[dict[Key, tuple[int, str]], tuple[str, ...]]


def _outcomes(
    report: Report, equations: list, segments: list[Segment], choices: list[list]
) -> tuple[list[Outcome], int]:
    """Every combination of the segments' options that the arithmetic accepts."""
    total = 1
    for c in choices:
        total *= len(c)
    base = _known(report)
    seg_keys = {(s.table, *k) for s in segments for k in s.keys}
    unknown_base = {
        (t, r, c)
        for t in ("requests", "reviews")
        for (r, c), cell in report.table(t).items()
        if cell.value is None
    } | seg_keys
    outcomes: list[Outcome] = []
    if total <= MAX_PLACEMENTS:
        for combo in itertools.product(*choices):
            known = dict(base)
            printed: dict[Key, int] = {}
            for seg, (_, option) in zip(segments, combo, strict=True):
                for slot, cell in option.items():
                    if cell.value is not None:
                        printed[(seg.table, *seg.keys[slot])] = int(cell.value)
            known.update(printed)
            unknown = unknown_base - printed.keys()
            solved = _solve(equations, known, unknown, set(printed))
            if solved is None:
                continue
            result = {k: (v, "printed") for k, v in printed.items()}
            result.update({k: (v, "derived") for k, v in solved.items() if k in seg_keys})
            outcomes.append((result, tuple(kind for kind, _ in combo)))
    return outcomes, total


def _settle(
    report: Report,
    seg: Segment,
    outcomes: list[dict],
    total: int,
    split: bool = False,
    decided_here: bool = False,
) -> None:
    template = TEMPLATES[report.template]
    table = report.table(seg.table)
    decided, open_ = [], []
    for key in [] if decided_here else seg.keys:
        full = (seg.table, *key)
        seen = {o.get(full) for o in outcomes}
        values = {v[0] if v else None for v in seen}
        if outcomes and None not in values and len(values) == 1:
            status = "printed" if all(v[1] == "printed" for v in seen) else "derived"
            table[key] = Cell(values.pop(), status)
            decided.append(key)
        else:
            table[key] = Cell(None, "missing")
            open_.append(key)
    shown = " ".join(c.raw or "空" for c in seg.cells)
    where = _where(template, seg)
    if split and not open_:
        cut = " ".join(str(table[k].value) for k in seg.keys)
        message = f"{where}的数字连在一起（{shown}），按勾稽关系只有一种拆法：{cut}"
        report.add("warning", "digits_run_together", message, table=seg.table, row=seg.row)
        return
    if split:
        message = (
            f"{where}的数字连在一起（{shown}），按勾稽关系有不止一种拆法，{len(open_)}格无法确定，保持空缺"
        )
        report.add("error", "digits_run_together", message, table=seg.table, row=seg.row)
        return
    if not outcomes:
        why = "没有一种对应方式符合勾稽关系" if total <= MAX_PLACEMENTS else "可能的对应方式太多"
        message = f"{where}只有{len(seg.cells)}个数（{shown}），少于{len(seg.keys)}列；{why}，全部按空缺处理"
        report.add("error", "short_row", message, table=seg.table, row=seg.row)
        return
    derived = [k for k in decided if table[k].status == "derived"]
    names = "、".join(f"「{_column_label(template, seg.table, k[1])}」{table[k].value}" for k in derived)
    message = (
        f"{where}只有{len(seg.cells)}个数（{shown}），少于{len(seg.keys)}列；"
        f"按勾稽关系确定了{len(decided)}格"
        + (f"，其中推算的是：{names}" if derived else "")
        + (f"；{len(open_)}格无法确定，保持空缺" if open_ else "")
    )
    report.add("warning", "short_row", message, table=seg.table, row=seg.row)


def _unsplittable(report: Report, seg: Segment) -> None:
    table = report.table(seg.table)
    for key in seg.keys:
        table[key] = Cell(None, "missing")
    shown = " ".join(c.raw for c in seg.cells)
    where = _where(TEMPLATES[report.template], seg)
    message = (
        f"{where}的数字连在一起（{shown}），没有一种拆成{len(seg.keys)}格的拆法能使本行的合计成立"
        "（报告本身的数字可能有误），全部按空缺处理"
    )
    report.add("error", "digits_run_together", message, table=seg.table, row=seg.row)


def _where(template: Template, seg: Segment) -> str:
    if seg.table == "reviews":
        return "表四"
    return f"表三「{template.row(seg.row).label}」"


def _derive_blanks(report: Report, equations: list) -> None:
    """Blank and placeholder cells that the arithmetic forces to one value.

    Cells of rows the report does not have at all stay missing: deriving a
    row the agency never printed would put words in its mouth.
    """
    template = TEMPLATES[report.template]
    known = _known(report)
    unknown = {
        (t, r, c)
        for t in ("requests", "reviews")
        for (r, c), cell in report.table(t).items()
        if cell.status in ("blank", "placeholder")
    }
    if not unknown:
        return
    for _ in range(len(equations)):
        try:
            solved = arithmetic.propagate(equations, known, unknown)
            break
        except arithmetic.Contradiction as exc:
            equations = [eq for eq in equations if eq is not exc.equation]
    else:
        return
    by_row: dict[tuple[str, str], list[str]] = {}
    for (table, row, col), value in solved.items():
        cell = report.table(table)[(row, col)]
        report.table(table)[(row, col)] = Cell(value, "derived", cell.raw)
        by_row.setdefault((table, row), []).append(col)
    for (table, row), cols in sorted(by_row.items(), key=lambda item: _order(template, *item[0])):
        cols.sort(key=lambda c: _order(template, table, c))
        names = "、".join(
            f"「{_column_label(template, table, c)}」{report.table(table)[(row, c)].value}" for c in cols
        )
        report.add(
            "info",
            "derived_value",
            f"{_row_name(template, table, row)}原为空白或占位符的{len(cols)}格按勾稽关系只能是：{names}，已作为推算值发布",
            table=table,
            row=row,
            column=cols[0] if len(cols) == 1 else "",
        )


def _order(t: Template, table: str, code: str) -> int:
    """Where a row or column stands in the printed table, for listing cells in order."""
    if table == "requests":
        codes: list[str] = []
        for row in t.rows:
            codes += [v.code for v in t.variants if v.replaces[0] == row.code]
            codes.append(row.code)
        codes += t.applicant_codes
    else:
        codes = [c.code for c in (*t.proceedings, *t.outcomes)]
    return codes.index(code) if code in codes else len(codes)


def _row_name(t: Template, table: str, row: str) -> str:
    if table == "requests":
        return f"表三「{t.row(row).label}」行"
    return "表四「" + next(c.label for c in t.proceedings if c.code == row) + "」"


def _column_label(t: Template, table: str, col: str) -> str:
    columns = t.applicants if table == "requests" else t.outcomes
    return next(c.label for c in columns if c.code == col)


# --- prose -------------------------------------------------------------------

_PARAGRAPH_END = re.compile(r"[。！？；：:;!?]\s*$")
_SUBHEADING = re.compile(
    r"^\s*(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、．.](?!\d))"
)


def _heading_lines(lines: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, raw in enumerate(lines):
        line = "".join(normalise(raw).lstrip("# ").split())
        for code, pattern in SECTION_PATTERNS.items():
            if code in found:
                continue
            if re.match(SECTION_NUMERALS[code] + r"[、.]?" + pattern, line):
                found[code] = i
    return found


def _as_markdown(lines: list[str], layout: str) -> str:
    if "markdown" in layout:
        return "\n".join(line.replace("\t", " ") for line in lines).strip()
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if current and (_PARAGRAPH_END.search(current) or _SUBHEADING.match(line)):
            paragraphs.append(current)
            current = ""
        current += line
    if current:
        paragraphs.append(current)
    return "\n\n".join(re.sub(r"^([#>*+\-]|\d+\.)", r"\\\1", p) for p in paragraphs)


def parse_prose(report: Report, source: Source, table_lines: list[int]) -> None:
    lines = source.lines
    headings = _heading_lines(lines)
    bounds = sorted(set(headings.values()) | set(table_lines) | {len(lines)})
    for code in ("overview", "problems", "other"):
        if code not in headings:
            report.add(
                "info", "section_missing", f"没有找到「{SECTIONS[code]}」这一节", table="report", row=code
            )
            continue
        start = headings[code]
        end = next(b for b in bounds if b > start)
        body = [ln for ln in lines[start + 1 : end] if not _is_title(ln)]
        report.prose[code] = _as_markdown(body, source.layout)


def _is_title(line: str) -> bool:
    """The report's title line, which some reports put under 一、总体情况."""
    return len(line.strip()) < 60 and titles.split_title(titles.clean(line)) is not None


# --- the whole report --------------------------------------------------------


def _prescribed(template: Template, year: int | None) -> bool:
    low, high = template.years
    return year is not None and low <= year <= high


def choose_template(report: Report, index: TextIndex) -> Template:
    """The template a report follows: by the headings of its table 二, which
    differ between the two; by its year where those are missing.

    A report is never forced into the other template's fields: a 2019-format
    table 二 keeps its own items and measures even in a 2021 report, with a
    warning that the agency used an outdated form.
    """
    found = {t.version: [m for m in t.markers if m in index.text] for t in (TEMPLATE_2021, TEMPLATE_2019)}
    by_headings = bool(found["2019"]) != bool(found["2021"])
    if by_headings:
        template = TEMPLATE_2019 if found["2019"] else TEMPLATE_2021
    else:
        template = TEMPLATE_2019 if _prescribed(TEMPLATE_2019, report.year) else TEMPLATE_2021
    report.template = template.version
    if by_headings and report.year and not _prescribed(template, report.year):
        how = f"表二的栏目（{'、'.join(found[template.version][:3])}）"
        report.add(
            "warning",
            "template_year_mismatch",
            f"按{how}，本报告用的是{template.title}，与报告年度{report.year}年应使用的格式不符；已按报告实际使用的格式读取",
            table="report",
        )
    return template


def parse(source: Source) -> Report:
    """A decoded source file to a report with all tables filled and resolved."""
    report = Report(report_id_for(source.path, source.meta), source.path, layout=source.layout)
    if report.report_id == report_id_for("", source.meta) and source.meta.get("id"):
        report.metadata_origin["id"] = "front matter"
    for warning in source.warnings:
        report.add("warning", "bad_front_matter", warning, table="report")
    read_metadata(report, source)
    tokens = tokenize(source.text)
    index = TextIndex(tokens)
    template = choose_template(report, index)
    segments: list[Segment] = []
    span = parse_requests(report, index, template, segments)
    parse_proactive(report, index, template, span[0] if span else None)
    parse_reviews(report, index, template, span[1] if span else 0, segments)
    resolve(report, template, segments)
    # Prose sections end where a table begins, even when its heading is missing.
    table_lines = [tokens[span[0]].line] if span else []
    anchor = index.search(["第二十条"])
    if anchor:
        table_lines.append(tokens[anchor.start].line)
    parse_prose(report, source, table_lines)
    return report
