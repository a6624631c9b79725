"""The Spanish edition in a real browser: JupyterLab in Spanish on the Spanish index, and Voilà.

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
    ROOT,
    NOTEBOOK_PANEL,
    RUN_ALL_MS,
    LabServer,
    VoilaServer,
    copy_notebooks,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/es/00_indice.ipynb"
#: Common English words that never occur in Spanish prose.
ENGLISH_WORDS = {"the", "with", "of", "and", "is", "are", "from", "each", "to", "for", "this", "that",
                 "what", "which", "you", "your", "output", "input", "how", "does", "in", "on", "by",
                 "it", "be", "where", "when", "then", "than"}

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
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code"
                and "nbval-check-output" in c["metadata"].get("tags", []))
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
        }""", arg=NOTEBOOK_PANEL, timeout=KERNEL_START_MS, polling=200)


def test_spanish_index_in_spanish_jupyterlab(lab_es, page, artifacts):
    page.goto(lab_es.url(NOTEBOOK))
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel",
                 has_text="00_indice.ipynb").wait_for(timeout=KERNEL_START_MS)
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
        }""", arg=NOTEBOOK_PANEL, timeout=RUN_ALL_MS, polling=250)
    panel = page.locator(NOTEBOOK_PANEL)
    assert panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    # the notebook's checked result shows on the page (the value nbval compares)
    assert _checked_output(NOTEBOOK) in panel.inner_text()

    # The markdown is Spanish, with its glossary, and no English prose is left.
    page.wait_for_function(  # math typeset, so that no raw TeX is read as words
        "(sel) => !/\\$[^$]+\\$/.test(document.querySelector(sel).innerText)",
        arg=NOTEBOOK_PANEL, timeout=30_000, polling=250)
    texts = page.evaluate(_PROSE_JS, NOTEBOOK_PANEL)
    prose = "\n".join(texts)
    for spanish in ("Redes neuronales convolucionales", "Objetivos de aprendizaje", "Cómo usar el kit",
                    "Contenido", "Notación", "Glosario español–inglés", "Ejercicios"):
        assert spanish in prose, spanish
    prose = re.sub(r"\b\d\d[a-z]?\.[a-z_0-9]+\b", " ", prose)  # exercise ids are code
    english = sorted({w for w in re.findall(r"[A-Za-z]+", prose) if w.lower() in ENGLISH_WORDS})
    assert english == [], f"English words in the Spanish markdown: {english}"

    # Links lead to the Spanish notebooks.
    hrefs = panel.locator(".jp-RenderedMarkdown a").evaluate_all(
        "els => els.map(a => decodeURIComponent(a.getAttribute('href') || ''))")
    notebooks = [h.split("?")[0].rsplit("/", 1)[-1] for h in hrefs if ".ipynb" in h]
    assert "01_invariancia_a_la_posicion.ipynb" in notebooks, hrefs
    assert not [n for n in notebooks if n.startswith("02_convolution")], notebooks
    page.screenshot(path=str(artifacts / "es-00_indice.png"), full_page=False)


@pytest.fixture(scope="module")
def voila_es(tmp_path_factory):
    base = tmp_path_factory.mktemp("voila-es")
    server = VoilaServer(base, copy_notebooks(base))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_spanish_notebook_as_a_voila_app(voila_es, page, artifacts):
    """Voilà serves a Spanish notebook: it runs, its widgets render, its text is Spanish."""
    page.goto(voila_es.url("es/04_paso_y_relleno.ipynb"), timeout=120_000)
    page.locator(".jp-RenderedMarkdown").first.wait_for(timeout=120_000)
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')",
                           timeout=60_000, polling=250)
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
