"""Timing helpers shared by the benchmark scripts: warm-up, repeats, median."""

from __future__ import annotations

import time

import numpy as np


def time_call(fn, *, warmup=3, repeats=20):
    """Run ``fn`` ``warmup`` times untimed, then ``repeats`` times; return seconds per run."""
    for _ in range(warmup):
        fn()
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - start
    return times


def machine():
    """One line on what the figures were measured with: numpy, its BLAS and threads, CPUs."""
    import os

    import threadpoolctl

    info = threadpoolctl.threadpool_info()
    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)" for i in info)
    return f"numpy {np.__version__}; BLAS: {blas}; {os.cpu_count()} CPUs"


def row(measure, value, unit, target, ok=None):
    """One line of the results table; ``target`` is a text such as '<= 3 ms'."""
    if ok is None:
        ok = _meets(value, target)
    return {"measure": measure, "value": value, "unit": unit, "target": target, "ok": ok}


def _meets(value, target):
    op, _, number = target.partition(" ")
    limit = float(number.split()[0])
    return value <= limit if op == "<=" else value >= limit


def print_table(rows, title=None):
    if title:
        print(title)
    width = max([len(r["measure"]) for r in rows] + [7])
    print(f"{'measure':<{width}}  {'value':>12}  {'target':<14} ok")
    for r in rows:
        value = f"{r['value']:.2f} {r['unit']}" if isinstance(r["value"], float) else f"{r['value']} {r['unit']}"
        print(f"{r['measure']:<{width}}  {value:>12}  {r['target']:<14} {'yes' if r['ok'] else 'NO'}")
