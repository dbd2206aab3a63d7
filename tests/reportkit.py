"""Build small synthetic reports for unit tests: a consistent table 三 and 四
that a test then breaks in exactly one way."""

from __future__ import annotations

from nianbao import Report, check, parse, read_source
from nianbao.template import TEMPLATE_2021 as T

# A consistent table 三: 10 received + 2 carried over = 11 processed + 1 carried forward.
GOOD = {code: [0] * 7 for code in T.row_codes}
GOOD["new_received"] = [8, 1, 0, 0, 1, 0, 10]
GOOD["carried_over"] = [2, 0, 0, 0, 0, 0, 2]
GOOD["granted"] = [5, 1, 0, 0, 0, 0, 6]
GOOD["unavailable_not_held"] = [4, 0, 0, 0, 1, 0, 5]
GOOD["total_processed"] = [9, 1, 0, 0, 1, 0, 11]
GOOD["carried_forward"] = [1, 0, 0, 0, 0, 0, 1]
REVIEWS = [1, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]

HEAD = "某县人民政府2022年政府信息公开工作年度报告\n\n一、总体情况\n\n本年度收到申请10件。\n\n"
PROACTIVE = (
    "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n"
    "规章 0 0 0\n行政规范性文件 3 1 20\n第二十条第（五）项\n行政许可 100\n"
    "第二十条第（六）项\n行政处罚 5\n行政强制 0\n第二十条第（八）项\n行政事业性收费 1.5\n\n"
)
TAIL = "五、存在的主要问题及改进情况\n\n问题不少。\n\n六、其他需要报告的事项\n\n无。\n"


def row_line(code: str, values: list, sep: str = " ") -> str:
    return sep.join([T.row(code).label, *map(str, values)])


def report_text(rows: dict | None = None, reviews: list | None = None, lines: dict | None = None) -> str:
    """The report as PDF-like text; ``lines`` replaces a row's whole line."""
    rows = {**GOOD, **(rows or {})}
    lines = lines or {}
    body = [lines.get(code) or row_line(code, rows[code]) for code in T.row_codes]
    return (
        HEAD
        + PROACTIVE
        + "三、收到和处理政府信息公开申请情况\n"
        + "\n".join(body)
        + "\n\n四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
        + " ".join(map(str, reviews or REVIEWS))
        + "\n\n"
        + TAIL
    )


def parse_text(text: str, name: str = "r.txt") -> Report:
    """Read, parse and check, as the build does."""
    return check(parse(read_source(name, text.encode("utf-8"))))


def values(report: Report, code: str) -> list:
    return [report.requests[(code, c)].value for c in T.applicant_codes]


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]
