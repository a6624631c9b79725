"""The code reads one way: ruff's lint rules and formatter, configured in pyproject.toml ([tool.ruff]), pass.

The same two commands run before each commit through pre-commit (.pre-commit-config.yaml).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.subprocess


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed (it comes with the test extra: pip install -e '.[test]')")
    return [found]


def test_ruff_lint_passes():
    done = subprocess.run(
        [*_ruff(), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_ruff_format_leaves_every_file_as_it_is():
    done = subprocess.run(
        [*_ruff(), "format", "--no-cache", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_pre_commit_runs_the_same_two_commands():
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "ruff check" in config and "ruff format" in config
    assert "repo: local" in config, "the hooks use the environment's ruff: no download at commit time"
