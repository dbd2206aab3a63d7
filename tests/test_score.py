"""The scoring script: exact, wrong-and-flagged, wrong-and-unflagged cells."""

import shutil

from conftest import EXPECTED

from tools.score import main, score


def test_the_seed_site_scores_every_cell_exact(seed_site):
    result = score(seed_site.output, EXPECTED)
    assert (result.exact, result.flagged, result.unflagged) == (5 * 200, 0, 0)


def test_a_silently_wrong_cell_is_counted_and_named(seed_site, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(seed_site.output, site)
    requests = site / "data" / "requests.csv"
    text = requests.read_text(encoding="utf-8")
    requests.write_text(
        text.replace(
            "000-3925396cff2e10ed,new_received,total,104,", "000-3925396cff2e10ed,new_received,total,105,"
        ),
        encoding="utf-8",
    )
    result = score(site, EXPECTED)
    assert (result.exact, result.unflagged) == (999, 1)
    assert result.silent == ["000_3925396cff2e10ed requests new_received total: published 105, expected 104"]
    assert main([str(site), str(EXPECTED)]) == 1
    assert "cells wrong and unflagged: 1" in capsys.readouterr().out


def test_a_wrong_cell_with_a_finding_on_its_row_is_flagged(seed_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(seed_site.output, site)
    requests = site / "data" / "requests.csv"
    requests.write_text(
        requests.read_text(encoding="utf-8").replace(
            "000-3925396cff2e10ed,granted,total,81,", "000-3925396cff2e10ed,granted,total,80,"
        ),
        encoding="utf-8",
    )
    quality = site / "data" / "quality.csv"
    quality.write_text(
        quality.read_text(encoding="utf-8")
        + "000-3925396cff2e10ed,error,row_total_mismatch,x,requests,granted,,s\n",
        encoding="utf-8",
    )
    result = score(site, EXPECTED)
    assert (result.flagged, result.unflagged) == (1, 0)
