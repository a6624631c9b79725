"""Pooling, volume, 1x1, inception and architecture explorers in JupyterLab, at 850x900 and 1280x720.

One notebook (written to the server's folder) displays each explorer.  At
each window size every explorer must fit its column (no horizontal
overflow), show its readout, and write the number the core computes.
"""

import json
import re

import pytest

from meia_cnn import architectures, arithmetic

from .meia_browser import NOTEBOOK_PANEL, overflow, smallest_text

pytestmark = pytest.mark.browser

SIZES = [(850, 900), (1280, 720)]

#: (cell code, a regex on the readout's text, the number it must give from the core)
EXPLORERS = [
    ("PoolingExplorer()", r"output (\d+) × \d+", arithmetic.pool_output_size(8, 2)),
    ("VolumeExplorer()", r"G_w × G_h × G_d = \d+ × \d+ × (\d+)", arithmetic.feature_map_shape((128, 128, 3), 3, 3)[2]),
    (
        "VolumeExplorer(source='array')",
        r"G_w × G_h × G_d = \d+ × \d+ × (\d+)",
        arithmetic.feature_map_shape((6, 6, 3), 3, 3)[2],
    ),
    ("OneByOneExplorer()", r"1×1: 1·1·8·3 \+ 3 = ([\d,]+)", arithmetic.conv1x1_params(8, 3)),
    (
        "InceptionExplorer()",
        r"Output depth = [\d +]+ = (\d+)",
        arithmetic.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32)["output_shape"][2],
    ),
    ("ArchitectureExplorer()", r"parameters: ([\d,]+)", architectures.summary("lenet5").total_params),
]


def _notebook(path):
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "from meia_cnn.widgets import (PoolingExplorer, VolumeExplorer, OneByOneExplorer,\n"
            "    InceptionExplorer, ArchitectureExplorer)",
        }
    ]
    cells += [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": code}
        for code, _, _ in EXPLORERS
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))


_FITS_JS = """
(el) => {
  const view = el.querySelector('.meia-view');
  const readout = el.querySelector('.meia-view .meia-readout');
  const texts = [...el.querySelectorAll('svg.meia-panel text')].map(t => parseFloat(t.getAttribute('font-size')));
  const panels = [...el.querySelectorAll('svg.meia-panel')].map(p => p.getBoundingClientRect().width);
  return {
    scroll: el.scrollWidth, client: el.clientWidth, viewWidth: view ? view.clientWidth : 0,
    widest: Math.max(0, ...panels), drawn: view ? view.dataset.drawn : null,
    smallest: texts.length ? Math.min(...texts) : null,
    readout: readout ? readout.innerText : '',
    firstPanelTexts: [...(el.querySelector('svg.meia-panel') || document.createElement('div'))
        .querySelectorAll('text')].map(t => t.textContent),
    readoutTop: readout ? readout.getBoundingClientRect().top - el.getBoundingClientRect().top : -1,
    notice: (el.querySelector('.meia-notice') || {}).innerText || '',
  };
}
"""


def _number(text):
    return int(text.replace(",", ""))


def _largest_network_fits(page, explorer, size, artifacts):
    """VGG-19 (25 volumes) chosen in the menu: drawn without overflow, its totals in the readout."""
    menu = explorer.locator("select").first
    for key in ("vgg19", "lenet5"):
        before = explorer.locator(".meia-view").get_attribute("data-drawn")
        menu.select_option(label=architectures.titles()[key])
        page.wait_for_function(
            "([el, before]) => el.dataset.drawn !== before",
            arg=[explorer.locator(".meia-view").element_handle(), before],
            polling=100,
        )
        fit = explorer.evaluate(_FITS_JS)
        total = architectures.summary(key).total_params
        assert f"parameters: {total:,}" in fit["readout"]
        assert fit["scroll"] <= fit["client"], f"{key} overflows at {size}: {fit}"
        assert fit["widest"] <= fit["viewWidth"] + 1, f"{key}: a panel is wider than the view: {fit}"
        assert overflow(explorer) == [], f"{key} overflows at {size}"
        if key == "vgg19":
            explorer.screenshot(path=str(artifacts / f"lab-volumes-ArchitectureExplorer-vgg19-{size}.png"))


def test_explorers_fit_and_show_the_cores_numbers(lab, artifacts):
    folder = lab.server.root / "lab-volumes"
    folder.mkdir(exist_ok=True)
    _notebook(folder / "explorers.ipynb")
    lab.open("lab-volumes/explorers.ipynb")
    lab.run_all()
    page = lab.page
    explorers = page.locator(f"{NOTEBOOK_PANEL} .meia-explorer")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' .meia-explorer .meia-view[data-drawn]').length >= n",
        arg=[NOTEBOOK_PANEL, len(EXPLORERS)],
        polling=200,
    )
    assert explorers.count() == len(EXPLORERS)
    assert not page.console_errors, page.console_errors
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for i, (code, pattern, expected) in enumerate(EXPLORERS):
            explorer = explorers.nth(i)
            explorer.scroll_into_view_if_needed()
            # the drawing follows the new width (Draw.fit redraws on a resize)
            page.wait_for_function(
                "(el) => { const v = el.querySelector('.meia-view');"
                " return v && v.dataset.drawn && v.querySelector('svg.meia-panel'); }",
                arg=explorer.element_handle(),
                polling=100,
            )
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            fit = explorer.evaluate(_FITS_JS)
            name = re.sub(r"\W+", "", code.replace("source='array'", "Array"))
            explorer.screenshot(path=str(artifacts / f"lab-volumes-{name}-{width}x{height}.png"))
            assert fit["notice"] == "", f"{name}: {fit['notice']}"
            assert fit["scroll"] <= fit["client"], f"{name} overflows at {width}x{height}: {fit}"
            assert fit["widest"] <= fit["viewWidth"] + 1, f"{name}: a panel is wider than the view: {fit}"
            assert overflow(explorer) == [], f"{name} overflows at {width}x{height}"
            least = 14 if width >= 1280 else 12
            assert fit["smallest"] is None or fit["smallest"] >= least, f"{name}: text under {least} px: {fit}"
            assert smallest_text(explorer) >= least, f"{name}: text under {least} px at {width}x{height}"
            if "array" in code:  # the 6x6x3 array's numbers are all written in its three channels
                from meia_cnn.widgets._explorer import format_number
                from meia_cnn.widgets.volume import DEFAULT_ARRAY

                numbers = [format_number(v) for ch in range(3) for v in DEFAULT_ARRAY[:, :, ch].ravel()]
                drawn = [t for t in fit["firstPanelTexts"] if not t.startswith("I[")]
                assert sorted(drawn) == sorted(numbers), fit["firstPanelTexts"]
            readout = explorer.locator(".meia-view .meia-readout")
            assert readout.is_visible()
            match = re.search(pattern, fit["readout"])
            assert match, f"{name}: no {pattern!r} in the readout:\n{fit['readout']}"
            assert _number(match.group(1)) == expected
            if (width, height) == (1280, 720):
                # on a slide, the readout starts within the screen below the explorer's top
                assert 0 <= fit["readoutTop"] < height, f"{name}: readout {fit['readoutTop']} px down"
        _largest_network_fits(page, explorers.nth(len(EXPLORERS) - 1), f"{width}x{height}", artifacts)
    assert not page.console_errors, page.console_errors
    from axe_playwright_python.sync_playwright import Axe

    # an accessibility scan of the five explorers: no serious or critical violation
    results = Axe().run(page, context={"include": [[f"{NOTEBOOK_PANEL} .meia-explorer"]]})
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, results.generate_report()
