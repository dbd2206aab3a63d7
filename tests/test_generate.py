"""The corpus generator: deterministic, every layout, read back exactly."""

from __future__ import annotations

import pytest

from nianbao.site import build
from nianbao.template import TEMPLATES
from tools.generate import LAYOUTS, MIX, generate


def test_the_same_seed_gives_the_same_files(tmp_path):
    a = generate(tmp_path / "a", 12, seed=7)
    b = generate(tmp_path / "b", 12, seed=7)
    assert [g.path.read_bytes() for g in a] == [g.path.read_bytes() for g in b]
    assert {g.layout for g in a} == set(LAYOUTS) == set(MIX)
    assert {g.template for g in a} == {"2019", "2021"}


@pytest.mark.slow
def test_generated_reports_read_back_exactly_and_only_the_broken_ones_are_flagged(tmp_path):
    made = generate(tmp_path / "content", 120, seed=3, broken_share=0.1)
    assert any(g.broken == "sum" for g in made) and any(g.broken == "not_a_report" for g in made)
    summary = build(tmp_path / "content", tmp_path / "site")
    reports = {r.source: r for r in summary.reports}
    assert {p.source for p in summary.problems} == {g.path.name for g in made if g.broken == "not_a_report"}
    for g in made:
        if g.broken == "not_a_report":
            continue
        report = reports[g.path.name]
        assert (report.agency, report.year, report.template) == (g.agency, g.year, g.template)
        T = TEMPLATES[g.template]
        for row in T.rows:
            assert [report.requests[(row.code, c)].value for c in T.applicant_codes] == g.rows[row.code]
        assert [report.reviews[k].value for k in T.review_cells] == g.reviews
        errors = {f.code for f in report.findings if f.severity != "info"}
        assert errors == ({"outcome_sum_mismatch", "row_total_mismatch"} if g.broken else set()), g.path.name
