"""The live slideshow in JupyterLab (jupyterlab-slideshow): slides show, explorers answer on them.

The kit presents its notebooks with jupyterlab-slideshow (the successor of
jupyterlab-deck): the notebook itself becomes the deck, so the widgets on a
slide are the live ones of the running kernel.  Started from the notebook
toolbar's deck button (command ``deck:toggle``); arrow keys move between
slides, as a presenter's clicker does.
"""

import json
import re

import pytest

import meia_cnn

from .meia_browser import (
    NOTEBOOK_PANEL,
    kit_notebooks,
    nudge_stride,
    overflow,
    readout_of,
    spilled_labels,
    view_of,
    wait_drawn,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "04_stride_and_padding.ipynb"

_VISIBLE_JS = """
(sel) => [...document.querySelectorAll(sel + ' .jp-Notebook > .jp-WindowedPanel-outer .jp-Cell, '
                                       + sel + ' .jp-Notebook .jp-Cell')]
    .filter((c, i, all) => all.indexOf(c) === i)
    .map((c, i) => c.classList.contains('jp-deck-mod-visible') ? i : -1)
    .filter(i => i >= 0).join(',')
"""


def _visible(page):
    return page.evaluate(_VISIBLE_JS, NOTEBOOK_PANEL)


def _forward(page):
    """Press the right arrow and wait until the deck shows other cells."""
    before = _visible(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"([sel, before]) => ({_VISIBLE_JS})(sel) !== before", arg=[NOTEBOOK_PANEL, before], timeout=10_000, polling=100
    )
    return _visible(page)


@pytest.mark.skipif(NOTEBOOK not in kit_notebooks(), reason=f"no {NOTEBOOK} yet")
def test_live_slideshow_first_slide_then_a_working_explorer(lab, artifacts):
    page = lab.page
    lab.open(f"notebooks/{NOTEBOOK}")
    lab.run_all()
    cells = lab.panel.locator(".jp-Cell")
    cells.first.click()  # the deck starts at the active cell: the title
    page.set_viewport_size({"width": 1280, "height": 720})  # a projector
    lab.panel.locator('[data-command="deck:toggle"]').first.click()
    page.locator('body[data-jp-deck-mode="presenting"]').wait_for(state="attached")
    try:
        _present(page, cells, artifacts)
    finally:
        # the extension keeps "presenting" in the user's settings (its `active`
        # setting): switch it off, or every notebook opened next on this server
        # would open as a deck
        path = lab.server.settings / "jupyterlab-slideshow" / "plugin.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"active": False}))


def _present(page, cells, artifacts):
    """From the title slide to the explorer's slide, then a slider moved on it."""
    # First slide: the title cell only; the explorer is on a later slide.
    page.wait_for_function(f"(sel) => ({_VISIBLE_JS})(sel) !== ''", arg=NOTEBOOK_PANEL)
    assert _visible(page).split(",")[0] == "0"
    title = cells.first
    assert title.is_visible()
    assert re.search(r"Stride and padding", title.inner_text(), re.I)
    explorer = page.locator(f"{NOTEBOOK_PANEL} .meia-explorer").first
    assert not explorer.is_visible()
    page.screenshot(path=str(artifacts / "slides-first.png"))

    for _ in range(40):
        _forward(page)
        if explorer.is_visible():
            break
    else:
        raise AssertionError("no slide showed the explorer")
    shown = _visible(page)
    assert not title.is_visible()

    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')")
    assert page.locator(".jupyter-widgets-error-widget").count() == 0
    wait_drawn(view_of(explorer))
    page.screenshot(path=str(artifacts / "slides-explorer.png"))
    # the whole explorer on the 1280x720 slide: nothing cut, the readout on the screen
    assert overflow(explorer) == [] and spilled_labels(explorer) == []
    box = readout_of(explorer).bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, box
    nudge_stride(explorer, lambda s: meia_cnn.output_size(5, 3, stride=s))
    assert _visible(page) == shown, "moving the slider changed the slide"
    page.screenshot(path=str(artifacts / "slides-explorer-after.png"))
