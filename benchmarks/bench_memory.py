"""Memory of the explorers under a class's use: 10,000 random control changes each, RSS growth.

    python benchmarks/bench_memory.py                 every explorer, 1,000 + 10,000 changes
    python benchmarks/bench_memory.py --changes 2000  fewer changes (quicker)

Each explorer runs in a fresh Python process (headless: control values are
set from Python, which runs the same observers as a page does).  After a
warm-up of 1,000 changes (caches fill, first pictures are encoded), the
resident memory is read, 10,000 more changes are made, and the growth is
reported.  Target: at most 10 MB per explorer.  Resident memory is read with
psutil when installed, else from ``/proc/self/statm``.

The changes are those a class makes: a control moved to one of the values it
offers (most of them), the step slider moved, now and then a value no control
offers (``None``, -1, 10**9, "x") and a kernel typed with a mistake.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the repository, for tests.driving

TARGET_MB = 10.0
WARMUP = 1_000
CHANGES = 10_000
HOSTILE = (None, -1, 10**9, "x")
TEXTS = ("1 2 1\n2 4 2\n1 2 1", "0 0 0\n0 1 0\n0 0 0", "1 2\n3 x", "-1 0 1\n-2 0 2\n-1 0 1")


def rss_bytes() -> int:
    """Resident memory of this process, in bytes."""
    try:
        import psutil
    except ImportError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return int(psutil.Process().memory_info().rss)


def _choices(viz) -> list:
    """``(name, values)`` of every control a student moves (buttons, uploads, Play excluded)."""
    from tests.driving import control_values

    out = []
    for name, control in viz.controls.items():
        if name == "step":
            continue
        values = control_values(control, n=8)
        if values:
            if isinstance(control.value, str) and not hasattr(control, "options"):
                values = list(TEXTS) if name == "kernel_text" else values
            out.append((name, values))
    return out


def random_changes(viz, n: int, *, seed: int = 0) -> int:
    """Make ``n`` random changes to ``viz``'s controls; return how many were accepted by the controls."""
    rng = np.random.default_rng(seed)
    choices = _choices(viz)
    step = viz.controls.get("step")
    accepted = 0
    for _ in range(n):
        roll = rng.random()
        try:
            if step is not None and roll < 0.2:
                step.index = int(rng.integers(len(step.options)))
            elif roll < 0.25:
                name, _ = choices[int(rng.integers(len(choices)))]
                viz.controls[name].value = HOSTILE[int(rng.integers(len(HOSTILE)))]
            else:
                name, values = choices[int(rng.integers(len(choices)))]
                viz.controls[name].value = values[int(rng.integers(len(values)))]
            accepted += 1
        except Exception:  # noqa: BLE001 - the control itself refused the value (traitlets validation)
            pass
    return accepted


def measure(name: str, changes: int = CHANGES, warmup: int = WARMUP, seed: int = 0) -> dict:
    """Build explorer ``name``, warm it up, and measure the RSS growth over ``changes`` changes."""
    import meia_cnn.widgets as mw

    viz = getattr(mw, name)()
    random_changes(viz, warmup, seed=seed)
    gc.collect()
    before = rss_bytes()
    random_changes(viz, changes, seed=seed + 1)
    gc.collect()
    after = rss_bytes()
    viz.close()
    return {"name": name, "changes": changes, "before_mb": before / 2**20, "growth_mb": (after - before) / 2**20}


def run(changes: int = CHANGES, warmup: int = WARMUP) -> list[dict]:
    """One row per explorer (each measured in its own process)."""
    from _common import row

    import meia_cnn.widgets as mw

    rows = []
    for name in sorted(mw._EXPLORERS):
        out = subprocess.run(
            [sys.executable, __file__, "--one", name, "--changes", str(changes), "--warmup", str(warmup)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(
            row(
                f"{name}: RSS growth over {changes:,} changes",
                round(result["growth_mb"], 2),
                "MB",
                f"<= {TARGET_MB:g} MB",
            )
        )
        print(
            f"{name:28s} {result['growth_mb']:7.2f} MB growth (RSS {result['before_mb']:.0f} MB after warm-up)",
            file=sys.stderr,
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=CHANGES)
    parser.add_argument("--warmup", type=int, default=WARMUP)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.changes, args.warmup)))
        return 0
    from _common import print_table

    rows = run(args.changes, args.warmup)
    print_table(rows, f"Explorer memory: {args.warmup:,} changes of warm-up, then {args.changes:,}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
