"""The Spanish edition in a real browser: JupyterLab in Spanish on the Spanish index, and Voilà.

The explorers of a Spanish notebook, in Lab and in Voilà, offer Spanish
options and name their Play buttons in Spanish (their values stay the English
identifiers the code uses).

The server is set up as ``make lab-es`` sets it up (the Lab locale ``es_ES``
in its user settings, from the ``jupyterlab-language-pack-es-ES`` package);
the test opens ``notebooks/es/00_indice.ipynb``, runs it from the Spanish Run
menu and reads what a person reads: Spanish menus, Spanish markdown with no
English prose left, and the notebook's checked result.
"""

from __future__ import annotations

import contextlib
import json
import re

import pytest

from .meia_browser import (
    KERNEL_START_MS,
    NOTEBOOK_PANEL,
    ROOT,
    RUN_ALL_MS,
    LabPage,
    LabServer,
    overflow,
    readout_of,
    view_of,
    wait_drawn,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/es/00_indice.ipynb"
#: Common English words that never occur in Spanish prose.
ENGLISH_WORDS = {
    "the",
    "with",
    "of",
    "and",
    "is",
    "are",
    "from",
    "each",
    "to",
    "for",
    "this",
    "that",
    "what",
    "which",
    "you",
    "your",
    "output",
    "input",
    "how",
    "does",
    "in",
    "on",
    "by",
    "it",
    "be",
    "where",
    "when",
    "then",
    "than",
}

# The prose of the rendered markdown cells, as a person reads it: no math, no code, no cited
# titles (a list item with a year in parentheses), no English column of the glossary.
_PROSE_JS = """
(panelSel) => {
  const panel = document.querySelector(panelSel);
  return [...panel.querySelectorAll('.jp-RenderedMarkdown')].map(el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('mjx-container, .MathJax, script, code, pre').forEach(e => e.remove());
    copy.querySelectorAll('li').forEach(li => { if (/\\(\\d{4}\\)\\./.test(li.textContent)) li.remove(); });
    copy.querySelectorAll('table').forEach(t => {
      if (/inglés/i.test(t.querySelector('th') ? t.querySelector('tr').textContent : '')) t.remove();
    });
    return copy.textContent;
  });
}
"""


@pytest.fixture(scope="module")
def lab_es(tmp_path_factory):
    """A JupyterLab whose interface is Spanish (the settings `make lab-es` writes)."""
    server = LabServer(tmp_path_factory.mktemp("lab-es"))
    # The front end reads the locale when the page loads, after the server started.
    setting = server.settings / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    setting.parent.mkdir(parents=True, exist_ok=True)
    setting.write_text(json.dumps({"locale": "es_ES"}))
    try:
        server.wait_ready()
        yield server
    finally:
        with contextlib.suppress(Exception):
            if server.proc.poll() is None:
                server.shutdown_kernels()
        server.stop()


def _checked_output(path):
    """The stored text of the first cell nbval checks in ``path``."""
    nb = json.loads((ROOT / path).read_text())
    cell = next(
        c for c in nb["cells"] if c["cell_type"] == "code" and "nbval-check-output" in c["metadata"].get("tags", [])
    )
    out = cell["outputs"][0]
    text = out.get("text") or out["data"]["text/plain"]
    return ("".join(text) if isinstance(text, list) else text).strip()


def _wait_kernel_idle(page):
    """The notebook's kernel is connected and idle (status words in either language)."""
    page.wait_for_function(
        """(sel) => {
          const panel = document.querySelector(sel);
          if (!panel) return false;
          const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
          const name = panel.querySelector('.jp-KernelName, .jp-Toolbar-kernelName');
          const bar = document.querySelector('#jp-main-statusbar');
          return !!indicator && indicator.getAttribute('data-status') === 'idle' && !!name &&
                 /Python/.test(name.innerText) && !!bar && /\\| (Inactivo|Idle)/.test(bar.innerText);
        }""",
        arg=NOTEBOOK_PANEL,
        timeout=KERNEL_START_MS,
        polling=200,
    )


def test_spanish_index_in_spanish_jupyterlab(lab_es, page, artifacts):
    page.goto(lab_es.url(NOTEBOOK))
    page.locator(
        ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel", has_text="00_indice.ipynb"
    ).wait_for(timeout=KERNEL_START_MS)
    _wait_kernel_idle(page)

    # JupyterLab's own interface is Spanish.
    menus = [t.strip() for t in page.locator(".lm-MenuBar-itemLabel").all_inner_texts()]
    assert {"Archivo", "Editar", "Ver", "Configuración", "Ayuda"} <= set(menus), menus
    assert not {"File", "Edit", "View", "Settings", "Help"} & set(menus), menus

    # Run everything from the Run menu, as a student would.  (The language pack for Lab 4.5
    # leaves this menu's own title in English on Lab 4.6; its entries are Spanish.)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^(Ejecutar|Run)$")).click()
    entry = page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').first
    label = entry.locator(".lm-Menu-itemLabel").inner_text()
    assert label.strip() == "Ejecutar todas las celdas", label
    page.screenshot(path=str(artifacts / "es-00_indice-run-menu.png"))
    entry.click()
    page.wait_for_function(
        """(sel) => {
          const panel = document.querySelector(sel);
          const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
              .map(e => e.textContent.trim());
          return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p));
        }""",
        arg=NOTEBOOK_PANEL,
        timeout=RUN_ALL_MS,
        polling=250,
    )
    panel = page.locator(NOTEBOOK_PANEL)
    assert panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    # the notebook's checked result shows on the page (the value nbval compares)
    assert _checked_output(NOTEBOOK) in panel.inner_text()

    # The markdown is Spanish, with its glossary, and no English prose is left.
    page.wait_for_function(  # math typeset, so that no raw TeX is read as words
        "(sel) => !/\\$[^$]+\\$/.test(document.querySelector(sel).innerText)",
        arg=NOTEBOOK_PANEL,
        timeout=30_000,
        polling=250,
    )
    texts = page.evaluate(_PROSE_JS, NOTEBOOK_PANEL)
    prose = "\n".join(texts)
    for spanish in (
        "Redes neuronales convolucionales",
        "Objetivos de aprendizaje",
        "Cómo usar el kit",
        "Contenido",
        "Notación",
        "Glosario español–inglés",
        "Ejercicios",
    ):
        assert spanish in prose, spanish
    prose = re.sub(r"\b\d\d[a-z]?\.[a-z_0-9]+\b", " ", prose)  # exercise ids are code
    english = sorted({w for w in re.findall(r"[A-Za-z]+", prose) if w.lower() in ENGLISH_WORDS})
    assert english == [], f"English words in the Spanish markdown: {english}"

    # Links lead to the Spanish notebooks.
    hrefs = panel.locator(".jp-RenderedMarkdown a").evaluate_all(
        "els => els.map(a => decodeURIComponent(a.getAttribute('href') || ''))"
    )
    notebooks = [h.split("?")[0].rsplit("/", 1)[-1] for h in hrefs if ".ipynb" in h]
    assert "01_invariancia_a_la_posicion.ipynb" in notebooks, hrefs
    assert not [n for n in notebooks if n.startswith("02_convolution")], notebooks
    page.screenshot(path=str(artifacts / "es-00_indice.png"), full_page=False)


def test_spanish_notebook_as_a_voila_app(voila_server, page, artifacts):
    """Voilà serves a Spanish notebook: it runs, its widgets render, its text is Spanish."""
    page.goto(voila_server.url("es/04_paso_y_relleno.ipynb"), timeout=120_000)
    page.locator(".jp-RenderedMarkdown").first.wait_for(timeout=120_000)
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=60_000, polling=250)
    body = page.inner_text("body")
    assert page.locator(".jupyter-widgets-error-widget").count() == 0
    assert "Error displaying widget" not in body and "Traceback" not in body
    assert page.locator(".jupyter-widgets").count() > 0  # the explorers are there
    texts = page.evaluate(_PROSE_JS.replace("document.querySelector(panelSel)", "document.body"), "body")
    prose = re.sub(r"\b\d\d[a-z]?\.[a-z_0-9]+\b", " ", "\n".join(texts))
    assert "Paso y relleno" in prose and "Objetivos de aprendizaje" in prose
    english = sorted({w for w in re.findall(r"[A-Za-z]+", prose) if w.lower() in ENGLISH_WORDS})
    assert english == [], f"English words in the Spanish markdown: {english}"
    page.screenshot(path=str(artifacts / "voila-es-04_paso_y_relleno.png"), full_page=False)

    # The stride/padding explorer speaks Spanish: its padding options and its Play buttons' names.
    explorer = _browser_drawn(page).first
    wait_drawn(view_of(explorer))
    options = _texts(explorer.locator(".widget-dropdown select option"))
    assert options == ["valid (sin relleno)", "same (mismo tamaño)", "full (relleno completo)", "número p"]
    assert _play_names(explorer) == {"Reproducir", "Detener", "Repetir"}
    _no_english_play_names(explorer)
    readout = readout_of(explorer).inner_text()
    assert "Ecuación (3)" in readout and _english(readout) == [], readout


# -- explorers of Spanish notebooks in Spanish JupyterLab -------------------------------------
PLAY_ENGLISH = {"Play", "Pause", "Stop", "Repeat", "Play control"}


def _texts(locator):
    """The texts of ``locator``'s elements as read (ipywidgets writes option spaces as no-break spaces)."""
    return [t.replace("\xa0", " ").strip() for t in locator.all_inner_texts()]


def _selected(select):
    return select.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")


def _english(text):
    return sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS})


def _browser_drawn(page, root=""):
    return page.locator(f"{root} .meia-explorer".strip()).filter(has=page.locator(".meia-view"))


def _play_names(explorer):
    """The accessible names of the explorer's Play buttons (once the page has named them)."""
    explorer.page.wait_for_function(
        "(el) => [...el.querySelectorAll('.widget-play button')].every(b => b.getAttribute('aria-label'))",
        arg=explorer.element_handle(),
        timeout=30_000,
        polling=250,
    )
    names = explorer.locator(".widget-play button").evaluate_all(
        "els => els.map(b => [b.getAttribute('aria-label'), b.title])"
    )
    assert names, "no Play buttons"
    assert all(label == title for label, title in names), names
    return {label for label, _ in names}


def _no_english_play_names(explorer):
    names = explorer.locator(".widget-play button").evaluate_all("els => els.map(b => b.getAttribute('aria-label'))")
    assert not set(names) & PLAY_ENGLISH, names


def _run_all_in_spanish_lab(lab):
    page = lab.page
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^(Ejecutar|Run)$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').first.click()
    page.wait_for_function(
        """(sel) => {
          const panel = document.querySelector(sel);
          const indicator = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
          if (!indicator || indicator.getAttribute('data-status') !== 'idle') return false;
          const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
              .map(e => e.textContent.trim());
          return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p));
        }""",
        arg=NOTEBOOK_PANEL,
        timeout=RUN_ALL_MS,
        polling=250,
    )


def _check_convolution_es(explorer):
    buttons = _texts(explorer.locator(".widget-toggle-buttons").first.locator("button"))
    assert buttons == ["convolución", "correlación cruzada"]
    selects = explorer.locator(".widget-dropdown select")
    presets = _texts(selects.nth(0).locator("option"))
    assert {"Sobel x", "desenfoque de caja", "gaussiano", "personalizado"} <= set(presets), presets
    photo = selects.nth(1)
    assert _selected(photo) == "camarógrafo"
    assert {"monedas", "astronauta", "luna"} <= set(_texts(photo.locator("option")))
    assert "Subir imagen" in explorer.inner_text()


def _check_pooling_es(explorer):
    buttons = _texts(explorer.locator(".widget-toggle-buttons").first.locator("button"))
    assert buttons == ["máximo", "promedio"]
    assert _selected(explorer.locator(".widget-dropdown select").first) == "camarógrafo"


SPANISH_EXPLORERS = {
    "02_convolucion.ipynb": _check_convolution_es,
    "05_agrupamiento.ipynb": _check_pooling_es,
}


@pytest.mark.parametrize("name", list(SPANISH_EXPLORERS))
def test_explorers_of_a_spanish_notebook_speak_spanish(lab_es, page, name, artifacts):
    lab = LabPage(page, lab_es)
    lab.open(f"notebooks/es/{name}")
    _run_all_in_spanish_lab(lab)
    explorer = _browser_drawn(page, NOTEBOOK_PANEL).first
    explorer.wait_for(timeout=60_000)
    for width, height in ((850, 900), (1280, 720)):
        page.set_viewport_size({"width": width, "height": height})
        wait_drawn(view_of(explorer))
        explorer.scroll_into_view_if_needed()
        assert overflow(explorer) == [], f"{name} explorer overflows at {width}x{height}"
        SPANISH_EXPLORERS[name](explorer)
        assert _play_names(explorer) == {"Reproducir", "Detener", "Repetir"}
        _no_english_play_names(explorer)
        assert view_of(explorer).get_attribute("aria-label")  # named by its Spanish title
        readout = readout_of(explorer).inner_text()
        assert readout.strip() and _english(readout) == [], readout
        explorer.screenshot(path=str(artifacts / f"lab-es-{name.removesuffix('.ipynb')}-{width}x{height}.png"))
        explorer.evaluate("el => el.scrollIntoView({block: 'start'})")  # its controls at the top of the page
        page.wait_for_function("() => new Promise(r => requestAnimationFrame(() => r(true)))")
        page.screenshot(path=str(artifacts / f"lab-es-{name.removesuffix('.ipynb')}-page-{width}x{height}.png"))
    with contextlib.suppress(Exception):
        lab_es.shutdown_kernels()
