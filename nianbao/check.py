"""Step 3: check a parsed report against the template's arithmetic (勾稽关系).

Each equation of the template either holds, fails (an ``error`` finding with
the numbers a clerk needs to find the mistake) or cannot be assessed because
one of its cells is missing (an ``info`` finding: not assessable is neither a
pass nor a failure).
"""

from __future__ import annotations

from .arithmetic import holds
from .model import Report
from .template import TEMPLATES, Equation, Template

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
    for eq in template.equations_for({row for row, _ in report.requests}):
        result = holds(eq, values)
        where = {"table": eq.table}
        if eq.where in template.row_codes or eq.where == "other_processing" or eq.table == "reviews":
            where["row"] = eq.where
        else:
            where["column"] = eq.where
        if result is False:
            report.add("error", eq.kind, _failure(template, report, eq), **where)
        elif result is None:
            name = CHECK_NAMES[eq.kind]
            message = f"{_label(template, eq.table, eq.where)}的“{name}”无法核对：其中有空缺的格"
            report.add("info", "check_not_assessable", message, **where)
    return report


def passes_arithmetic(report: Report) -> bool:
    return not any(f.code in CHECK_NAMES for f in report.findings)
