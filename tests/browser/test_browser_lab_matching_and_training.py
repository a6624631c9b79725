"""Template matching, parameter sharing, feature maps and training, drawn in JupyterLab.

At 850x900 (a notebook column on a laptop) and 1280x720 (a slide) each explorer
fits its column (no horizontal overflow), its readout is on screen, and the
number it writes equals the core's, computed here independently.  A slider
moved with the keyboard and a click on a unit change what is written.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from .meia_browser import (
    NOTEBOOK_PANEL,
    WIDGET_MS,
    overflow,
    press_slider,
    readout_of,
    smallest_text,
    view_of,
    wait_drawn,
)

NAME = "lab-training_explorers.ipynb"
SIZES = [(850, 900), (1280, 720)]
CELLS = [
    "from meia_cnn.widgets import (FeatureMapExplorer, ParameterSharingExplorer, TemplateMatchingExplorer,\n"
    "                              TrainingExplorer)",
    "tm = TemplateMatchingExplorer()\ntm",
    "sh = ParameterSharingExplorer()\nsh",
    "fm = FeatureMapExplorer()\nfm",
    "tr = TrainingExplorer(filters=2, epochs=2)\ntr",
    "tr.train(blocking=True)",
]


def _notebook():
    cells = [
        {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None} for src in CELLS
    ]
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _number(text):
    return text.replace("-", "\u2212")


@pytest.fixture(scope="module")
def expected():
    """The numbers each explorer writes, from the core (not from the explorers)."""
    from meia_cnn.explain.feature_maps import network_state
    from meia_cnn.explain.template_matching import template_matching_state, template_scene
    from meia_cnn.nn import digits_split, load_reference, train_reference
    from meia_cnn.widgets._explorer import format_number

    scene = template_scene("coin")
    tm = template_matching_state(scene, column=8, row=10)
    tm9 = template_matching_state(scene, column=9, row=10)
    net = network_state(load_reference(), digits_split()[1][0])
    model, history = train_reference(filters=2, kernel_size=3, epochs=2)
    return {
        "tm": f"peak {format_number(tm.feature_peak[1], 5)} at row 10, col 8",
        "tm9": f"peak {format_number(tm9.feature_peak[1], 5)} at row 10, col 9: moved by (+0, +1)",
        "sharing": ["= 448 (multiply-adds", "= 44,251,200 parameters"],
        "fm": f"conv2d_1, channel 0, row 4, col 4 = {format_number(float(net.outputs[0][4, 4, 0]))}",
        "fm_pool": net.outputs[2],
        "train": f"Final test accuracy: {100 * history['val_accuracy'][-1]:.1f} % after 2 epochs",
    }


def _explorers(lab):
    return lab.page.locator(f"{NOTEBOOK_PANEL} .meia-explorer")


def _fits(explorer):
    assert overflow(explorer) == []
    box = explorer.evaluate("e => e.clientWidth")
    for panel in explorer.locator("svg.meia-panel").all():
        width = panel.evaluate("e => e.getBoundingClientRect().width")
        assert width <= box + 1, f"a panel of {width} px in a {box} px explorer"


def _readout(explorer):
    readout = readout_of(explorer)
    readout.scroll_into_view_if_needed()
    assert readout.is_visible()
    return readout.inner_text()


def test_four_explorers_fit_and_write_the_cores_numbers(lab, artifacts, expected):
    (lab.server.root / NAME).write_text(json.dumps(_notebook()))
    lab.open(NAME)
    lab.run_all()
    page = lab.page
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel + ' .meia-explorer .meia-view')]"
        ".filter(v => v.dataset.drawn).length >= 4",
        arg=NOTEBOOK_PANEL,
        timeout=WIDGET_MS,
        polling=100,
    )
    assert not page.console_errors, page.console_errors
    tm, sh, fm, tr = _explorers(lab).all()
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for name, explorer in (("template_matching", tm), ("sharing", sh), ("feature_maps", fm), ("training", tr)):
            explorer.scroll_into_view_if_needed()
            wait_drawn(view_of(explorer))
            _fits(explorer)
            smallest = smallest_text(explorer)
            assert smallest >= (14 if width >= 1280 else 12), f"{name}: text of {smallest} px at {width}x{height}"
            text = _readout(explorer)
            # what a person sees: the explorer's top at the top of the window, then its readout
            explorer.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(artifacts / f"lab-training-{name}-{width}x{height}.png"))
            if name == "template_matching":
                assert expected["tm"] in text
                assert "translation-equivariant" in text
            elif name == "sharing":
                assert all(words in text for words in expected["sharing"])
            elif name == "feature_maps":
                assert expected["fm"] in text
            else:
                page.wait_for_function(
                    "e => e.innerText.includes('Final test accuracy')",
                    arg=explorer.locator(".meia-readout").element_handle(),
                    timeout=120_000,
                )
                text = _readout(explorer)
                assert expected["train"] in text
                assert explorer.locator(".meia-live").inner_text().startswith("Epoch 2/2")
                assert explorer.locator("polyline").count() == 4  # train and test, loss and accuracy
    assert not page.console_errors, page.console_errors

    # the keyboard moves the object: the peak follows it, with the same value
    page.set_viewport_size({"width": 1280, "height": 720})
    tm.scroll_into_view_if_needed()
    before = view_of(tm).get_attribute("data-drawn")
    press_slider(tm, "Object column")
    wait_drawn(view_of(tm), before)
    assert expected["tm9"] in _readout(tm)

    # a click on a unit of the first pooling layer shows its window and winner
    fm.scroll_into_view_if_needed()
    before = view_of(fm).get_attribute("data-drawn")
    pool = fm.locator("svg.meia-layer[data-layer='2'] image")
    box = pool.bounding_box()
    pool.click(position={"x": 2, "y": 2})  # channel 0, row 0, col 0
    wait_drawn(view_of(fm), before)
    text = _readout(fm)
    value = expected["fm_pool"][0, 0, 0]
    from meia_cnn.widgets._explorer import format_number

    assert f"maxpool2d_1, channel 0, row 0, col 0 = {format_number(float(value))}" in text, (box, text)
    assert re.search(r"max of the window = [\d.\u2212]+, at row \d, col \d", text)
    _fits(fm)
    fm.locator(".meia-detail-title").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "lab-training-feature_maps-pool-1280x720.png"))
    assert not page.console_errors, page.console_errors
    assert np.isfinite(value)

    # no serious or critical accessibility violation in the four explorers
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [[f"{NOTEBOOK_PANEL} .meia-explorer"]]})
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, results.generate_report()
