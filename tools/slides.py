"""Every notebook as a reveal.js deck that opens with no network (``make slides``).

::

    python -m tools.slides --out build/slides            # every notebook in notebooks/
    python -m tools.slides --out build/slides notebooks/04_stride_and_padding.ipynb

Each notebook is run top to bottom in a fresh kernel (the kit's notebooks are
stored without outputs), so the decks show the figures, tables and numbers a
student sees.  The explorers stay live in the deck: their state is saved with
the deck and drawn by the widgets' HTML manager, so everything resolved in the
browser (stepping through a convolution, a linked slider) keeps working with no
kernel; controls that need Python show their saved state.  A widget the HTML
manager cannot draw offline (an ipympl figure) is shown as a picture of its
state instead.  Open the notebook in JupyterLab for the fully live slideshow
(jupyterlab-slideshow).

The cells' slide metadata is honoured: ``slide``, ``subslide``, ``fragment``,
``skip`` (left out) and ``notes`` (speaker notes: press ``s`` in the deck).

The Spanish notebooks (``notebooks/es/``, which call ``set_language("es")``)
give Spanish decks beside the English ones, in ``out/es/``: their titles, the
names of their editions, their speaker notes (the Spanish instructor notes) and
their explorers are Spanish.

Three editions of every deck are written, from one run of the notebook:

- ``out/<name>.slides.html``: the student deck, every slide, no speaker notes;
- ``out/core/<name>.slides.html``: the 90-minute path, only the slides whose
  cells are tagged ``core`` (cells tagged ``optional`` are left out);
- ``out/instructor/<name>.slides.html``: every slide, with the instructor's
  notes as speaker notes.  The kit keeps those notes out of every student's
  view: they are stored in each cell's metadata
  (``cell.metadata["meia"]["instructor_notes"]``, a list of markdown texts),
  which JupyterLab, Voilà and the live slideshow never show.

Nothing is fetched from the network when a deck opens:

- reveal.js 5 (with its theme, fonts and notes plugin) is copied beside the
  decks from the ``sphinx-revealjs`` package, which vendors it;
- equations are turned into MathML when the deck is written (``latex2mathml``),
  which the browser draws itself: no MathJax, no KaTeX, no script;
- the widgets' HTML manager (``embed-amd.js`` of ``@jupyter-widgets/html-manager``)
  and require.js are shipped in ``tools/vendor/`` (with their licences)
  and anywidget's front end comes from the ``anywidget`` package; all three are
  copied into ``widgets/`` beside the decks; no jQuery or Mermaid is loaded;
  images are embedded in the page.

The module imports nothing heavy at import time: the kernel loads it (by its
file path: ``tools/`` is not part of the installed package) to draw the widget
pictures.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import html
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from meia_cnn.i18n import LANGUAGES, TranslatedText, using_language
from meia_cnn.i18n import gettext_noop as N_

__all__ = [
    "EDITIONS",
    "LANGUAGE_FOLDERS",
    "edition",
    "deck_title",
    "notebook_language",
    "export_notebook",
    "export_all",
    "copy_widget_runtime",
    "latex_to_mathml",
    "reveal_source",
    "main",
]

#: The decks written for each notebook: (edition, sub-folder of ``out``).
EDITIONS = {"student": "", "core": "core", "instructor": "instructor"}

#: The folder, beside the decks, that holds reveal.js.
ASSETS = "reveal.js"
#: Files of reveal.js a deck needs (relative to reveal.js's own folder).
_REVEAL_FILES = (
    "LICENSE",
    "dist/reset.css",
    "dist/reveal.css",
    "dist/reveal.js",
    "dist/theme/white.css",
    "dist/theme/fonts/source-sans-pro",
    "plugin/notes/notes.js",
)
#: The folder, beside the decks, that holds the widgets' HTML manager.
WIDGET_ASSETS = "widgets"
_VENDOR = Path(__file__).parent / "vendor"
#: Widget modules the HTML manager can draw with no network (the rest become pictures).
LIVE_MODULES = frozenset({"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output", "anywidget"})
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_SNAPSHOT_MIME = "application/vnd.meia-cnn.widget-snapshots+json"
#: The name this file is loaded under in a notebook's kernel (to picture its widgets).
_PROBE_MODULE = "_meia_cnn_deck_pictures"
#: The decks of each language, in a sub-folder of ``out`` (English at the top).
LANGUAGE_FOLDERS = {"en": "", "es": "es"}

# -- what the audience reads (one place; the decks of a Spanish notebook are in Spanish) ----
DECK_TEXT = TranslatedText(
    {
        "snapshot_note": N_("A picture of the live widget: run the notebook to use it."),
        "title": N_("{title} · {edition}"),
        "student": N_("slides"),
        "core": N_("90-minute core path"),
        "instructor": N_("instructor edition, with speaker notes"),
    }
)


# -- reveal.js from the environment ---------------------------------------------
def reveal_source() -> Path:
    """The folder of reveal.js vendored by the ``sphinx-revealjs`` package.

    Found from the installed distribution's files, without importing
    ``sphinx_revealjs`` (which would import Sphinx).

    Returns
    -------
    pathlib.Path
        A folder holding ``dist/reveal.js``.

    Raises
    ------
    RuntimeError
        When ``sphinx-revealjs`` is not installed.

    Examples
    --------
    >>> (reveal_source() / "dist" / "reveal.js").is_file()
    True
    """
    from importlib import metadata, util

    candidates = []
    try:
        dist = metadata.distribution("sphinx-revealjs")
        candidates.append(Path(str(dist.locate_file("sphinx_revealjs/_static/revealjs"))))
    except metadata.PackageNotFoundError:
        pass
    spec = util.find_spec("sphinx_revealjs")
    if spec is not None and spec.origin:
        candidates.append(Path(spec.origin).parent / "_static" / "revealjs")
    for folder in candidates:
        if (folder / "dist" / "reveal.js").is_file():
            return folder
    raise RuntimeError(
        "`make slides` needs reveal.js from the `sphinx-revealjs` package, which is not "
        "installed: pip install 'sphinx-revealjs>=3.2' (or `make slides`, which installs the kit)"
    )


def copy_reveal(out: str | Path) -> Path:
    """Copy the parts of reveal.js a deck uses into ``out/reveal.js``; return that folder.

    Parameters
    ----------
    out : str or Path
        The folder of the decks.

    Returns
    -------
    Path
        ``out/reveal.js``.

    Raises
    ------
    RuntimeError
        When ``sphinx-revealjs`` is not installed or lacks a file a deck needs.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     (copy_reveal(out) / "dist" / "reveal.js").is_file()
    True
    """
    source = reveal_source()
    target = Path(out) / ASSETS
    for rel in _REVEAL_FILES:
        src, dst = source / rel, target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dst)
        elif rel != "LICENSE":
            raise RuntimeError(f"reveal.js in {source} has no {rel}")
    return target


# -- math ---------------------------------------------------------------------------
def latex_to_mathml(tex: str, *, display: bool = False) -> str:
    """LaTeX math as MathML, which browsers draw with no script and no network.

    A formula the converter cannot read is shown as its LaTeX source.

    Parameters
    ----------
    tex : str
        The formula, without its ``$`` delimiters.
    display : bool
        A display (block) formula rather than an inline one.

    Returns
    -------
    str
        A ``<math>`` element (or a ``<code>`` with the source).

    Examples
    --------
    >>> latex_to_mathml("x^2").startswith('<math')
    True
    >>> "<msup>" in latex_to_mathml("x^2")
    True
    >>> 'display="block"' in latex_to_mathml(r"\\frac{a}{b}", display=True)
    True
    """
    try:
        from latex2mathml.converter import convert
    except ImportError as exc:  # pragma: no cover - a missing dependency
        raise RuntimeError(
            "`make slides` writes equations as MathML with the `latex2mathml` package, "
            "which is not installed: pip install 'latex2mathml>=3.77'"
        ) from exc
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any parser failure shows the source instead
        return f'<code class="meia-tex">{html.escape(tex)}</code>'


_MATH_IN_TEXT = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i1>.+?)\\\)|(?<![\\$])\$(?P<i2>[^$\n]+?)\$",
    re.S,
)


def math_in_text(text: str) -> str:
    """Replace ``$...$``, ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]`` in HTML by MathML.

    Parameters
    ----------
    text : str
        HTML (or plain text) with LaTeX formulas in it.

    Returns
    -------
    str
        The same text, each formula replaced by a ``<math>`` element.

    Examples
    --------
    >>> out = math_in_text("the kernel $K$ and $$G = I * K$$")
    >>> out.count("<math"), "$" in out
    (2, False)
    """

    def replace(match: re.Match[str]) -> str:
        display = match.group("d1") or match.group("d2")
        if display is not None:
            return latex_to_mathml(html.unescape(display), display=True)
        return latex_to_mathml(html.unescape(match.group("i1") or match.group("i2")))

    return _MATH_IN_TEXT.sub(replace, text)


# -- the exporter -------------------------------------------------------------------
_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{#- reveal's own template, with nothing loaded from the network -#}
{%- block html_head_js -%}
{%- if "widgets" in nb.metadata -%}
<script src="{{ resources.meia_widgets }}/require.js"></script>
<script>require.config({paths: {anywidget: "{{ resources.meia_widgets }}/anywidget"}});</script>
{%- endif -%}
{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}
<link rel="stylesheet" href="{{ resources.reveal.url_prefix }}/dist/reset.css">
<style type="text/css">
.reveal .slides { text-align: left; }
.reveal section img { max-width: 100%; }
.meia-snapshot img.meia-w-figure { max-height: 470px; width: auto; }
.reveal .slides section { overflow-y: auto; max-height: 100%; }
.reveal math[display="block"] { margin: 0.4em 0; font-size: 1.1em; }
.reveal .jp-RenderedHTMLCommon table { font-size: 0.8em; }
/* a network's layer table (25 rows for VGG-16) fits one 1280x720 slide */
.reveal .jp-RenderedHTMLCommon table.meia-architecture { font-size: 0.62em; line-height: 1.1; }
.reveal table.meia-architecture td, .reveal table.meia-architecture th { padding: 0 0.5em !important; }
.meia-snapshot { border-left: 4px solid #56B4E9; padding-left: 0.5em; }
.meia-snapshot .meia-snapshot-note { font-size: 0.55em; color: #555; font-style: italic; }
.meia-w-row { display: flex; flex-flow: row wrap; gap: 0.4em 1.2em; align-items: center; }
.meia-w-col { display: flex; flex-direction: column; gap: 0.2em; }
.meia-w-control { font-size: 0.6em; white-space: nowrap; }
.meia-w-control .meia-w-label { color: #444; }
.meia-w-button { font-size: 0.6em; border: 1px solid #999; border-radius: 3px; padding: 0 0.4em; }
.meia-w-html { font-size: 0.65em; }
.meia-w-text { font-size: 0.6em; margin: 0; }
.meia-w-control .meia-w-text { font-size: 1em; display: inline-block; vertical-align: top; }
.meia-readout, .meia-feedback { font-size: 0.6em; }
.reveal .jupyter-widgets { font-size: 16px; text-align: left; }
.reveal .jupyter-widgets svg { max-width: none; }
</style>
{%- endblock html_head_css -%}
{% block footer_js %}
{#- reveal.js is a UMD module: with require.js on the page it would register as an
    AMD module instead of defining window.Reveal, so `define` is hidden while it loads -#}
<script>window.meiaDefine = window.define; window.define = undefined;</script>
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>window.define = window.meiaDefine;</script>
<script>
Reveal.initialize({
  controls: true,
  progress: true,
  hash: true,
  slideNumber: "c/t",
  navigationMode: "linear",
  transition: "{{ resources.reveal.transition }}",
  width: {{ resources.reveal.width }},
  height: {{ resources.reveal.height }},
  plugins: [RevealNotes],
  // a focused control of an explorer (a slider handle, a text box) keeps the keys
  keyboardCondition: (event) => !(document.activeElement &&
                                  document.activeElement.closest(".jupyter-widgets"))
});
// The widgets draw after reveal.js has placed the slides: a slide centred while
// its explorer was still empty would keep a blank band at the top and push the
// explorer's readout off the screen.  Place the slides again whenever a cell
// changes size.
Reveal.on("ready", () => {
  if (!window.ResizeObserver) return;
  let queued = false;
  const watcher = new ResizeObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; Reveal.layout(); });
  });
  document.querySelectorAll(".reveal .slides section").forEach((section) => {
    for (const child of section.children) watcher.observe(child);
  });
});
</script>
</html>
{% endblock footer_js %}
"""


def _exporter_class() -> type[Any]:
    """The exporter class, built on first use (nbconvert is imported only here)."""
    from jinja2 import DictLoader, pass_context
    from nbconvert.exporters import SlidesExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class _MathMLRenderer(IPythonRenderer):
        def block_math(self, body: str) -> str:
            return latex_to_mathml(body, display=True)

        def multiline_math(self, text: str) -> str:
            return math_in_text(text)

        def latex_environment(self, name: str, body: str) -> str:
            return latex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

        def inline_math(self, body: str) -> str:
            return latex_to_mathml(body)

        def heading(self, text: str, level: int, **attrs: Any) -> str:
            # nbconvert adds the anchor by parsing the heading with ElementTree, which writes
            # MathML back as <ns0:math>, a tag browsers do not draw: keep its id, not its markup.
            anchored = super().heading(text, level, **attrs)
            found = re.match(r'<h\d[^>]*\bid="([^"]*)"', anchored)
            if found is None:
                return anchored
            anchor = found.group(1)
            return (
                f'<h{level} id="{anchor}">{text}<a class="anchor-link" href="#{anchor}">'
                f"{html.escape(self.anchor_link_text)}</a></h{level}>\n"
            )

    class OfflineSlidesExporter(SlidesExporter):
        """nbconvert's reveal.js exporter with reveal.js beside the deck and math as MathML."""

        def __init__(self, prefix: str = ASSETS, language: str = "en", **kw: Any) -> None:
            kw.setdefault("extra_loaders", [DictLoader({"meia_offline.html.j2": _TEMPLATE})])
            super().__init__(**kw)
            self.language_code = language
            self.template_file = "meia_offline.html.j2"
            self.reveal_url_prefix = prefix
            self.reveal_theme = "white"
            self.reveal_transition = "slide"
            self.reveal_width = "1280"
            self.reveal_height = "800"
            self.embed_images = True
            self.exclude_input_prompt = True
            self.exclude_output_prompt = True
            self.widget_renderer_url = f"{WIDGET_ASSETS}/embed-amd.js"

        def _init_resources(self, resources: dict[str, Any]) -> dict[str, Any]:
            resources = super()._init_resources(resources)
            resources["meia_widgets"] = WIDGET_ASSETS
            return resources

        @pass_context
        def markdown2html(self, context: Any, source: str) -> str:
            cell = context.get("cell", {})
            path = context.get("resources", {}).get("metadata", {}).get("path", "")
            renderer = _MathMLRenderer(
                escape=False,
                attachments=cell.get("attachments", {}),
                embed_images=self.embed_images,
                path=path,
                anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links,
                **self.lexer_options,
            )
            return MarkdownWithMath(renderer=renderer).render(source)

    return OfflineSlidesExporter


# -- pictures of the widgets (run inside the notebook's kernel) -----------------------
def _widget_html(widget: Any, seen: set[int] | None = None) -> str:
    """A static HTML picture of a live ipywidget (recursing into boxes)."""
    import ipywidgets as w

    seen = set() if seen is None else seen
    if id(widget) in seen:
        return ""
    seen.add(id(widget))
    layout = getattr(widget, "layout", None)
    if layout is not None and (layout.display == "none" or layout.visibility == "hidden"):
        return ""
    classes = " ".join(getattr(widget, "_dom_classes", ()))
    figure = getattr(widget, "figure", None)
    if figure is not None and hasattr(figure, "savefig"):  # an ipympl canvas
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=figure.dpi)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img class="meia-w-figure" alt="figure" src="data:image/png;base64,{data}">'
    if isinstance(widget, w.Output):
        return "".join(_output_html(out) for out in widget.outputs)
    if isinstance(widget, w.HTMLMath):
        return f'<div class="meia-w-html meia-w-math {classes}">{widget.value}</div>'
    if isinstance(widget, w.HTML):
        return f'<div class="meia-w-html {classes}">{widget.value}</div>' if widget.value else ""
    if isinstance(widget, w.Label):
        return f'<span class="meia-w-html {classes}">{html.escape(widget.value)}</span>'
    if isinstance(widget, w.Box):
        inner = "".join(_widget_html(child, seen) for child in widget.children)
        kind = "meia-w-row" if isinstance(widget, w.HBox) else "meia-w-col"
        return f'<div class="{kind} {classes}">{inner}</div>' if inner else ""
    if isinstance(widget, (w.Play, w.FileUpload)):
        return ""
    if isinstance(widget, w.Button):
        return f'<span class="meia-w-button">{html.escape(widget.description or "")}</span>'
    label = html.escape(getattr(widget, "description", "") or "")
    if isinstance(widget, w.Textarea):
        return (
            f'<div class="meia-w-control"><span class="meia-w-label">{label}</span>'
            f'<pre class="meia-w-text">{html.escape(str(widget.value))}</pre></div>'
        )
    if hasattr(widget, "value"):
        value = widget.value
        if isinstance(widget, w.Checkbox):
            value = "\u2611" if value else "\u2610"
        return (
            f'<span class="meia-w-control"><span class="meia-w-label">{label}</span> '
            f"<b>{html.escape(str(value))}</b></span>"
        )
    return ""


def _output_html(out: Any) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        return f'<pre class="meia-w-text">{html.escape(out.get("text", ""))}</pre>'
    data = out.get("data", {})
    if "image/png" in data:
        return f'<img alt="figure" src="data:image/png;base64,{data["image/png"]}">'
    if "text/html" in data:
        return data["text/html"]
    if "text/plain" in data:
        return f'<pre class="meia-w-text">{html.escape(data["text/plain"])}</pre>'
    return ""


def _snapshot_widgets(model_ids: Sequence[str]) -> None:
    """Display, as one JSON output, a static HTML picture of each widget in ``model_ids``.

    Called in the notebook's kernel by :func:`export_notebook`.
    """
    from IPython.display import display
    from ipywidgets.widgets.widget import _instances

    pictures = {}
    for model_id in model_ids:
        widget = _instances.get(model_id)
        if widget is not None and not _drawable_offline(widget):
            pictures[model_id] = _widget_html(widget)
    display({_SNAPSHOT_MIME: pictures}, raw=True)


def _drawable_offline(widget: Any, seen: set[int] | None = None) -> bool:
    """Whether ``widget`` and every widget it refers to come from :data:`LIVE_MODULES`."""
    import ipywidgets as w

    seen = set() if seen is None else seen
    if id(widget) in seen:
        return True
    seen.add(id(widget))
    if getattr(widget, "_model_module", None) not in LIVE_MODULES:
        return False
    for name in widget.keys:
        value = getattr(widget, name, None)
        values = value if isinstance(value, (list, tuple)) else (value,)
        for item in values:
            if isinstance(item, w.Widget) and not _drawable_offline(item, seen):
                return False
    return True


# -- running and exporting ------------------------------------------------------------
def _widget_ids(cells: Sequence[Any]) -> list[str]:
    ids: list[str] = []
    for cell in cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view and view.get("model_id"):
                ids.append(view["model_id"])
    return ids


@contextlib.contextmanager
def kernel_manager(kernel_name: str = "python3") -> Iterator[Any]:
    """A manager for a local kernel that talks over IPC (Unix sockets), not TCP.

    A kernel started over TCP warns that its traffic is not encrypted; the
    decks' kernels are local, so their sockets are files in a private
    temporary folder, removed on exit (TCP where Unix sockets do not exist).

    Parameters
    ----------
    kernel_name : str
        The kernel spec's name.

    Yields
    ------
    jupyter_client.AsyncKernelManager
        Not started; ``nbclient.NotebookClient(nb, km=...)`` starts it.

    Examples
    --------
    >>> with kernel_manager() as km:
    ...     km.transport in ("ipc", "tcp")
    True
    """
    import os
    import tempfile

    from jupyter_client import AsyncKernelManager

    if os.name != "posix":
        yield AsyncKernelManager(kernel_name=kernel_name)
        return
    # a Unix socket's path is limited to about 100 characters: a short folder in the system's temp
    folder = Path(tempfile.mkdtemp(prefix="meia-kernel-"))
    try:
        yield AsyncKernelManager(
            kernel_name=kernel_name, transport="ipc", ip=str(folder / "k"), connection_file=str(folder / "k.json")
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(nb: Any, path: Path, timeout: int, kernel_name: str) -> list[str]:
    """Run every cell of ``nb`` in a fresh kernel; replace widgets by their pictures.

    Returns the list of errors (``"cell N: Name: message"``).
    """
    from nbclient import NotebookClient

    errors: list[str] = []
    pictures: dict[str, str] = {}
    with kernel_manager(kernel_name) as km:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=kernel_name,
            allow_errors=True,
            km=km,
            resources={"metadata": {"path": str(path.parent)}},
        )
        _execute(client, nb, errors, pictures)
    _replace_widgets(nb, pictures)
    return errors


def _execute(client: Any, nb: Any, errors: list[str], pictures: dict[str, str]) -> None:
    """Run the code cells of ``nb`` with ``client``; note errors and widget pictures."""
    # the manager is ours (kernel_manager): stop the kernel and close the client here
    with client.setup_kernel(cleanup_kc=True):
        for index, cell in enumerate(list(nb.cells)):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)
            for out in cell.outputs:
                if out.output_type == "error":
                    errors.append(f"cell {index}: {out.ename}: {out.evalue}")
            ids = _widget_ids([cell])
            if ids:
                # pictured right after their cell: later cells may change them
                pictures.update(_picture(client, nb, ids, errors))
        client.set_widgets_metadata()


def _picture(client: Any, nb: Any, ids: Sequence[str], errors: list[str]) -> dict[str, str]:
    """Ask the kernel for pictures of the widgets ``ids`` (a cell run at the end of ``nb``)."""
    from nbformat import v4

    # tools/ is not installed: the kernel loads this file by its path (once, as a private module),
    # in a namespace of its own so that the notebook's names are left alone
    loader = (
        "import importlib.util, sys\n"
        f"if {_PROBE_MODULE!r} not in sys.modules:\n"
        f"    spec = importlib.util.spec_from_file_location({_PROBE_MODULE!r}, {str(Path(__file__).resolve())!r})\n"
        "    sys.modules[spec.name] = module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)\n"
        f"sys.modules[{_PROBE_MODULE!r}]._snapshot_widgets({list(ids)!r})\n"
    )
    probe = v4.new_code_cell(f"exec({loader!r}, {{}})")
    nb.cells.append(probe)
    try:
        client.execute_cell(probe, len(nb.cells) - 1)
    finally:
        nb.cells.pop()
    pictures = {}
    for out in probe.outputs:
        pictures.update(out.get("data", {}).get(_SNAPSHOT_MIME, {}))
        if out.output_type == "error":
            errors.append(f"widget pictures: {out.ename}: {out.evalue}")
    return pictures


def _replace_widgets(nb: Any, pictures: dict[str, str]) -> None:
    """Put each picture in place of its widget view; keep the views that stay live.

    A view stays live when its model is in the saved widget state and has no
    picture (see :func:`_drawable_offline`); any other view is replaced by its
    picture, or dropped.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    live = False
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            view = data.get(WIDGET_VIEW)
            if view is None:
                continue
            picture = pictures.get(view.get("model_id"))
            if picture is None and view.get("model_id") in state:
                live = True
                continue
            del data[WIDGET_VIEW]
            if picture:
                data.pop("text/plain", None)
                data["text/html"] = (
                    f'<div class="meia-snapshot">{math_in_text(picture)}'
                    f'<div class="meia-snapshot-note">{html.escape(DECK_TEXT["snapshot_note"])}</div></div>'
                )
    if not live:
        nb.metadata.pop("widgets", None)


_TEST_MARKER = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*\n?", re.M)


def _drop_test_markers(nb: Any) -> None:
    """Test markers (``# NBVAL_CHECK_OUTPUT``) are for the test suite, not for the audience."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = _TEST_MARKER.sub("", cell.source)


def _latex_outputs(nb: Any) -> None:
    """Outputs that only carry LaTeX get a MathML rendering (no MathJax in the deck)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/latex" in data and "text/html" not in data:
                data["text/html"] = math_in_text(data["text/latex"])


_NOTEBOOK_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/)([^"#]+)\.ipynb(#[^"]*)?"', re.I)


def _notes_cell(text: str) -> Any:
    from nbformat import v4

    cell = v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": "notes"}
    return cell


def edition(nb: Any, name: str) -> Any:
    """A copy of ``nb`` as one edition of its deck sees it.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (run or not).
    name : {'student', 'core', 'instructor'}
        ``'student'`` drops every speaker-notes cell; ``'core'`` also drops
        the cells tagged ``optional``; ``'instructor'`` keeps every cell and
        adds each cell's ``metadata["meia"]["instructor_notes"]`` after it as
        speaker notes.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> from nbformat import v4
    >>> nb = v4.new_notebook(cells=[v4.new_markdown_cell("# A", metadata={
    ...     "tags": ["core"], "meia": {"instructor_notes": ["Ask first."]}}),
    ...     v4.new_markdown_cell("more", metadata={"tags": ["optional"]})])
    >>> [c.source for c in edition(nb, "core").cells]
    ['# A']
    >>> [c.source for c in edition(nb, "instructor").cells]
    ['# A', 'Ask first.', 'more']
    >>> [c.source for c in edition(nb, "student").cells]
    ['# A', 'more']
    """
    import copy

    if name not in EDITIONS:
        raise ValueError(f"`name` must be one of {', '.join(EDITIONS)}; got {name!r}")
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes":
            if name == "instructor":
                cells.append(cell)
            continue
        if name == "core" and "optional" in cell.get("metadata", {}).get("tags", []):
            continue
        cells.append(cell)
        if name == "instructor":
            notes = cell.get("metadata", {}).get("meia", {}).get("instructor_notes", [])
            cells.extend(_notes_cell(text) for text in notes)
    nb.cells = cells
    return nb


_SET_LANGUAGE = re.compile(r"""set_language\(\s*["']([A-Za-z_.@-]+)["']\s*\)""")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def notebook_language(nb: Any) -> str:
    """The language a notebook speaks: the one its code sets with ``set_language``, else English.

    The Spanish notebooks call ``meia_cnn.set_language("es")`` in their first
    code cell; the English ones set nothing.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    str
        One of :data:`meia_cnn.i18n.LANGUAGES`.

    Examples
    --------
    >>> from nbformat import v4
    >>> notebook_language(v4.new_notebook(cells=[v4.new_code_cell('meia_cnn.set_language("es")')]))
    'es'
    >>> notebook_language(v4.new_notebook(cells=[v4.new_code_cell("x = 1")]))
    'en'
    """
    for cell in nb.cells:
        if cell.cell_type == "code":
            found = _SET_LANGUAGE.search(cell.source)
            if found:
                code = found.group(1).replace("-", "_").split("_")[0].lower()
                return code if code in LANGUAGES else LANGUAGES[0]
    return LANGUAGES[0]


def deck_title(nb: Any, name: str, kind: str = "student") -> str:
    """A deck's title: the notebook's first heading and the edition, in the notebook's language.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    name : str
        The notebook's file name without extension (the title when it has no heading).
    kind : {'student', 'core', 'instructor'}
        The edition.

    Returns
    -------
    str

    Examples
    --------
    >>> from nbformat import v4
    >>> nb = v4.new_notebook(cells=[v4.new_markdown_cell("# 05 · Pooling\\n\\nText.")])
    >>> deck_title(nb, "05_pooling", "core")
    '05 · Pooling · 90-minute core path'
    >>> spanish = v4.new_notebook(cells=[v4.new_code_cell('meia_cnn.set_language("es")'),
    ...                                  v4.new_markdown_cell("# 05 · Agrupamiento")])
    >>> deck_title(spanish, "05_agrupamiento")
    '05 · Agrupamiento · diapositivas'
    """
    if kind not in EDITIONS:
        raise ValueError(f"`kind` must be one of {', '.join(EDITIONS)}; got {kind!r}")
    title = name
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.search(cell.source)
            if found:
                title = re.sub(r"[*_`]", "", found.group(1)).strip()
                break
    with using_language(notebook_language(nb)):
        return DECK_TEXT["title"].format(title=title, edition=DECK_TEXT[kind])


def export_notebook(
    path: str | Path,
    out: str | Path,
    *,
    execute: bool = True,
    timeout: int = 180,
    kernel_name: str | None = None,
    editions: Sequence[str] = ("student",),
) -> tuple[Path | None, list[str]]:
    """Write the reveal.js decks of one notebook into ``out``.

    Parameters
    ----------
    path : str or Path
        The notebook.
    out : str or Path
        The folder of the decks; reveal.js is expected in ``out/reveal.js``
        (:func:`export_all` copies it there).
    execute : bool
        Run the notebook first (the kit's notebooks are stored without
        outputs); ``False`` exports the outputs stored in the file.
    timeout : int
        Seconds allowed to each cell.
    kernel_name : str, optional
        Defaults to the notebook's kernel (``python3``).
    editions : sequence of str
        Which of :data:`EDITIONS` to write (the notebook runs once for all).

    The deck speaks the notebook's language (:func:`notebook_language`): its
    title, its edition's name and the notes under widget pictures; the page's
    ``lang`` follows.

    An edition with no slide (a notebook with no core slide has no core
    deck) writes nothing.

    Returns
    -------
    deck : Path or None
        The first edition's deck written, e.g. ``out/<name>.slides.html``
        (None when no edition has a slide).
    errors : list of str
        Cells that raised while running (their tracebacks are in the deck).

    Examples
    --------
    >>> import tempfile
    >>> from nbformat import v4, write
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nb = Path(tmp) / "demo.ipynb"
    ...     write(v4.new_notebook(cells=[v4.new_markdown_cell("The kernel $K$ slides.")]), nb)
    ...     deck, errors = export_notebook(nb, tmp, execute=False, editions=["instructor", "student"])
    ...     html = deck.read_text(encoding="utf-8")
    >>> deck.relative_to(tmp).as_posix(), errors, "<math" in html, "$K$" in html
    ('instructor/demo.slides.html', [], True, False)
    """
    import nbformat

    path, out = Path(path), Path(out)
    nb = nbformat.read(path, as_version=4)
    language = notebook_language(nb)
    errors = []
    with using_language(language):
        if execute:
            name = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3"
            errors = _run(nb, path, timeout, name)
        else:
            _replace_widgets(nb, {})
    _latex_outputs(nb)
    _drop_test_markers(nb)
    decks = []
    for kind in editions:
        folder = EDITIONS[kind]
        target = out / folder if folder else out
        prefix = f"../{ASSETS}" if folder else ASSETS
        exporter = _exporter_class()(prefix=prefix, language=language)
        deck_nb = edition(nb, kind)
        if not has_slides(deck_nb):
            # e.g. a notebook with no core slide has no core deck (nor a stale one from an earlier build)
            (target / f"{path.stem}.slides.html").unlink(missing_ok=True)
            continue
        title = deck_title(nb, path.stem, kind)
        deck_nb.metadata["title"] = title
        body, _ = exporter.from_notebook_node(
            deck_nb, resources={"metadata": {"name": path.stem, "path": str(path.parent)}}
        )
        # the template adds the English word "slides" after the title; the title already names the edition
        body = body.replace(
            f"<title>{html.escape(title, quote=False)} slides</title>",
            f"<title>{html.escape(title, quote=False)}</title>",
            1,
        )
        # links between notebooks become links between decks
        body = _NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.slides.html{m.group(2) or ""}"', body)
        target.mkdir(parents=True, exist_ok=True)
        deck = target / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    return (decks[0] if decks else None), errors


def has_slides(nb: Any) -> bool:
    """True when ``nb`` shows at least one slide (a cell that is neither skipped nor a speaker note).

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    bool

    Examples
    --------
    >>> from nbformat import v4
    >>> has_slides(v4.new_notebook(cells=[v4.new_code_cell("x = 1", metadata={"slideshow": {"slide_type": "skip"}})]))
    False
    >>> has_slides(v4.new_notebook(cells=[v4.new_markdown_cell("# A")]))
    True
    """
    return any(
        cell.get("metadata", {}).get("slideshow", {}).get("slide_type") not in ("skip", "notes") for cell in nb.cells
    )


def copy_widget_runtime(out: str | Path) -> Path:
    """Copy require.js, the widgets' HTML manager and anywidget's front end into ``out/widgets``.

    The HTML manager loads ``anywidget`` through require.js from that folder
    (the deck's template configures the path), so no widget code is fetched
    from a CDN.

    Parameters
    ----------
    out : str or Path
        The folder of the decks (of one edition).

    Returns
    -------
    Path
        ``out/widgets``.

    Raises
    ------
    RuntimeError
        When the installed ``anywidget`` package lacks its front end.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     sorted(p.name for p in copy_widget_runtime(out).glob("*.js"))[:1]
    ['anywidget.js']
    """
    import anywidget

    dst = Path(out) / WIDGET_ASSETS
    dst.mkdir(parents=True, exist_ok=True)
    # the HTML manager's style sheets ask for their icon fonts (the Play button's)
    # at these paths relative to the page, whatever folder it was loaded from
    font_dirs = [Path(out) / "@jupyter-widgets", Path(out) / "@jupyter-widgets" / "html-manager" / "dist"]
    for folder in font_dirs:
        folder.mkdir(parents=True, exist_ok=True)
    for item in _VENDOR.iterdir():
        if item.suffix == ".woff2":
            for folder in font_dirs:
                shutil.copy2(item, folder / item.name)
        elif item.is_file():
            shutil.copy2(item, dst / item.name)
    front_end = Path(anywidget.__file__).parent / "nbextension" / "index.js"
    if not front_end.is_file():
        raise RuntimeError(f"anywidget's front end is missing from its package: {front_end}")
    shutil.copy2(front_end, dst / "anywidget.js")
    return dst


def export_all(
    notebooks: Sequence[str | Path],
    out: str | Path,
    *,
    execute: bool = True,
    timeout: int = 180,
    log: Callable[..., Any] = print,
    editions: Sequence[str] = tuple(EDITIONS),
) -> dict[Path, list[str]]:
    """Export every notebook (every edition), copy reveal.js and the widgets' runtime beside the decks.

    Each edition's folder gets its own copy of the widgets' runtime: the HTML
    manager finds its fonts relative to the page.

    Parameters
    ----------
    notebooks : sequence of str or Path
        The notebooks to export.
    out : str or Path
        The folder of the decks (created if needed).
    execute : bool
        Run each notebook first; ``False`` exports the outputs stored in the files.
    timeout : int
        Seconds allowed to each cell.
    log : callable
        Called with one line of progress per notebook (and one per error).
    editions : sequence of str
        Which of :data:`EDITIONS` to write.

    Returns
    -------
    dict of Path to list of str
        ``{deck: errors}``: each notebook's first deck (the notebook itself when
        it has no slide) and the cells that raised.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from nbformat import v4, write
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     nb = Path(tmp) / "demo.ipynb"
    ...     write(v4.new_notebook(cells=[v4.new_markdown_cell("# The kernel $K$")]), nb)
    ...     results = export_all([nb], Path(tmp) / "slides", execute=False, log=lambda line: None,
    ...                          editions=["student"])
    ...     [(deck.name, errors) for deck, errors in results.items()]
    [('demo.slides.html', [])]
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    copy_reveal(out)
    for kind in editions:
        copy_widget_runtime(out / EDITIONS[kind] if EDITIONS[kind] else out)
    results = {}
    for path in notebooks:
        start = time.perf_counter()
        deck, errors = export_notebook(path, out, execute=execute, timeout=timeout, editions=editions)
        written = [kind for kind in editions if (out / EDITIONS[kind] / f"{Path(path).stem}.slides.html").is_file()]
        results[deck or Path(path)] = errors
        status = f"{len(errors)} cell(s) raised" if errors else "ok"
        log(
            f"{deck or path}  ({time.perf_counter() - start:.1f} s, {status}; "
            f"editions: {', '.join(written) or 'none (no slide)'})"
        )
        for error in errors:
            log(f"    {error}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.slides [--out DIR] [--no-execute] [--timeout S] [NOTEBOOK ...]``.

    Parameters
    ----------
    argv : sequence of str, optional
        The command's arguments (default: ``sys.argv[1:]``); with no notebook,
        every ``notebooks/*.ipynb`` and every ``notebooks/es/*.ipynb``.  The
        decks of a Spanish notebook go to ``OUT/es/`` (its editions to
        ``OUT/es/core/`` and ``OUT/es/instructor/``).

    Returns
    -------
    int
        The exit status: 0 when every notebook ran, 1 when a cell raised,
        2 when a dependency of the decks is missing.

    Examples
    --------
    >>> import contextlib, io, tempfile
    >>> from pathlib import Path
    >>> from nbformat import v4, write
    >>> with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     nb = Path(tmp) / "demo.ipynb"
    ...     write(v4.new_notebook(cells=[v4.new_markdown_cell("# Hello")]), nb)
    ...     status = main(["--no-execute", "--out", str(Path(tmp) / "slides"), str(nb)])
    ...     written = (Path(tmp) / "slides" / "instructor" / "demo.slides.html").is_file()
    >>> status, written, "1 notebook(s) in en" in printed.getvalue()
    (0, True, True)
    """
    parser = argparse.ArgumentParser(
        prog="python -m tools.slides", description="Export notebooks to reveal.js decks that open offline."
    )
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to export (default: notebooks/*.ipynb, and notebooks/es/*.ipynb into OUT/es/)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("build/slides"), help="folder of the decks (default: build/slides)"
    )
    parser.add_argument(
        "--no-execute",
        dest="execute",
        action="store_false",
        help="export the outputs stored in the notebooks instead of running them",
    )
    parser.add_argument("--timeout", type=int, default=180, help="seconds allowed to each cell")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or [
        *sorted(Path("notebooks").glob("*.ipynb")),
        *sorted(Path("notebooks", "es").glob("*.ipynb")),
    ]
    if not notebooks:
        parser.error("no notebooks given and none found in notebooks/")
    missing = [str(p) for p in notebooks if not Path(p).is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    import nbformat

    by_language: dict[str, list[Path]] = {}
    for path in notebooks:
        language = notebook_language(nbformat.read(path, as_version=4))
        by_language.setdefault(language, []).append(Path(path))
    results: dict[Path, list[str]] = {}
    try:
        for language, paths in by_language.items():
            folder = LANGUAGE_FOLDERS.get(language, language)
            out = args.out / folder if folder else args.out
            results.update(export_all(paths, out, execute=args.execute, timeout=args.timeout))
            print(
                f"{len(paths)} notebook(s) in {language}: student decks in {out}/, the 90-minute core path "
                f"in {out}/core/, the instructor edition (press 's' for the notes) in {out}/instructor/"
            )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = sum(bool(errors) for errors in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
