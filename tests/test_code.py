"""The code itself: typed (mypy finds no error), lint-clean (ruff), and laid
out as a one-way flow (no stage imports a stage above it)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "nianbao"
# Each stage may import the stages before it and the foundation, never one after it.
ORDER = ["read", "parse", "check", "publish", "site"]
FOUNDATION = {"template", "model", "config", "urls", "text", "arithmetic", "catalog", "indicators", "i18n"}


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path(sys.executable).with_name(name))


@pytest.mark.slow
def test_mypy_finds_no_error():
    result = subprocess.run([_tool("mypy"), "nianbao"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(path: Path) -> set[str]:
    """The nianbao modules a file imports, as dotted names under nianbao."""
    module = path.relative_to(ROOT).with_suffix("").parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(module[: len(module) - node.level + (path.name == "__init__.py")])
                target = base + (node.module.split(".") if node.module else [])
                names = [target] if node.module else [[*target, a.name] for a in node.names]
            elif (node.module or "").startswith("nianbao"):
                names = [node.module.split(".")]
            else:
                continue
            found.update(".".join(n[1:]) for n in names if n and n[0] == "nianbao")
    return {f for f in found if f}


def _stage(name: str) -> str:
    top = name.split(".")[0]
    return top if top in ORDER else ("foundation" if top in FOUNDATION else top)


def test_stages_import_only_what_comes_before_them():
    rank = {"foundation": -1, **{s: i for i, s in enumerate(ORDER)}}
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _stage(".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        if here not in rank:
            continue  # the build's own helpers (cache, summary, workers, output) serve site.py
        for name in _imports(path):
            there = _stage(name)
            if there in rank and there != here and rank[there] > rank[here]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_the_foundation_imports_no_stage():
    for name in FOUNDATION:
        path = PACKAGE / f"{name}.py"
        stages = {_stage(i) for i in _imports(path)} & set(ORDER)
        assert not stages, (name, stages)
