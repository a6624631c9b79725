"""The widget contract, checked on every explorer the kit exports.

Each explorer is displayable, names its controls in ``.controls``, writes its
numbers in a readout, survives every control driven through its range with no
exception, and frees everything on ``close()``.

Every explorer is built on :class:`meia_cnn.widgets._explorer.Explorer`: one
anywidget view drawn in the browser, a ``.state`` from the core, a
``version`` bumped once per change.  The explorer's own test module checks
what it shows against the core; this one checks that none of them breaks the
common rules.
"""

import ipywidgets as widgets
import ipywidgets.widgets.widget as widget_module
import matplotlib.pyplot as plt
import pytest

import meia_cnn.widgets as mw
from meia_cnn.widgets import _explorer

from ..driving import plan

EXPLORERS = sorted(mw._EXPLORERS)


def test_every_explorer_is_exported():
    assert len(EXPLORERS) == 13
    assert set(EXPLORERS) <= set(mw.__all__)
    for name in EXPLORERS:
        assert name.endswith("Explorer")


def _drive(viz, after_each):
    driven, _skipped = plan(viz, n=3)
    assert driven, "an explorer has controls a student can move"
    for control_name, values in driven:
        control = viz.controls[control_name]
        start = control.value
        for value in values:
            control.value = value
            after_each()
        control.value = start
    return driven


def _contract_browser_drawn(viz):
    view = viz.view
    assert isinstance(view, _explorer.View) and view in viz.children
    assert "function explorer({" in view._esm and "function grid(" not in view._esm, (
        "the view's module takes the drawing library from the page's Library widget, not a copy"
    )
    assert view.library is _explorer.library() and view.library.comm is not None, "one library per kernel"
    assert viz.state is not None and view.version >= 1 and view.scene
    widgets_before = set(widget_module._instances)

    def after_each():
        assert view.notice == "" or viz.error, "a notice is also what .error says"
        if not view.notice:
            assert viz.readout_text

    _drive(viz, after_each)
    assert set(widget_module._instances) <= widgets_before, "moving a control creates no widget"
    return view


@pytest.mark.parametrize("name", EXPLORERS)
def test_contract(name):
    figures_before = plt.get_fignums()
    viz = getattr(mw, name)()
    try:
        assert isinstance(viz, _explorer.Explorer), "every explorer is drawn in the browser"
        assert isinstance(viz, widgets.Box)
        assert viz.controls and all(isinstance(c, widgets.Widget) for c in viz.controls.values())
        assert viz.readout_text, "the readout writes the explorer's numbers"
        assert viz.error == ""
        _contract_browser_drawn(viz)
        assert plt.get_fignums() == figures_before, "explorers never register pyplot figures"
        assert viz.error == "", "back at its start values the explorer shows no error"
    finally:
        owned = [viz.view, viz.message, *viz.controls.values(), *_tree(viz)]
        viz.close()
    assert all(w.comm is None for w in owned), "close() closes every widget it made"
    assert viz.comm is None


def _tree(box):
    """Every widget under ``box``: its children, theirs, and so on."""
    for child in getattr(box, "children", ()):
        yield child
        yield from _tree(child)


@pytest.mark.parametrize("name", EXPLORERS)
def test_no_callback_exception_escapes(name):
    """Values outside every option, set from code: a sentence for the learner at worst, the last good state kept."""
    for control_name in _control_names(name):
        for bad in (None, -1, 10**9, "x"):
            viz = getattr(mw, name)()
            try:
                state = viz.state
                try:
                    viz.controls[control_name].value = bad
                except Exception:  # noqa: BLE001 - the control itself refused the value
                    continue
                if viz.error:
                    assert viz.state is state, "a value that cannot be used keeps the last good state"
                    assert "`" not in viz.error and "Traceback" not in viz.error, (
                        "a sentence, not a programmer's message"
                    )
                else:
                    assert viz.readout_text
            finally:
                viz.close()


def _control_names(name):
    viz = getattr(mw, name)()
    try:
        return [n for n, c in viz.controls.items() if not isinstance(c, (widgets.Button, widgets.Play))]
    finally:
        viz.close()
