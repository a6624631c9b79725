"""Voilà serves a notebook as an app with no code showing: its explorer must work there too."""

import pytest

import meia_cnn

from .meia_browser import (
    kit_notebooks,
    nudge_stride,
    view_of,
    wait_drawn,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "04_stride_and_padding.ipynb"


@pytest.mark.skipif(NOTEBOOK not in kit_notebooks(), reason=f"no {NOTEBOOK} yet")
def test_voila_app_explorer_answers_a_stride_change(voila_server, page, artifacts):
    page.goto(voila_server.url(NOTEBOOK), timeout=120_000)
    explorer = page.locator(".meia-explorer").first
    explorer.wait_for(timeout=60_000)  # Voilà shows the page once every cell has run
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=30_000, polling=250)
    assert page.locator(".jupyter-widgets-error-widget").count() == 0
    assert "Error displaying widget" not in page.inner_text("body")
    # no code is shown in the app
    assert "StridePaddingExplorer(" not in page.inner_text("body")

    wait_drawn(view_of(explorer))

    # the notebook's explorer: a 5x5 input, a 3x3 kernel, valid padding
    nudge_stride(explorer, lambda s: meia_cnn.output_size(5, 3, stride=s))
    page.screenshot(path=str(artifacts / "voila-04_stride_and_padding.png"), full_page=True)


@pytest.mark.skipif(NOTEBOOK not in kit_notebooks(), reason=f"no {NOTEBOOK} yet")
def test_play_button_is_named_after_what_it_does(voila_server, page):
    """A screen reader hears "Play", then "Pause" while the steps play, then "Play" again."""
    page.goto(voila_server.url(NOTEBOOK), timeout=120_000)
    explorer = page.locator(".meia-explorer").first
    explorer.wait_for(timeout=60_000)
    wait_drawn(view_of(explorer))
    button = explorer.locator(".widget-play button").first
    page.wait_for_function("(b) => b.getAttribute('aria-label') === 'Play'", arg=button.element_handle())
    assert button.get_attribute("title") == "Play"
    button.click()
    page.wait_for_function(
        "(b) => b.getAttribute('aria-label') === 'Pause'", arg=button.element_handle(), timeout=10_000
    )
    assert button.get_attribute("title") == "Pause"
    button.click()
    page.wait_for_function(
        "(b) => b.getAttribute('aria-label') === 'Play'", arg=button.element_handle(), timeout=10_000
    )
