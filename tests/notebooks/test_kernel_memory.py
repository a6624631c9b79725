"""A lean kernel: the heaviest notebooks, run top to bottom, leave their kernel at most 100 MiB.

A class on one hub pays each student's kernel in memory; the goal is 100 MiB per kernel after
Run All (``benchmarks/bench_hub.py --kernels`` measures every notebook). 03 and 07 are the
heaviest (digits, photos, a trained CNN); the kernel's resident size is read from
``/proc/<pid>/status`` once every cell has run in a fresh kernel.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
LIMIT_MIB = 100
HEAVIEST = ["03_volumes_and_feature_maps", "07_cnn_classification"]

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/status"),
]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@pytest.mark.parametrize("name", HEAVIEST)
def test_the_kernel_stays_under_100_mib_after_run_all(name):
    from nbclient import NotebookClient

    from tools import slides

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    with slides.kernel_manager() as km:
        client = NotebookClient(nb, timeout=600, kernel_name="python3", km=km,
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        with client.setup_kernel(cleanup_kc=True):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            rss = _rss_mib(km.provisioner.process.pid)
    assert rss <= LIMIT_MIB, f"{name}: kernel RSS {rss:.1f} MiB after Run All (goal <= {LIMIT_MIB} MiB)"
