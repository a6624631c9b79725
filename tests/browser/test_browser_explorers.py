"""The browser-drawn explorers as a person sees them: they fit, they read, they tell the truth.

For each notebook whose explorers are drawn in the browser, in JupyterLab and
in Voilà, at 850x900 (a laptop's notebook column) and 1280x720 (a projector):
no element of an explorer is wider than its box, the readout is on screen,
the text is legible (>= 12 px; >= 14 px at 1280x720), and the number the
page writes equals the core's.  In JupyterLab, an axe-core scan of the
explorers finds no serious or critical accessibility violation.
"""

from __future__ import annotations

import re

import pytest

import meia_cnn
from meia_cnn.kernels import kernel_preset
from meia_cnn.widgets._explorer import format_number
from meia_cnn.widgets.convolution import DEFAULT_IMAGE

from .meia_browser import (
    NOTEBOOK_PANEL,
    equation3_result,
    kit_notebooks,
    overflow,
    readout_of,
    smallest_text,
    spilled_labels,
    view_of,
    wait_drawn,
)

pytestmark = pytest.mark.browser

VIEWPORTS = [(850, 900), (1280, 720)]
_STEP = re.compile(r"Step\s+(\d+)\s+of\s+(\d+)")
_SUM = re.compile(r"Products:.*=\s*([\u2212\-]?[\d.,]+)\s*$", re.M)


def _number(text):
    return float(text.replace("\u2212", "-").replace(",", ""))


def _check_convolution(explorers):
    """02: the default explorer (sobel_x on the 7x7 grid): the sum written is the core's output."""
    explorer = explorers.first
    text = readout_of(explorer).inner_text()
    step = int(_STEP.search(text).group(1)) - 1
    expected = meia_cnn.convolve2d(DEFAULT_IMAGE, kernel_preset("sobel_x")).ravel()[step]
    assert _number(_SUM.search(text).group(1)) == pytest.approx(expected, abs=0.01)
    sigma = view_of(explorer).locator("svg text", has_text="Σ =").first.text_content()
    assert sigma == f"Σ = {format_number(expected)}"
    for cell in (format_number(v) for v in DEFAULT_IMAGE[0]):
        assert view_of(explorer).locator("svg text", has_text=re.compile(f"^{re.escape(cell)}$")).count()


def _check_stride(explorers):
    """04: StridePaddingExplorer(5, 3, stride=2): equation (3) and the drawn output grid say 2x2."""
    explorer = explorers.first
    expected = meia_cnn.output_size(5, 3, stride=2)
    assert equation3_result(readout_of(explorer).inner_text()) == expected
    title = view_of(explorer).locator("svg text", has_text="output G").first.text_content()
    assert title.startswith(f"output G {expected}×{expected}")


CASES = {
    "02_convolution.ipynb": _check_convolution,
    "04_stride_and_padding.ipynb": _check_stride,
}
NAMES = [n for n in CASES if n in kit_notebooks()]


def _browser_drawn(page, root=""):
    return page.locator(f"{root} .meia-explorer".strip()).filter(has=page.locator(".meia-view"))


def _settle(page, explorers):
    """Wait until every browser-drawn explorer has drawn at the current width."""
    for i in range(explorers.count()):
        view = view_of(explorers.nth(i))
        wait_drawn(view)
        page.wait_for_function(
            "(el) => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r("
            "el.querySelector('.meia-figure') !== null))))",
            arg=view.element_handle(),
        )


def _check_viewports(page, explorers, check, artifacts, prefix):
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        _settle(page, explorers)
        for i in range(explorers.count()):
            explorer = explorers.nth(i)
            explorer.scroll_into_view_if_needed()
            assert overflow(explorer) == [], f"{prefix} explorer {i + 1} overflows at {width}x{height}"
            readout = readout_of(explorer)
            readout.scroll_into_view_if_needed()
            assert readout.is_visible() and readout.inner_text().strip()
            smallest = smallest_text(explorer)
            assert smallest >= (14 if width >= 1280 else 12), (
                f"{prefix} explorer {i + 1}: text of {smallest} px at {width}x{height}"
            )
            assert spilled_labels(explorer) == [], f"{prefix} explorer {i + 1} at {width}x{height}"
            explorer.screenshot(path=str(artifacts / f"{prefix}-explorer{i + 1}-{width}x{height}.png"))
        check(explorers)


@pytest.mark.skipif(not NAMES, reason="no notebook with a browser-drawn explorer")
@pytest.mark.parametrize("name", NAMES)
def test_explorers_in_lab_fit_read_and_tell_the_cores_numbers(lab, name, artifacts):
    from axe_playwright_python.sync_playwright import Axe

    page = lab.page
    lab.open(f"notebooks/{name}")
    lab.run_all()
    explorers = _browser_drawn(page, NOTEBOOK_PANEL)
    explorers.first.wait_for()
    _check_viewports(page, explorers, CASES[name], artifacts, f"lab-{name.removesuffix('.ipynb')}")
    results = Axe().run(page, context={"include": [[f"{NOTEBOOK_PANEL} .meia-explorer"]]})
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, results.generate_report()


@pytest.mark.skipif(not NAMES, reason="no notebook with a browser-drawn explorer")
@pytest.mark.parametrize("name", NAMES)
def test_explorers_in_voila_fit_read_and_tell_the_cores_numbers(voila_server, page, name, artifacts):
    page.goto(voila_server.url(name), timeout=120_000)
    explorers = _browser_drawn(page)
    explorers.first.wait_for(timeout=60_000)
    assert page.locator(".jupyter-widgets-error-widget").count() == 0
    _check_viewports(page, explorers, CASES[name], artifacts, f"voila-{name.removesuffix('.ipynb')}")
