"""The scoring script: exact, wrong-and-flagged, wrong-and-unflagged cells."""

import shutil

import pytest
from conftest import EXPECTED, ROOT

from nianbao.score import main, score
from nianbao.site import build

CORPUS = ROOT.parent / "shared" / "corpus"


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


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus is not beside the project")
def test_corpus_text_has_no_silently_wrong_cell(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in CORPUS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    build(content, tmp_path / "out")
    result = score(tmp_path / "out", CORPUS / "expected")
    assert result.unflagged == 0, result.silent
    assert result.missing_reports == []
    assert result.exact == 600  # every cell of the three corpus texts
