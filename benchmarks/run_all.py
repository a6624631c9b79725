"""Run every benchmark and print one table: what was measured, the figure, the target.

    python benchmarks/run_all.py        (or: make bench)

Targets are the ones the kit promises: conv2d speed, widget redraw time,
key press -> drawing in the browser, training time and accuracy, notebook
run times.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import machine, print_table  # noqa: E402

SUITES = [
    ("ops", "bench_ops"),
    ("widgets", "bench_widgets"),
    ("browser", "bench_browser"),
    ("training", "bench_train"),
    ("notebooks", "bench_notebooks"),
    ("memory", "bench_memory"),
    ("hub", "bench_hub"),
]


def main():
    rows, failures = [], []
    for title, module_name in SUITES:
        start = time.perf_counter()
        module = importlib.import_module(module_name)
        suite_rows = module.run()
        print(f"[{title}: {time.perf_counter() - start:.0f} s]", file=sys.stderr)
        for r in suite_rows:
            r["measure"] = f"{title}: {r['measure']}"
        rows.extend(suite_rows)
        failures.extend(r for r in suite_rows if not r["ok"])
    print(machine())
    print_table(rows, "meia-cnn benchmarks")
    print(f"\n{len(rows) - len(failures)} of {len(rows)} figures meet their targets")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
