"""Time every notebook run top to bottom in a fresh kernel, as a student would.

Targets: each notebook under 60 s, the whole set under 3 minutes.

    python benchmarks/bench_notebooks.py [notebooks/NAME.ipynb ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table, row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def time_notebook(path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def run(paths=None):
    paths = [Path(p) for p in paths] if paths else sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    rows, total = [], 0.0
    for path in paths:
        seconds = time_notebook(path)
        total += seconds
        rows.append(row(f"notebook {path.stem}", round(seconds, 1), "s", "<= 60 s"))
    rows.append(row(f"all {len(paths)} notebooks", round(total, 1), "s", "<= 180 s"))
    return rows


if __name__ == "__main__":
    print_table(run(sys.argv[1:]), "Notebooks, fresh kernel each, top to bottom")
