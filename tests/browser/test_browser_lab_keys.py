"""The explorers in JupyterLab: keys stay in their controls, and JupyterLab Dark reads well.

- Keyboard: with an explorer's dropdown focused, ArrowDown chooses the next
  option and a letter never reaches the notebook's shortcuts ("m" would turn
  the cell into Markdown and the explorer would vanish): the explorer's box
  carries ``data-lm-suppress-shortcuts``, which JupyterLab 4 honours on an
  ancestor of the focused element.
- JupyterLab Dark (set through Lab's settings API, restored afterwards): the
  explorers draw with the theme's ink; each drawing's text is measured
  against what is under it, and a screenshot of each explorer is kept in
  ``build/test-artifacts/browser/lab-dark-*.png``.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from .meia_browser import NOTEBOOK_PANEL, explorers_notebook, measure_contrast

pytestmark = pytest.mark.browser

THEMES = "@jupyterlab/apputils-extension:themes"


def _run(lab, name, *codes):
    explorers_notebook(lab.server.root / name, codes)
    lab.open(name)
    lab.run_all()
    lab.page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' .meia-explorer .meia-view[data-drawn]').length >= n",
        arg=[NOTEBOOK_PANEL, len(codes)],
        polling=250,
    )
    return lab.panel.locator(".meia-explorer")


def _set_theme(server, theme):
    request = urllib.request.Request(
        f"{server.base_url}/lab/api/settings/{THEMES}",
        method="PUT",
        data=json.dumps({"raw": json.dumps({"theme": theme})}).encode(),
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (localhost)
        pass


def test_keys_in_an_explorers_dropdown_stay_in_the_dropdown(lab):
    page = lab.page
    explorer = _run(lab, "keys.ipynb", "StridePaddingExplorer()").first
    assert explorer.get_attribute("data-lm-suppress-shortcuts") == "true"
    select = explorer.locator("select").first
    before = select.input_value()
    select.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function("([s, v]) => s.value !== v", arg=[select.element_handle(), before])
    assert select.input_value() != before, "ArrowDown chose the next option"
    cells = lab.panel.locator(".jp-Cell")
    count = cells.count()
    page.keyboard.press("m")
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # a notebook command would have run by now
    assert cells.count() == count and lab.panel.locator(".jp-MarkdownCell").count() == 0, "no cell became Markdown"
    assert lab.panel.locator(".meia-explorer .meia-view[data-drawn]").count() == 1, "the explorer is still there"
    assert not page.console_errors, page.console_errors


def test_explorers_read_well_in_jupyterlab_dark(lab, artifacts):
    page = lab.page
    _set_theme(lab.server, "JupyterLab Dark")
    try:
        codes = (
            "InceptionExplorer()",
            "TrainingExplorer(filters=2, epochs=2)",
            "ConvolutionExplorer()",
            "OneByOneExplorer()",
        )
        page.set_viewport_size({"width": 1280, "height": 900})
        explorers = _run(lab, "dark.ipynb", *codes)
        assert page.evaluate("() => document.body.dataset.jpThemeLight") == "false", "Lab shows its dark theme"
        measured, problems = measure_contrast(page, explorers, codes, 1280, (artifacts, "lab-dark"))
        assert measured > 100, f"{measured} SVG texts measured"
        assert problems == [], "\n".join(problems)
        assert not page.console_errors, page.console_errors
    finally:
        _set_theme(lab.server, "JupyterLab Light")
