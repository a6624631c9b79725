"""The explorers' JavaScript is typed: each file checked with ``// @ts-check``, each scene a JSDoc ``@typedef``.

TypeScript (``tsc``, from ``npm install`` at the repository's root; see the
README's developer notes) checks them against the JSDoc types; without it the
check is skipped, so ``make test`` needs no npm.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from meia_cnn.widgets._assets import JS_DIR

ROOT = Path(__file__).resolve().parents[2]


def _tsc():
    local = ROOT / "node_modules" / ".bin" / "tsc"
    return str(local) if local.is_file() else shutil.which("tsc")


@pytest.mark.parametrize("path", sorted(JS_DIR.glob("*.js")), ids=lambda p: p.name)
def test_each_module_asks_for_its_types_to_be_checked(path):
    source = path.read_text(encoding="utf-8")
    assert source.startswith("// @ts-check\n")
    if path.name not in ("draw.js", "upload.js"):
        assert re.search(r"@typedef \{object\} Scene\n", source), "the scene the page receives is typed"
        assert '/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */' in source


@pytest.mark.skipif(
    _tsc() is None,
    reason="TypeScript's tsc is not installed: run `npm install` at the repository's root (README, developer notes)",
)
def test_the_explorers_javascript_type_checks():
    run = subprocess.run(
        [_tsc(), "-p", str(JS_DIR)], capture_output=True, text=True, timeout=300, cwd=ROOT, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
