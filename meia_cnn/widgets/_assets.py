"""The front-end files of the explorers: each one's module, the drawing library, the theme's CSS."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import anywidget
import traitlets

from ..explain._render import PALETTE

__all__ = ["JS_DIR", "esm", "THEME_CSS", "Library", "library"]

#: Folder of the front-end files shipped with the package.
JS_DIR = Path(__file__).resolve().parent / "js"

#: An explorer's file imports the drawing library with exactly this line (names from draw.js)...
_IMPORT = re.compile(r'^import \{ (?P<names>\w+(?:, \w+)*) \} from "\./draw\.js";\n', re.MULTILINE)
#: ... and ends with this export.
_EXPORT = "export default { render };"
#: What makes an explorer's file a module anywidget can load from a blob URL: the file's body runs
#: once, with the library's exports, which the page's Library widget gives (anywidget >= 0.11).
_LOADER = """
let made = null;
export default {
  async render(props) {
    if (!props.host) throw new Error("meia-cnn's explorers need anywidget >= 0.11 (host.getWidget)");
    // the trait holds "IPY_MODEL_<id>" (ipywidgets' reference); anywidget's host names it "anywidget:<id>"
    const ref = String(props.model.get("library")).replace(/^IPY_MODEL_/, "anywidget:");
    const { exports } = await props.host.getWidget(ref);
    made = made || explorer(exports);
    return made.render(props);
  },
};
"""


@functools.cache
def esm(name: str) -> str:
    """The ES module of one explorer's view, made from :file:`js/{name}`.

    The file is a module that imports the drawing library
    (``import { Draw } from "./draw.js";``) and ends with
    ``export default { render };``.  anywidget loads ``_esm`` from a blob
    URL, where a relative ``import`` cannot resolve, so the import becomes
    the library's exports, which the page's one :class:`Library` widget
    gives to every view (anywidget's ``host.getWidget``): the library is
    sent once per kernel, not with every view.

    Parameters
    ----------
    name : str
        The explorer's file in :data:`JS_DIR`, e.g. ``"stride_padding.js"``.

    Returns
    -------
    str
        The module's source.

    Examples
    --------
    >>> source = esm("stride_padding.js")
    >>> "function explorer({ Draw, Sweep })" in source and "export default" in source
    True
    >>> "function grid(" in source  # the library is not in it
    False
    """
    path = JS_DIR / name
    if path.parent != JS_DIR or not path.is_file() or name == "draw.js":
        raise ValueError(f"`name` must be a file of {JS_DIR} other than draw.js, got {name!r}")
    source = path.read_text(encoding="utf-8")
    imports = _IMPORT.findall(source)
    if len(imports) != 1 or not source.rstrip().endswith(_EXPORT):
        raise ValueError(f"{name} must import from ./draw.js once and end with `{_EXPORT}`")
    body = _IMPORT.sub("", source).rstrip()[: -len(_EXPORT)]
    return (
        f"// {name}, run with the exports of draw.js\nfunction explorer({{ {imports[0]} }}) {{\n{body}"
        f"return {{ render }};\n}}\n{_LOADER}"
    )


#: The page's ink for the views, from JupyterLab's theme variables (light or dark), with fallbacks
#: for pages without them (a static deck): text, lines and arrows never a fixed black.
THEME_CSS = f"""
.meia-view, .meia-upload {{
  --meia-ink: var(--jp-content-font-color1, #1a1a1a);
  --meia-ink-strong: var(--jp-content-font-color0, #000000);
  --meia-ink-soft: var(--jp-content-font-color2, #595959);
  --meia-line: var(--jp-content-font-color1, #1a1a1a);
  --meia-paper: var(--jp-layout-color0, #ffffff);
  --meia-grid-line: {PALETTE["grey"]};
  color: var(--meia-ink);
}}
/* the architecture's table (HTML of meia_cnn.architectures): as wide as its box at most (its
   headings break rather than the table being cut), its grey rows in the theme's soft ink, its
   source line as large as the table's text (a projector's 14 px, a phone's 12 px) */
.meia-explorer table.meia-architecture {{
  --meia-ink-soft: var(--jp-content-font-color2, #595959);
  max-width: 100%;
  font-size: 14px;
}}
.meia-explorer table.meia-architecture :is(th, td) {{
  padding: 1px 4px !important;
}}
.meia-explorer table.meia-architecture thead th {{
  overflow-wrap: anywhere;
}}
.meia-explorer table.meia-architecture td[style*="color:#555"] {{
  color: var(--meia-ink-soft) !important;
}}
.meia-explorer table.meia-architecture caption span {{
  font-size: inherit !important;
}}
"""


class Library(anywidget.AnyWidget):
    """The drawing library of the explorers (:file:`js/draw.js`), one per kernel, never shown.

    Its module's ``initialize`` returns the library; each explorer's view
    receives it through its ``library`` trait (:func:`library`), so the
    library travels to the page once instead of with every view.

    ``palette`` : dict
        :data:`PALETTE`, the data colours the page draws with.

    Examples
    --------
    >>> library() is library(), library().palette["orange"]
    (True, '#E69F00')
    """

    _esm = (JS_DIR / "draw.js").read_text(encoding="utf-8")
    palette = traitlets.Dict().tag(sync=True)


_LIBRARY: list[Library] = []


def library() -> Library:
    """The kernel's :class:`Library` widget (made again if it was closed).

    Returns
    -------
    Library
    """
    if not _LIBRARY or _LIBRARY[0].comm is None:
        _LIBRARY[:] = [Library(palette=dict(PALETTE))]
    return _LIBRARY[0]
