"""Where the reference training spends its time: per layer, forward and backward.

Trains :func:`meia_cnn.nn.train_reference` (the notebook-07 recipe, seed 0)
with every layer's ``forward`` and ``backward``, the loss, the optimiser's
step and the per-epoch evaluation wrapped in timers, and prints the seconds
and the share of the whole run each one takes.  The timers read this
thread's CPU time (``time.thread_time``): on a shared, loaded machine the
wall clock also counts the time spent waiting for a core, the CPU time only
the work (``fit`` runs on this one thread).  The training is repeated
``--repeats`` times after a warm-up; the table is the median per entry.
With ``--pyinstrument`` it also prints pyinstrument's call tree of one run
(``pip install pyinstrument``).

    python benchmarks/profile_train.py [--repeats 3] [--threads 1] [--pyinstrument]

``fit`` runs BLAS on one thread whatever ``--threads`` says; the option sets
numpy's BLAS pool outside it (the evaluation after each epoch runs inside
``fit``).  The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

from meia_cnn.nn import Adam, Sequential, digits_split, train_reference  # noqa: E402
from meia_cnn.nn.losses import SoftmaxCrossEntropy  # noqa: E402


def _load() -> str:
    try:
        return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        return "load average unknown"


class _Timers:
    """Seconds per label, added up while a training runs."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.depth = 0  # only the outermost timer counts (evaluation calls the layers too)

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return fn(*args, **kwargs)
            self.depth += 1
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.thread_time() - start
                self.calls[label] += 1
                self.depth -= 1

        return timed


def _instrument(timers: _Timers) -> Callable[[], None]:
    """Patch the classes' methods with timers; return the function that undoes it."""
    originals: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, attr: str, label: Callable[[Any], str]) -> None:
        fn = getattr(owner, attr)
        originals.append((owner, attr, fn))

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            return timers.wrap(label(self), functools.partial(fn, self))(*args, **kwargs)

        setattr(owner, attr, method)

    from meia_cnn.nn import layers

    # the public methods and, where they exist, the unchecked ones that fit calls
    # (one call is timed once: only the outermost timer counts)
    for cls in (layers.Conv2D, layers.MaxPool2D, layers.ReLU, layers.Flatten, layers.Dense, SoftmaxCrossEntropy):
        for attr in ("forward", "_forward", "backward", "_backward"):
            if hasattr(cls, attr):
                kind = attr.strip("_")
                patch(cls, attr, lambda self, kind=kind: f"{getattr(self, 'name', None) or 'loss'} {kind}")
    patch(Adam, "step", lambda self: "Adam step")
    patch(Sequential, "_loss_and_accuracy", lambda self: "evaluation after each epoch")

    def undo() -> None:
        for owner, attr, fn in originals:
            setattr(owner, attr, fn)

    return undo


def profile(repeats: int) -> tuple[dict[str, float], dict[str, int], float]:
    """Median seconds per label over ``repeats`` runs, the calls of one run, and the median total."""
    digits_split()
    train_reference()  # warm-up, untimed
    runs: list[dict[str, float]] = []
    totals: list[float] = []
    calls: dict[str, int] = {}
    for _ in range(repeats):
        timers = _Timers()
        undo = _instrument(timers)
        try:
            start = time.thread_time()
            train_reference()
            totals.append(time.thread_time() - start)
        finally:
            undo()
        runs.append(dict(timers.seconds))
        calls = dict(timers.calls)
    labels = list(runs[0])
    return {k: float(np.median([r.get(k, 0.0) for r in runs])) for k in labels}, calls, float(np.median(totals))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (median per entry)")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads outside fit")
    parser.add_argument("--pyinstrument", action="store_true", help="also print pyinstrument's call tree")
    args = parser.parse_args(argv)
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    print(machine())
    print(_load())
    seconds, calls, total = profile(args.repeats)
    wall, cpu = time.perf_counter(), time.thread_time()
    train_reference()
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    timed = sum(seconds.values())
    width = max(len(k) for k in seconds)
    print(f"\ntrain_reference(), median of {args.repeats} (timers on), CPU time; {_load()}")
    print(f"{'where':<{width}}  {'calls':>6}  {'seconds':>8}  {'µs/call':>8}  {'share':>6}")
    for label, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        n = calls.get(label, 1)
        print(f"{label:<{width}}  {n:>6}  {s:>8.3f}  {1e6 * s / n:>8.1f}  {100 * s / total:>5.1f}%")
    print(
        f"{'rest of fit (batches, loop, checks)':<{width}}  {'':>6}  {total - timed:>8.3f}  {'':>8}  "
        f"{100 * (total - timed) / total:>5.1f}%"
    )
    print(f"{'whole training (timers on)':<{width}}  {'':>6}  {total:>8.3f}")
    print(f"{'one run without timers, CPU':<{width}}  {'':>6}  {cpu:>8.3f}")
    print(f"{'one run without timers, wall clock':<{width}}  {'':>6}  {wall:>8.3f}")
    if args.pyinstrument:
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("pyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
            return 1
        profiler = Profiler(interval=0.0002)
        profiler.start()
        train_reference()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
