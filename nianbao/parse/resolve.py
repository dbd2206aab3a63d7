"""Short rows and blank cells settled by the template's arithmetic.

Where a row printed fewer numbers than it has cells, every placement of
those numbers (and every cut of run-together digits) is tried against the
template's equations; a cell is published only when all accepted readings
agree on it.  Blank cells the arithmetic forces are published as derived.
Every decision is a finding.
"""

from __future__ import annotations

import itertools

from .. import arithmetic
from ..model import Cell, Report, Status
from ..template import TEMPLATES, Template
from .cells import Key
from .digits import Segment

# How many ways of placing short rows' numbers we are willing to try.
MAX_PLACEMENTS = 20000


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
    # Glued runs with one cut that keeps their own totals are read that way
    # whatever the rest of the table says (its contradictions are the checks' to report).
    for seg in [s for s in segments if s.glued and len(s.splits()) == 1]:
        for slot, cell in seg.splits()[0].items():
            report.table(seg.table)[seg.keys[slot]] = cell
        _one_cut(report, seg)
    segments = [s for s in segments if not s.glued or len(s.splits()) > 1]
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


def _one_cut(report: Report, seg: Segment) -> None:
    """The finding for a digit run whose cells were set by its one possible cut."""
    table = report.table(seg.table)
    shown = " ".join(c.raw or "空" for c in seg.cells)
    cut = " ".join(str(table[k].value) for k in seg.keys)
    message = (
        f"{_where(TEMPLATES[report.template], seg)}的数字连在一起（{shown}），按勾稽关系只有一种拆法：{cut}"
    )
    report.add("warning", "digits_run_together", message, table=seg.table, row=seg.row)


def _settle(report: Report, seg: Segment, outcomes: list[dict], total: int, split: bool = False) -> None:
    template = TEMPLATES[report.template]
    table = report.table(seg.table)
    decided, open_ = [], []
    for key in seg.keys:
        full = (seg.table, *key)
        seen = {o.get(full) for o in outcomes}
        values = {v[0] if v else None for v in seen}
        if outcomes and None not in values and len(values) == 1:
            status: Status = "printed" if all(v and v[1] == "printed" for v in seen) else "derived"
            table[key] = Cell(values.pop(), status)
            decided.append(key)
        else:
            table[key] = Cell(None, "missing")
            open_.append(key)
    shown = " ".join(c.raw or "空" for c in seg.cells)
    where = _where(template, seg)
    if split and not open_:
        _one_cut(report, seg)
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
