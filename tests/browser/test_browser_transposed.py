"""TransposedConvExplorer and LearnKernelExplorer in JupyterLab, in a real browser.

A notebook holding the two explorers runs from the Run menu; then, as a
person would: nothing overflows at 850×900 and at 1280×720, the readout is
visible, the numbers on screen equal the core's (``meia_cnn.ops``,
``meia_cnn.explain.learn_kernel``), and the sliders move with the keyboard.
"""

import json
import re

import numpy as np
import pytest

from meia_cnn.arithmetic import conv_transpose_output_size
from meia_cnn.explain.learn_kernel import learn_kernel_state
from meia_cnn.explain.transposed import input_values, kernel_values
from meia_cnn.ops import conv_transpose2d

from .meia_browser import NOTEBOOK_PANEL, WIDGET_MS, slider, wait_text_change, wait_text_shows

pytestmark = pytest.mark.browser

NOTEBOOK = "transposed_explorers.ipynb"
CELLS = [
    "from meia_cnn.widgets import LearnKernelExplorer, TransposedConvExplorer",
    "tc = TransposedConvExplorer()\ntc",
    "lk = LearnKernelExplorer()\nlk",
]
SIZES = [(850, 900), (1280, 720)]

_OVERFLOW_JS = """
(el) => [el, ...el.querySelectorAll('.meia-view, .meia-figure, svg.meia-panel')]
    .filter(e => e.closest('.meia-explorer') === el || e === el)
    .map(e => ({cls: e.getAttribute('class'), scroll: e.scrollWidth, client: e.clientWidth,
                right: e.getBoundingClientRect().right,
                limit: el.getBoundingClientRect().right}))
"""


def _write_notebook(root):
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": src} for src in CELLS
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / NOTEBOOK).write_text(json.dumps(nb))


@pytest.fixture
def explorers(lab, lab_server):
    _write_notebook(lab_server.root)
    lab.open(NOTEBOOK)
    lab.run_all()
    lab.wait_views(2)
    panel = lab.page.locator(NOTEBOOK_PANEL)
    found = panel.locator(".meia-explorer")
    found.nth(1).locator(".meia-view[data-drawn]").wait_for(timeout=WIDGET_MS)
    found.nth(0).locator(".meia-view[data-drawn]").wait_for(timeout=WIDGET_MS)
    transposed = found.filter(has=lab.page.locator("svg[aria-label^='Stretched input']")).first
    learn = found.filter(has=lab.page.locator("svg[aria-label^='The loss at every step']")).first
    return lab.page, transposed, learn


def _overflow(explorer):
    """The parts of ``explorer`` wider than their box, or reaching past the explorer's right edge."""
    rows = explorer.evaluate(_OVERFLOW_JS)
    return [r for r in rows if r["scroll"] > r["client"] + 1 or r["right"] > r["limit"] + 1]


def _formula_result(text):
    match = re.search(r"o = s·\(i − 1\) \+ d·\(k − 1\) \+ 1 − 2p \+ a = .*? = (\d+)", text)
    assert match, f"no output-size formula in the readout:\n{text}"
    return int(match.group(1))


def _wait_drawn(explorer, before):
    explorer.page.wait_for_function(
        "([el, before]) => { const v = el.querySelector('.meia-view'); return v && v.dataset.drawn !== before; }",
        arg=[explorer.element_handle(), before],
        timeout=WIDGET_MS,
        polling=50,
    )


def _drawn(explorer):
    return explorer.locator(".meia-view").get_attribute("data-drawn")


def test_no_overflow_and_readouts_visible(explorers, artifacts):
    page, transposed, learn = explorers
    for width, height in SIZES:
        before = [_drawn(transposed), _drawn(learn)]
        page.set_viewport_size({"width": width, "height": height})
        for explorer, drawn in zip((transposed, learn), before):
            _wait_drawn(explorer, drawn)  # redrawn for the new width
            assert _overflow(explorer) == [], f"overflow at {width}x{height}"
            explorer.scroll_into_view_if_needed()
            readout = explorer.locator(".meia-readout")
            assert readout.is_visible() and readout.inner_text().strip()
            # text never below 12 px
            sizes = explorer.evaluate(
                "(el) => [...el.querySelectorAll('svg text')].map(t => parseFloat(t.getAttribute('font-size')))"
            )
            assert sizes and min(sizes) >= 12
        for name, explorer in (("transposed", transposed), ("learn_kernel", learn)):
            explorer.screenshot(path=str(artifacts / f"{name}-{width}x{height}.png"))
            explorer.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / f"{name}-page-{width}x{height}.png"))


def test_transposed_numbers_on_screen_equal_the_core(explorers, artifacts):
    page, transposed, _ = explorers
    page.set_viewport_size({"width": 1280, "height": 720})
    readout = transposed.locator(".meia-readout")
    text = readout.inner_text()
    # default: i = 3, k = 3, s = 2 -> o = 7; the output panel is 7 by 7
    assert _formula_result(text) == conv_transpose_output_size(3, 3, stride=2) == 7
    assert transposed.locator("svg[aria-label^='Output y, 7 by 7 cells']").count() == 1
    output = conv_transpose2d(input_values(3), kernel_values(3), stride=2)
    assert re.search(rf"Step 1 of 49: output y\[0, 0\] = .* = {output[0, 0]:g}\.", text)
    # the step slider, with the keyboard: the next output cell and its value
    handle = slider(transposed, "step").locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    text = wait_text_change(readout, text)
    assert re.search(rf"Step 2 of 49: output y\[0, 1\] = .* = {output[0, 1]:g}\.", text)
    # the stride slider: Python recomputes; the formula and the grid follow the core
    stride = slider(transposed, "stride").locator(".noUi-handle")
    before = _drawn(transposed)
    stride.focus()
    stride.press("ArrowRight")
    _wait_drawn(transposed, before)
    text = wait_text_change(readout, text) if readout.inner_text() == text else readout.inner_text()
    o = conv_transpose_output_size(3, 3, stride=3)
    assert _formula_result(text) == o == 9
    assert transposed.locator(f"svg[aria-label^='Output y, {o} by {o} cells']").count() == 1
    transposed.screenshot(path=str(artifacts / "transposed-stride3.png"))
    # an impossible combination shows words in place of the drawing
    extra = slider(transposed, "output padding").locator(".noUi-handle")
    for _ in range(2):
        before = _drawn(transposed)
        extra.focus()
        extra.press("ArrowRight")
        _wait_drawn(transposed, before)
    notice = transposed.locator(".meia-notice")
    assert notice.is_visible() is False  # a = 2 < s = 3 is allowed
    assert _formula_result(readout.inner_text()) == conv_transpose_output_size(3, 3, stride=3, output_padding=2)
    assert not page.console_errors, page.console_errors


def test_learn_kernel_numbers_on_screen_equal_the_core(explorers, artifacts):
    page, _, learn = explorers
    page.set_viewport_size({"width": 1280, "height": 720})
    expected = learn_kernel_state(learning_rate=0.1, steps=50, seed=0)
    readout = learn.locator(".meia-readout")
    text = readout.inner_text()
    assert expected.texts[0] in " ".join(text.split())
    handle = slider(learn, "iteration").locator(".noUi-handle")
    handle.focus()
    for t in range(1, 4):
        handle.press("ArrowRight")
        text = wait_text_shows(readout, expected.texts[t])
    # the kernel's numbers drawn are the core's kernel at that step (2 significant digits)
    labels = learn.locator("svg[aria-label^='The kernel\\'s numbers'] text").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    shown = [float(v.replace("\u2212", "-")) for v in labels if re.fullmatch(r"[\u2212\-]?[\d.]+", v)]
    assert len(shown) == 18  # this step's kernel and Sobel's
    np.testing.assert_allclose(shown[:9], expected.kernels[3].ravel(), rtol=0.06, atol=0.006)
    learn.screenshot(path=str(artifacts / "learn_kernel-step3.png"))
    assert not page.console_errors, page.console_errors


def test_accessibility_scan(explorers):
    """axe-core finds no serious or critical violation in the two drawings and their readouts."""
    from axe_playwright_python.sync_playwright import Axe

    page, transposed, learn = explorers
    page.set_viewport_size({"width": 1280, "height": 720})
    results = Axe().run(page, context={"include": [[".meia-view"]]})
    assert results.response["passes"], "axe checked the drawings (the context matched them)"
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad
    # every drawing has an accessible name, and the readouts are text
    for explorer in (transposed, learn):
        labels = explorer.locator("svg.meia-panel").evaluate_all(
            "els => els.map(e => e.getAttribute('role') + ':' + (e.getAttribute('aria-label') || ''))"
        )
        assert labels and all(label.startswith("img:") and len(label) > 20 for label in labels)
