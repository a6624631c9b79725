"""Every explorer in a narrow column: 420 px wide, the file browser open on a small screen.

One notebook displays all thirteen explorers; Voilà serves it and Chromium
opens it 420 px wide.  Each explorer must fit (nothing wider than its box,
no control sticking out to the right, no words on words, no boxes on boxes,
no table cut), keep its text legible (>= 12 px),
show its readout, and draw its pictures inside the column.  A screenshot of
each is kept in ``build/test-artifacts/browser/narrow-*.png``.
"""

from __future__ import annotations

import pytest

from .meia_browser import (
    EXPLORERS,
    explorers_voila,
    overflow,
    overlaps,
    press_slider,
    readout_of,
    smallest_text,
    spilled_labels,
    view_of,
    wait_drawn,
)

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 420, 900

_OUTSIDE_JS = """
(el) => {
  // controls, drawings and pictures whose right edge passes the explorer's
  const right = el.getBoundingClientRect().right + 1;
  return [...el.querySelectorAll('.widget-inline-hbox, .widget-toggle-buttons, .widget-button, '
                                 + 'select, input, svg.meia-panel, img, .meia-readout')]
    .filter(n => n.getBoundingClientRect().width > 0 && n.getBoundingClientRect().right > right)
    .map(n => `${n.tagName.toLowerCase()}.${n.className.baseVal ?? n.className}: right `
              + `${Math.round(n.getBoundingClientRect().right)} > ${Math.round(right)}`);
}
"""

_CUT_JS = """
(el) => {
  // drawings, pictures and the readout cut off at the bottom by a box too short for them
  const bad = [];
  for (const node of el.querySelectorAll('svg.meia-panel, img, .meia-readout')) {
    const r = node.getBoundingClientRect();
    if (r.height === 0) continue;
    for (let box = node.parentElement; box && box !== el.parentElement; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowY === 'visible' && style.overflow === 'visible') continue;
      const b = box.getBoundingClientRect();
      if (r.bottom > b.bottom + 1) {
        bad.push(`${node.tagName.toLowerCase()} bottom ${Math.round(r.bottom)} > `
                 + `${box.className} bottom ${Math.round(b.bottom)} (overflow ${style.overflowY})`);
        break;
      }
    }
  }
  return bad;
}
"""


@pytest.fixture(scope="module")
def narrow_voila(tmp_path_factory):
    with explorers_voila(tmp_path_factory.mktemp("voila-narrow")) as server:
        yield server


def test_every_explorer_fits_a_420px_column(narrow_voila, page, artifacts):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(narrow_voila.url("all_explorers.ipynb"), timeout=180_000)
    page.wait_for_function(
        "n => document.querySelectorAll('.meia-explorer .meia-view[data-drawn]').length >= n",
        arg=len(EXPLORERS),
        timeout=180_000,
        polling=250,
    )
    explorers = page.locator(".meia-explorer")
    assert explorers.count() == len(EXPLORERS)
    problems = []
    for i, code in enumerate(EXPLORERS):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        wait_drawn(view_of(explorer))
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        name = code.split("(")[0]
        width = explorer.evaluate("el => el.getBoundingClientRect().width")
        if width > WIDTH:
            problems.append(f"{name}: {width:.0f} px wide in a {WIDTH} px page")
        problems += [f"{name}: {bad}" for bad in overflow(explorer)]
        problems += [f"{name}: {bad}" for bad in explorer.evaluate(_OUTSIDE_JS)]
        problems += [f"{name}: {bad}" for bad in explorer.evaluate(_CUT_JS)]
        problems += [f"{name}: {bad}" for bad in spilled_labels(explorer)]
        problems += [f"{name}: {bad}" for bad in overlaps(explorer)]
        if smallest_text(explorer) < 12:
            problems.append(f"{name}: text of {smallest_text(explorer)} px (under 12 px)")
        readout = readout_of(explorer)
        if not (readout.is_visible() and readout.inner_text().strip()):
            problems.append(f"{name}: no readout shown")
    # a step fills in one more output cell and moves the frame there (convolution, pooling, stride/padding,
    # transposed)
    stepped = 0
    for i, code in enumerate(EXPLORERS):
        explorer = explorers.nth(i)
        covers = explorer.locator("g.meia-covers rect")
        if not covers.count():
            continue
        explorer.scroll_into_view_if_needed()
        shown = "(rects) => rects.filter(r => r.style.display === 'none').length"
        before = covers.evaluate_all(shown)
        frame = explorer.locator("g.meia-covers + rect, g.meia-covers ~ rect").last
        x0 = frame.get_attribute("x"), frame.get_attribute("y")
        view = view_of(explorer)
        counter = view.get_attribute("data-drawn")
        press_slider(explorer, "step")
        page.wait_for_function("([v, c]) => v.dataset.drawn !== c", arg=[view.element_handle(), counter])
        after = covers.evaluate_all(shown)
        if after != before + 1:
            problems.append(f"{code}: one step uncovered {after - before} output cells")
        if (frame.get_attribute("x"), frame.get_attribute("y")) == x0:
            problems.append(f"{code}: the frame on the output did not move with the step")
        stepped += 1
    assert stepped == 4, (
        f"{stepped} explorers with an output filling in (convolution, pooling, stride/padding, transposed)"
    )

    # Voila's page scrolls inside its own box: a window as tall as each explorer shows all of it
    for i, code in enumerate(EXPLORERS):
        explorer = explorers.nth(i)
        tall = int(explorer.evaluate("el => el.getBoundingClientRect().height")) + 120
        page.set_viewport_size({"width": WIDTH, "height": max(HEIGHT, tall)})
        explorer.scroll_into_view_if_needed()
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        explorer.screenshot(path=str(artifacts / f"narrow-{code.split('(')[0]}.png"))
    assert problems == [], "\n".join(problems)
    assert page.console_errors == [], page.console_errors
