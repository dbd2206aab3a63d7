"""The GitHub Actions workflow that tests, builds and deploys the site."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def test_workflow_is_valid_for_github_actions():
    cli = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))
    result = subprocess.run(
        [cli, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_tests_builds_and_deploys_with_the_official_pages_actions():
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    build = flow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in build]
    uses = [s.get("uses", "").split("@")[0] for s in (*build, *flow["jobs"]["deploy"]["steps"])]
    built = next(i for i, r in enumerate(runs) if r.startswith("python build.py"))
    assert "python -m pytest" in runs and runs.index("python -m pytest") < built
    assert "steps.pages.outputs.base_url" in runs[built]  # absolute addresses where the site is served
    # "Report an error" opens an issue on the repository the site is built from.
    assert '--repository "${{ github.server_url }}/${{ github.repository }}"' in runs[built]
    pages = next(i for i, s in enumerate(build) if s.get("uses", "").startswith("actions/configure-pages"))
    assert build[pages]["id"] == "pages" and pages < built
    assert build[0]["with"]["fetch-depth"] == 0  # the changelog needs the whole history
    assert "chromium" in next(r for r in runs if "pip install" in r)  # the browser tests run
    assert "-c constraints.txt" in next(r for r in runs if "pip install" in r)  # the locked versions
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    cache = next(i for i, s in enumerate(build) if s.get("uses", "").startswith("actions/cache"))
    assert cache < built and {".site.cache", "site"} <= set(build[cache]["with"]["path"].split())
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_ci_script_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in readme and ci.strip().endswith("python -m pytest")
    assert "pip install -c constraints.txt -e '.[test]'" in readme
    assert "pip install --quiet -c constraints.txt -e '.[test]'" in ci
