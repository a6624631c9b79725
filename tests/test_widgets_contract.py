"""The widget contract, checked on every explorer the kit exports.

Each explorer is displayable, names its controls in ``.controls``, draws on one
ipympl figure ``.fig`` built once, writes its numbers in ``.readout``, never
creates a figure or an artist when a control moves, and frees its figure on
``close()``.  The explorer's own test module checks what it draws against the
core; this one checks that none of them breaks the common rules.
"""

import gc
import sys
import weakref
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import meia_cnn.widgets as mw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_widgets  # noqa: E402  (its control plan drives every control through its range)

EXPLORERS = sorted(mw._EXPLORERS)


def test_every_explorer_is_exported():
    assert len(EXPLORERS) == 11
    assert set(EXPLORERS) <= set(mw.__all__)
    for name in EXPLORERS:
        assert name.endswith("Explorer")


@pytest.mark.parametrize("name", EXPLORERS)
def test_contract(name, artist_guard):
    figures_before = plt.get_fignums()
    viz = getattr(mw, name)()
    try:
        assert isinstance(viz, widgets.Box)
        assert isinstance(viz.fig, Figure)
        assert viz.controls and all(isinstance(c, widgets.Widget) for c in viz.controls.values())
        assert viz.fig.canvas in viz.children
        assert viz.readout_text, "the readout writes the explorer's numbers"
        assert viz.error == ""

        driven, _skipped = bench_widgets.plan(viz, n=3)
        assert driven, "an explorer has controls a student can move"
        with artist_guard(viz):  # no new artist, no pyplot figure
            for control_name, values in driven:
                control = viz.controls[control_name]
                start = control.value
                for value in values:
                    control.value = value
                    viz.fig.canvas.draw()
                control.value = start
            del control  # a control holds its explorer's callbacks
        assert plt.get_fignums() == figures_before, "explorers never register pyplot figures"
        assert viz.error == "", "back at its start values the explorer shows no error"
    finally:
        fig = weakref.ref(viz.fig)
        viz.close()
    assert viz.fig is None
    del viz
    gc.collect()
    assert fig() is None, "close() frees the figure"
