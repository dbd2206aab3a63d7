"""Derived indicators: the ratios people compare across agencies and years.

Each indicator is defined once here, as data (its code, its Chinese and
English names, its formula in words, the cells above and below the line), and
that one definition computes the value, fills the ``indicators`` resource,
labels the charts and documents the formula on the data page.

An indicator is ``None`` when any cell it needs is null or the denominator is
0: a ratio over an unknown or empty base is not a number to rank agencies by.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .model import Report
from .template import APPLICANTS, OUTCOMES, PROCEEDINGS, TEMPLATES

Cell = tuple[str, str, str]  # (table, row, column)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    label_en: str
    formula: str  # in words, with the template's labels
    formula_en: str
    numerator: tuple[Cell, ...]
    denominator: tuple[Cell, ...]
    scale: int = 1  # 1: a share (shown as %); 100: per 100 requests

    def parts(self, report: Report) -> tuple[Decimal | int, Decimal | int] | None:
        """Numerator and denominator, or None when either is unknown or the base is 0."""
        top = _sum(report, self.numerator)
        bottom = _sum(report, self.denominator)
        if top is None or not bottom:
            return None
        return top, bottom

    def value(self, report: Report) -> float | None:
        parts = self.parts(report)
        if parts is None:
            return None
        return round(float(parts[0]) / float(parts[1]) * self.scale, 6)

    @property
    def percent(self) -> bool:
        return self.scale == 1


def _sum(report: Report, cells: tuple[Cell, ...]) -> Decimal | int | None:
    total: Decimal | int = 0
    for table, row, column in cells:
        value = report.value(table, row, column)
        if value is None:
            return None
        total += value
    return total


def _rows(prefix: str) -> tuple[str, ...]:
    # Rows shared by both templates, so one formula serves both.
    shared = set(TEMPLATES["2021"].row_codes) & set(TEMPLATES["2019"].row_codes)
    return tuple(c for c in TEMPLATES["2021"].row_codes if c.startswith(prefix) and c in shared)


def _requests(rows: tuple[str, ...], column: str = "total") -> tuple[Cell, ...]:
    return tuple(("requests", row, column) for row in rows)


_TOTAL = _requests(("total_processed",))
_NEW = _requests(("new_received",))
_LITIGATION = tuple(("reviews", p.code, "total") for p in PROCEEDINGS if p.group == "行政诉讼")
_CORRECTED = tuple(("reviews", p.code, "corrected") for p in PROCEEDINGS)
_DECIDED = tuple(("reviews", p.code, o.code) for p in PROCEEDINGS for o in OUTCOMES[:3])

_APPLICANT_EN = {
    "natural_person": "natural persons",
    "commercial": "businesses",
    "research": "research institutions",
    "social_welfare": "public-interest organisations",
    "legal_service": "legal service providers",
    "other_org": "other organisations",
}

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "granted_share",
        "予以公开占比",
        "Granted in full",
        "三（一）予以公开 ÷ 三（七）总计（总计列）",
        "3(1) granted in full ÷ 3(7) total processed (total column)",
        _requests(("granted",)),
        _TOTAL,
    ),
    Indicator(
        "granted_or_partial_share",
        "予以公开或部分公开占比",
        "Granted in full or in part",
        "（三（一）予以公开 + 三（二）部分公开）÷ 三（七）总计",
        "(3(1) granted + 3(2) partly granted) ÷ 3(7) total processed",
        _requests(("granted", "partially_granted")),
        _TOTAL,
    ),
    Indicator(
        "denied_share",
        "不予公开占比",
        "Refused",
        "三（三）不予公开 1–8 项之和 ÷ 三（七）总计",
        "sum of 3(3) refusals 1–8 ÷ 3(7) total processed",
        _requests(_rows("denied_")),
        _TOTAL,
    ),
    Indicator(
        "unavailable_share",
        "无法提供占比",
        "Cannot be provided",
        "三（四）无法提供 1–3 项之和 ÷ 三（七）总计",
        "sum of 3(4) cannot provide 1–3 ÷ 3(7) total processed",
        _requests(_rows("unavailable_")),
        _TOTAL,
    ),
    Indicator(
        "not_processed_share",
        "不予处理占比",
        "Not processed",
        "三（五）不予处理 1–5 项之和 ÷ 三（七）总计",
        "sum of 3(5) not processed 1–5 ÷ 3(7) total processed",
        _requests(_rows("not_processed_")),
        _TOTAL,
    ),
    *(
        Indicator(
            f"applicant_share_{column.code}",
            f"{column.label}申请占比" if column.code != "other_org" else "其他法人或组织申请占比",
            f"Requests from {_APPLICANT_EN[column.code]}",
            f"一、本年新收申请（{column.label}列）÷ 一、本年新收申请（总计列）",
            f"1. new requests ({_APPLICANT_EN[column.code]}) ÷ 1. new requests (total)",
            _requests(("new_received",), column.code),
            _NEW,
        )
        for column in APPLICANTS
        if column.code != "total"
    ),
    Indicator(
        "reconsideration_per_100",
        "每百件申请的行政复议",
        "Reconsiderations per 100 requests",
        "四 行政复议总计 ÷ 一、本年新收申请（总计列）× 100",
        "4 reconsiderations (total) ÷ 1. new requests (total) × 100",
        (("reviews", "reconsideration", "total"),),
        _NEW,
        100,
    ),
    Indicator(
        "litigation_per_100",
        "每百件申请的行政诉讼",
        "Lawsuits per 100 requests",
        "（四 未经复议直接起诉总计 + 复议后起诉总计）÷ 一、本年新收申请（总计列）× 100",
        "(4 direct lawsuits + lawsuits after reconsideration) ÷ 1. new requests (total) × 100",
        _LITIGATION,
        _NEW,
        100,
    ),
    Indicator(
        "correction_rate",
        "纠错率",
        "Correction rate",
        "四 行政复议与行政诉讼「结果纠正」之和 ÷ 已审结（结果维持 + 结果纠正 + 其他结果）之和",
        "corrected ÷ decided (upheld + corrected + other), over reconsideration and both kinds of lawsuit",
        _CORRECTED,
        _DECIDED,
    ),
)

BY_CODE = {i.code: i for i in INDICATORS}
# The indicators the lists, rankings and charts lead with.
HEADLINE = ("granted_or_partial_share", "denied_share", "reconsideration_per_100", "correction_rate")


def indicators(report: Report) -> dict[str, float | None]:
    return {i.code: i.value(report) for i in INDICATORS}


def show(code: str, value: float | None) -> str:
    """``12.5%`` for a share, ``3.2`` for a rate per 100; ``—`` when unknown."""
    if value is None:
        return "—"
    return f"{value:.1%}" if BY_CODE[code].percent else f"{value:.1f}"
