"""Shared fixtures: the seed reports, their hand-transcribed values, a built site."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from nianbao.site import build
from tools.score import matches  # noqa: F401 - the tests' rule for expected cells

# Builds in the tests skip the full-text search index (Pagefind, ~0.8 s a build)
# unless a test asks for it (the browser tests and tests/test_search.py do).
os.environ.setdefault("NIANBAO_SEARCH", "0")

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "data" / "seeds"
EXPECTED = SEEDS / "expected"
ROOT = HERE.parent
SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt"))


def expected(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def raw_seed_folder(tmp_path_factory) -> Path:
    """A folder holding only the five raw seed files, without front matter."""
    folder = tmp_path_factory.mktemp("raw-seeds")
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def seed_site(raw_seed_folder, tmp_path_factory):
    """The whole site built from the raw seeds, once for the session."""
    out = tmp_path_factory.mktemp("site") / "out"
    summary = build(raw_seed_folder, out)
    return summary
