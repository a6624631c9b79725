"""mypy, configured in pyproject.toml ([tool.mypy]), passes on the package."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes():
    out = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Success: no issues found" in out.stdout


def test_the_core_is_held_to_full_signatures():
    config = (ROOT / "pyproject.toml").read_text()
    assert "disallow_untyped_defs = true" in config
    relaxed = config.split("[[tool.mypy.overrides]]", 1)[1]
    for core in ("meia_cnn.arithmetic", "meia_cnn.ops", "meia_cnn.data", "meia_cnn._validation",
                 "meia_cnn.architectures", "meia_cnn._datasets", '"meia_cnn"', "meia_cnn.*"):
        assert core not in relaxed
