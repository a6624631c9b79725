"""Speed of ``meia_cnn.ops.conv2d`` on the issue's four float32 cases.

Each case: 3 warm-up runs, 30 timed runs, the median reported.  The 512x512
case also reports the peak extra memory (tracemalloc sees numpy's buffers):
the im2col copy of the windows plus the output.

    python benchmarks/bench_ops.py
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, print_table, row, time_call  # noqa: E402

from meia_cnn.ops import conv2d  # noqa: E402

CASES = [
    # (label, input shape, kernel shape, padding, target ms)
    ("conv2d 64x28x28x1, 6 kernels 5x5", (64, 28, 28, 1), (5, 5, 1, 6), "valid", 3.0),
    ("conv2d 64x14x14x6, 16 kernels 5x5", (64, 14, 14, 6), (5, 5, 6, 16), "valid", 3.0),
    ("conv2d 512x512x3, 8 kernels 3x3", (512, 512, 3), (3, 3, 3, 8), "same", 15.0),
    ("conv2d 32x32x32x16, 32 kernels 3x3", (32, 32, 32, 16), (3, 3, 16, 32), "same", 6.0),
]


def peak_extra_memory_mb(x, k, padding):
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    out = conv2d(x, k, padding=padding)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del out
    return peak / 2**20


def run(repeats=30):
    rng = np.random.default_rng(0)
    rows = []
    for label, xs, ks, padding, target in CASES:
        x = rng.standard_normal(xs).astype(np.float32)
        k = rng.standard_normal(ks).astype(np.float32)
        times = time_call(lambda x=x, k=k, padding=padding: conv2d(x, k, padding=padding), repeats=repeats)
        rows.append(row(f"{label} ({padding})", float(np.median(times) * 1e3), "ms", f"<= {target:g} ms"))
        if xs == (512, 512, 3):
            mb = peak_extra_memory_mb(x, k, padding)
            input_mb = x.nbytes / 2**20
            rows.append(
                row(f"  peak extra memory (input is {input_mb:.1f} MiB)", round(mb, 1), "MiB", "reported", ok=True)
            )
    return rows


if __name__ == "__main__":
    print(machine())
    print_table(run(), "conv2d, float32, median of 30 runs")
