"""`make slides`: reveal.js decks that honour the slide metadata and open with no network."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from tools import slides

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHROMIUM = Path(os.environ.get("MEIA_CHROMIUM", "/usr/bin/chromium"))

# What jupyterlab-slideshow 0.3.4 understands: a cell marked "-" (what some
# editors write for "no slide type") is hidden in its live deck.
LIVE_SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", None}


def _cell(kind, source, slide_type=None):
    cell = v4.new_markdown_cell(source) if kind == "md" else v4.new_code_cell(source)
    if slide_type:
        cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def _scratch_notebook(path):
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        _cell("md", "# Scratch deck\n\nEquation (3): $G_w = \\lfloor (I_w - K_w)/s \\rfloor + 1$\n\n"
                    "[next section](05_pooling.ipynb)", "slide"),
        _cell("code", "from meia_cnn.widgets import StridePaddingExplorer\n"
                      "SECRET_SETUP = 'not on a slide'", "skip"),
        _cell("md", "## Second slide\n\n$$\\sum_{u=-k}^{k} K[u] \\, I[i - u]$$", "slide"),
        _cell("md", "A fragment appears on a key press.", "fragment"),
        _cell("md", "Speaker notes: ask for a prediction first.", "notes"),
        _cell("md", "### A subslide", "subslide"),
        _cell("code", "# NBVAL_CHECK_OUTPUT\nprint(6 * 7)"),
        _cell("md", "## The explorer", "slide"),
        _cell("code", "sp = StridePaddingExplorer(input_size=5, kernel_size=3, stride=1)\nsp"),
        _cell("code", "sp.controls['stride'].value = 2  # a later change", "skip"),
    ]
    nb.cells[2].metadata["meia"] = {"instructor_notes": ["INSTRUCTOR: usual mistake, depth 3 instead of 8."]}
    for cell in nb.cells:
        cell.metadata["tags"] = ["core"]
    nb.cells[5].metadata["tags"] = ["optional"]            # the subslide and its output
    nb.cells[6].metadata["tags"] = ["optional"]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def scratch_deck(tmp_path_factory):
    base = tmp_path_factory.mktemp("slides")
    source = _scratch_notebook(base / "scratch.ipynb")
    out = base / "out"
    results = slides.export_all([source], out, log=lambda *a: None)
    (deck, errors), = results.items()
    return deck, errors, out


def _local_references(text):
    refs = re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', text)
    refs += re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
    refs += re.findall(r"@import\s+['\"]([^'\"]+)", text)
    return refs


def _remote(refs):
    return [r for r in refs if re.match(r"^\s*(https?:)?//", r, re.I)]


@pytest.mark.slow
def test_deck_is_written_with_the_slide_structure(scratch_deck):
    deck, errors, out = scratch_deck
    assert errors == []
    assert deck == out / "scratch.slides.html"
    text = deck.read_text()
    # three slides, the first two with a subslide each (reveal: a section per column,
    # then a section per subslide in it): 3 + 3 + 1
    assert text.count("<section") == 7
    assert re.search(r'class="fragment"[^>]*>.*A fragment appears', text, re.S)
    # the student deck carries no speaker notes and no instructor note
    assert "Speaker notes" not in text and "INSTRUCTOR" not in text and 'class="notes"' not in text
    assert "SECRET_SETUP" not in text  # skip
    assert "42" in text  # the executed output
    assert "NBVAL_CHECK_OUTPUT" not in text
    assert 'href="05_pooling.slides.html"' in text


@pytest.mark.slow
def test_the_instructor_edition_has_the_notes_and_the_core_deck_only_core_slides(scratch_deck):
    _, _, out = scratch_deck
    instructor = (out / "instructor" / "scratch.slides.html").read_text()
    assert re.search(r'<aside class="notes">.*Speaker notes: ask for a prediction', instructor, re.S)
    assert re.search(r'<aside class="notes">.*INSTRUCTOR: usual mistake', instructor, re.S)
    assert 'src="../reveal.js/dist/reveal.js"' in instructor
    core = (out / "core" / "scratch.slides.html").read_text()
    assert "A subslide" not in core                                # optional: left out
    assert "Second slide" in core and "INSTRUCTOR" not in core
    assert core.count("<section") == 6                             # 3 slides, no subslide
    for deck in (out / "instructor" / "scratch.slides.html", out / "core" / "scratch.slides.html"):
        for ref in _local_references(deck.read_text()):
            if not ref.startswith(("#", "data:")) and not ref.endswith(".slides.html"):
                assert (deck.parent / ref).resolve().is_file(), ref


def test_the_edition_of_a_notebook_is_a_value_error_when_unknown():
    with pytest.raises(ValueError, match=r"`name` must be one of student, core, instructor; got 'teacher'"):
        slides.edition(v4.new_notebook(), "teacher")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_instructor_text_reaches_a_student_deck(path):
    nb = nbformat.read(path, as_version=4)
    notes = [n for c in nb.cells for n in c.metadata.get("meia", {}).get("instructor_notes", [])]
    student = slides.edition(nb, "student")
    assert all(c.metadata["slideshow"]["slide_type"] != "notes" for c in student.cells)
    assert len(slides.edition(nb, "instructor").cells) == len(nb.cells) + len(notes)
    core = slides.edition(nb, "core")
    assert all("core" in c.metadata["tags"] for c in core.cells)


@pytest.mark.slow
def test_math_is_mathml_and_no_math_script_is_loaded(scratch_deck):
    deck, _, _ = scratch_deck
    text = deck.read_text()
    assert text.count("<math") >= 2
    assert 'display="block"' in text
    assert "$G_w" not in text and "$$" not in text
    assert not re.search(r"mathjax|katex|jquery|mermaid", " ".join(
        re.findall(r'<script[^>]*src="([^"]*)"', text)), re.I)


@pytest.mark.slow
def test_explorer_stays_live_with_its_saved_state(scratch_deck):
    deck, _, out = scratch_deck
    text = deck.read_text()
    # the explorer's view is in the deck, and the widget state is saved with it
    assert text.count(f'<script type="{slides.WIDGET_VIEW}">') == 1
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                      text, re.S)
    assert state, "no widget state saved in the deck"
    models = json.loads(state.group(1))["state"]
    modules = {m["model_module"] for m in models.values()}
    assert "anywidget" in modules and modules <= slides.LIVE_MODULES
    assert '<div class="meia-snapshot">' not in text  # no picture: the live widget is there
    # the HTML manager and require.js come from beside the deck
    assert '<script src="widgets/require.js"></script>' in text
    assert "widgets/embed-amd.js" in text
    for name in ("require.js", "embed-amd.js", "anywidget.js", "LICENSES.md"):
        assert (out / slides.WIDGET_ASSETS / name).is_file(), name


@pytest.mark.slow
def test_deck_references_no_network_and_its_files_exist(scratch_deck):
    deck, _, out = scratch_deck
    refs = _local_references(deck.read_text())
    assert not _remote(refs), _remote(refs)
    files = [r for r in refs if not r.startswith(("#", "data:")) and not r.endswith(".slides.html")]
    assert {"reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css",
            "reveal.js/plugin/notes/notes.js"} <= set(files)
    for ref in files:
        assert (out / ref).is_file(), f"{ref} is missing beside the deck"
    # reveal.js's own styles and fonts are local too
    for css in (out / slides.ASSETS).rglob("*.css"):
        remote = _remote(_local_references(css.read_text()))
        assert not remote, f"{css.name} loads {remote}"


def test_stored_outputs_export_without_a_kernel(tmp_path):
    nb = v4.new_notebook()
    cell = _cell("code", "x", "slide")
    cell.outputs = [v4.new_output("display_data", data={
        slides.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox()"}), v4.new_output("display_data", data={"text/latex": "$a^2$"})]
    nb.cells = [cell]
    path = tmp_path / "stored.ipynb"
    nbformat.write(nb, path)
    slides.copy_reveal(tmp_path / "out")
    deck, errors = slides.export_notebook(path, tmp_path / "out", execute=False)
    text = deck.read_text()
    assert errors == []
    assert slides.WIDGET_VIEW not in text
    assert "<math" in text


def test_math_in_text_and_a_formula_it_cannot_read():
    assert slides.math_in_text("no math, $5 only") == "no math, $5 only"
    out = slides.math_in_text(r"both \(a\) and \[b\]")
    assert out.count("<math") == 2
    assert 'class="meia-tex"' in slides.latex_to_mathml(r"\frac{1}{")


def test_missing_notebook_is_reported(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        slides.main(["--out", str(tmp_path), str(tmp_path / "nope.ipynb")])
    assert exc.value.code == 2
    assert "no such notebook" in capsys.readouterr().err


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_slide_types_work_in_the_live_slideshow(path):
    nb = json.loads(path.read_text())
    bad = [(i, c["metadata"]["slideshow"].get("slide_type"))
           for i, c in enumerate(nb["cells"])
           if c.get("metadata", {}).get("slideshow", {}).get("slide_type") not in LIVE_SLIDE_TYPES]
    assert not bad, f"cells with slide types jupyterlab-slideshow hides: {bad} (leave them unset)"


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "notebooks" / "04_stride_and_padding.ipynb").is_file(),
                    reason="no 04_stride_and_padding notebook yet")
def test_make_slides_command_writes_a_deck(tmp_path):
    out = tmp_path / "decks"
    notebook = ROOT / "notebooks" / "04_stride_and_padding.ipynb"
    run = subprocess.run([sys.executable, "-m", "tools.slides", "--out", str(out), str(notebook)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    deck = out / "04_stride_and_padding.slides.html"
    assert deck.is_file() and (out / "reveal.js" / "dist" / "reveal.js").is_file()
    assert (out / "core" / deck.name).is_file() and (out / "instructor" / deck.name).is_file()
    assert "Show solution" in deck.read_text()
    assert "usual mistakes" not in deck.read_text() and "usual mistakes" in (out / "instructor" / deck.name).read_text()
    text = deck.read_text()
    assert "meia-snapshot" in text and "<math" in text
    assert not _remote(_local_references(text))


def _browser_missing():
    if not CHROMIUM.is_file():
        return (f"no Chromium at {CHROMIUM} (install Debian's `chromium` package, "
                "as .ci/run does, or set MEIA_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_deck_opens_offline_in_chromium(scratch_deck, tmp_path):
    from playwright.sync_api import sync_playwright

    deck, _, _ = scratch_deck
    requested = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"])
        try:
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
            page = context.new_page()

            def only_local(route):
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    requested.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.goto(deck.as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
            assert page.evaluate("Reveal.getIndices().h") == 0
            first = page.locator(".reveal .slides > section.present")
            assert first.is_visible()
            assert "scratch deck" in first.inner_text().lower()
            assert page.evaluate("Reveal.getHorizontalSlides().length") == 3
            assert page.evaluate("Reveal.getTotalSlides()") == 4
            math = first.locator("math").first
            assert math.bounding_box()["width"] > 0  # drawn by the browser itself
            page.screenshot(path=str(tmp_path / "first.png"))

            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => Reveal.getIndices().h === 1", timeout=10_000)
            second = page.locator(".reveal .slides > section.present")
            assert "second slide" in second.inner_text().lower()
            assert page.locator("section.present h1", has_text="Scratch deck").count() == 0
            page.keyboard.press("ArrowRight")  # the fragment
            page.wait_for_function("() => Reveal.getIndices().f === 0", timeout=10_000)
            assert page.locator(".fragment.visible", has_text="A fragment appears").count() == 1
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            page.wait_for_function("() => Reveal.getIndices().h === 2", timeout=10_000)
            # the explorer is live: drawn by the HTML manager, its step slider
            # stepping in the page with no kernel
            view = page.locator("section.present .meia-view[data-drawn]")
            view.wait_for(state="visible", timeout=30_000)
            assert page.locator("section.present .meia-panel").count() >= 1
            readout = page.locator("section.present .meia-view .meia-readout")
            assert "⌋ + 1 = 2" in readout.inner_text()  # the saved state: stride 2
            before = view.get_attribute("data-step")
            handle = page.locator("section.present .widget-slider .noUi-handle").last
            handle.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(b) => document.querySelector('section.present .meia-view').dataset.step !== b",
                arg=before, timeout=10_000)
            assert int(view.get_attribute("data-step")) == int(before) + 1
            page.screenshot(path=str(tmp_path / "explorer.png"))
        finally:
            browser.close()
    assert requested == [], f"the deck asked the network for {requested}"


# -- math in a heading -----------------------------------------------------------------------
@pytest.mark.parametrize("path", [ROOT / "notebooks" / "06_one_by_one_and_inception.ipynb",
                                  ROOT / "notebooks" / "es" / "06_uno_por_uno_e_inception.ipynb"],
                         ids=["en", "es"])
def test_math_in_a_heading_is_mathml_the_browser_draws(path, tmp_path):
    deck, errors = slides.export_notebook(path, tmp_path, execute=False, editions=["student"])
    text = deck.read_text(encoding="utf-8")
    assert errors == []
    assert "ns0:" not in text and "xmlns:ns0" not in text  # ElementTree's prefixes: not drawn by browsers
    headings = re.findall(r"<h2 id=\"([^\"]*)\">(.*?)</h2>", text, re.S)
    one_by_one = [(anchor, body) for anchor, body in headings if "<mo>×</mo>" in body]
    assert len(one_by_one) == 1, [a for a, _ in headings]
    anchor, body = one_by_one[0]
    assert body.startswith("<math") or "Convolución de <math" in body
    assert '<math display="inline" xmlns="http://www.w3.org/1998/Math/MathML">' in body
    assert f'<a class="anchor-link" href="#{anchor}">' in body  # the anchor link is kept


# -- the Spanish decks -----------------------------------------------------------------------
def _spanish_notebook(path):
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _cell("code", 'import meia_cnn\n\nmeia_cnn.set_language("es")', "skip"),
        _cell("md", "# 05 · Agrupamiento\n\nLa ventana $W$ recorre el mapa.", "slide"),
        _cell("code", "from meia_cnn.widgets import PoolingExplorer\nPoolingExplorer()", "slide"),
        _cell("md", "## Más", "slide"),
    ]
    nb.cells[1].metadata["meia"] = {"instructor_notes": ["DOCENTE: pregunte primero por el tamaño de la salida."]}
    nb.cells[3].metadata["tags"] = ["optional"]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def spanish_deck(tmp_path_factory):
    base = tmp_path_factory.mktemp("slides-es")
    source = _spanish_notebook(base / "05_agrupamiento.ipynb")
    out = base / "out"
    results = slides.export_all([source], out, log=lambda *a: None)
    (deck, errors), = results.items()
    return deck, errors, out


def test_a_spanish_notebook_gives_a_spanish_deck(spanish_deck):
    deck, errors, out = spanish_deck
    assert errors == []
    student = deck.read_text(encoding="utf-8")
    core = (out / "core" / deck.name).read_text(encoding="utf-8")
    instructor = (out / "instructor" / deck.name).read_text(encoding="utf-8")
    assert '<html lang="es">' in student
    assert "<title>05 · Agrupamiento · diapositivas</title>" in student
    assert "<title>05 · Agrupamiento · recorrido esencial de 90 minutos</title>" in core
    assert "<title>05 · Agrupamiento · edición para docentes, con notas del orador</title>" in instructor
    assert " slides</title>" not in student + core + instructor
    # the speaker notes are the Spanish instructor notes, in the instructor's deck only
    assert "DOCENTE: pregunte primero" in instructor and "DOCENTE" not in student + core
    # the explorer's saved state is Spanish: its options' labels and the words of its page
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', student,
                      re.S).group(1)
    models = json.loads(state)["state"].values()
    labels = [m["state"].get("_options_labels") for m in models if m["state"].get("_options_labels")]
    assert ["máximo", "promedio"] in [list(x) for x in labels]
    words = [m["state"]["words"] for m in models if "play" in m["state"].get("words", {})]
    assert words and words[0]["pause"] == "Pausar"
    assert "Agrupamiento" in json.dumps([m["state"].get("description") for m in models], ensure_ascii=False)


def test_an_english_deck_keeps_its_english_title(scratch_deck):
    deck, _, out = scratch_deck
    assert '<html lang="en">' in deck.read_text(encoding="utf-8")
    assert "<title>Scratch deck · slides</title>" in deck.read_text(encoding="utf-8")
    assert "<title>Scratch deck · instructor edition, with speaker notes</title>" in (
        out / "instructor" / deck.name).read_text(encoding="utf-8")


def test_deck_title_and_language_of_the_kits_notebooks():
    for path in sorted((ROOT / "notebooks" / "es").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert slides.notebook_language(nb) == "es", path.name
        title = slides.deck_title(nb, path.stem)
        assert title.endswith(" · diapositivas") and len(title) > len(" · diapositivas") + 3, title
        assert "slides" not in title
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert slides.notebook_language(nb) == "en", path.name
        assert slides.deck_title(nb, path.stem, "core").endswith(" · 90-minute core path")
    with pytest.raises(ValueError, match="`kind` must be one of"):
        slides.deck_title(v4.new_notebook(), "x", "teacher")


@pytest.mark.slow
def test_make_slides_puts_spanish_decks_beside_the_english_ones(tmp_path):
    out = tmp_path / "decks"
    spanish = ROOT / "notebooks" / "es" / "04_paso_y_relleno.ipynb"
    english = ROOT / "notebooks" / "04_stride_and_padding.ipynb"
    run = subprocess.run([sys.executable, "-m", "tools.slides", "--out", str(out), str(english),
                          str(spanish)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 notebook(s) in es" in run.stdout and "1 notebook(s) in en" in run.stdout
    es = out / "es"
    deck = es / "04_paso_y_relleno.slides.html"
    assert deck.is_file() and (es / "reveal.js" / "dist" / "reveal.js").is_file()
    assert (es / "core" / deck.name).is_file() and (es / "instructor" / deck.name).is_file()
    assert (es / "widgets" / "embed-amd.js").is_file()
    assert (out / "04_stride_and_padding.slides.html").is_file()
    text = deck.read_text(encoding="utf-8")
    assert '<html lang="es">' in text
    assert re.search(r"<title>04 · [^<]*· diapositivas</title>", text)
    assert "Ver soluci\\u00f3n" in text and "Show solution" not in text  # the buttons' saved state
    assert "A picture of the live widget" not in text
    assert text.count('class="meia-snapshot-note"') == text.count("Una imagen del widget interactivo")
    assert not _remote(_local_references(text))


def _slide_shown(page, h):
    """Wait until slide ``h`` is the present one and its transition is over (opaque, not moving)."""
    page.wait_for_function(
        """(h) => {
          if (Reveal.getIndices().h !== h) return false;
          const s = document.querySelector('.reveal .slides > section.present');
          const style = getComputedStyle(s);
          return style.opacity === '1' && (style.transform === 'none' || style.transform ===
                 'matrix(1, 0, 0, 1, 0, 0)') && s.getAnimations().length === 0;
        }""", arg=h, timeout=10_000, polling=100)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_spanish_deck_opens_offline_in_chromium_in_spanish(spanish_deck):
    from playwright.sync_api import sync_playwright

    deck, _, _ = spanish_deck
    shots = ROOT / "build" / "test-artifacts" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            page = browser.new_context(offline=True, viewport={"width": 1280, "height": 720}).new_page()
            page.goto(deck.as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=30_000)
            assert page.title() == "05 · Agrupamiento · diapositivas"
            assert page.evaluate("document.documentElement.lang") == "es"
            first = page.locator(".reveal .slides > section.present")
            assert "05 · agrupamiento" in first.inner_text().lower()  # the theme writes headings in capitals
            assert first.locator("math").first.bounding_box()["width"] > 0
            page.keyboard.press("ArrowRight")
            _slide_shown(page, 1)
            view = page.locator("section.present .meia-view[data-drawn]")
            view.wait_for(state="visible", timeout=30_000)
            explorer = page.locator("section.present .meia-explorer").first
            buttons = [t.replace("\xa0", " ").strip()
                       for t in explorer.locator(".widget-toggle-buttons button").all_inner_texts()]
            assert buttons == ["máximo", "promedio"]
            page.wait_for_function(
                "() => [...document.querySelectorAll('section.present .widget-play button')]"
                ".every(b => b.getAttribute('aria-label'))", timeout=10_000)
            names = explorer.locator(".widget-play button").evaluate_all(
                "els => els.map(b => b.getAttribute('aria-label'))")
            assert set(names) == {"Reproducir", "Detener", "Repetir"}, names
            assert "agrupamiento máximo" in view.inner_text() or view.locator("svg text").count()
            page.screenshot(path=str(shots / "deck-es-05_agrupamiento-explorer-1280x720.png"))
            page.keyboard.press("Home")
            _slide_shown(page, 0)
            page.screenshot(path=str(shots / "deck-es-05_agrupamiento-title-1280x720.png"))
        finally:
            browser.close()


def test_an_edition_with_no_slide_writes_no_deck(tmp_path):
    nb = v4.new_notebook(cells=[_cell("md", "# Beyond the lecture", "slide"), _cell("md", "More.", "slide")])
    for cell in nb.cells:
        cell.metadata["tags"] = ["optional"]
    path = tmp_path / "extra.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "decks"
    (out / "core").mkdir(parents=True)
    (out / "core" / "extra.slides.html").write_text("a deck from an earlier build")
    deck, errors = slides.export_notebook(path, out, execute=False, editions=["core", "student", "instructor"])
    assert errors == [] and deck == out / "extra.slides.html"
    assert not (out / "core" / "extra.slides.html").exists()
    assert (out / "instructor" / "extra.slides.html").is_file()
    only_core = slides.export_notebook(path, out, execute=False, editions=["core"])
    assert only_core == (None, [])


def test_the_index_names_the_notebooks_without_a_core_deck():
    index = nbformat.read(ROOT / "notebooks" / "00_index.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in index.cells)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        if not slides.has_slides(slides.edition(nb, "core")):
            number = path.stem.split("_")[0]
            assert re.search(rf"\b{number}\b[^\n]*no core deck|no core deck[^\n]*\b{number}\b", text), number


@pytest.mark.slow
@pytest.mark.subprocess
def test_make_slides_builds_every_deck_of_every_notebook_in_both_languages(tmp_path):
    """What `make slides` runs, whole: every notebook, every edition, English and Spanish."""
    out = tmp_path / "decks"
    run = subprocess.run([sys.executable, "-m", "tools.slides", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=3600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "without encryption" not in run.stdout + run.stderr
    spanish = sorted((ROOT / "notebooks" / "es").glob("*.ipynb"))
    assert spanish and len(spanish) == len(NOTEBOOKS)
    for folder, paths in ((out, NOTEBOOKS), (out / "es", spanish)):
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            for kind, sub in slides.EDITIONS.items():
                deck = (folder / sub if sub else folder) / f"{path.stem}.slides.html"
                assert deck.is_file() == slides.has_slides(slides.edition(nb, kind)), (deck, kind)
            assert (folder / f"{path.stem}.slides.html").is_file()


@pytest.mark.slow
def test_a_widget_the_html_manager_cannot_draw_is_pictured_by_the_kernel(tmp_path):
    """The kernel loads the deck builder by its path (tools/ is not installed) to picture such a widget."""
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _cell("md", "# Pictured", "slide"),
        _cell("code", "import ipywidgets as w\n"
                      "import traitlets\n"
                      "class Elsewhere(w.HBox):\n"
                      "    _model_module = traitlets.Unicode('a-front-end-not-in-the-deck').tag(sync=True)\n"
                      "Elsewhere([w.Label('drawn in the kernel')])"),
        _cell("code", "print(sorted(k for k in globals() if k in ('spec', 'module', 'importlib')))"),
    ]
    for cell in nb.cells:
        cell.metadata["tags"] = ["core"]
    source = tmp_path / "pictured.ipynb"
    nbformat.write(nb, source)
    (deck, errors), = slides.export_all([source], tmp_path / "out", log=lambda *a: None).items()
    assert errors == []
    text = deck.read_text()
    assert '<div class="meia-snapshot">' in text and "drawn in the kernel" in text
    assert "[]" in text  # the probe left the notebook's names alone
