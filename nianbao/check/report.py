"""Step 3: check a parsed report against the template's arithmetic (勾稽关系).

Each equation of the template either holds, fails (an ``error`` finding with
the numbers a clerk needs to find the mistake) or cannot be assessed because
one of its cells is missing (an ``info`` finding: not assessable is neither a
pass nor a failure).
"""

from __future__ import annotations

import re

from ..arithmetic import holds
from ..model import Report
from ..template import TEMPLATES, Equation, Template
from ..text import normalise

CHECK_NAMES = {
    "balance_mismatch": "第一项加第二项之和等于第三项加第四项之和",
    "outcome_sum_mismatch": "（七）总计等于各项办理结果之和",
    "row_total_mismatch": "总计等于各类申请人之和",
    "review_total_mismatch": "总计等于四种结果之和",
}


def _label(template: Template, table: str, code: str) -> str:
    if table == "requests":
        columns = {c.code: c.label for c in template.applicants}
        if code in columns:
            return f"表三「{columns[code]}」列"
        return f"表三「{template.row(code).label}」行"
    return "表四「" + next(p.label for p in template.proceedings if p.code == code) + "」"


def _values(report: Report, eq: Equation, side: tuple[tuple[str, str], ...]) -> list[int]:
    return [int(report.value(eq.table, r, c) or 0) for r, c in side]


def _failure(template: Template, report: Report, eq: Equation) -> str:
    where = _label(template, eq.table, eq.where)
    left, right = _values(report, eq, eq.left), _values(report, eq, eq.right)
    if eq.kind == "balance_mismatch":
        return (
            f"{where}：本年新收{left[0]}加上年结转{left[1]}等于{sum(left)}，"
            f"但办理结果总计{right[0]}加结转下年度{right[1]}等于{sum(right)}"
        )
    if eq.kind == "outcome_sum_mismatch":
        return f"{where}：（七）总计为{left[0]}，但各项办理结果相加为{sum(right)}"
    if eq.kind == "row_total_mismatch":
        return f"{where}：总计为{left[0]}，但各类申请人相加为{sum(right)}"
    return f"{where}：总计为{left[0]}，但结果维持、结果纠正、其他结果、尚未审结相加为{sum(right)}"


def check(report: Report) -> Report:
    """Add a finding for every equation that fails or cannot be assessed."""
    template = TEMPLATES[report.template]
    values = {
        (table, r, c): cell.value
        for table in ("requests", "reviews")
        for (r, c), cell in report.table(table).items()
    }
    failed: list[Equation] = []
    for eq in template.equations_for({row for row, _ in report.requests}):
        result = holds(eq, values)
        where = {"table": eq.table}
        # Table 三's equations run along a row or down an applicant column.
        if eq.table == "reviews" or eq.where not in template.applicant_codes:
            where["row"] = eq.where
        else:
            where["column"] = eq.where
        if result is False:
            failed.append(eq)
            report.add("error", eq.kind, _failure(template, report, eq), **where)
        elif result is None:
            name = CHECK_NAMES[eq.kind]
            message = f"{_label(template, eq.table, eq.where)}的“{name}”无法核对：其中有空缺的格"
            report.add("info", "check_not_assessable", message, **where)
    if report.recognised:
        doubt_recognised(report, template, failed)
    check_prose(report)
    check_plausible(report)
    report.region_wide_requests = region_wide_count(report)
    return report


# The prose counting requests across the whole region: "全区共受理政府信息公开申请21件".
_REGION_WIDE = re.compile(
    r"全(?:省|市|区|县|旗|州|盟)(?:共|累计)?(?:收到|受理|接收)[^。;；]{0,20}?申请(\d+)件"
)


def region_wide_count(report: Report) -> int | None:
    """The requests the overview says the whole region received, if it says."""
    said = _REGION_WIDE.search(prose_text(report, ("overview",)))
    return int(said.group(1)) if said else None


def doubt_recognised(report: Report, template: Template, failed: list[Equation]) -> None:
    """In a report read from pictures, an equation that fails may be a digit
    misread rather than the agency's mistake, and which one cannot be told:
    every recognised number it adds up is published as null, with a finding
    that names what was read."""
    doubted = {(eq.table, row, column) for eq in failed for row, column in (*eq.left, *eq.right)}
    for table, row, column in sorted(doubted):
        cell = report.table(table).get((row, column))
        if cell is None or cell.status != "recognised":
            continue
        read = cell.value
        cell.value, cell.status, cell.raw = None, "unrecognised", str(read)
        report.add(
            "warning",
            "ocr_doubted",
            f"{template.cell_name(table, row, column)}在图片上读作 {read}，但它所在的勾稽关系不成立，"
            "可能识别有误，按空缺处理",
            table=table,
            row=row,
            column=column,
        )


# No body in China receives a million disclosure requests in a year (the
# largest provinces report tens of thousands): a bigger count is a misreading.
PLAUSIBLE_MAX = 1_000_000


def check_plausible(report: Report) -> None:
    for table in ("requests", "reviews"):
        for (row, column), cell in report.table(table).items():
            if cell.value is not None and cell.value >= PLAUSIBLE_MAX:
                report.add(
                    "warning",
                    "implausible_value",
                    f"表{'三' if table == 'requests' else '四'}有一格是{cell.value}，不像真实的件数，请核对原报告",
                    table=table,
                    row=row,
                    column=column,
                )


# What the prose says it counted, in normalised text without white space.
_PROSE_REQUESTS = re.compile(
    r"(?:收到|受理|接收|新收)[^。;；]{0,20}?(?:申请|依申请公开)[^。;；\d]{0,4}?(\d+)件"
)
_PROSE_RECONSIDERATION = re.compile(r"行政复议(?:案件)?(?:共)?(\d+)件")
_PROSE_LITIGATION = re.compile(r"行政诉讼(?:案件)?(?:共)?(\d+)件")


def prose_text(report: Report, sections: tuple[str, ...] = ("overview", "problems", "other")) -> str:
    """The prose as the count patterns read it: NFKC, without white space."""
    return re.sub(r"\s+", "", normalise("".join(report.prose.get(code, "") for code in sections)))


def check_prose(report: Report) -> None:
    """The counts the prose states against the tables.

    Reports count requests three ways in their prose (this year's, this
    year's plus last year's, or those answered), so any of the three agrees;
    a number matching none is a warning that names the table's cell.
    """
    text = prose_text(report)
    total = lambda table, row: report.value(table, row, "total")  # noqa: E731
    said = _PROSE_REQUESTS.search(text)
    new, carried, done = (
        total("requests", "new_received"),
        total("requests", "carried_over"),
        total("requests", "total_processed"),
    )
    if said and new is not None:
        readings = {new, done} | ({new + carried} if carried is not None else set())
        if int(said.group(1)) not in readings:
            report.add(
                "warning",
                "prose_mismatch",
                f"正文说“{said.group(0)}”，但表三本年新收{new}件"
                + (f"、加上年结转共{new + carried}件" if carried is not None else "")
                + (f"、办理结果总计{done}件" if done is not None else "")
                + "，都不是"
                + said.group(1),
                table="requests",
                row="new_received",
                column="total",
            )
    review = _PROSE_RECONSIDERATION.search(text)
    reconsidered = total("reviews", "reconsideration")
    if review and reconsidered is not None and int(review.group(1)) != reconsidered:
        report.add(
            "warning",
            "prose_mismatch",
            f"正文说“{review.group(0)}”，但表四行政复议总计为{reconsidered}件",
            table="reviews",
            row="reconsideration",
            column="total",
        )
    suit = _PROSE_LITIGATION.search(text)
    direct, after = (
        total("reviews", "litigation_direct"),
        total("reviews", "litigation_after_reconsideration"),
    )
    if suit and direct is not None and after is not None and int(suit.group(1)) != direct + after:
        report.add(
            "warning",
            "prose_mismatch",
            f"正文说“{suit.group(0)}”，但表四行政诉讼总计为{direct + after}件（未经复议直接起诉{direct}件，复议后起诉{after}件）",
            table="reviews",
            row="litigation_direct",
            column="total",
        )


def passes_arithmetic(report: Report) -> bool:
    """No template equation fails (equations that cannot be checked do not count against it)."""
    return not any(f.code in CHECK_NAMES for f in report.findings)
