"""Every explorer reads well in the light and the dark theme, and keeps its own SVG ids on a shared page.

Voilà serves one notebook with all thirteen explorers, 850 px wide, once in
the light theme and once with ``?theme=dark`` (JupyterLab Dark's colours:
the kit's template allows the override).  Nothing may collide (words on
words, boxes on boxes, a table cut: ``overlaps``).  Two checks of the text's
contrast:

- axe-core's ``color-contrast`` rule over every explorer (the HTML text:
  titles, readouts, legends, controls): no serious or critical violation.
  axe runs here rather than in JupyterLab, where it treats notebook outputs
  as off screen and checks no contrast at all;
- axe cannot see SVG text, so each ``<text>`` of every drawing is measured
  against what is painted under its centre (the shapes before it in the
  drawing, laid over the page's background): at least 4.5:1 (3:1 for large
  text), WCAG AA.

The same page holds two explorers that draw arrows (1x1 convolution and
Inception): every id of the page is unique and every ``marker-end`` points at
a marker of its own drawing.
"""

from __future__ import annotations

import pytest

from .meia_browser import EXPLORERS, explorers_voila, measure_contrast

pytestmark = pytest.mark.browser

_IDS_JS = """
() => {
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  const arrows = [...document.querySelectorAll('.meia-view [marker-end]')];
  const broken = arrows.filter((line) => {
    const id = line.getAttribute('marker-end').match(/^url\\(#(.+)\\)$/)[1];
    const marker = document.getElementById(id);
    return !marker || marker.tagName !== 'marker' || marker.ownerSVGElement !== line.ownerSVGElement;
  }).map((line) => line.getAttribute('marker-end'));
  const explorers = new Set(arrows.map((line) => line.closest('.meia-explorer')));
  return { twice: [...new Set(twice)], broken, arrows: arrows.length, explorers: explorers.size };
}
"""


@pytest.fixture(scope="module")
def all_voila(tmp_path_factory):
    with explorers_voila(tmp_path_factory.mktemp("voila-theme")) as server:
        yield server


def _open(page, server, theme):
    page.set_viewport_size({"width": 850, "height": 900})
    page.goto(server.url("all_explorers.ipynb") + f"?theme={theme}", timeout=180_000)
    page.wait_for_function(
        "n => document.querySelectorAll('.meia-explorer .meia-view[data-drawn]').length >= n",
        arg=len(EXPLORERS),
        timeout=180_000,
        polling=250,
    )
    explorers = page.locator(".meia-explorer")
    assert explorers.count() == len(EXPLORERS)
    return explorers


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_explorer_has_readable_text_in_both_themes(all_voila, page, theme, artifacts):
    from axe_playwright_python.sync_playwright import Axe

    explorers = _open(page, all_voila, theme)
    dark = page.evaluate("() => document.body.dataset.jpThemeLight")
    assert dark == ("false" if theme == "dark" else "true"), f"Voila shows the {theme} theme"
    measured, problems = measure_contrast(
        page, explorers, EXPLORERS, 850, (artifacts, "voila-dark") if theme == "dark" else None
    )
    assert measured > 300, f"{measured} SVG texts measured"
    results = Axe().run(
        page,
        context={"include": [[".meia-explorer"]]},
        options={"runOnly": {"type": "rule", "values": ["color-contrast"]}},
    )
    assert results.response["passes"], "axe checked the explorers' text"
    problems += [
        f"axe {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert problems == [], "\n".join(problems)
    assert page.console_errors == [], page.console_errors


def test_explorers_on_one_page_keep_their_own_arrowheads(all_voila, page):
    _open(page, all_voila, "light")
    found = page.evaluate(_IDS_JS)
    assert found["explorers"] >= 2 and found["arrows"] >= 10, found
    assert found["twice"] == [], f"ids used twice in the page: {found['twice']}"
    assert found["broken"] == [], f"arrows whose marker is missing or in another drawing: {found['broken']}"
