"""How explorers are driven in tests and benchmarks: every control through its range.

:func:`plan` lists, for an explorer, the values a student would move each of
its controls through; the widget contract test and the widget benchmark
(``benchmarks/bench_widgets.py``) both drive the explorers with it.  Test
support, outside the package: a learner's kernel never imports it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SKIPPED_TYPES", "control_values", "plan"]

#: Controls never driven: buttons start work on purpose, uploads need a file,
#: Play only moves a slider that is driven itself.
SKIPPED_TYPES = ("Button", "FileUpload", "Upload", "Play")


def _is_skipped(control: Any) -> bool:
    return any(cls.__name__ in SKIPPED_TYPES for cls in type(control).__mro__)


def _option_values(control: Any) -> list:
    values = getattr(control, "_options_values", None)
    if values is None:
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
    return list(values)


def _spread(lo: Any, hi: Any, n: int, *, integer: bool, step: Any = None) -> list:
    """``n`` values from ``lo`` to ``hi`` inclusive (unique, on the step grid for ints)."""
    if hi < lo:
        return [lo]
    raw = np.linspace(lo, hi, max(n, 2))
    if integer:
        step = int(step or 1)
        snapped = lo + np.round((raw - lo) / step).astype(int) * step
        return sorted({int(min(max(v, lo), hi)) for v in snapped})
    return [float(v) for v in raw]


def control_values(control: Any, n: int = 6) -> list | None:
    """The values a student would move ``control`` through, or None when it is not driven.

    Sliders and bounded numbers: ``n`` values from min to max; selections:
    every option; booleans: both states; unbounded numbers: a few nearby
    values; text: its value and a whitespace variant (see :func:`plan`, which
    adds the texts the box takes while other controls move).

    Parameters
    ----------
    control : ipywidgets.Widget
        One control of an explorer.
    n : int
        How many values of a range.

    Returns
    -------
    list or None
        The values in order, ``None`` for a control never driven (a button, an upload, Play).

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> control_values(widgets.IntSlider(value=3, min=1, max=5), n=3)
    [1, 3, 5]
    >>> control_values(widgets.Dropdown(options=["max", "average"]))
    ['max', 'average']
    >>> control_values(widgets.Button()) is None
    True
    """
    if _is_skipped(control):
        return None
    value = control.value
    if hasattr(control, "options"):
        values = _option_values(control)
        if isinstance(value, tuple):  # multiple selection: one option at a time
            return [(v,) for v in values]
        return values
    if isinstance(value, bool):
        return [not value, value]
    if isinstance(value, tuple) and hasattr(control, "min"):  # range slider: windows across the range
        integer = isinstance(value[0], (int, np.integer))
        width = value[1] - value[0]
        starts = _spread(control.min, control.max - width, n, integer=integer, step=getattr(control, "step", 1))
        return [(s, s + width) for s in starts]
    if isinstance(value, (int, np.integer)) and hasattr(control, "min") and hasattr(control, "max"):
        return _spread(control.min, control.max, n, integer=True, step=getattr(control, "step", 1))
    if isinstance(value, float) and hasattr(control, "min") and hasattr(control, "max"):
        return _spread(control.min, control.max, n, integer=False)
    if isinstance(value, (int, np.integer)):
        return [value + 1, 2 * value if value else 2, max(value // 2, 1), value]
    if isinstance(value, float):
        return [value * 1.5 if value else 1.0, value / 2 if value else 0.5, value]
    if isinstance(value, str):
        return [value + "\n", value]
    return None


def _sequence(values: list, current: Any) -> list:
    """``values`` in order, without repeating the value the control already has."""
    out, last = [], current
    for v in values:
        if v != last:
            out.append(v)
            last = v
    return out


def plan(explorer: Any, n: int = 6, *, texts: dict | None = None) -> tuple[list, list]:
    """``(driven, skipped)``: ``[(name, [values...]), ...]`` and the names not driven.

    Non-text controls come first; text boxes last, through the texts they
    took while the others moved (``texts``, e.g. a kernel box filled by a
    preset dropdown) and a whitespace variant of their own text.

    Parameters
    ----------
    explorer : Explorer
        Any explorer (anything with a ``.controls`` dict).
    n : int
        How many values of each range.
    texts : dict of str to list of str, optional
        More texts to type into each text box, by control name.

    Returns
    -------
    driven : list of (str, list)
        ``(name, values)`` of each driven control, in driving order.
    skipped : list of str
        The controls not driven.

    Examples
    --------
    >>> from meia_cnn.widgets import PoolingExplorer
    >>> viz = PoolingExplorer()
    >>> driven, skipped = plan(viz)
    >>> dict(driven)["pooling"], "play" in skipped
    (['max', 'average'], True)
    >>> viz.close()
    """
    driven: list = []
    skipped: list = []
    text_controls: list = []
    for name, control in explorer.controls.items():
        values = control_values(control, n)
        if values is None:
            skipped.append(name)
        elif isinstance(control.value, str) and not hasattr(control, "options"):
            seen = [t for t in (texts or {}).get(name, []) if t != control.value]
            text_controls.append((name, list(dict.fromkeys(seen))[: n - 1] + values))
        else:
            driven.append((name, values))
    return driven + text_controls, skipped
