"""The exported decks on a 1280x720 projector: every explorer slide shows its explorer whole.

``make slides`` decks of the notebooks with explorers are opened from disk in
Chromium at 1280x720 (no server, no kernel).  On every slide that holds an
explorer: the explorer is drawn, nothing in it is wider than its box (no
button or label cut to an ellipsis), no number spills out of its grid cell, no title of
the drawing is cut by its edge (in English and in Spanish, whose words are longer),
and its readout is on the screen without scrolling the slide.  A screenshot of each slide is kept in
``build/test-artifacts/browser/deck-*.png``.
"""

from __future__ import annotations

import pytest

from .meia_browser import (
    NOTEBOOKS,
    cut_texts,
    kit_notebooks,
    overflow,
    readout_of,
    spilled_labels,
    view_of,
    wait_drawn,
)

pytestmark = pytest.mark.browser

#: one notebook per kind of explorer on a slide (the others share their layout code)
DECKS = [
    name
    for name in (
        "02_convolution.ipynb",
        "03_volumes_and_feature_maps.ipynb",
        "05_pooling.ipynb",
        "06_one_by_one_and_inception.ipynb",
    )
    if name in kit_notebooks()
]
#: the same notebooks in Spanish (notebooks/es/, the same order)
DECKS_ES = [
    "es/" + name
    for name in (
        "02_convolucion.ipynb",
        "03_volumenes_y_mapas_de_caracteristicas.ipynb",
        "05_agrupamiento.ipynb",
        "06_uno_por_uno_e_inception.ipynb",
    )
    if (NOTEBOOKS / "es" / name).exists()
]


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    from tools import slides

    out = tmp_path_factory.mktemp("decks")
    results = slides.export_all(
        [NOTEBOOKS / name for name in DECKS + DECKS_ES], out, log=lambda *a: None, editions=("student",)
    )
    assert all(errors == [] for errors in results.values()), results
    return {deck.stem: deck for deck in results}


@pytest.mark.skipif(not DECKS, reason="no notebook with an explorer")
@pytest.mark.parametrize("name", DECKS + DECKS_ES)
def test_every_explorer_slide_shows_its_explorer_whole(decks, name, page, artifacts):
    stem = name.removesuffix(".ipynb").removeprefix("es/")
    deck = next(path for key, path in decks.items() if key.startswith(stem))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(deck.resolve().as_uri(), wait_until="load", timeout=120_000)
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=60_000)
    page.locator(".meia-explorer").first.wait_for(state="attached", timeout=60_000)
    slides_with_explorers = page.evaluate("""() => [...Reveal.getSlides()]
        .filter(s => s.querySelector('.meia-explorer')).map(s => Reveal.getIndices(s))""")
    assert slides_with_explorers, f"{name}: no explorer on any slide"
    problems = []
    for n, at in enumerate(slides_with_explorers):
        page.evaluate("([h, v]) => Reveal.slide(h, v)", [at["h"], at.get("v") or 0])
        page.wait_for_function("() => Reveal.getCurrentSlide().querySelector('.meia-explorer')")
        explorer = page.locator(".reveal .slides section.present .meia-explorer").first
        explorer.wait_for(state="visible", timeout=60_000)
        wait_drawn(view_of(explorer))
        page.evaluate("() => new Promise(r => setTimeout(() => requestAnimationFrame(r), 400))")  # the transition
        page.screenshot(path=str(artifacts / f"deck-{stem}-{n + 1}-1280x720.png"))
        where = f"{name}, slide {at['h']}.{at.get('v') or 0}"
        problems += [f"{where}: {bad}" for bad in overflow(explorer)]
        problems += [f"{where}: {bad}" for bad in spilled_labels(explorer)]
        problems += [f"{where}: {bad}" for bad in cut_texts(explorer)]
        readout = readout_of(explorer)
        if not (readout.count() and readout.inner_text().strip()):
            problems.append(f"{where}: no readout")
        else:  # on the screen as it is projected, without scrolling the slide
            box = readout.bounding_box()
            if box is None or box["y"] < 0 or box["y"] + box["height"] > 720 + 1:
                problems.append(f"{where}: the readout is off the 1280x720 screen ({box})")
    assert problems == [], "\n".join(problems)
    assert page.console_errors == [], page.console_errors
