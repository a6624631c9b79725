"""mypy, configured in pyproject.toml ([tool.mypy]), passes on the package."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_mypy_passes():
    out = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Success: no issues found" in out.stdout


def test_the_whole_package_is_held_to_full_signatures():
    config = (ROOT / "pyproject.toml").read_text()
    mypy = config.split("[tool.mypy]", 1)[1]
    for rule in ("disallow_untyped_defs = true", "disallow_incomplete_defs = true", "check_untyped_defs = true"):
        assert rule in mypy
    for relaxed in (
        "disallow_untyped_defs = false",
        "disallow_incomplete_defs = false",
        "check_untyped_defs = false",
        "ignore_errors = true",
    ):
        assert relaxed not in mypy, f"no module of meia_cnn may be exempted: {relaxed}"
