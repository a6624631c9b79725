"""Voilà serves a notebook as an app with no code showing: its explorer must work there too."""

import re

import pytest
from .meia_browser import (
    VoilaServer,
    copy_notebooks,
    kit_notebooks,
    wait_canvas_change,
    wait_text_change,
)

import meia_cnn

pytestmark = pytest.mark.browser

NOTEBOOK = "04_stride_and_padding.ipynb"


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("voila")
    server = VoilaServer(base, copy_notebooks(base))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.mark.skipif(NOTEBOOK not in kit_notebooks(), reason=f"no {NOTEBOOK} yet")
def test_voila_app_explorer_answers_a_stride_change(voila_server, page, artifacts):
    page.goto(voila_server.url(NOTEBOOK), timeout=120_000)
    explorer = page.locator(".meia-explorer").first
    explorer.wait_for(timeout=60_000)  # Voilà shows the page once every cell has run
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')",
                           timeout=30_000, polling=250)
    assert page.locator(".jupyter-widgets-error-widget").count() == 0
    assert "Error displaying widget" not in page.inner_text("body")
    # no code is shown in the app
    assert "StridePaddingExplorer(" not in page.inner_text("body")

    canvas = explorer.locator(".jupyter-matplotlib-canvas-div canvas").first
    page.wait_for_function(
        "(c) => c.width > 0 && (() => { const d = c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 4; i < d.length; i += 28) if (d[i] !== d[0]) return true; return false; })()",
        arg=canvas.element_handle(), timeout=30_000, polling=250)

    readout = explorer.locator(".meia-readout")
    stride = explorer.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=re.compile(r"^\s*stride\b", re.I))).first
    before = int(stride.locator(".widget-readout").inner_text())
    before_text, before_png = readout.inner_text(), canvas.screenshot()
    handle = stride.locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowLeft" if before > 1 else "ArrowRight")
    after_text = wait_text_change(readout, before_text)
    wait_canvas_change(canvas, before_png)
    after = int(stride.locator(".widget-readout").inner_text())
    result = int(re.search(r"\u230b\s*\+\s*1\s*=\s*(\d+)", after_text).group(1))
    # the notebook's explorer: a 5x5 input, a 3x3 kernel, valid padding
    assert result == meia_cnn.output_size(5, 3, stride=after)
    page.screenshot(path=str(artifacts / "voila-04_stride_and_padding.png"), full_page=True)
