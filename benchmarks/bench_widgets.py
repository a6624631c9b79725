"""Redraw time of every explorer, control by control.

For every explorer listed in ``meia_cnn.widgets._EXPLORERS``: build it with
its defaults, then drive every control in ``.controls`` through its range
(sliders from min to max in several steps, every option of a dropdown or
toggle, both states of a checkbox, the texts a text box takes) and time each
change from setting ``.value`` to a finished ``fig.canvas.draw()``: the
callback, the core's work, the artists' updates, the full Agg render and the
PNG the canvas sends to the browser.  For an explorer drawn in the browser
(no ``.fig``), the time from setting ``.value`` to the new scene set on
its view; ``benchmarks/bench_browser.py`` measures what a person sees.  Buttons, uploads and Play buttons are
not driven (a Train button starts minutes of work on purpose; Play only
moves a slider that is driven itself).

Each control gets one untimed warm-up sweep, then ``repeats`` timed sweeps.
Per explorer: the median and the 95th percentile of all its changes, and its
worst control (largest median).  Targets: median <= 30 ms, p95 <= 80 ms.

By default the canvas is told a browser view is attached (ipympl's
``initialized`` message), as in a live notebook: the canvas then sends only
the changed pixels as PNG.  ``--no-frontend`` measures the headless path,
where every draw also re-encodes the whole figure as a data URL.

    python benchmarks/bench_widgets.py [--repeats 2] [--values 6] [--cpu] [Explorer ...]

Explorers whose module is not there (yet) are listed as "not available".
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.driving
from _common import print_table, row  # noqa: E402

TARGET_MEDIAN_MS = 30.0
TARGET_P95_MS = 80.0
from tests.driving import (  # noqa: E402,F401  (shared with the contract test)
    SKIPPED_TYPES,
    _is_skipped,
    _option_values,
    _sequence,
    _spread,
    control_values,
    plan,
)


def _attach_frontend(explorer):
    """Tell the canvas a browser view is attached (what ipympl's front-end does)."""
    if getattr(explorer, "fig", None) is None:
        return False  # drawn in the browser: nothing to attach
    canvas = explorer.fig.canvas
    try:
        canvas._handle_message(canvas, {"type": "initialized"}, [])
    except Exception:  # pragma: no cover - another ipympl: measure the headless path
        return False
    return True


#: The clock: wall time (what a student waits), or with ``--cpu`` this process's CPU time,
#: steadier on a shared machine (it leaves out the time other programs take the cores).
_clock = time.perf_counter


def _draw_of(explorer):
    """The figure's draw for an ipympl explorer; nothing for a browser-drawn one
    (setting ``.value`` already computed the state and sent the scene)."""
    fig = getattr(explorer, "fig", None)
    return fig.canvas.draw if fig is not None else (lambda: None)


def _drive(explorer, name, values, repeats, timings, errors):
    control = explorer.controls[name]
    start = control.value
    draw = _draw_of(explorer)
    for sweep in range(1 + repeats):  # sweep 0 warms up
        for v in _sequence(values, control.value):
            t0 = _clock()
            control.value = v
            draw()
            dt = _clock() - t0
            if sweep:
                timings.append(dt)
            if explorer.error:
                errors.add(f"{name}={v!r}: {explorer.error}")
    if control.value != start:
        control.value = start
        draw()


def measure(cls, *, repeats=2, n_values=6, frontend=True):
    """Time every control of a default ``cls()``; returns a dict of results."""
    t0 = time.perf_counter()
    explorer = cls()
    build = time.perf_counter() - t0
    try:
        if frontend:
            _attach_frontend(explorer)
        _draw_of(explorer)()
        # text boxes: record the texts they take while the other controls move
        texts = {}
        watchers = []
        for name, control in explorer.controls.items():
            if isinstance(getattr(control, "value", None), str) and not hasattr(control, "options"):
                texts[name] = []

                def record(change, name=name):
                    texts[name].append(change["new"])

                control.observe(record, names="value")
                watchers.append((control, record))
        _, skipped = plan(explorer, n_values)
        per_control, errors = {}, set()
        # values are read when a control's turn comes: another control may have changed its range
        for name in explorer.controls:
            if name in skipped or name in texts:
                continue
            per_control[name] = []
            values = control_values(explorer.controls[name], n_values)
            _drive(explorer, name, values, repeats, per_control[name], errors)
        for control, record in watchers:
            control.unobserve(record, names="value")
        for name, values in plan(explorer, n_values, texts=texts)[0]:
            if name in texts:
                per_control[name] = []
                _drive(explorer, name, values, repeats, per_control[name], errors)
    finally:
        explorer.close()
        gc.collect()
    return dict(build=build, per_control=per_control, skipped=skipped, errors=sorted(errors))


def _load(name, module):
    """The explorer class, or None when its module does not exist yet."""
    full = f"meia_cnn.widgets.{module}"
    try:
        mod = importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if exc.name == full:
            return None
        raise
    return getattr(mod, name, None)


def run(names=None, *, repeats=2, n_values=6, frontend=True):
    """Rows for ``benchmarks/run_all.py``: median, p95 and worst control per explorer."""
    from meia_cnn.widgets import _EXPLORERS

    rows = []
    for name, module in _EXPLORERS.items():
        if names and name not in names:
            continue
        try:
            cls = _load(name, module)
        except Exception as exc:  # a module that exists but does not import is a failure to report
            rows.append(
                row(
                    f"{name}: import failed ({type(exc).__name__}: {exc})",
                    "error",
                    "",
                    f"<= {TARGET_MEDIAN_MS:g} ms",
                    ok=False,
                )
            )
            continue
        if cls is None:
            rows.append(row(f"{name}", "not available", "", f"<= {TARGET_MEDIAN_MS:g} ms", ok=False))
            continue
        try:
            result = measure(cls, repeats=repeats, n_values=n_values, frontend=frontend)
        except Exception as exc:
            rows.append(
                row(
                    f"{name}: failed while driving ({type(exc).__name__}: {exc})",
                    "error",
                    "",
                    f"<= {TARGET_MEDIAN_MS:g} ms",
                    ok=False,
                )
            )
            continue
        rows.extend(_rows(name, result))
    return rows


def _rows(name, result):
    per = {k: np.array(v) * 1e3 for k, v in result["per_control"].items() if v}
    if not per:
        return [row(f"{name}: no control could be driven", "none", "", f"<= {TARGET_MEDIAN_MS:g} ms", ok=False)]
    everything = np.concatenate(list(per.values()))
    worst = max(per, key=lambda k: np.median(per[k]))
    skipped = f"; not driven: {', '.join(result['skipped'])}" if result["skipped"] else ""
    out = [
        row(
            f"{name}: median of {everything.size} changes ({len(per)} controls{skipped})",
            float(np.median(everything)),
            "ms",
            f"<= {TARGET_MEDIAN_MS:g} ms",
        ),
        row(f"{name}: p95", float(np.percentile(everything, 95)), "ms", f"<= {TARGET_P95_MS:g} ms"),
        row(
            f"{name}: worst control {worst!r} median (p95 {np.percentile(per[worst], 95):.1f} ms)",
            float(np.median(per[worst])),
            "ms",
            f"<= {TARGET_MEDIAN_MS:g} ms",
        ),
        row(f"{name}: build with defaults", float(result["build"] * 1e3), "ms", "reported", ok=True),
    ]
    if result["errors"]:
        out.append(
            row(
                f"{name}: states that showed an error message (timed too)",
                len(result["errors"]),
                "",
                "reported",
                ok=True,
            )
        )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="explorer class names (default: all)")
    parser.add_argument("--repeats", type=int, default=2, help="timed sweeps per control (default 2)")
    parser.add_argument("--values", type=int, default=6, help="values per slider (default 6)")
    parser.add_argument("--no-frontend", action="store_true", help="time the headless path (no browser view)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="CPU time of this process instead of wall time (steadier on a shared machine)",
    )
    args = parser.parse_args(argv)
    global _clock
    _clock = time.process_time if args.cpu else time.perf_counter
    rows = run(args.names or None, repeats=args.repeats, n_values=args.values, frontend=not args.no_frontend)
    path = "headless canvas" if args.no_frontend else "canvas with a browser view attached"
    clock = "CPU time" if args.cpu else "wall time"
    print_table(rows, f"explorers: set .value -> fig.canvas.draw(), {path}, {clock}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
