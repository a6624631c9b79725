"""Every explorer reads well in the light and the dark theme, and keeps its own SVG ids on a shared page.

Voilà serves one notebook with all thirteen explorers, once in the light
theme and once with ``?theme=dark`` (JupyterLab Dark's colours: the kit's
template allows the override).  Two checks of the text's contrast:

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
from .meia_browser import EXPLORERS, all_explorers_notebook, view_of, voila_serving, wait_drawn

pytestmark = pytest.mark.browser

#: WCAG AA: text, and large text (24 px, or 18.66 px bold)
AA, AA_LARGE = 4.5, 3.0

_SVG_CONTRAST_JS = """
(root) => {
  const rgba = (css) => {
    let m = css.match(/^rgba?\\(([^)]+)\\)$/);
    if (m) {
      const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = css.match(/^color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.]+))?\\)$/);
    if (m) return [255 * +m[1], 255 * +m[2], 255 * +m[3], m[4] === undefined ? 1 : +m[4]];
    return null;
  };
  const over = (top, alpha, under) => [0, 1, 2].map((i) => top[i] * alpha + under[i] * (1 - alpha));
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const page = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const results = [];
  for (const svg of root.querySelectorAll('svg.meia-panel')) {
    const base = page(svg);
    const shapes = [...svg.querySelectorAll('rect, circle, ellipse, polygon, path, image')]
      .filter((s) => !s.closest('defs, marker, clipPath'));
    for (const t of svg.querySelectorAll('text')) {
      const box = t.getBoundingClientRect();
      if (!box.width || !t.textContent.trim()) continue;
      const point = new DOMPoint(box.left + box.width / 2, box.top + box.height / 2);
      let under = base, photo = false;
      for (const s of shapes) {
        if (!(s.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        const style = getComputedStyle(s);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        const r = s.getBoundingClientRect();
        if (point.x < r.left || point.x > r.right || point.y < r.top || point.y > r.bottom) continue;
        if (s.tagName === 'image') { photo = true; continue; }
        const local = point.matrixTransform(s.getScreenCTM().inverse());
        if (!s.isPointInFill(local)) continue;
        const fill = rgba(style.fill);
        if (!fill) continue;
        under = over(fill, fill[3] * +style.fillOpacity * +style.opacity, under);
      }
      if (photo) continue;  // words on a photograph: not measured here
      const style = getComputedStyle(t);
      const fill = rgba(style.fill);
      if (!fill) continue;
      const ink = over(fill, fill[3] * +style.fillOpacity * +style.opacity, under);
      const size = parseFloat(style.fontSize), bold = +style.fontWeight >= 700;
      results.push({ text: t.textContent.slice(0, 40), ratio: ratio(ink, under), large: size >= 24 || (bold && size >= 18.66),
                     ink: ink.map(Math.round), under: under.map(Math.round) });
    }
  }
  return results;
}
"""

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
    base = tmp_path_factory.mktemp("voila-theme")
    folder = base / "notebooks"
    folder.mkdir()
    all_explorers_notebook(folder / "all_explorers.ipynb")
    with voila_serving(base, folder) as server:  # with the kit's voila.json
        yield server


def _open(page, server, theme):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server.url("all_explorers.ipynb") + f"?theme={theme}", timeout=180_000)
    page.wait_for_function(
        "n => document.querySelectorAll('.meia-explorer .meia-view[data-drawn]').length >= n",
        arg=len(EXPLORERS), timeout=180_000, polling=250)
    explorers = page.locator(".meia-explorer")
    assert explorers.count() == len(EXPLORERS)
    return explorers


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_explorer_has_readable_text_in_both_themes(all_voila, page, theme, artifacts):
    from axe_playwright_python.sync_playwright import Axe

    explorers = _open(page, all_voila, theme)
    dark = page.evaluate("() => document.body.dataset.jpThemeLight")
    assert dark == ("false" if theme == "dark" else "true"), f"Voila shows the {theme} theme"
    problems, measured = [], 0
    for i, code in enumerate(EXPLORERS):
        name = code.split("(")[0]
        explorer = explorers.nth(i)
        tall = int(explorer.evaluate("el => el.getBoundingClientRect().height")) + 120
        page.set_viewport_size({"width": 1280, "height": max(900, tall)})
        explorer.scroll_into_view_if_needed()
        wait_drawn(view_of(explorer))
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        for t in explorer.evaluate(_SVG_CONTRAST_JS):
            measured += 1
            if t["ratio"] < (AA_LARGE if t["large"] else AA):
                problems.append(f"{name}: {t['text']!r} {t['ratio']:.2f}:1 (ink {t['ink']} on {t['under']})")
        if theme == "dark" and i in (2, 10, 11):  # convolution, Inception, training
            explorer.screenshot(path=str(artifacts / f"dark-{name}.png"))
    assert measured > 300, f"{measured} SVG texts measured"
    page.set_viewport_size({"width": 1280, "height": 900})
    results = Axe().run(page, context={"include": [[".meia-explorer"]]},
                        options={"runOnly": {"type": "rule", "values": ["color-contrast"]}})
    assert results.response["passes"], "axe checked the explorers' text"
    problems += [f"axe {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}"
                 for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert problems == [], "\n".join(problems)
    assert page.console_errors == [], page.console_errors


def test_explorers_on_one_page_keep_their_own_arrowheads(all_voila, page):
    _open(page, all_voila, "light")
    found = page.evaluate(_IDS_JS)
    assert found["explorers"] >= 2 and found["arrows"] >= 10, found
    assert found["twice"] == [], f"ids used twice in the page: {found['twice']}"
    assert found["broken"] == [], f"arrows whose marker is missing or in another drawing: {found['broken']}"
